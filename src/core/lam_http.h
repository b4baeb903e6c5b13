/*
** lam_http.h -- the HTTP transport: one libcurl easy handle, reused across
** requests so the connection stays alive, driven through a private multi
** handle so the read timeout can be enforced with millisecond precision.
**
** Call order:
**   lam_http_config_init(&cfg); ...adjust cfg...;
**   lam_http_new(&h, &cfg);
**   lam_http_perform(h, &req, &res);   -- any number of times
**     res (status, body, kind, reason) and lam_http_header(h, i, ..) stay
**     valid until the next lam_http_perform or lam_http_free on h.
**   lam_http_free(h);
**
** The caller must have run curl_global_init() once before the first
** lam_http_new (the Lua module does it in luaopen_aws_lambda_core).
**
** What the handle sends: exactly the request headers given, plus Host and
** Content-Length as libcurl computes them.  libcurl's own defaults are
** suppressed unless the caller supplies the header: no default Accept, no
** form Content-Type on bodies, no "Expect: 100-continue", and never an
** Accept-Encoding.  HTTP/1.1 only, no redirects, http/https only, no signals.
** Proxies come from the usual environment variables (libcurl's default;
** nothing here overrides it).  TLS peer and host verification are on unless
** cfg.verify is 0.
**
** Failure classes (res->kind), named after botocore's exceptions:
**   LAM_ERR_CONNECT          "EndpointConnectionError"  refused, DNS, proxy
**   LAM_ERR_CONNECT_TIMEOUT  "ConnectTimeoutError"      before connected
**   LAM_ERR_READ_TIMEOUT     "ReadTimeoutError"         after connected
**   LAM_ERR_TRANSPORT        "ConnectionClosedError"    dropped/truncated
**   LAM_ERR_TRANSPORT        "SSLError"                 TLS failures
**   LAM_ERR_TOOBIG           "ResponseTooLarge"         body/headers over cap
**   anything else            "HTTPClientError"          (NOMEM, URL, ARG...)
** res->reason is libcurl's error text (CURLOPT_ERRORBUFFER) or our own; it
** never contains request headers or the body, so secrets cannot leak.
*/
#ifndef LAM_HTTP_H
#define LAM_HTTP_H

#include <stddef.h>

#define LAM_HTTP_DEFAULT_MAX_RESPONSE ((size_t)16 * 1024 * 1024)
#define LAM_HTTP_DEFAULT_TIMEOUT_MS 60000L
/* Bytes of response header lines accepted per request (all lines summed). */
#define LAM_HTTP_MAX_HEADER_BYTES ((size_t)256 * 1024)

typedef struct lam_http lam_http; /* opaque */

typedef struct {
  long connect_timeout_ms; /* TCP + TLS set-up; 0 = libcurl's default (300 s) */
  long read_timeout_ms;    /* longest gap without received bytes once
                              connected; 0 = no read timeout */
  const char *ca_bundle;   /* CA file (CURLOPT_CAINFO); NULL = system default.
                              Copied by lam_http_new. */
  int verify;              /* 1 = verify the TLS peer and host name */
  size_t max_response;     /* cap on the body bytes; 0 = the default */
} lam_http_config;

/* Defaults: 60 s connect, 60 s read, verify on, 16 MiB cap. */
void lam_http_config_init(lam_http_config *cfg);

typedef struct {
  const char *name;
  size_t name_len;
  const char *value;
  size_t value_len;
} lam_http_header;

typedef struct {
  const char *method;             /* NUL-terminated token: "GET", "DELETE"... */
  const char *url;                /* NUL-terminated, http:// or https:// */
  const lam_http_header *headers; /* sent in this order, names as given */
  size_t nheaders;
  const char *body;               /* may be NULL; must stay valid during the call */
  size_t body_len;
  long timeout_ms;                /* total time for this request; 0 = none */
} lam_http_request;

typedef struct {
  long status;        /* final HTTP status; 0 when no response */
  const char *body;   /* never NULL ("" when empty); NUL-terminated */
  size_t body_len;
  size_t nheaders;    /* header lines of the final response */
  const char *kind;   /* NULL on success, else the failure class above */
  const char *reason; /* NULL on success, else a NUL-terminated message */
} lam_http_result;

typedef struct {
  unsigned long long connections; /* new connections opened so far */
  unsigned long long requests;    /* lam_http_perform calls that ran */
  /* Timings of the last request in microseconds from its start (0 when
  ** not reached): connect = TCP connected, appconnect = TLS done,
  ** starttransfer = first response byte, total = finished. */
  long long connect_us, appconnect_us, starttransfer_us, total_us;
} lam_http_stats;

/* Creates a handle.  LAM_ERR_NOMEM, or LAM_ERR_ARG when libcurl refuses an
** option (e.g. an unsupported TLS setting); *out is NULL on failure. */
int lam_http_new(lam_http **out, const lam_http_config *cfg);
void lam_http_free(lam_http *h); /* NULL is fine */

/* Runs one request.  LAM_OK when a complete response arrived (any status);
** otherwise a lam_err code, with res->kind and res->reason set, and status,
** headers and body holding whatever did arrive (possibly partial).
** Checked before anything is sent: LAM_ERR_CLOSED (h is NULL), LAM_ERR_ARG
** (method not a token, NULL url, negative timeout), LAM_ERR_HEADER (a header
** name that is not a token, or a value holding CR, LF or NUL).
** A header value that is empty or only white space is sent as "Name:". */
int lam_http_perform(lam_http *h, const lam_http_request *req, lam_http_result *res);

/* Header i (0-based, < res.nheaders) of the last response, name as received
** and value with surrounding white space removed; obsolete line folding is
** joined with one space.  Repeated headers appear once per line, in order. */
int lam_http_header_at(const lam_http *h, size_t i, lam_http_header *out);

void lam_http_get_stats(const lam_http *h, lam_http_stats *st);

#endif
