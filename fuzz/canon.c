/*
** canon.c -- SigV4 canonicalization on any bytes: the URL split
** (lam_url_parse), the canonical path and query, and header values.
** Checks: slices stay inside the input; the canonical query is made of
** sorted "key=value" pairs of unreserved bytes and '%XX', and is a fixed
** point; a canonical header value is trimmed, single-spaced and a fixed
** point.
*/
#include <stdint.h>

#include "fuzz_util.h"
#include "lam_buf.h"
#include "lam_canon.h"
#include "lam_err.h"

static void inside(const char *s, size_t n, const char *p, size_t len) {
  FUZZ_CHECK(p >= s && (size_t)(p - s) <= n && len <= n - (size_t)(p - s));
}

static void fixed_point(int (*f)(lam_buf *, const char *, size_t), const lam_buf *once) {
  lam_buf again = LAM_BUF_INIT;
  FUZZ_CHECK(f(&again, once->data, once->len) == LAM_OK);
  FUZZ_CHECK(again.len == once->len && (once->len == 0 || memcmp(again.data, once->data, once->len) == 0));
  lam_buf_free(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *s = (const char *)data;
  lam_url u;
  lam_buf b = LAM_BUF_INIT;
  int normalize;
  if (lam_url_parse(s, size, &u) == LAM_OK) {
    inside(s, size, u.scheme, u.scheme_len);
    inside(s, size, u.host, u.host_len);
    inside(s, size, u.path, u.path_len);
    inside(s, size, u.query, u.query_len);
    FUZZ_CHECK(u.host_len > 0 && (u.path_len == 0 || u.path[0] == '/'));
  }
  for (normalize = 0; normalize < 2; normalize++) {
    lam_buf_reset(&b);
    FUZZ_CHECK(lam_canon_path(&b, s, size, normalize) == LAM_OK && b.len >= 1);
  }
  lam_buf_reset(&b);
  if (lam_canon_query(&b, s, size) == LAM_OK) {
    size_t i;
    for (i = 0; i < b.len; i++) {
      unsigned char c = (unsigned char)b.data[i];
      FUZZ_CHECK((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 (c && strchr("-._~%=&", c)));
    }
    if (b.len) fixed_point(lam_canon_query, &b);
  }
  lam_buf_reset(&b);
  FUZZ_CHECK(lam_canon_header_value(&b, s, size) == LAM_OK && b.len <= size);
  if (b.len) {
    FUZZ_CHECK(b.data[0] != ' ' && b.data[b.len - 1] != ' ');
    FUZZ_CHECK(!memmem(b.data, b.len, "  ", 2) && !memchr(b.data, '\t', b.len));
    fixed_point(lam_canon_header_value, &b);
  }
  lam_buf_free(&b);
  return 0;
}
