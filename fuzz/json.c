/*
** json.c -- the allocation-free JSON reader (lam_json.h) on any bytes:
** validation, type, member and item lookup, string decoding.
*/
#include <stdint.h>

#include "fuzz_util.h"
#include "lam_buf.h"
#include "lam_err.h"
#include "lam_json.h"

/* a slice returned by a lookup lies inside the input and is one valid value */
static void check_slice(const char *s, size_t len, const char *v, size_t vlen) {
  FUZZ_CHECK(v >= s && vlen <= len && (size_t)(v - s) <= len - vlen);
  FUZZ_CHECK(lam_json_validate(v, vlen) == LAM_OK);
}

static int is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char *const keys[] = {"message", "Message", "code", "__type", "", "Policy"};
  const char *s = (const char *)data, *v;
  size_t i, vlen;
  lam_buf out = LAM_BUF_INIT;
  int valid = lam_json_validate(s, size) == LAM_OK;
  lam_json_type t = lam_json_type_of(s, size);
  for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
    int rc = lam_json_member(s, size, keys[i], &v, &vlen);
    if (rc == LAM_OK && valid) check_slice(s, size, v, vlen);
    lam_buf_reset(&out);
    rc = lam_json_member_string(s, size, keys[i], &out);
    if (rc == LAM_OK) FUZZ_CHECK(out.len == 0 || out.data[out.len] == '\0');
  }
  for (i = 0; i < 3; i++)
    if (lam_json_item(s, size, i, &v, &vlen) == LAM_OK && valid) check_slice(s, size, v, vlen);
  lam_buf_reset(&out);
  if (lam_json_string(s, size, &out) == LAM_OK) FUZZ_CHECK(t == LAM_JSON_STRING);
  if (valid) FUZZ_CHECK(t != LAM_JSON_INVALID);
  if (valid && t == LAM_JSON_STRING) {
    /* a valid string literal (after white space) always decodes */
    size_t a = 0, b = size;
    while (a < b && is_ws(s[a])) a++;
    while (b > a && is_ws(s[b - 1])) b--;
    lam_buf_reset(&out);
    FUZZ_CHECK(lam_json_string(s + a, b - a, &out) == LAM_OK);
  }
  lam_buf_free(&out);
  return 0;
}
