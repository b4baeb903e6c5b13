/*
** test_sigv4_unit -- the signing-key cache against uncached derivation,
** and the canonicalization helpers on the edges the suite does not reach.
*/
#include "lam_test.h"
#include "lam_canon.h"
#include "lam_err.h"
#include "lam_json.h"
#include "lam_sigv4.h"

static void test_key_cache(void) {
  static const char *secrets[] = {"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "other-secret", "x"};
  static const char *dates[] = {"20150830", "20150831", "20161231", "20170101"};
  static const char *regions[] = {"us-east-1", "eu-west-1", "cn-north-1", "us-gov-west-1", "ap-southeast-7"};
  static const char *services[] = {"lambda", "sts", "service"};
  lam_sigv4_ctx *ctx = lam_sigv4_ctx_new();
  lam_sigv4_stats st;
  int round;
  CHECK(ctx != NULL);
  if (!ctx) return;
  /* two rounds over more scopes than slots: evictions and re-fills */
  for (round = 0; round < 2; round++)
    for (size_t a = 0; a < 3; a++)
      for (size_t d = 0; d < 4; d++)
        for (size_t r = 0; r < 5; r++)
          for (size_t s = 0; s < 3; s++) {
            unsigned char cached[32], fresh[32], again[32];
            CHECK(lam_sigv4_signing_key(ctx, secrets[a], strlen(secrets[a]), dates[d], regions[r],
                                        strlen(regions[r]), services[s], strlen(services[s]), cached) == LAM_OK);
            CHECK(lam_sigv4_signing_key(ctx, secrets[a], strlen(secrets[a]), dates[d], regions[r],
                                        strlen(regions[r]), services[s], strlen(services[s]), again) == LAM_OK);
            CHECK(lam_sigv4_derive_key(ctx, secrets[a], strlen(secrets[a]), dates[d], regions[r],
                                       strlen(regions[r]), services[s], strlen(services[s]), fresh) == LAM_OK);
            CHECK(memcmp(cached, fresh, 32) == 0);
            CHECK(memcmp(again, fresh, 32) == 0);
          }
  lam_sigv4_get_stats(ctx, &st);
  CHECK(st.hits >= 180); /* every second lookup of a scope is a hit */
  CHECK(st.misses >= 180);

  /* the known key of the SigV4 documentation example (iam, 20120215) */
  {
    static const unsigned char want[32] = {
      0xf4, 0x78, 0x0e, 0x2d, 0x9f, 0x65, 0xfa, 0x89, 0x5f, 0x9c, 0x67, 0xb3, 0x2c, 0xe1, 0xba, 0xf0,
      0xb0, 0xd8, 0xa4, 0x35, 0x05, 0xa0, 0x00, 0xa1, 0xa9, 0xe0, 0x90, 0xd4, 0x14, 0xdb, 0x40, 0x4d};
    unsigned char k[32];
    const char *secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    CHECK(lam_sigv4_signing_key(ctx, secret, strlen(secret), "20120215", "us-east-1", 9, "iam", 3, k) == LAM_OK);
    CHECK(memcmp(k, want, 32) == 0);
  }

  /* the same signature with a cold and a warm cache, across a day boundary */
  {
    lam_sigv4_request req = {"GET", 3, "https://example.amazonaws.com/", 30, NULL, 0, "", 0};
    lam_credentials cred = {"AKIDEXAMPLE", 11, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", 40, NULL, 0};
    lam_sigv4_params p;
    lam_sigv4_state s1, s2;
    lam_sigv4_ctx *cold = lam_sigv4_ctx_new();
    memset(&p, 0, sizeof p);
    p.region = "us-east-1"; p.region_len = 9; p.service = "service"; p.service_len = 7;
    p.normalize_path = 1;
    lam_sigv4_state_init(&s1);
    lam_sigv4_state_init(&s2);
    CHECK(lam_sigv4_date_from_unix(1440979199, p.amz_date) == LAM_OK); /* 23:59:59 */
    CHECK(strcmp(p.amz_date, "20150830T235959Z") == 0);
    CHECK(lam_sigv4_sign(ctx, &req, &cred, &p, &s1) == LAM_OK);
    CHECK(lam_sigv4_sign(cold, &req, &cred, &p, &s2) == LAM_OK);
    CHECK(strcmp(s1.signature, s2.signature) == 0);
    CHECK(lam_sigv4_date_from_unix(1440979200, p.amz_date) == LAM_OK); /* next day */
    CHECK(strcmp(p.amz_date, "20150831T000000Z") == 0);
    CHECK(lam_sigv4_sign(ctx, &req, &cred, &p, &s1) == LAM_OK);
    CHECK(lam_sigv4_sign(cold, &req, &cred, &p, &s2) == LAM_OK);
    CHECK(strcmp(s1.signature, s2.signature) == 0);
    CHECK(strstr(s1.string_to_sign.data, "20150831/us-east-1/service/aws4_request") != NULL);
    /* a secret too long to cache still signs, uncached */
    {
      char big[LAM_SIGV4_SECRET_MAX + 10];
      lam_credentials bc = cred;
      memset(big, 'k', sizeof big);
      bc.secret = big;
      bc.secret_len = sizeof big;
      CHECK(lam_sigv4_sign(ctx, &req, &bc, &p, &s1) == LAM_OK);
      CHECK(lam_sigv4_sign(cold, &req, &bc, &p, &s2) == LAM_OK);
      CHECK(strcmp(s1.signature, s2.signature) == 0);
    }
    lam_sigv4_state_free(&s1);
    lam_sigv4_state_free(&s2);
    lam_sigv4_ctx_free(cold);
  }
  lam_sigv4_ctx_free(ctx);
}

static void check_path(const char *in, int normalize, const char *want) {
  lam_buf b = LAM_BUF_INIT;
  CHECK(lam_canon_path(&b, in, strlen(in), normalize) == LAM_OK);
  CHECK_STR(b.data, b.len, want);
  lam_buf_free(&b);
}

static void check_query(const char *in, const char *want) {
  lam_buf b = LAM_BUF_INIT;
  CHECK(lam_canon_query(&b, in, strlen(in)) == LAM_OK);
  CHECK_STR(b.data ? b.data : "", b.len, want);
  lam_buf_free(&b);
}

static void test_canon(void) {
  lam_url u;
  lam_buf b = LAM_BUF_INIT;
  check_path("", 1, "/");
  check_path("", 0, "/");
  check_path("/a/b/../c/./d", 1, "/a/c/d");
  check_path("/a/b/..", 1, "/a");
  check_path("/a/b/../", 1, "/a/");
  check_path("/../../x", 1, "/x");
  check_path("//a//b//", 1, "/a/b/");
  check_path("/.hidden/..x", 1, "/.hidden/..x");
  check_path("/f/arn%3Aaws%3Alambda", 1, "/f/arn%253Aaws%253Alambda");
  check_path("/f%3A%24LATEST/policy", 1, "/f%253A%2524LATEST/policy");
  check_path("/a b", 0, "/a%20b");
  check_query("", "");
  check_query("b=2&a=1&a=0", "a=0&a=1&b=2");
  check_query("k", "k=");
  check_query("k=&&j", "j=&k=");
  check_query("a=x+y&b=%2f%2B%3D%20", "a=x%2By&b=%2F%2B%3D%20");
  check_query("e=%zz", "e=%25zz");
  check_query("x=a=b", "x=a%3Db");
  CHECK(lam_canon_header_value(&b, "  a \t b\n c  ", 12) == LAM_OK);
  CHECK_STR(b.data, b.len, "a b c");
  lam_buf_free(&b);
  CHECK(lam_url_parse("https://h:443/p?q#f", 19, &u) == LAM_OK);
  CHECK_STR(u.host, u.host_len, "h");
  CHECK_STR(u.path, u.path_len, "/p");
  CHECK_STR(u.query, u.query_len, "q");
  CHECK(lam_url_parse("http://[::1]:8080", 17, &u) == LAM_OK);
  CHECK_STR(u.host, u.host_len, "[::1]:8080");
  CHECK(u.path_len == 0);
  CHECK(lam_url_parse("http://h:80x/", 13, &u) == LAM_ERR_URL);
  CHECK(lam_url_parse("http://user@h/", 14, &u) == LAM_ERR_URL);
  CHECK(lam_url_parse("http:///", 8, &u) == LAM_ERR_URL);
  CHECK(lam_url_parse("file:///etc", 11, &u) == LAM_ERR_URL);
  CHECK(lam_url_parse("http://h :1/", 12, &u) == LAM_ERR_URL);
  {
    lam_header ok = {"X-Ok", 4, "v", 1}, bad1 = {"Bad Name", 8, "v", 1}, bad2 = {"X", 1, "a\nb", 3};
    CHECK(lam_header_check(&ok) == LAM_OK);
    CHECK(lam_header_check(&bad1) == LAM_ERR_HEADER);
    CHECK(lam_header_check(&bad2) == LAM_ERR_HEADER);
  }
}

static void test_json(void) {
  const char *doc = "{\"a\": {\"b\": [1, \"two\", {\"c\": \"\\u00e9\\ud83d\\ude00\\n\"}]}, \"a\": 3, \"s\":\"x\\\"y\"}";
  const char *v, *w;
  size_t vl, wl;
  lam_buf b = LAM_BUF_INIT;
  CHECK(lam_json_validate(doc, strlen(doc)) == LAM_OK);
  CHECK(lam_json_member(doc, strlen(doc), "a", &v, &vl) == LAM_OK); /* last duplicate wins */
  CHECK_STR(v, vl, "3");
  CHECK(lam_json_member_string(doc, strlen(doc), "s", &b) == LAM_OK);
  CHECK_STR(b.data, b.len, "x\"y");
  lam_buf_reset(&b);
  v = strstr(doc, "[1");
  CHECK(lam_json_item(v, strlen(v), 2, &w, &wl) == LAM_OK);
  CHECK(lam_json_member_string(w, wl, "c", &b) == LAM_OK);
  CHECK_STR(b.data, b.len, "\xc3\xa9\xf0\x9f\x98\x80\n");
  CHECK(lam_json_item(v, strlen(v), 3, &w, &wl) == LAM_ERR_ARG);
  CHECK(lam_json_member(doc, strlen(doc), "zz", &w, &wl) == LAM_ERR_ARG);
  CHECK(lam_json_validate("{\"a\":}", 6) == LAM_ERR_PARSE);
  CHECK(lam_json_validate("[1,]", 4) == LAM_ERR_PARSE);
  CHECK(lam_json_validate("\"\\ud800\"", 8) == LAM_ERR_PARSE);
  CHECK(lam_json_validate("01", 2) == LAM_ERR_PARSE);
  CHECK(lam_json_validate("{} x", 4) == LAM_ERR_PARSE);
  {
    char deep[200];
    memset(deep, '[', sizeof deep);
    CHECK(lam_json_validate(deep, sizeof deep) == LAM_ERR_PARSE); /* bounded depth */
  }
  lam_buf_free(&b);
}

int main(void) {
  test_key_cache();
  test_canon();
  test_json();
  return lam_test_done("test_sigv4_unit");
}
