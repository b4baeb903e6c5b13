/*
** lam_buf.h -- a growable byte buffer that reports failure instead of
** aborting.  Always NUL-terminated after a successful append (when data is
** non-NULL), so its contents can be handed to C string APIs.
*/
#ifndef LAM_BUF_H
#define LAM_BUF_H

#include <stddef.h>
#include <string.h>

typedef struct {
  char *data;
  size_t len;
  size_t cap;
} lam_buf;

#define LAM_BUF_INIT {NULL, 0, 0}

void lam_buf_init(lam_buf *b);
void lam_buf_free(lam_buf *b);        /* release memory */
void lam_buf_free_secure(lam_buf *b); /* wipe, then release */
void lam_buf_reset(lam_buf *b);       /* len = 0, memory kept */
int lam_buf_reserve(lam_buf *b, size_t extra);
int lam_buf_append_str(lam_buf *b, const char *s);

/* Inline: the signer appends many short pieces per request. */
static inline int lam_buf_append(lam_buf *b, const void *p, size_t n) {
  if (b->cap - b->len <= n || !b->data) {
    int rc = lam_buf_reserve(b, n);
    if (rc) return rc;
  }
  if (n) memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = '\0';
  return 0;
}

static inline int lam_buf_append_char(lam_buf *b, char c) {
  if (b->cap - b->len <= 1 || !b->data) {
    int rc = lam_buf_reserve(b, 1);
    if (rc) return rc;
  }
  b->data[b->len++] = c;
  b->data[b->len] = '\0';
  return 0;
}
/* Appends the lower-case hex form of n bytes. */
int lam_buf_append_hex(lam_buf *b, const unsigned char *p, size_t n);

#endif
