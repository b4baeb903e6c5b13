/*
** lam_sigv4.h -- the AWS Signature Version 4 signer, in stages.
**
** Call order (each stage reads what the previous one left in the state):
**   (1) lam_sigv4_canonical_request  request -> canonical request, signed headers
**   (2) lam_sigv4_string_to_sign     -> string to sign (hash of (1))
**   (3) lam_sigv4_signature          -> hex signature (cached signing key)
**   (4) lam_sigv4_authorization      -> the Authorization header value
** lam_sigv4_sign runs all four.  Every intermediate stays readable in the
** state for tests and debugging; none of them holds the secret.
**
** A context owns the OpenSSL objects (fetched once, reused for every
** signature) and a small cache of derived signing keys keyed by
** (secret, date, region, service): a repeat signature the same day costs one
** SHA-256 of the canonical request and one HMAC.  Key material is wiped on
** eviction and when the context is freed.  A context is not thread-safe.
*/
#ifndef LAM_SIGV4_H
#define LAM_SIGV4_H

#include <stddef.h>
#include <stdint.h>
#include "lam_buf.h"
#include "lam_canon.h"

#define LAM_SIGV4_KEY_SLOTS 4
#define LAM_SIGV4_SECRET_MAX 256 /* longer secrets work, uncached */
#define LAM_SIGV4_SCOPE_MAX 64   /* region / service names cached up to this */

typedef struct lam_sigv4_ctx lam_sigv4_ctx;

typedef struct {
  const char *access_key_id; size_t access_key_id_len;
  const char *secret; size_t secret_len;
  const char *session_token; size_t session_token_len; /* NULL: none */
} lam_credentials;

typedef struct {
  const char *method; size_t method_len;
  const char *url; size_t url_len;      /* as it goes on the wire */
  const lam_header *headers; size_t nheaders;
  const char *body; size_t body_len;
} lam_sigv4_request;

typedef struct {
  const char *region; size_t region_len;
  const char *service; size_t service_len;
  char amz_date[17];      /* "YYYYMMDDTHHMMSSZ" (see lam_sigv4_date_*) */
  int normalize_path;     /* remove dot segments, collapse '//' */
  int sign_body;          /* add and sign X-Amz-Content-SHA256 */
  int omit_session_token; /* add X-Amz-Security-Token after signing */
} lam_sigv4_params;

typedef struct {
  lam_url url;              /* slices of the request's URL */
  lam_buf canonical_request;
  lam_buf signed_headers;
  lam_buf string_to_sign;
  lam_buf authorization;
  lam_buf scratch;          /* workspace for header canonicalization */
  lam_buf qscratch;         /* workspace for query canonicalization */
  char payload_hash[65];
  char signature[65];
  int token_signed;         /* X-Amz-Security-Token is among the signed headers */
  int send_token;           /* X-Amz-Security-Token must be sent */
} lam_sigv4_state;

lam_sigv4_ctx *lam_sigv4_ctx_new(void);
void lam_sigv4_ctx_free(lam_sigv4_ctx *ctx); /* wipes cached keys */

void lam_sigv4_state_init(lam_sigv4_state *st);
void lam_sigv4_state_free(lam_sigv4_state *st);

/* X-Amz-Date from Unix seconds (UTC), or checked from its text form. */
int lam_sigv4_date_from_unix(int64_t t, char out[17]);
int lam_sigv4_date_check(const char *s, size_t n, char out[17]);

int lam_sigv4_canonical_request(lam_sigv4_ctx *ctx, const lam_sigv4_request *req,
                                const lam_credentials *cred, const lam_sigv4_params *p,
                                lam_sigv4_state *st);
int lam_sigv4_string_to_sign(lam_sigv4_ctx *ctx, const lam_sigv4_params *p,
                             lam_sigv4_state *st);
int lam_sigv4_signature(lam_sigv4_ctx *ctx, const lam_credentials *cred,
                        const lam_sigv4_params *p, lam_sigv4_state *st);
int lam_sigv4_authorization(const lam_credentials *cred, const lam_sigv4_params *p,
                            lam_sigv4_state *st);
int lam_sigv4_sign(lam_sigv4_ctx *ctx, const lam_sigv4_request *req,
                   const lam_credentials *cred, const lam_sigv4_params *p,
                   lam_sigv4_state *st);

/* The signing key for (secret, date "YYYYMMDD", region, service): through
** the cache, or derived afresh (uncached) -- tests compare the two. */
int lam_sigv4_signing_key(lam_sigv4_ctx *ctx, const char *secret, size_t secret_len,
                          const char *date8, const char *region, size_t region_len,
                          const char *service, size_t service_len, unsigned char key[32]);
int lam_sigv4_derive_key(lam_sigv4_ctx *ctx, const char *secret, size_t secret_len,
                         const char *date8, const char *region, size_t region_len,
                         const char *service, size_t service_len, unsigned char key[32]);

/* Cache counters, for tests and the benchmark. */
typedef struct { unsigned long hits, misses; } lam_sigv4_stats;
void lam_sigv4_get_stats(const lam_sigv4_ctx *ctx, lam_sigv4_stats *out);

/* Hex SHA-256 with the context's reused digest (used for payload hashes). */
int lam_sigv4_sha256_hex(lam_sigv4_ctx *ctx, const void *data, size_t n, char out[65]);

#endif
