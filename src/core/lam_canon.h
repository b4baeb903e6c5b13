/*
** lam_canon.h -- URL splitting, percent-encoding and the SigV4
** canonicalization of path, query and headers.  Pure C, no Lua.
*/
#ifndef LAM_CANON_H
#define LAM_CANON_H

#include <stddef.h>
#include "lam_buf.h"

/* A header as the caller passes it: not NUL-terminated slices. */
typedef struct {
  const char *name;
  size_t name_len;
  const char *value;
  size_t value_len;
} lam_header;

/* The parts of an absolute http(s) URL, as slices of the input. */
typedef struct {
  const char *scheme; size_t scheme_len;  /* "http" | "https" (any case) */
  const char *host; size_t host_len;      /* host[:port] as it should be signed */
  const char *path; size_t path_len;      /* from the first '/', may be empty */
  const char *query; size_t query_len;    /* after '?', without the fragment */
  int has_query;
} lam_url;

/* Splits url.  The port is dropped from `host` when it is the scheme's
** default (80 for http, 443 for https).  LAM_ERR_URL on anything else
** than http(s)://authority[/path][?query][#fragment]. */
int lam_url_parse(const char *url, size_t len, lam_url *out);

/* Percent-encodes every byte outside A-Za-z0-9-._~ (and '/' when
** keep_slash), with upper-case hex: space is %20, never '+'. */
int lam_uri_encode(lam_buf *out, const char *s, size_t n, int keep_slash);

/* Percent-decodes s; a '%' not followed by two hex digits stays as it is. */
int lam_uri_decode(lam_buf *out, const char *s, size_t n);

/* Removes dot segments and collapses repeated '/' (a trailing '/' is kept,
** an empty path becomes "/").  Appends to out. */
int lam_path_normalize(lam_buf *out, const char *path, size_t n);

/* Canonical URI: the wire path, normalized when asked, percent-encoded
** again with '/' kept (the non-S3 double encoding: '%' becomes %25). */
int lam_canon_path(lam_buf *out, const char *path, size_t n, int normalize);

/* At most this many query parameters or headers are accepted (TOOBIG). */
#define LAM_CANON_MAX_PAIRS 1024

/* Canonical query string: split on '&' and the first '=', decode, encode
** with the unreserved set, sort by key then value; "k" means "k=". */
int lam_canon_query(lam_buf *out, const char *q, size_t n);
/* The same with a caller-owned workspace, reused to avoid allocations. */
int lam_canon_query_ws(lam_buf *out, const char *q, size_t n, lam_buf *ws);

/* Trims a header value and collapses inner white-space runs to one space. */
int lam_canon_header_value(lam_buf *out, const char *v, size_t n);

/* 1 when the (lower-cased) header name is never signed: authorization and
** the hop-by-hop / transport set (user-agent, expect, connection, ...). */
int lam_canon_header_unsigned(const char *lname, size_t n);

/* Header names are HTTP tokens; values hold no CR, LF or NUL. */
int lam_header_check(const lam_header *h);

#endif
