/*
** sign_bench -- signatures per second of the C signer, and the floor it is
** measured against: one SHA-256 of a ~300-byte canonical request plus one
** HMAC-SHA256 with a cached key and reused contexts.  A benchmark, never a
** test: it prints figures, it asserts nothing.
** Output lines: "floor <ops/s>", "c_sign <ops/s>" (medians of 5 rounds).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "lam_sigv4.h"

#define ROUNDS 5

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static volatile unsigned char sink;

static double floor_rate(long n, const char *creq, size_t creq_len, const char *sts, size_t sts_len) {
  EVP_MD *md = EVP_MD_fetch(NULL, "SHA256", NULL);
  EVP_MD_CTX *mdctx = EVP_MD_CTX_new();
  EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
  EVP_MAC_CTX *mctx = EVP_MAC_CTX_new(mac);
  char digest_name[] = "SHA256";
  OSSL_PARAM params[2] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
                          OSSL_PARAM_construct_end()};
  unsigned char key[32], out[32];
  unsigned int dl;
  size_t ml;
  double t0, t;
  long i;
  memset(key, 7, sizeof key);
  EVP_MAC_init(mctx, key, sizeof key, params); /* the cached, pre-keyed context */
  t0 = now();
  for (i = 0; i < n; i++) {
    EVP_DigestInit_ex2(mdctx, md, NULL);
    EVP_DigestUpdate(mdctx, creq, creq_len);
    EVP_DigestFinal_ex(mdctx, out, &dl);
    sink ^= out[0];
    EVP_MAC_init(mctx, NULL, 0, NULL);
    EVP_MAC_update(mctx, (const unsigned char *)sts, sts_len);
    EVP_MAC_final(mctx, out, &ml, sizeof out);
    sink ^= out[0];
  }
  t = now() - t0;
  EVP_MAC_CTX_free(mctx);
  EVP_MAC_free(mac);
  EVP_MD_CTX_free(mdctx);
  EVP_MD_free(md);
  return (double)n / t;
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 200000;
  static const char url[] =
      "https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/"
      "arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Amy-function%3APROD/policy/sid.1"
      "?Qualifier=PROD&RevisionId=abc%2F%2B%3D%20x";
  lam_sigv4_request req = {"DELETE", 6, url, sizeof url - 1, NULL, 0, "", 0};
  lam_credentials cred = {"AKIDEXAMPLE", 11, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", 40, NULL, 0};
  lam_sigv4_params p;
  lam_sigv4_state st;
  lam_sigv4_ctx *ctx = lam_sigv4_ctx_new();
  double floors[ROUNDS], signs[ROUNDS];
  int r;
  long i;
  if (!ctx) return 1;
  memset(&p, 0, sizeof p);
  p.region = "us-east-1"; p.region_len = 9;
  p.service = "lambda"; p.service_len = 6;
  p.normalize_path = 1;
  lam_sigv4_date_check("20150830T123600Z", 16, p.amz_date);
  lam_sigv4_state_init(&st);
  if (lam_sigv4_sign(ctx, &req, &cred, &p, &st)) return 1; /* warm the cache */
  printf("canonical_request_bytes %zu\n", st.canonical_request.len);
  for (r = 0; r < ROUNDS; r++) {
    double t0;
    floors[r] = floor_rate(n, st.canonical_request.data, st.canonical_request.len,
                           st.string_to_sign.data, st.string_to_sign.len);
    t0 = now();
    for (i = 0; i < n; i++) {
      lam_sigv4_sign(ctx, &req, &cred, &p, &st);
      sink ^= (unsigned char)st.signature[0];
    }
    signs[r] = (double)n / (now() - t0);
  }
  qsort(floors, ROUNDS, sizeof floors[0], cmp_double);
  qsort(signs, ROUNDS, sizeof signs[0], cmp_double);
  printf("floor %.0f\n", floors[ROUNDS / 2]);
  printf("c_sign %.0f\n", signs[ROUNDS / 2]);
  lam_sigv4_state_free(&st);
  lam_sigv4_ctx_free(ctx);
  return 0;
}
