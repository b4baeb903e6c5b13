/*
** awserr.c -- the AWS error response parser (lam_awserr_parse) on any
** status, x-amzn-ErrorType header and body.
** Input: 2 bytes status (mod 600), 1 flag byte (bit 0: the header is
** present), then "<header>\n<body>".
*/
#include <stdint.h>

#include "fuzz_util.h"
#include "lam_awserr.h"
#include "lam_err.h"

static void check_field(const char *s, size_t len, size_t max) {
  FUZZ_CHECK(len <= max);
  FUZZ_CHECK(s[len] == '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static lam_awserr out; /* about 10 KiB: keep it off the stack */
  const char *p = (const char *)data + (size >= 3 ? 3 : size), *hdr = NULL, *body = NULL;
  size_t n = size >= 3 ? size - 3 : 0, hlen = 0, blen = 0;
  int status = size >= 2 ? (data[0] << 8 | data[1]) % 600 : 400, has_hdr = size >= 3 && (data[2] & 1);
  if (has_hdr) fuzz_field(&p, &n, '\n', &hdr, &hlen);
  if (p) { body = p; blen = n; }
  FUZZ_CHECK(lam_awserr_parse(&out, status, hdr, hlen, body, blen) == LAM_OK);
  check_field(out.code, out.code_len, LAM_AWSERR_CODE_MAX);
  check_field(out.message, out.message_len, LAM_AWSERR_MESSAGE_MAX);
  check_field(out.type, out.type_len, LAM_AWSERR_TYPE_MAX);
  check_field(out.reason, out.reason_len, LAM_AWSERR_REASON_MAX);
  /* a code is cut before the first ':' and after the last '#' */
  FUZZ_CHECK(!memchr(out.code, ':', out.code_len) && !memchr(out.code, '#', out.code_len));
  /* below 500 (no generic 5xx answer), a header is the code's only source */
  if (hdr && status < 500)
    FUZZ_CHECK(out.code_len <= hlen && (!out.code_len || memmem(hdr, hlen, out.code, out.code_len)));
  return 0;
}
