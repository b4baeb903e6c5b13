/*
** lam_err.h -- error codes of the C core.
** One X-macro list feeds the enum, the mnemonic names and the messages, so
** they cannot drift apart.  Core functions return int: 0 (LAM_OK) or a code.
*/
#ifndef LAM_ERR_H
#define LAM_ERR_H

#define LAM_ERR_LIST(X)                                                     \
  X(OK,          "ok")                                                      \
  X(NOMEM,       "out of memory")                                           \
  X(ARG,         "invalid argument")                                        \
  X(URL,         "malformed URL")                                           \
  X(HEADER,      "invalid header name or value")                            \
  X(HOST,        "the Host header disagrees with the URL")                  \
  X(METHOD,      "invalid HTTP method")                                     \
  X(TIME,        "invalid time")                                            \
  X(CRYPTO,      "cryptographic library failure")                          \
  X(TOOBIG,      "input too large")                                         \
  X(PARSE,       "malformed input")                                         \
  X(CONNECT,     "could not connect to the endpoint")                      \
  X(CONNECT_TIMEOUT, "connect timed out")                                   \
  X(READ_TIMEOUT, "read timed out")                                         \
  X(TRANSPORT,   "transport failure")                                       \
  X(CLOSED,      "handle is closed")                                       \
  X(SPAWN,       "could not start the process")                             \
  X(TIMEOUT,     "timed out")

typedef enum {
#define LAM_ERR_ENUM(name, msg) LAM_ERR_##name,
  LAM_ERR_LIST(LAM_ERR_ENUM)
#undef LAM_ERR_ENUM
  LAM_ERR__COUNT
} lam_err;

#define LAM_OK LAM_ERR_OK

const char *lam_err_name(int code);    /* "NOMEM" */
const char *lam_err_message(int code); /* "out of memory" */

#endif
