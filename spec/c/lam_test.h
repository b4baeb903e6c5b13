/*
** lam_test.h -- a minimal check harness for the C unit tests.
** Each test binary exits 0 when every CHECK held; failures print where.
*/
#ifndef LAM_TEST_H
#define LAM_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int lam_test_failures = 0;
static int lam_test_checks = 0;

#define CHECK(cond)                                                          \
  do {                                                                       \
    lam_test_checks++;                                                       \
    if (!(cond)) {                                                           \
      lam_test_failures++;                                                   \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                        \
  } while (0)

/* compares a (pointer, length) with an expected C string and shows both */
#define CHECK_STR(got, got_len, want)                                        \
  do {                                                                       \
    const char *g_ = (got), *w_ = (want);                                    \
    size_t gl_ = (got_len);                                                  \
    lam_test_checks++;                                                       \
    if (!g_ || gl_ != strlen(w_) || memcmp(g_, w_, gl_) != 0) {              \
      lam_test_failures++;                                                   \
      fprintf(stderr, "%s:%d: %s\n  got:  [%.*s]\n  want: [%s]\n", __FILE__,  \
              __LINE__, #got, (int)(g_ ? gl_ : 0), g_ ? g_ : "", w_);         \
    }                                                                        \
  } while (0)

static inline int lam_test_done(const char *name) {
  if (lam_test_failures)
    fprintf(stderr, "%s: %d of %d checks failed\n", name, lam_test_failures, lam_test_checks);
  else
    printf("%s: %d checks passed\n", name, lam_test_checks);
  return lam_test_failures ? 1 : 0;
}

/* Reads a whole file; NULL when it cannot.  Caller frees. */
static inline char *lam_test_read(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  char *buf;
  long n;
  if (!f) return NULL;
  if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
    fclose(f);
    return NULL;
  }
  buf = malloc((size_t)n + 1);
  if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
    free(buf);
    buf = NULL;
  }
  fclose(f);
  if (buf) {
    buf[n] = '\0';
    if (len) *len = (size_t)n;
  }
  return buf;
}

#endif
