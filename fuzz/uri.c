/*
** uri.c -- percent-encoding of URI labels (lam_uri_encode/lam_uri_decode)
** and path normalization on any bytes.  Checks: decoding an encoding gives
** the input back; an encoding holds only unreserved bytes, '%XX' (upper
** case) and, when kept, '/'; a normalized path has no "//", "." or "..".
*/
#include <stdint.h>

#include "fuzz_util.h"
#include "lam_buf.h"
#include "lam_canon.h"
#include "lam_err.h"

static int unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

static int upper_hex(unsigned char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *s = (const char *)data;
  lam_buf enc = LAM_BUF_INIT, dec = LAM_BUF_INIT, norm = LAM_BUF_INIT;
  size_t i;
  int keep = 0;
  for (keep = 0; keep < 2; keep++) {
    lam_buf_reset(&enc);
    lam_buf_reset(&dec);
    FUZZ_CHECK(lam_uri_encode(&enc, s, size, keep) == LAM_OK);
    for (i = 0; i < enc.len; i++) {
      unsigned char c = (unsigned char)enc.data[i];
      if (c == '%') {
        FUZZ_CHECK(i + 2 < enc.len && upper_hex((unsigned char)enc.data[i + 1]) &&
                   upper_hex((unsigned char)enc.data[i + 2]));
        i += 2;
      } else {
        FUZZ_CHECK(unreserved(c) || (keep && c == '/'));
      }
    }
    FUZZ_CHECK(lam_uri_decode(&dec, enc.data, enc.len) == LAM_OK);
    FUZZ_CHECK(dec.len == size && (size == 0 || memcmp(dec.data, s, size) == 0));
  }
  /* decoding never grows the input */
  lam_buf_reset(&dec);
  FUZZ_CHECK(lam_uri_decode(&dec, s, size) == LAM_OK && dec.len <= size);
  FUZZ_CHECK(lam_path_normalize(&norm, s, size) == LAM_OK);
  FUZZ_CHECK(norm.len >= 1 && norm.data[0] == '/' && norm.len <= size + 2);
  FUZZ_CHECK(!memmem(norm.data, norm.len, "//", 2) && !memmem(norm.data, norm.len, "/./", 3) &&
             !memmem(norm.data, norm.len, "/../", 4));
  lam_buf_free(&enc);
  lam_buf_free(&dec);
  lam_buf_free(&norm);
  return 0;
}
