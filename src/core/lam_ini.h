/*
** lam_ini.h -- the AWS shared config/credentials file parser.
**
** Semantics follow what botocore gets from Python's RawConfigParser plus its
** own nested-value step (configloader.raw_config_parse):
**   - lines end at LF, CR LF or a lone CR;
**   - a line whose stripped text starts with '#' or ';' is a comment (no
**     inline comments: "key = a # b" has the value "a # b");
**   - "[NAME]": a section header; NAME is the text between the first '[' and
**     the last ']' of the stripped line (at least one byte), kept verbatim;
**   - "key = value" or "key : value": the key is the text before the first
**     '=' or ':', stripped and lower-cased; the value is stripped;
**   - a line indented deeper than the line that started the current option
**     continues its value (joined with "\n"); blank lines inside a value are
**     kept when a continuation follows, trailing blank lines are dropped;
**   - a value that starts with "\n" (i.e. "key =" followed by indented
**     lines) is a nested sub-section: each non-blank line is "subkey = value"
**     split at the first '=' (subkeys keep their case);
**   - an option before any section header, a line that is neither a
**     section, an option nor a continuation, an empty key, or a nested line
**     without '=' is an error (botocore raises ConfigParseError).
** Duplicate sections and options (configparser's strict mode) are left to
** the caller, which sees every event.
**
** The parser never allocates except through `scratch` (reserved once to the
** input size, so it never moves): keys and values are assembled there.  It
** is bounded by LAM_INI_MAX_INPUT and linear in the input.
*/
#ifndef LAM_INI_H
#define LAM_INI_H

#include <stddef.h>

#include "lam_buf.h"

#define LAM_INI_MAX_INPUT ((size_t)16 * 1024 * 1024)

typedef enum {
  LAM_INI_SECTION,  /* a section header: section set, key/value NULL */
  LAM_INI_VALUE,    /* section, key, value */
  LAM_INI_SUBVALUE  /* section, key, subkey, value (nested sub-section) */
} lam_ini_event_kind;

typedef struct {
  lam_ini_event_kind kind;
  size_t line; /* 1-based line of the section header or of the option */
  const char *section;
  size_t section_len;
  const char *key; /* lower-cased */
  size_t key_len;
  const char *subkey;
  size_t subkey_len;
  const char *value;
  size_t value_len;
} lam_ini_event;

/* Called for every event, in file order.  The pointers are valid only
** during the call.  A non-zero return stops the parse and is returned by
** lam_ini_parse as is. */
typedef int (*lam_ini_cb)(void *ud, const lam_ini_event *ev);

typedef struct {
  size_t line;     /* 1-based line of the error; 0 when not line-related */
  const char *why; /* static text; never quotes the input (it may hold secrets) */
} lam_ini_error;

/* Parses text[0..len).  LAM_OK; LAM_ERR_PARSE with err filled; LAM_ERR_TOOBIG;
** LAM_ERR_NOMEM; or the callback's non-zero code.  scratch is reset, used,
** and left allocated (the caller frees it, securely: values may be secrets). */
int lam_ini_parse(const char *text, size_t len, lam_buf *scratch, lam_ini_cb cb, void *ud,
                  lam_ini_error *err);

#endif
