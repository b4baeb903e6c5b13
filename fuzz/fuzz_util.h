/*
** fuzz_util.h -- small helpers shared by the libFuzzer targets: split an
** input into fields, and abort (so libFuzzer records a crash) when an
** invariant of the code under test does not hold.
*/
#ifndef FUZZ_UTIL_H
#define FUZZ_UTIL_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond)                                                   \
  do {                                                                     \
    if (!(cond)) {                                                         \
      fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, \
              #cond);                                                      \
      abort();                                                             \
    }                                                                      \
  } while (0)

/* Takes the next field, up to (not including) the byte `sep`, from
** *p and *n; the rest stays there.  Returns 0 when no field is left. */
static inline int fuzz_field(const char **p, size_t *n, char sep, const char **f, size_t *fn) {
  const char *s;
  if (!*p) return 0;
  *f = *p;
  s = *n ? memchr(*p, sep, *n) : NULL;
  if (!s) {
    *fn = *n;
    *p = NULL;
    *n = 0;
    return 1;
  }
  *fn = (size_t)(s - *p);
  *n -= *fn + 1;
  *p = s + 1;
  return 1;
}

#endif
