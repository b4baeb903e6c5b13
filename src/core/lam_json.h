/*
** lam_json.h -- a small, allocation-free JSON reader for the few places the
** core must look inside JSON (AWS error bodies, test vectors).  It never
** builds a tree: it validates and skips values, finds members and array
** items as raw slices, and decodes string literals into a lam_buf.
** All functions are safe on arbitrary (hostile) input; nesting is bounded.
*/
#ifndef LAM_JSON_H
#define LAM_JSON_H

#include <stddef.h>
#include "lam_buf.h"

#define LAM_JSON_MAX_DEPTH 64

typedef enum {
  LAM_JSON_INVALID = 0, LAM_JSON_OBJECT, LAM_JSON_ARRAY, LAM_JSON_STRING,
  LAM_JSON_NUMBER, LAM_JSON_TRUE, LAM_JSON_FALSE, LAM_JSON_NULL
} lam_json_type;

/* Type of the value at the start of s (after leading white space). */
lam_json_type lam_json_type_of(const char *s, size_t len);

/* Checks that s holds exactly one JSON value (white space around allowed). */
int lam_json_validate(const char *s, size_t len);

/* In the object s, finds member `key` (exact, after unescaping) and returns
** its raw value slice.  LAM_OK when found; LAM_ERR_ARG when absent;
** LAM_ERR_PARSE when s is not a valid object.  The last duplicate wins, as
** in Python's json module. */
int lam_json_member(const char *s, size_t len, const char *key,
                    const char **val, size_t *vlen);

/* In the array s, returns item `index` (0-based) as a raw slice. */
int lam_json_item(const char *s, size_t len, size_t index,
                  const char **val, size_t *vlen);

/* Decodes the string literal s (with its quotes) into out (appended, UTF-8). */
int lam_json_string(const char *s, size_t len, lam_buf *out);

/* Convenience: member `key` of object s, decoded as a string into out.
** LAM_ERR_ARG when absent or not a string. */
int lam_json_member_string(const char *s, size_t len, const char *key, lam_buf *out);

#endif
