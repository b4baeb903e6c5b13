/*
** test_awserr -- lam_awserr_parse against botocore's rest-json error
** algorithm (lambda-api.md section 2.1), the real Lambda error bodies, the
** bounds, and a deterministic fuzz loop (run it under ASan).
*/
#include "lam_test.h"
#include "lam_awserr.h"
#include "lam_err.h"

#include <stdint.h>

typedef struct {
  const char *name;
  int status;
  const char *errtype; /* NULL: header absent */
  const char *body;
  const char *code, *message;
  const char *type, *reason; /* NULL: must be absent */
} awserr_case;

static const awserr_case cases[] = {
  /* --- the code: precedence and cutting --- */
  {"header wins over every body key", 400, "InvalidParameterValueException",
   "{\"__type\":\"T\",\"code\":\"C1\",\"Code\":\"C2\",\"message\":\"m\"}",
   "InvalidParameterValueException", "m", NULL, NULL},
  {"header with a coral URI suffix", 429,
   "TooManyRequestsException:http://internal.amazon.com/coral/com.amazon.coral.service/",
   "{\"message\":\"Rate exceeded\"}", "TooManyRequestsException", "Rate exceeded", NULL, NULL},
  {"header with namespace and suffix", 400,
   "aws.protocoltests.restjson#FooError:http://internal.amazon.com/coral/com.amazon.coral.validate/",
   "{}", "FooError", "", NULL, NULL},
  {"header ns#Code", 400, "com.amazonaws.awslambda#ResourceNotFoundException", "",
   "ResourceNotFoundException", "", NULL, NULL},
  {"empty header still wins", 400, "", "{\"code\":\"C\"}", "", "", NULL, NULL},
  {"'#' after ':' is cut away with the suffix", 400, "A:b#c", "", "A", "", NULL, NULL},
  {"body code beats Code and __type", 400, NULL,
   "{\"__type\":\"T\",\"Code\":\"C2\",\"code\":\"FooError\"}", "FooError", "", NULL, NULL},
  {"body Code beats __type", 400, NULL, "{\"__type\":\"T\",\"Code\":\"C2\"}", "C2", "", NULL, NULL},
  {"body __type", 400, NULL, "{\"__type\":\"PreconditionFailedException\",\"message\":\"x\"}",
   "PreconditionFailedException", "x", NULL, NULL},
  {"__type with namespace", 400, NULL, "{\"__type\":\"aws.protocoltests.restjson#FooError\"}",
   "FooError", "", NULL, NULL},
  {"__type with namespace and suffix", 400, NULL,
   "{\"__type\":\"aws.protocoltests.restjson#FooError:http://internal.amazon.com/coral/"
   "com.amazon.coral.validate/\"}",
   "FooError", "", NULL, NULL},
  {"code cut too", 400, NULL, "{\"code\":\"ns.x#Bar:http://x\"}", "Bar", "", NULL, NULL},
  {"no code anywhere: the status", 418, NULL, "{\"message\":\"teapot\"}", "418", "teapot", NULL,
   NULL},
  /* --- the message --- */
  {"lowercase message wins", 400, NULL, "{\"Message\":\"up\",\"message\":\"low\"}", "400", "low",
   NULL, NULL},
  {"an empty lowercase message still wins", 400, NULL, "{\"message\":\"\",\"Message\":\"up\"}",
   "400", "", NULL, NULL},
  {"Message alone", 404, NULL, "{\"Message\":\"up\"}", "404", "up", NULL, NULL},
  {"escapes decoded", 400, NULL, "{\"message\":\"caf\\u00e9 \\\"q\\\" \\ud83d\\ude00\"}", "400",
   "caf\xc3\xa9 \"q\" \xf0\x9f\x98\x80", NULL, NULL},
  {"duplicate keys: the last wins", 400, NULL, "{\"message\":\"a\",\"message\":\"b\"}", "400", "b",
   NULL, NULL},
  /* non-strings are skipped (our documented choice) */
  {"non-string message falls back to Message", 400, NULL,
   "{\"message\":123,\"Message\":\"fallback\"}", "400", "fallback", NULL, NULL},
  {"null message gives empty", 400, NULL, "{\"message\":null}", "400", "", NULL, NULL},
  {"non-string code falls back to __type", 400, NULL, "{\"code\":5,\"Code\":[1],\"__type\":\"T\"}",
   "T", "", NULL, NULL},
  {"non-string Type and Reason are absent", 400, NULL, "{\"Type\":1,\"Reason\":{}}", "400", "",
   NULL, NULL},
  /* --- the generic 5xx responses --- */
  {"empty 503", 503, NULL, "", "503", "Service Unavailable", NULL, NULL},
  {"empty 503 ignores the header", 503, "ServiceException", "", "503", "Service Unavailable", NULL,
   NULL},
  {"white space 500", 500, NULL, " \r\n\t\v\f", "500", "Internal Server Error", NULL, NULL},
  {"<html> 502", 502, NULL, "<html><body><b>Http/1.1 Bad Gateway</b></body></html>", "502",
   "Bad Gateway", NULL, NULL},
  {"<html> after white space", 504, "X", "\n  <html>", "504", "Gateway Timeout", NULL, NULL},
  {"unknown 5xx phrase is empty", 599, NULL, "", "599", "", NULL, NULL},
  {"<HTML> is not generic (case-sensitive)", 502, NULL, "<HTML>x</HTML>", "502", "<HTML>x</HTML>",
   NULL, NULL},
  {"5xx with a JSON body parses it", 500, NULL,
   "{\"Type\":\"Service\",\"Message\":\"internal\",\"__type\":\"ServiceException\"}",
   "ServiceException", "internal", "Service", NULL},
  {"5xx with a JSON body, no code", 503, NULL, "{\"Message\":\"x\"}", "503", "x", NULL, NULL},
  /* --- not JSON --- */
  {"invalid JSON 400: raw text", 400, NULL, "not json", "400", "not json", NULL, NULL},
  {"invalid JSON keeps the header code", 403, "AccessDeniedException", "<xml/>",
   "AccessDeniedException", "<xml/>", NULL, NULL},
  {"truncated JSON", 400, NULL, "{\"message\":\"abc", "400", "{\"message\":\"abc", NULL, NULL},
  {"trailing garbage", 400, NULL, "{\"message\":\"a\"} x", "400", "{\"message\":\"a\"} x", NULL,
   NULL},
  {"empty 4xx body", 400, NULL, "", "400", "", NULL, NULL},
  {"white space 4xx body is invalid JSON", 400, NULL, "  ", "400", "  ", NULL, NULL},
  {"a JSON array is taken as text", 400, NULL, "[1,2]", "400", "[1,2]", NULL, NULL},
  {"a JSON string is taken as text", 400, NULL, "\"oops\"", "400", "\"oops\"", NULL, NULL},
  {"null body is taken as text", 400, "X", "null", "X", "null", NULL, NULL},
  /* --- real AWS bodies (lambda-api.md, LocalStack parity snapshots) --- */
  {"412 PreconditionFailed", 412, "PreconditionFailedException",
   "{\"Type\":\"User\",\"message\":\"The Revision Id provided does not match the latest Revision "
   "Id. Call the GetPolicy API to retrieve the latest Revision Id\"}",
   "PreconditionFailedException",
   "The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to "
   "retrieve the latest Revision Id",
   "User", NULL},
  {"404 ResourceNotFound with Message", 404, "ResourceNotFoundException",
   "{\"Type\":\"User\",\"Message\":\"Statement non-existent is not found in resource policy.\"}",
   "ResourceNotFoundException", "Statement non-existent is not found in resource policy.", "User",
   NULL},
  {"404 with no policy", 404, "ResourceNotFoundException",
   "{\"Type\":\"User\",\"Message\":\"The resource you requested does not exist.\"}",
   "ResourceNotFoundException", "The resource you requested does not exist.", "User", NULL},
  {"429 TooManyRequests with Reason", 429,
   "TooManyRequestsException:http://internal.amazon.com/coral/com.amazonaws.awslambda/",
   "{\"Reason\":\"CallerRateLimitExceeded\",\"Type\":\"User\",\"message\":\"Rate exceeded\"}",
   "TooManyRequestsException", "Rate exceeded", "User", "CallerRateLimitExceeded"},
  {"400 ValidationException without Type", 400, "ValidationException",
   "{\"message\":\"1 validation error detected: Value 'x' at 'statementId' failed to satisfy "
   "constraint: Member must satisfy regular expression pattern: ([a-zA-Z0-9-_.]+)\"}",
   "ValidationException",
   "1 validation error detected: Value 'x' at 'statementId' failed to satisfy constraint: Member "
   "must satisfy regular expression pattern: ([a-zA-Z0-9-_.]+)",
   NULL, NULL},
  {"409 ResourceConflict", 409, "ResourceConflictException",
   "{\"Type\":\"User\",\"message\":\"The statement id (s3) provided already exists. Please "
   "provide a new statement id, or remove the existing statement.\"}",
   "ResourceConflictException",
   "The statement id (s3) provided already exists. Please provide a new statement id, or remove "
   "the existing statement.",
   "User", NULL},
  {"body-only __type, no header", 412, NULL,
   "{\"__type\":\"PreconditionFailedException\",\"Type\":\"User\",\"message\":\"m\"}",
   "PreconditionFailedException", "m", "User", NULL},
};

static void test_table(void) {
  size_t i;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const awserr_case *c = &cases[i];
    lam_awserr e;
    int rc = lam_awserr_parse(&e, c->status, c->errtype, c->errtype ? strlen(c->errtype) : 0,
                              c->body, strlen(c->body));
    int before = lam_test_failures;
    CHECK(rc == LAM_OK);
    CHECK_STR(e.code, e.code_len, c->code);
    CHECK_STR(e.message, e.message_len, c->message);
    CHECK(e.has_type == (c->type != NULL));
    if (c->type && e.has_type) CHECK_STR(e.type, e.type_len, c->type);
    CHECK(e.has_reason == (c->reason != NULL));
    if (c->reason && e.has_reason) CHECK_STR(e.reason, e.reason_len, c->reason);
    /* every output is NUL-terminated where its length says */
    CHECK(e.code[e.code_len] == '\0' && e.message[e.message_len] == '\0');
    if (lam_test_failures != before) fprintf(stderr, "  ^ in case: %s\n", c->name);
  }
}

static void test_edges(void) {
  lam_awserr e;
  static const char nul_body[] = "{\"message\":\"a\\u0000b\"}";
  /* NULL body with no length, NULL header */
  CHECK(lam_awserr_parse(&e, 404, NULL, 0, NULL, 0) == LAM_OK);
  CHECK_STR(e.code, e.code_len, "404");
  CHECK_STR(e.message, e.message_len, "");
  CHECK(lam_awserr_parse(&e, 503, NULL, 0, NULL, 0) == LAM_OK);
  CHECK_STR(e.message, e.message_len, "Service Unavailable");
  /* argument errors */
  CHECK(lam_awserr_parse(NULL, 400, NULL, 0, "", 0) == LAM_ERR_ARG);
  CHECK(lam_awserr_parse(&e, 400, NULL, 0, NULL, 3) == LAM_ERR_ARG);
  CHECK(lam_awserr_parse(&e, 400, NULL, 3, "", 0) == LAM_ERR_ARG);
  /* a decoded NUL is kept, with its length */
  CHECK(lam_awserr_parse(&e, 400, NULL, 0, nul_body, sizeof nul_body - 1) == LAM_OK);
  CHECK(e.message_len == 3 && memcmp(e.message, "a\0b", 3) == 0);
  /* a header holding a NUL is used by length */
  CHECK(lam_awserr_parse(&e, 400, "Ab\0c", 4, "", 0) == LAM_OK);
  CHECK(e.code_len == 4 && memcmp(e.code, "Ab\0c", 4) == 0);
  /* negative and odd statuses do not crash */
  CHECK(lam_awserr_parse(&e, -1, NULL, 0, "", 0) == LAM_OK);
  CHECK_STR(e.code, e.code_len, "-1");
  CHECK(lam_awserr_parse(&e, 2147483647, NULL, 0, "", 0) == LAM_OK);
  CHECK_STR(e.code, e.code_len, "2147483647");
  CHECK_STR(e.message, e.message_len, "");
  /* phrases */
  CHECK(strcmp(lam_awserr_reason_phrase(503), "Service Unavailable") == 0);
  CHECK(strcmp(lam_awserr_reason_phrase(504), "Gateway Timeout") == 0);
  CHECK(strcmp(lam_awserr_reason_phrase(429), "Too Many Requests") == 0);
  CHECK(strcmp(lam_awserr_reason_phrase(509), "") == 0);
}

/* Outputs are bounded and cut on a UTF-8 boundary. */
static void test_bounds(void) {
  static char body[40000], hdr[1000];
  lam_awserr e;
  size_t n = 0, i;
  /* message: 3000 x U+20AC (3 bytes) = 9000 bytes > 8192 */
  n += (size_t)sprintf(body, "{\"message\":\"");
  for (i = 0; i < 3000; i++) { memcpy(body + n, "\xe2\x82\xac", 3); n += 3; }
  n += (size_t)sprintf(body + n, "\",\"Type\":\"");
  for (i = 0; i < 300; i++) body[n++] = 'T';
  n += (size_t)sprintf(body + n, "\",\"Reason\":\"");
  for (i = 0; i < 2000; i++) { memcpy(body + n, "\xc3\xa9", 2); n += 2; }
  n += (size_t)sprintf(body + n, "\"}");
  for (i = 0; i < 300; i++) hdr[i] = 'C';
  memcpy(hdr + 300, "\xf0\x9f\x98\x80", 4); /* 4-byte char at 300..303 */
  CHECK(lam_awserr_parse(&e, 400, hdr, 304, body, n) == LAM_OK);
  CHECK(e.message_len == 8190); /* 2730 whole characters */
  CHECK(memcmp(e.message + 8187, "\xe2\x82\xac", 3) == 0 && e.message[8190] == '\0');
  CHECK(e.type_len == LAM_AWSERR_TYPE_MAX);
  CHECK(e.reason_len == LAM_AWSERR_REASON_MAX); /* 512 two-byte characters fit exactly */
  CHECK(e.code_len == LAM_AWSERR_CODE_MAX);
  /* a 4-byte character straddling the code limit is dropped whole */
  for (i = 0; i < 254; i++) hdr[i] = 'C';
  memcpy(hdr + 254, "\xf0\x9f\x98\x80", 4); /* bytes 254..257, limit 256 */
  CHECK(lam_awserr_parse(&e, 400, hdr, 258, "", 0) == LAM_OK);
  CHECK(e.code_len == 254);
  /* invalid UTF-8 (lone continuation bytes) is cut at the limit */
  for (i = 0; i < 300; i++) hdr[i] = (char)0x80;
  CHECK(lam_awserr_parse(&e, 400, hdr, 300, "", 0) == LAM_OK);
  CHECK(e.code_len == LAM_AWSERR_CODE_MAX);
  /* a huge raw (invalid JSON) body */
  memset(body, 'x', sizeof body);
  CHECK(lam_awserr_parse(&e, 400, NULL, 0, body, sizeof body) == LAM_OK);
  CHECK(e.message_len == LAM_AWSERR_MESSAGE_MAX);
}

static uint32_t rng_state = 12345;
static uint32_t rng(void) {
  rng_state = rng_state * 1103515245u + 12345u;
  return rng_state >> 8;
}

/* Every prefix and thousands of random mutations of the real bodies. */
static void test_fuzz(void) {
  static const char *alphabet = "{}[]\":,\\u0123456789abcdefABCDEF#: \t\r\n<html>tfnl.-+eE";
  char buf[512];
  lam_awserr e;
  size_t c, len, k;
  int i, ok = 1;
  for (c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    const char *b = cases[c].body;
    size_t bl = strlen(b);
    for (len = 0; len <= bl; len++) {
      ok &= lam_awserr_parse(&e, 400, NULL, 0, b, len) == LAM_OK;
      ok &= lam_awserr_parse(&e, 503, "X:y#z", 5, b, len) == LAM_OK;
    }
    for (i = 0; i < 300; i++) {
      size_t n = bl < sizeof buf ? bl : sizeof buf;
      memcpy(buf, b, n);
      for (k = 0; k < 1 + rng() % 4 && n; k++) {
        size_t at = rng() % n;
        switch (rng() % 3) {
          case 0: buf[at] = alphabet[rng() % strlen(alphabet)]; break;
          case 1: buf[at] = (char)(rng() & 0xFF); break;
          default: n = at; break; /* truncate */
        }
      }
      if (rng() & 1)
        ok &= lam_awserr_parse(&e, (int)(rng() % 600), buf, n / 3, buf, n) == LAM_OK;
      else
        ok &= lam_awserr_parse(&e, (int)(rng() % 600), NULL, 0, buf, n) == LAM_OK;
      ok &= e.code_len <= LAM_AWSERR_CODE_MAX && e.message_len <= LAM_AWSERR_MESSAGE_MAX;
    }
  }
  /* deep nesting stays bounded */
  for (k = 0; k < sizeof buf; k++) buf[k] = '[';
  ok &= lam_awserr_parse(&e, 400, NULL, 0, buf, sizeof buf) == LAM_OK;
  memcpy(buf, "{\"a\":", 5);
  for (k = 5; k < sizeof buf; k++) buf[k] = (k % 2) ? '[' : '{';
  ok &= lam_awserr_parse(&e, 400, NULL, 0, buf, sizeof buf) == LAM_OK;
  CHECK(ok);
}

int main(int argc, char **argv) {
  (void)argc;
  (void)argv;
  test_table();
  test_edges();
  test_bounds();
  test_fuzz();
  return lam_test_done("test_awserr");
}
