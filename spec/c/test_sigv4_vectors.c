/*
** test_sigv4_vectors -- one case of the official SigV4 suite or one Lambda
** reference vector, checked at every stage: canonical request, string to
** sign, signature and Authorization.
**   test_sigv4_vectors <fixtures> v4 <case-dir-name>
**   test_sigv4_vectors <fixtures> lambda <1-based index>
*/
#include "lam_test.h"
#include <strings.h>
#include "lam_buf.h"
#include "lam_err.h"
#include "lam_json.h"
#include "lam_sigv4.h"

#define MAX_HEADERS 32

typedef struct {
  char method[16];
  lam_buf url;
  lam_header headers[MAX_HEADERS];
  lam_buf values[MAX_HEADERS]; /* owned (folded) header values */
  size_t nheaders;
  const char *body;
  size_t body_len;
} parsed_request;

static char *read_case_file(const char *dir, const char *name) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  return lam_test_read(path, NULL);
}

/* Strips one trailing newline that editors add to expected files. */
static size_t text_len(const char *s) {
  size_t n = strlen(s);
  while (n && (s[n - 1] == '\n' || s[n - 1] == '\r')) n--;
  return n;
}

/* Parses request.txt: the request line, headers (a line starting with
** white space continues the previous value: obs-fold, joined with a space),
** a blank line, then the body. */
static int parse_request(char *text, parsed_request *r) {
  char *line = text, *nl, *sp, *httpv;
  const char *host = NULL;
  size_t host_len = 0;
  memset(r, 0, sizeof *r);
  nl = strchr(line, '\n');
  if (!nl) return 0;
  *nl = '\0';
  sp = strchr(line, ' ');
  httpv = strstr(line, " HTTP/");
  if (!sp || !httpv || sp >= httpv || (size_t)(sp - line) >= sizeof r->method) return 0;
  memcpy(r->method, line, (size_t)(sp - line));
  line = nl + 1;
  for (;;) {
    char *colon;
    nl = strchr(line, '\n');
    if (!nl) nl = line + strlen(line);
    if (nl == line) { /* blank line: the body follows */
      r->body = *nl ? nl + 1 : nl;
      r->body_len = strlen(r->body);
      break;
    }
    if (*line == ' ' || *line == '\t') { /* continuation */
      lam_buf *v = &r->values[r->nheaders - 1];
      char *s = line;
      while (*s == ' ' || *s == '\t') s++;
      if (!r->nheaders) return 0;
      lam_buf_append_char(v, ' ');
      lam_buf_append(v, s, (size_t)(nl - s));
    } else {
      colon = memchr(line, ':', (size_t)(nl - line));
      if (!colon || r->nheaders == MAX_HEADERS) return 0;
      r->headers[r->nheaders].name = line;
      r->headers[r->nheaders].name_len = (size_t)(colon - line);
      lam_buf_append(&r->values[r->nheaders], colon + 1, (size_t)(nl - colon - 1));
      r->nheaders++;
    }
    if (!*nl) { r->body = nl; break; }
    line = nl + 1;
  }
  for (size_t i = 0; i < r->nheaders; i++) {
    r->headers[i].value = r->values[i].data;
    r->headers[i].value_len = r->values[i].len;
    if (r->headers[i].name_len == 4 && strncasecmp(r->headers[i].name, "host", 4) == 0) {
      host = r->headers[i].value;
      host_len = r->headers[i].value_len;
    }
  }
  if (!host) return 0;
  lam_buf_append_str(&r->url, "https://");
  lam_buf_append(&r->url, host, host_len);
  lam_buf_append(&r->url, sp + 1, (size_t)(httpv - sp - 1));
  return 1;
}

static void free_request(parsed_request *r) {
  for (size_t i = 0; i < MAX_HEADERS; i++) lam_buf_free(&r->values[i]);
  lam_buf_free(&r->url);
}

static int json_bool(const char *json, size_t len, const char *key, int dflt) {
  const char *v;
  size_t vl;
  if (lam_json_member(json, len, key, &v, &vl)) return dflt;
  return lam_json_type_of(v, vl) == LAM_JSON_TRUE;
}

static int run_v4(const char *fixtures, const char *name) {
  char dir[1024], *ctxjson, *reqtxt, *want_creq, *want_sts, *want_sig, *want_signed;
  const char *credj;
  size_t ctxlen, credlen;
  lam_buf akid = LAM_BUF_INIT, secret = LAM_BUF_INIT, token = LAM_BUF_INIT, region = LAM_BUF_INIT,
          service = LAM_BUF_INIT, ts = LAM_BUF_INIT;
  parsed_request r;
  lam_sigv4_request req;
  lam_credentials cred;
  lam_sigv4_params p;
  lam_sigv4_state st;
  lam_sigv4_ctx *ctx = lam_sigv4_ctx_new();
  int rc;

  snprintf(dir, sizeof dir, "%s/sigv4/v4/%s", fixtures, name);
  ctxjson = read_case_file(dir, "context.json");
  reqtxt = read_case_file(dir, "request.txt");
  want_creq = read_case_file(dir, "header-canonical-request.txt");
  want_sts = read_case_file(dir, "header-string-to-sign.txt");
  want_sig = read_case_file(dir, "header-signature.txt");
  want_signed = read_case_file(dir, "header-signed-request.txt");
  CHECK(ctx && ctxjson && reqtxt && want_creq && want_sts && want_sig && want_signed);
  if (!ctx || !ctxjson || !reqtxt || !want_creq || !want_sts || !want_sig || !want_signed)
    return lam_test_done(name);
  ctxlen = strlen(ctxjson);
  CHECK(lam_json_member(ctxjson, ctxlen, "credentials", &credj, &credlen) == LAM_OK);
  CHECK(lam_json_member_string(credj, credlen, "access_key_id", &akid) == LAM_OK);
  CHECK(lam_json_member_string(credj, credlen, "secret_access_key", &secret) == LAM_OK);
  int has_token = lam_json_member_string(credj, credlen, "token", &token) == LAM_OK;
  CHECK(lam_json_member_string(ctxjson, ctxlen, "region", &region) == LAM_OK);
  CHECK(lam_json_member_string(ctxjson, ctxlen, "service", &service) == LAM_OK);
  CHECK(lam_json_member_string(ctxjson, ctxlen, "timestamp", &ts) == LAM_OK);
  CHECK(parse_request(reqtxt, &r));

  memset(&p, 0, sizeof p);
  p.region = region.data;
  p.region_len = region.len;
  p.service = service.data;
  p.service_len = service.len;
  /* "2015-08-30T12:36:00Z" -> "20150830T123600Z" */
  {
    char d[17];
    size_t k = 0;
    for (size_t i = 0; i < ts.len && k < 16; i++)
      if (ts.data[i] != '-' && ts.data[i] != ':') d[k++] = ts.data[i];
    d[k] = '\0';
    CHECK(lam_sigv4_date_check(d, k, p.amz_date) == LAM_OK);
  }
  p.normalize_path = json_bool(ctxjson, ctxlen, "normalize", 1);
  p.sign_body = json_bool(ctxjson, ctxlen, "sign_body", 0);
  p.omit_session_token = json_bool(ctxjson, ctxlen, "omit_session_token", 0);

  memset(&cred, 0, sizeof cred);
  cred.access_key_id = akid.data;
  cred.access_key_id_len = akid.len;
  cred.secret = secret.data;
  cred.secret_len = secret.len;
  if (has_token) {
    cred.session_token = token.data;
    cred.session_token_len = token.len;
  }
  req.method = r.method;
  req.method_len = strlen(r.method);
  req.url = r.url.data;
  req.url_len = r.url.len;
  req.headers = r.headers;
  req.nheaders = r.nheaders;
  req.body = r.body;
  req.body_len = r.body_len;

  lam_sigv4_state_init(&st);
  /* stage by stage, so a failure names the first stage that differs */
  rc = lam_sigv4_canonical_request(ctx, &req, &cred, &p, &st);
  CHECK(rc == LAM_OK);
  CHECK_STR(st.canonical_request.data, st.canonical_request.len, want_creq);
  rc = lam_sigv4_string_to_sign(ctx, &p, &st);
  CHECK(rc == LAM_OK);
  CHECK_STR(st.string_to_sign.data, st.string_to_sign.len, want_sts);
  rc = lam_sigv4_signature(ctx, &cred, &p, &st);
  CHECK(rc == LAM_OK);
  want_sig[text_len(want_sig)] = '\0';
  CHECK_STR(st.signature, strlen(st.signature), want_sig);
  rc = lam_sigv4_authorization(&cred, &p, &st);
  CHECK(rc == LAM_OK);
  {
    /* the signed request carries "Authorization:<value>" */
    char *a = strstr(want_signed, "\nAuthorization:");
    CHECK(a != NULL);
    if (a) {
      a += strlen("\nAuthorization:");
      a[strcspn(a, "\r\n")] = '\0';
      CHECK_STR(st.authorization.data, st.authorization.len, a);
    }
    /* the token is sent in both modes; signed only when not omitted */
    if (has_token) {
      CHECK(st.send_token == 1);
      CHECK(st.token_signed == !p.omit_session_token);
    }
  }
  lam_sigv4_state_free(&st);
  free_request(&r);
  lam_buf_free(&akid); lam_buf_free(&secret); lam_buf_free(&token);
  lam_buf_free(&region); lam_buf_free(&service); lam_buf_free(&ts);
  free(ctxjson); free(reqtxt); free(want_creq); free(want_sts); free(want_sig); free(want_signed);
  lam_sigv4_ctx_free(ctx);
  return lam_test_done(name);
}

static int run_lambda(const char *fixtures, int index) {
  char path[1024], label[64];
  char *json;
  size_t len, cases_len, case_len;
  const char *cases, *c;
  lam_buf akid = LAM_BUF_INIT, secret = LAM_BUF_INIT, region = LAM_BUF_INIT, service = LAM_BUF_INIT,
          ts = LAM_BUF_INIT, line = LAM_BUF_INIT, body = LAM_BUF_INIT, token = LAM_BUF_INIT,
          want_creq = LAM_BUF_INIT, want_sts = LAM_BUF_INIT, want_auth = LAM_BUF_INIT,
          name = LAM_BUF_INIT;
  lam_sigv4_ctx *ctx = lam_sigv4_ctx_new();
  lam_sigv4_state st;
  lam_sigv4_request req;
  lam_credentials cred;
  lam_sigv4_params p;
  lam_header ct = {"Content-Type", 12, "application/json", 16};
  int has_token, has_creq;

  snprintf(label, sizeof label, "lambda-vector-%d", index);
  snprintf(path, sizeof path, "%s/sigv4/lambda-vectors.json", fixtures);
  json = lam_test_read(path, &len);
  CHECK(json != NULL && ctx != NULL);
  if (!json || !ctx) return lam_test_done(label);
  {
    const char *cj;
    size_t cjl;
    CHECK(lam_json_member(json, len, "credentials", &cj, &cjl) == LAM_OK);
    CHECK(lam_json_member_string(cj, cjl, "access_key_id", &akid) == LAM_OK);
    CHECK(lam_json_member_string(cj, cjl, "secret_access_key", &secret) == LAM_OK);
  }
  CHECK(lam_json_member_string(json, len, "region", &region) == LAM_OK);
  CHECK(lam_json_member_string(json, len, "service", &service) == LAM_OK);
  CHECK(lam_json_member_string(json, len, "timestamp", &ts) == LAM_OK);
  CHECK(lam_json_member(json, len, "cases", &cases, &cases_len) == LAM_OK);
  CHECK(lam_json_item(cases, cases_len, (size_t)(index - 1), &c, &case_len) == LAM_OK);
  CHECK(lam_json_member_string(c, case_len, "name", &name) == LAM_OK);
  if (lam_json_member_string(c, case_len, "request_line", &line) != LAM_OK) {
    /* The session-token case records only the differing parts: it shares
    ** the request of the case before it, whose params are identical. */
    const char *prev, *pp, *cp;
    size_t prev_len, ppl, cpl;
    CHECK(index > 1);
    CHECK(lam_json_item(cases, cases_len, (size_t)(index - 2), &prev, &prev_len) == LAM_OK);
    CHECK(lam_json_member(prev, prev_len, "params", &pp, &ppl) == LAM_OK);
    CHECK(lam_json_member(c, case_len, "params", &cp, &cpl) == LAM_OK);
    CHECK(ppl == cpl && memcmp(pp, cp, cpl) == 0);
    CHECK(lam_json_member_string(prev, prev_len, "request_line", &line) == LAM_OK);
  }
  lam_json_member_string(c, case_len, "body", &body);
  has_token = lam_json_member_string(c, case_len, "session_token", &token) == LAM_OK;
  has_creq = lam_json_member_string(c, case_len, "canonical_request", &want_creq) == LAM_OK;
  CHECK(lam_json_member_string(c, case_len, "string_to_sign", &want_sts) == LAM_OK);
  CHECK(lam_json_member_string(c, case_len, "authorization", &want_auth) == LAM_OK);
  printf("%s: %s\n", label, name.data ? name.data : "?");

  memset(&p, 0, sizeof p);
  p.region = region.data;
  p.region_len = region.len;
  p.service = service.data;
  p.service_len = service.len;
  p.normalize_path = 1;
  CHECK(lam_sigv4_date_check(ts.data, ts.len, p.amz_date) == LAM_OK);
  memset(&cred, 0, sizeof cred);
  cred.access_key_id = akid.data;
  cred.access_key_id_len = akid.len;
  cred.secret = secret.data;
  cred.secret_len = secret.len;
  if (has_token) {
    cred.session_token = token.data;
    cred.session_token_len = token.len;
  }
  memset(&req, 0, sizeof req);
  {
    const char *sp = line.data ? strchr(line.data, ' ') : NULL;
    CHECK(sp != NULL);
    if (!sp) return lam_test_done(label);
    req.method = line.data;
    req.method_len = (size_t)(sp - line.data);
    req.url = sp + 1;
    req.url_len = strlen(sp + 1);
  }
  req.body = body.data ? body.data : "";
  req.body_len = body.len;
  if (body.len) { /* botocore sets Content-Type only with a body */
    req.headers = &ct;
    req.nheaders = 1;
  }
  lam_sigv4_state_init(&st);
  CHECK(lam_sigv4_canonical_request(ctx, &req, &cred, &p, &st) == LAM_OK);
  if (has_creq) CHECK_STR(st.canonical_request.data, st.canonical_request.len, want_creq.data);
  CHECK(lam_sigv4_string_to_sign(ctx, &p, &st) == LAM_OK);
  CHECK_STR(st.string_to_sign.data, st.string_to_sign.len, want_sts.data);
  CHECK(lam_sigv4_signature(ctx, &cred, &p, &st) == LAM_OK);
  CHECK(lam_sigv4_authorization(&cred, &p, &st) == LAM_OK);
  CHECK_STR(st.authorization.data, st.authorization.len, want_auth.data);

  lam_sigv4_state_free(&st);
  lam_sigv4_ctx_free(ctx);
  lam_buf_free(&akid); lam_buf_free(&secret); lam_buf_free(&region); lam_buf_free(&service);
  lam_buf_free(&ts); lam_buf_free(&line); lam_buf_free(&body); lam_buf_free(&token);
  lam_buf_free(&want_creq); lam_buf_free(&want_sts); lam_buf_free(&want_auth); lam_buf_free(&name);
  free(json);
  return lam_test_done(label);
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s <fixtures> v4 <case> | lambda <n>\n", argv[0]);
    return 2;
  }
  if (strcmp(argv[2], "v4") == 0) return run_v4(argv[1], argv[3]);
  if (strcmp(argv[2], "lambda") == 0) return run_lambda(argv[1], atoi(argv[3]));
  return 2;
}
