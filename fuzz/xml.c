/*
** xml.c -- the STS XML reader (lam_xml_leaves) on any bytes.  Checks each
** leaf: a non-empty path of '/'-separated non-empty names, no longer than
** LAM_XML_MAX_PATH, with no more than LAM_XML_MAX_DEPTH names; an error
** has a reason.  The first byte picks a leaf after which the callback stops
** the walk, whose code must come back unchanged.
*/
#include <stdint.h>

#include "fuzz_util.h"
#include "lam_buf.h"
#include "lam_err.h"
#include "lam_xml.h"

typedef struct {
  size_t leaves, stop_at;
} fuzz_xml;

static int on_leaf(void *ud, const char *path, size_t path_len, const char *text, size_t text_len) {
  fuzz_xml *f = ud;
  size_t i, depth = 1;
  FUZZ_CHECK(path && path_len > 0 && path_len <= LAM_XML_MAX_PATH);
  FUZZ_CHECK(text || text_len == 0);
  FUZZ_CHECK(path[0] != '/' && path[path_len - 1] != '/' && !memmem(path, path_len, "//", 2));
  for (i = 0; i < path_len; i++) {
    /* local names: the prefix is dropped, and a name ends at '>' (the
    ** reader is lenient about other bytes in names, e.g. '<' or NUL) */
    FUZZ_CHECK(path[i] != '>' && path[i] != ':');
    if (path[i] == '/') depth++;
  }
  FUZZ_CHECK(depth <= LAM_XML_MAX_DEPTH);
  if (text_len) (void)(volatile char)text[text_len - 1]; /* the whole text is readable */
  return ++f->leaves == f->stop_at ? 77 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lam_buf scratch = LAM_BUF_INIT;
  const char *why = NULL;
  fuzz_xml f = {0, 0};
  int rc;
  if (size == 0) return 0;
  f.stop_at = data[0] < 8 ? data[0] : 0; /* 0: never stop */
  rc = lam_xml_leaves((const char *)data + 1, size - 1, &scratch, on_leaf, &f, &why);
  FUZZ_CHECK(rc == LAM_OK || rc == LAM_ERR_PARSE || rc == LAM_ERR_TOOBIG || rc == 77);
  if (rc == 77) FUZZ_CHECK(f.stop_at && f.leaves == f.stop_at);
  if (rc == LAM_ERR_PARSE) FUZZ_CHECK(why && *why);
  lam_buf_free_secure(&scratch);
  return 0;
}
