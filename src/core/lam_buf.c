#include "lam_buf.h"
#include "lam_err.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

void lam_buf_init(lam_buf *b) {
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
}

void lam_buf_free(lam_buf *b) {
  free(b->data);
  lam_buf_init(b);
}

void lam_buf_free_secure(lam_buf *b) {
  if (b->data) OPENSSL_cleanse(b->data, b->cap);
  lam_buf_free(b);
}

void lam_buf_reset(lam_buf *b) {
  b->len = 0;
  if (b->data) b->data[0] = '\0';
}

int lam_buf_reserve(lam_buf *b, size_t extra) {
  size_t need, ncap;
  char *p;
  if (extra > (size_t)-1 - b->len - 1) return LAM_ERR_NOMEM;
  need = b->len + extra + 1; /* room for the terminating NUL */
  if (need <= b->cap) return LAM_OK;
  ncap = b->cap ? b->cap : 64;
  while (ncap < need) ncap = (ncap > ((size_t)-1) / 2) ? need : ncap * 2;
  p = realloc(b->data, ncap);
  if (!p) return LAM_ERR_NOMEM;
  b->data = p;
  b->cap = ncap;
  return LAM_OK;
}

int lam_buf_append_str(lam_buf *b, const char *s) {
  return lam_buf_append(b, s, strlen(s));
}

int lam_buf_append_hex(lam_buf *b, const unsigned char *p, size_t n) {
  static const char hex[] = "0123456789abcdef";
  size_t i;
  int rc = lam_buf_reserve(b, n * 2);
  if (rc) return rc;
  for (i = 0; i < n; i++) {
    b->data[b->len++] = hex[p[i] >> 4];
    b->data[b->len++] = hex[p[i] & 15];
  }
  b->data[b->len] = '\0';
  return LAM_OK;
}
