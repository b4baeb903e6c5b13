/*
** sigv4.c -- the whole SigV4 signer on a fuzzed request.
** Input: "<method>\n<url>\n<name>:<value>\n...\n\n<body>" (every part
** optional).  Checks: a signed request has a 64-hex signature, an
** Authorization header of the right shape, and the secret appears in
** none of the intermediates.
*/
#include <stdint.h>

#include "fuzz_util.h"
#include "lam_canon.h"
#include "lam_err.h"
#include "lam_sigv4.h"

#define SECRET "fuzzSECRETwJalrXUtnFEMI/K7MDENG+bPxRfiCY"

static int has_secret(const lam_buf *b) {
  return b->len && memmem(b->data, b->len, SECRET, sizeof SECRET - 1) != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static lam_sigv4_ctx *ctx;
  static const lam_credentials cred = {"AKIDEXAMPLE", 11, SECRET, sizeof SECRET - 1, "fuzz-token", 10};
  lam_header h[64];
  lam_sigv4_request req = {0};
  lam_sigv4_params prm = {"us-east-1", 9, "lambda", 6, "20150830T123600Z", 1, 0, 0};
  lam_sigv4_state st;
  const char *p = (const char *)data, *f;
  size_t n = size, fn;
  if (!ctx && !(ctx = lam_sigv4_ctx_new())) abort();
  if (size) prm.normalize_path = data[0] & 1, prm.sign_body = (data[0] >> 1) & 1;
  if (!fuzz_field(&p, &n, '\n', &req.method, &req.method_len)) req.method = "";
  if (!fuzz_field(&p, &n, '\n', &req.url, &req.url_len)) req.url = "";
  while (req.nheaders < 64 && fuzz_field(&p, &n, '\n', &f, &fn) && fn) {
    const char *colon = memchr(f, ':', fn);
    lam_header *hd = &h[req.nheaders++];
    hd->name = f;
    hd->name_len = colon ? (size_t)(colon - f) : fn;
    hd->value = colon ? colon + 1 : f + fn;
    hd->value_len = colon ? fn - hd->name_len - 1 : 0;
  }
  req.headers = h;
  if (p) req.body = p, req.body_len = n;
  lam_sigv4_state_init(&st);
  if (lam_sigv4_sign(ctx, &req, &cred, &prm, &st) == LAM_OK) {
    FUZZ_CHECK(strlen(st.signature) == 64 && strspn(st.signature, "0123456789abcdef") == 64);
    FUZZ_CHECK(st.authorization.len > 40 &&
               memcmp(st.authorization.data, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/", 40) == 0);
    FUZZ_CHECK(strstr(st.authorization.data, st.signature) != NULL);
  }
  /* unless the input itself holds the secret, no intermediate may */
  if (!memmem(data, size, SECRET, sizeof SECRET - 1))
    FUZZ_CHECK(!has_secret(&st.canonical_request) && !has_secret(&st.string_to_sign) &&
               !has_secret(&st.authorization) && !has_secret(&st.signed_headers));
  lam_sigv4_state_free(&st);
  return 0;
}
