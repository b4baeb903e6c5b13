#include "lam_sigv4.h"
#include "lam_err.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#define LAM_EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define LAM_ALGORITHM "AWS4-HMAC-SHA256"

typedef struct {
  int used;
  unsigned long stamp;                 /* last use, for LRU eviction */
  unsigned char secret[LAM_SIGV4_SECRET_MAX];
  size_t secret_len;
  char date[8];
  char region[LAM_SIGV4_SCOPE_MAX];
  size_t region_len;
  char service[LAM_SIGV4_SCOPE_MAX];
  size_t service_len;
  unsigned char key[32];
  EVP_MAC_CTX *mac;                    /* keyed once with `key`, then re-initialized */
} lam_key_slot;

struct lam_sigv4_ctx {
  EVP_MD *sha256;       /* fetched once: no per-signature algorithm lookup */
  EVP_MD_CTX *md;
  EVP_MAC *hmac;
  EVP_MAC_CTX *derive;  /* for the key derivation chain */
  OSSL_PARAM digest_params[2];
  unsigned long clock;
  lam_sigv4_stats stats;
  lam_key_slot slots[LAM_SIGV4_KEY_SLOTS];
};

static char lam_sha256_name[] = "SHA256";

lam_sigv4_ctx *lam_sigv4_ctx_new(void) {
  lam_sigv4_ctx *ctx = calloc(1, sizeof *ctx);
  int i;
  if (!ctx) return NULL;
  ctx->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
  ctx->md = EVP_MD_CTX_new();
  ctx->hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
  ctx->derive = ctx->hmac ? EVP_MAC_CTX_new(ctx->hmac) : NULL;
  ctx->digest_params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, lam_sha256_name, 0);
  ctx->digest_params[1] = OSSL_PARAM_construct_end();
  for (i = 0; i < LAM_SIGV4_KEY_SLOTS && ctx->hmac; i++)
    if (!(ctx->slots[i].mac = EVP_MAC_CTX_new(ctx->hmac))) break;
  if (!ctx->sha256 || !ctx->md || !ctx->hmac || !ctx->derive || i < LAM_SIGV4_KEY_SLOTS) {
    lam_sigv4_ctx_free(ctx);
    return NULL;
  }
  return ctx;
}

void lam_sigv4_ctx_free(lam_sigv4_ctx *ctx) {
  int i;
  if (!ctx) return;
  for (i = 0; i < LAM_SIGV4_KEY_SLOTS; i++) EVP_MAC_CTX_free(ctx->slots[i].mac);
  EVP_MAC_CTX_free(ctx->derive);
  EVP_MAC_free(ctx->hmac);
  EVP_MD_CTX_free(ctx->md);
  EVP_MD_free(ctx->sha256);
  OPENSSL_cleanse(ctx, sizeof *ctx); /* cached secrets and keys */
  free(ctx);
}

void lam_sigv4_get_stats(const lam_sigv4_ctx *ctx, lam_sigv4_stats *out) {
  *out = ctx->stats;
}

void lam_sigv4_state_init(lam_sigv4_state *st) {
  memset(st, 0, sizeof *st);
}

void lam_sigv4_state_free(lam_sigv4_state *st) {
  lam_buf_free(&st->canonical_request);
  lam_buf_free(&st->signed_headers);
  lam_buf_free(&st->string_to_sign);
  lam_buf_free(&st->authorization);
  lam_buf_free(&st->scratch);
  lam_buf_free(&st->qscratch);
  memset(st, 0, sizeof *st);
}

/* ---- dates ------------------------------------------------------------- */

int lam_sigv4_date_from_unix(int64_t t, char out[17]) {
  struct tm tm;
  time_t tt = (time_t)t;
  if ((int64_t)tt != t || t < 0 || !gmtime_r(&tt, &tm)) return LAM_ERR_TIME;
  if (tm.tm_year + 1900 > 9999) return LAM_ERR_TIME;
  if (strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm) != 16) return LAM_ERR_TIME;
  return LAM_OK;
}

int lam_sigv4_date_check(const char *s, size_t n, char out[17]) {
  static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  size_t i;
  int mon, day, hh, mm, ss;
  if (n != 16 || s[8] != 'T' || s[15] != 'Z') return LAM_ERR_TIME;
  for (i = 0; i < 15; i++)
    if (i != 8 && (s[i] < '0' || s[i] > '9')) return LAM_ERR_TIME;
  mon = (s[4] - '0') * 10 + (s[5] - '0');
  day = (s[6] - '0') * 10 + (s[7] - '0');
  hh = (s[9] - '0') * 10 + (s[10] - '0');
  mm = (s[11] - '0') * 10 + (s[12] - '0');
  ss = (s[13] - '0') * 10 + (s[14] - '0');
  if (mon < 1 || mon > 12 || day < 1 || day > mdays[mon - 1] || hh > 23 || mm > 59 || ss > 60)
    return LAM_ERR_TIME;
  memcpy(out, s, 16);
  out[16] = '\0';
  return LAM_OK;
}

/* ---- hashing ------------------------------------------------------------ */

static int lam_sha256(lam_sigv4_ctx *ctx, const void *data, size_t n, unsigned char out[32]) {
  unsigned int len = 0;
  if (!EVP_DigestInit_ex2(ctx->md, ctx->sha256, NULL) ||
      !EVP_DigestUpdate(ctx->md, data, n) ||
      !EVP_DigestFinal_ex(ctx->md, out, &len) || len != 32)
    return LAM_ERR_CRYPTO;
  return LAM_OK;
}

int lam_sigv4_sha256_hex(lam_sigv4_ctx *ctx, const void *data, size_t n, char out[65]) {
  static const char hex[] = "0123456789abcdef";
  unsigned char d[32];
  int i, rc = lam_sha256(ctx, data, n, d);
  if (rc) return rc;
  for (i = 0; i < 32; i++) {
    out[2 * i] = hex[d[i] >> 4];
    out[2 * i + 1] = hex[d[i] & 15];
  }
  out[64] = '\0';
  return LAM_OK;
}

static int lam_hmac(EVP_MAC_CTX *mac, const OSSL_PARAM *params, const unsigned char *key,
                    size_t keylen, const void *data, size_t n, unsigned char out[32]) {
  size_t len = 0;
  if (!EVP_MAC_init(mac, key, keylen, params) || !EVP_MAC_update(mac, data, n) ||
      !EVP_MAC_final(mac, out, &len, 32) || len != 32)
    return LAM_ERR_CRYPTO;
  return LAM_OK;
}

/* ---- signing keys --------------------------------------------------------- */

int lam_sigv4_derive_key(lam_sigv4_ctx *ctx, const char *secret, size_t secret_len,
                         const char *date8, const char *region, size_t region_len,
                         const char *service, size_t service_len, unsigned char key[32]) {
  unsigned char k[32];
  unsigned char *seed;
  int rc;
  if (secret_len > (size_t)-1 - 4) return LAM_ERR_ARG;
  seed = malloc(secret_len + 4);
  if (!seed) return LAM_ERR_NOMEM;
  memcpy(seed, "AWS4", 4);
  memcpy(seed + 4, secret, secret_len);
  rc = lam_hmac(ctx->derive, ctx->digest_params, seed, secret_len + 4, date8, 8, k);
  OPENSSL_cleanse(seed, secret_len + 4);
  free(seed);
  if (!rc) rc = lam_hmac(ctx->derive, ctx->digest_params, k, 32, region, region_len, k);
  if (!rc) rc = lam_hmac(ctx->derive, ctx->digest_params, k, 32, service, service_len, k);
  if (!rc) rc = lam_hmac(ctx->derive, ctx->digest_params, k, 32, "aws4_request", 12, key);
  OPENSSL_cleanse(k, sizeof k);
  return rc;
}

/* Finds (or fills, evicting the least recently used) the cache slot for
** this scope.  NULL when the inputs are too long to cache. */
static lam_key_slot *lam_key_lookup(lam_sigv4_ctx *ctx, const char *secret, size_t secret_len,
                                    const char *date8, const char *region, size_t region_len,
                                    const char *service, size_t service_len, int *rc) {
  lam_key_slot *victim = NULL, *s;
  int i;
  *rc = LAM_OK;
  if (secret_len > LAM_SIGV4_SECRET_MAX || region_len > LAM_SIGV4_SCOPE_MAX ||
      service_len > LAM_SIGV4_SCOPE_MAX)
    return NULL;
  ctx->clock++;
  for (i = 0; i < LAM_SIGV4_KEY_SLOTS; i++) {
    s = &ctx->slots[i];
    if (s->used && s->secret_len == secret_len && memcmp(s->date, date8, 8) == 0 &&
        s->region_len == region_len && memcmp(s->region, region, region_len) == 0 &&
        s->service_len == service_len && memcmp(s->service, service, service_len) == 0 &&
        CRYPTO_memcmp(s->secret, secret, secret_len) == 0) {
      s->stamp = ctx->clock;
      ctx->stats.hits++;
      return s;
    }
    if (!victim || !s->used || (victim->used && s->stamp < victim->stamp)) victim = s;
  }
  s = victim;
  ctx->stats.misses++;
  OPENSSL_cleanse(s->secret, sizeof s->secret);
  s->used = 0;
  *rc = lam_sigv4_derive_key(ctx, secret, secret_len, date8, region, region_len, service,
                             service_len, s->key);
  /* key the slot's MAC context once; each signature then re-initializes it
  ** without re-hashing the key pads */
  if (!*rc && !EVP_MAC_init(s->mac, s->key, 32, ctx->digest_params)) *rc = LAM_ERR_CRYPTO;
  if (*rc) {
    OPENSSL_cleanse(s->key, sizeof s->key);
    return NULL;
  }
  memcpy(s->secret, secret, secret_len);
  s->secret_len = secret_len;
  memcpy(s->date, date8, 8);
  memcpy(s->region, region, region_len);
  s->region_len = region_len;
  memcpy(s->service, service, service_len);
  s->service_len = service_len;
  s->stamp = ctx->clock;
  s->used = 1;
  return s;
}

int lam_sigv4_signing_key(lam_sigv4_ctx *ctx, const char *secret, size_t secret_len,
                          const char *date8, const char *region, size_t region_len,
                          const char *service, size_t service_len, unsigned char key[32]) {
  int rc;
  lam_key_slot *s = lam_key_lookup(ctx, secret, secret_len, date8, region, region_len,
                                   service, service_len, &rc);
  if (rc) return rc;
  if (!s) return lam_sigv4_derive_key(ctx, secret, secret_len, date8, region, region_len,
                                      service, service_len, key);
  memcpy(key, s->key, 32);
  return LAM_OK;
}

/* ---- stage 1: canonical request ------------------------------------------ */

typedef struct {
  size_t name, name_len;   /* lower-cased name, offset into st->scratch */
  size_t value, value_len; /* canonical value, offset into st->scratch */
} lam_hentry;

static int lam_hentry_cmp(const char *base, const lam_hentry *a, const lam_hentry *b) {
  size_t n = a->name_len < b->name_len ? a->name_len : b->name_len;
  int c = memcmp(base + a->name, base + b->name, n);
  if (c) return c;
  return a->name_len == b->name_len ? 0 : (a->name_len < b->name_len ? -1 : 1);
}

static int lam_hentry_add(lam_buf *scratch, lam_hentry *e, const char *name, size_t name_len,
                          const char *value, size_t value_len, int canon_value) {
  size_t i;
  int rc = lam_buf_reserve(scratch, name_len);
  if (rc) return rc;
  e->name = scratch->len;
  for (i = 0; i < name_len; i++) {
    char c = name[i];
    scratch->data[scratch->len++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
  }
  scratch->data[scratch->len] = '\0';
  e->name_len = name_len;
  e->value = scratch->len;
  rc = canon_value ? lam_canon_header_value(scratch, value, value_len)
                   : lam_buf_append(scratch, value, value_len);
  e->value_len = scratch->len - e->value;
  return rc;
}

static int lam_name_is(const lam_buf *scratch, const lam_hentry *e, const char *lname) {
  size_t n = strlen(lname);
  return e->name_len == n && memcmp(scratch->data + e->name, lname, n) == 0;
}

static int lam_method_check(const char *m, size_t n) {
  size_t i;
  if (n == 0 || n > 32) return LAM_ERR_METHOD;
  for (i = 0; i < n; i++)
    if (!((m[i] >= 'A' && m[i] <= 'Z') || (m[i] >= 'a' && m[i] <= 'z') || m[i] == '-' || m[i] == '_'))
      return LAM_ERR_METHOD;
  return LAM_OK;
}

int lam_sigv4_canonical_request(lam_sigv4_ctx *ctx, const lam_sigv4_request *req,
                                const lam_credentials *cred, const lam_sigv4_params *p,
                                lam_sigv4_state *st) {
  lam_hentry small[24], *ent = small;
  size_t n = 0, cap, i, j, k;
  int rc;
  lam_buf *cr = &st->canonical_request, *sh = &st->signed_headers, *sc = &st->scratch;
  lam_buf_reset(cr);
  lam_buf_reset(sh);
  lam_buf_reset(sc);
  st->token_signed = st->send_token = 0;
  st->signature[0] = '\0';
  if ((rc = lam_method_check(req->method, req->method_len))) return rc;
  if ((rc = lam_url_parse(req->url, req->url_len, &st->url))) return rc;
  if (req->nheaders > LAM_CANON_MAX_PAIRS) return LAM_ERR_TOOBIG;

  /* payload hash: the empty body's is a constant */
  if (req->body_len == 0) memcpy(st->payload_hash, LAM_EMPTY_SHA256, 65);
  else if ((rc = lam_sigv4_sha256_hex(ctx, req->body, req->body_len, st->payload_hash))) return rc;

  st->send_token = cred->session_token != NULL;
  st->token_signed = st->send_token && !p->omit_session_token;

  cap = req->nheaders + 4;
  if (cap > sizeof small / sizeof small[0]) {
    ent = malloc(cap * sizeof *ent);
    if (!ent) return LAM_ERR_NOMEM;
  }
  for (i = 0; i < req->nheaders; i++) {
    const lam_header *h = &req->headers[i];
    lam_hentry *e = &ent[n];
    if ((rc = lam_header_check(h))) goto done;
    if ((rc = lam_hentry_add(sc, e, h->name, h->name_len, h->value, h->value_len, 1))) goto done;
    if (lam_canon_header_unsigned(sc->data + e->name, e->name_len)) continue;
    if (lam_name_is(sc, e, "host")) {
      /* the URL decides the host; a caller's Host must agree with it */
      const char *v = sc->data + e->value;
      if (e->value_len != st->url.host_len) { rc = LAM_ERR_HOST; goto done; }
      for (k = 0; k < e->value_len; k++) {
        char a = v[k], b = st->url.host[k];
        if (a >= 'A' && a <= 'Z') a = (char)(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z') b = (char)(b - 'A' + 'a');
        if (a != b) { rc = LAM_ERR_HOST; goto done; }
      }
      continue;
    }
    /* the signer sets these itself */
    if (lam_name_is(sc, e, "x-amz-date") ||
        (st->send_token && lam_name_is(sc, e, "x-amz-security-token")) ||
        (p->sign_body && lam_name_is(sc, e, "x-amz-content-sha256")))
      continue;
    n++;
  }
  if ((rc = lam_hentry_add(sc, &ent[n++], "host", 4, st->url.host, st->url.host_len, 0))) goto done;
  if ((rc = lam_hentry_add(sc, &ent[n++], "x-amz-date", 10, p->amz_date, 16, 0))) goto done;
  if (st->token_signed &&
      (rc = lam_hentry_add(sc, &ent[n++], "x-amz-security-token", 20, cred->session_token,
                           cred->session_token_len, 1)))
    goto done;
  if (p->sign_body &&
      (rc = lam_hentry_add(sc, &ent[n++], "x-amz-content-sha256", 20, st->payload_hash, 64, 0)))
    goto done;

  /* stable insertion sort: repeated names keep the caller's order */
  for (i = 1; i < n; i++) {
    lam_hentry cur = ent[i];
    j = i;
    while (j > 0 && lam_hentry_cmp(sc->data, &ent[j - 1], &cur) > 0) {
      ent[j] = ent[j - 1];
      j--;
    }
    ent[j] = cur;
  }

  if ((rc = lam_buf_reserve(cr, 256 + sc->len + st->url.path_len * 3 + st->url.query_len * 3)))
    goto done;
  if ((rc = lam_buf_append(cr, req->method, req->method_len)) ||
      (rc = lam_buf_append_char(cr, '\n')) ||
      (rc = lam_canon_path(cr, st->url.path, st->url.path_len, p->normalize_path)) ||
      (rc = lam_buf_append_char(cr, '\n')) ||
      (rc = lam_canon_query_ws(cr, st->url.query, st->url.query_len, &st->qscratch)) ||
      (rc = lam_buf_append_char(cr, '\n')))
    goto done;
  for (i = 0; i < n; i = j) {
    const char *name = sc->data + ent[i].name;
    if ((rc = lam_buf_append(cr, name, ent[i].name_len)) || (rc = lam_buf_append_char(cr, ':')))
      goto done;
    if (sh->len && (rc = lam_buf_append_char(sh, ';'))) goto done;
    if ((rc = lam_buf_append(sh, name, ent[i].name_len))) goto done;
    for (j = i; j < n && lam_hentry_cmp(sc->data, &ent[j], &ent[i]) == 0; j++) {
      if (j > i && (rc = lam_buf_append_char(cr, ','))) goto done;
      if ((rc = lam_buf_append(cr, sc->data + ent[j].value, ent[j].value_len))) goto done;
    }
    if ((rc = lam_buf_append_char(cr, '\n'))) goto done;
  }
  if ((rc = lam_buf_append_char(cr, '\n')) ||
      (rc = lam_buf_append(cr, sh->data, sh->len)) ||
      (rc = lam_buf_append_char(cr, '\n')) ||
      (rc = lam_buf_append(cr, st->payload_hash, 64)))
    goto done;
done:
  if (ent != small) free(ent);
  return rc;
}

/* ---- stage 2: string to sign ---------------------------------------------- */

static int lam_scope(lam_buf *b, const lam_sigv4_params *p) {
  int rc;
  if ((rc = lam_buf_append(b, p->amz_date, 8)) || (rc = lam_buf_append_char(b, '/')) ||
      (rc = lam_buf_append(b, p->region, p->region_len)) || (rc = lam_buf_append_char(b, '/')) ||
      (rc = lam_buf_append(b, p->service, p->service_len)))
    return rc;
  return lam_buf_append(b, "/aws4_request", 13);
}

static int lam_scope_check(const char *s, size_t n) {
  size_t i;
  if (n == 0) return LAM_ERR_ARG;
  for (i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c <= 0x20 || c >= 0x7f || c == '/') return LAM_ERR_ARG;
  }
  return LAM_OK;
}

int lam_sigv4_string_to_sign(lam_sigv4_ctx *ctx, const lam_sigv4_params *p,
                             lam_sigv4_state *st) {
  char hash[65];
  int rc;
  lam_buf *b = &st->string_to_sign;
  lam_buf_reset(b);
  if ((rc = lam_scope_check(p->region, p->region_len)) ||
      (rc = lam_scope_check(p->service, p->service_len)))
    return rc;
  if ((rc = lam_sigv4_sha256_hex(ctx, st->canonical_request.data, st->canonical_request.len, hash)))
    return rc;
  if ((rc = lam_buf_reserve(b, 128 + p->region_len + p->service_len)) ||
      (rc = lam_buf_append(b, LAM_ALGORITHM "\n", sizeof LAM_ALGORITHM)) ||
      (rc = lam_buf_append(b, p->amz_date, 16)) || (rc = lam_buf_append_char(b, '\n')) ||
      (rc = lam_scope(b, p)) || (rc = lam_buf_append_char(b, '\n')))
    return rc;
  return lam_buf_append(b, hash, 64);
}

/* ---- stage 3: signature -------------------------------------------------- */

int lam_sigv4_signature(lam_sigv4_ctx *ctx, const lam_credentials *cred,
                        const lam_sigv4_params *p, lam_sigv4_state *st) {
  static const char hex[] = "0123456789abcdef";
  unsigned char sig[32];
  size_t len = 0;
  int rc, i;
  lam_key_slot *s = lam_key_lookup(ctx, cred->secret, cred->secret_len, p->amz_date, p->region,
                                   p->region_len, p->service, p->service_len, &rc);
  if (rc) return rc;
  if (s) { /* cached key: reuse the keyed context */
    if (!EVP_MAC_init(s->mac, NULL, 0, NULL) ||
        !EVP_MAC_update(s->mac, (const unsigned char *)st->string_to_sign.data, st->string_to_sign.len) ||
        !EVP_MAC_final(s->mac, sig, &len, sizeof sig) || len != 32)
      return LAM_ERR_CRYPTO;
  } else {
    unsigned char key[32];
    rc = lam_sigv4_derive_key(ctx, cred->secret, cred->secret_len, p->amz_date, p->region,
                              p->region_len, p->service, p->service_len, key);
    if (!rc) rc = lam_hmac(ctx->derive, ctx->digest_params, key, 32, st->string_to_sign.data,
                           st->string_to_sign.len, sig);
    OPENSSL_cleanse(key, sizeof key);
    if (rc) return rc;
  }
  for (i = 0; i < 32; i++) {
    st->signature[2 * i] = hex[sig[i] >> 4];
    st->signature[2 * i + 1] = hex[sig[i] & 15];
  }
  st->signature[64] = '\0';
  return LAM_OK;
}

/* ---- stage 4: Authorization ------------------------------------------------ */

int lam_sigv4_authorization(const lam_credentials *cred, const lam_sigv4_params *p,
                            lam_sigv4_state *st) {
  lam_buf *b = &st->authorization;
  int rc;
  size_t i;
  for (i = 0; i < cred->access_key_id_len; i++) {
    unsigned char c = (unsigned char)cred->access_key_id[i];
    if (c <= 0x20 || c >= 0x7f || c == ',' || c == '/') return LAM_ERR_ARG;
  }
  if (cred->access_key_id_len == 0) return LAM_ERR_ARG;
  lam_buf_reset(b);
  if ((rc = lam_buf_reserve(b, 200 + cred->access_key_id_len + st->signed_headers.len)) ||
      (rc = lam_buf_append(b, LAM_ALGORITHM " Credential=", sizeof LAM_ALGORITHM + 11)) ||
      (rc = lam_buf_append(b, cred->access_key_id, cred->access_key_id_len)) ||
      (rc = lam_buf_append_char(b, '/')) || (rc = lam_scope(b, p)) ||
      (rc = lam_buf_append(b, ", SignedHeaders=", 16)) ||
      (rc = lam_buf_append(b, st->signed_headers.data, st->signed_headers.len)) ||
      (rc = lam_buf_append(b, ", Signature=", 12)))
    return rc;
  return lam_buf_append(b, st->signature, 64);
}

int lam_sigv4_sign(lam_sigv4_ctx *ctx, const lam_sigv4_request *req,
                   const lam_credentials *cred, const lam_sigv4_params *p,
                   lam_sigv4_state *st) {
  int rc;
  if ((rc = lam_sigv4_canonical_request(ctx, req, cred, p, st))) return rc;
  if ((rc = lam_sigv4_string_to_sign(ctx, p, st))) return rc;
  if ((rc = lam_sigv4_signature(ctx, cred, p, st))) return rc;
  return lam_sigv4_authorization(cred, p, st);
}
