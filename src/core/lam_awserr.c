/*
** lam_awserr.c -- botocore's rest-json error parse (see lam_awserr.h).
*/
#include "lam_awserr.h"
#include "lam_buf.h"
#include "lam_err.h"
#include "lam_json.h"

#include <stdio.h>
#include <string.h>

/* The phrases of Python's http.client.responses (3.11).  Only 5xx ever
** reach an error, but the whole table costs little and keeps it honest. */
static const struct {
  int status;
  const char *phrase;
} lam_awserr_phrases[] = {
  {100, "Continue"}, {101, "Switching Protocols"}, {102, "Processing"}, {103, "Early Hints"},
  {200, "OK"}, {201, "Created"}, {202, "Accepted"}, {203, "Non-Authoritative Information"},
  {204, "No Content"}, {205, "Reset Content"}, {206, "Partial Content"}, {207, "Multi-Status"},
  {208, "Already Reported"}, {226, "IM Used"},
  {300, "Multiple Choices"}, {301, "Moved Permanently"}, {302, "Found"}, {303, "See Other"},
  {304, "Not Modified"}, {305, "Use Proxy"}, {307, "Temporary Redirect"},
  {308, "Permanent Redirect"},
  {400, "Bad Request"}, {401, "Unauthorized"}, {402, "Payment Required"}, {403, "Forbidden"},
  {404, "Not Found"}, {405, "Method Not Allowed"}, {406, "Not Acceptable"},
  {407, "Proxy Authentication Required"}, {408, "Request Timeout"}, {409, "Conflict"},
  {410, "Gone"}, {411, "Length Required"}, {412, "Precondition Failed"},
  {413, "Request Entity Too Large"}, {414, "Request-URI Too Long"},
  {415, "Unsupported Media Type"}, {416, "Requested Range Not Satisfiable"},
  {417, "Expectation Failed"}, {418, "I'm a Teapot"}, {421, "Misdirected Request"},
  {422, "Unprocessable Entity"}, {423, "Locked"}, {424, "Failed Dependency"},
  {425, "Too Early"}, {426, "Upgrade Required"}, {428, "Precondition Required"},
  {429, "Too Many Requests"}, {431, "Request Header Fields Too Large"},
  {451, "Unavailable For Legal Reasons"},
  {500, "Internal Server Error"}, {501, "Not Implemented"}, {502, "Bad Gateway"},
  {503, "Service Unavailable"}, {504, "Gateway Timeout"}, {505, "HTTP Version Not Supported"},
  {506, "Variant Also Negotiates"}, {507, "Insufficient Storage"}, {508, "Loop Detected"},
  {510, "Not Extended"}, {511, "Network Authentication Required"},
};

const char *lam_awserr_reason_phrase(int status) {
  size_t i;
  for (i = 0; i < sizeof lam_awserr_phrases / sizeof lam_awserr_phrases[0]; i++)
    if (lam_awserr_phrases[i].status == status) return lam_awserr_phrases[i].phrase;
  return "";
}

/* Length of s cut to at most max bytes without splitting a UTF-8 sequence:
** if the byte just past the cut continues a character, back off to that
** character's lead byte (at most 3 bytes back). */
static size_t lam_awserr_cut(const char *s, size_t len, size_t max) {
  size_t j;
  if (len <= max) return len;
  if (((unsigned char)s[max] & 0xC0) != 0x80) return max;
  for (j = max; j > 0 && max - j < 3 && ((unsigned char)s[j] & 0xC0) == 0x80; j--)
    ;
  return ((unsigned char)s[j] >= 0xC0) ? j : max;
}

static size_t lam_awserr_put(char *dst, size_t max, const char *s, size_t len) {
  size_t n = lam_awserr_cut(s, len, max);
  if (n) memcpy(dst, s, n);
  dst[n] = '\0';
  return n;
}

/* Python's bytes.strip() white space. */
static int lam_awserr_is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Decodes into tmp the first of keys (a NULL-terminated list) that is a
** string member of the JSON object body.  A member that is present but not
** a string is skipped (botocore would keep the raw value): see the header.
** LAM_OK when found, LAM_ERR_ARG when none is, LAM_ERR_NOMEM. */
static int lam_awserr_first(const char *body, size_t len, const char *const *keys, lam_buf *tmp) {
  for (; *keys; keys++) {
    int rc;
    lam_buf_reset(tmp);
    rc = lam_json_member_string(body, len, *keys, tmp);
    if (rc == LAM_OK || rc == LAM_ERR_NOMEM) return rc;
  }
  return LAM_ERR_ARG;
}

static void lam_awserr_status_code(lam_awserr *out, int status) {
  char num[16];
  int n = snprintf(num, sizeof num, "%d", status);
  /* bounded by num's size, so the optimizer can see the cut stays inside */
  size_t len = (n > 0 && (size_t)n < sizeof num) ? (size_t)n : 0;
  out->code_len = lam_awserr_put(out->code, LAM_AWSERR_CODE_MAX, num, len);
}

/* The code cut as botocore does: before the first ':', after the last '#'. */
static void lam_awserr_set_code(lam_awserr *out, const char *s, size_t len) {
  const char *colon = len ? memchr(s, ':', len) : NULL;
  size_t i;
  if (colon) len = (size_t)(colon - s);
  for (i = len; i > 0; i--)
    if (s[i - 1] == '#') {
      s += i;
      len -= i;
      break;
    }
  out->code_len = lam_awserr_put(out->code, LAM_AWSERR_CODE_MAX, s, len);
}

int lam_awserr_parse(lam_awserr *out, int status, const char *errtype, size_t errtype_len,
                     const char *body, size_t body_len) {
  static const char *const message_keys[] = {"message", "Message", NULL};
  static const char *const code_keys[] = {"code", "Code", "__type", NULL};
  static const char *const type_key[] = {"Type", NULL};
  static const char *const reason_key[] = {"Reason", NULL};
  lam_buf tmp = LAM_BUF_INIT;
  int rc = LAM_OK, is_object;
  if (!out || (body_len && !body) || (errtype_len && !errtype)) return LAM_ERR_ARG;
  out->code[0] = out->message[0] = out->type[0] = out->reason[0] = '\0';
  out->code_len = out->message_len = out->type_len = out->reason_len = 0;
  out->has_type = out->has_reason = 0;

  /* 1. the generic 5xx check looks at nothing but the status and body */
  if (status >= 500) {
    size_t a = 0, b = body_len;
    while (a < b && lam_awserr_is_space(body[a])) a++;
    while (b > a && lam_awserr_is_space(body[b - 1])) b--;
    if (a == b || (b - a >= 6 && memcmp(body + a, "<html>", 6) == 0)) {
      const char *phrase = lam_awserr_reason_phrase(status);
      lam_awserr_status_code(out, status);
      out->message_len = lam_awserr_put(out->message, LAM_AWSERR_MESSAGE_MAX, phrase, strlen(phrase));
      return LAM_OK;
    }
  }

  /* 2. the body: {} when empty; when not a JSON object, its raw text is
  ** the message and it has no members */
  is_object = body_len > 0 && lam_json_type_of(body, body_len) == LAM_JSON_OBJECT &&
              lam_json_validate(body, body_len) == LAM_OK;
  if (body_len > 0 && !is_object)
    out->message_len = lam_awserr_put(out->message, LAM_AWSERR_MESSAGE_MAX, body, body_len);
  if (is_object) {
    if ((rc = lam_awserr_first(body, body_len, message_keys, &tmp)) == LAM_OK)
      out->message_len = lam_awserr_put(out->message, LAM_AWSERR_MESSAGE_MAX, tmp.data, tmp.len);
    if (rc == LAM_ERR_NOMEM) goto done;
    if ((rc = lam_awserr_first(body, body_len, type_key, &tmp)) == LAM_OK) {
      out->type_len = lam_awserr_put(out->type, LAM_AWSERR_TYPE_MAX, tmp.data, tmp.len);
      out->has_type = 1;
    }
    if (rc == LAM_ERR_NOMEM) goto done;
    if ((rc = lam_awserr_first(body, body_len, reason_key, &tmp)) == LAM_OK) {
      out->reason_len = lam_awserr_put(out->reason, LAM_AWSERR_REASON_MAX, tmp.data, tmp.len);
      out->has_reason = 1;
    }
    if (rc == LAM_ERR_NOMEM) goto done;
  }

  /* 3. the code: header > body code > Code > __type > the status */
  rc = LAM_OK;
  if (errtype) {
    lam_awserr_set_code(out, errtype, errtype_len);
  } else if (is_object && (rc = lam_awserr_first(body, body_len, code_keys, &tmp)) == LAM_OK) {
    lam_awserr_set_code(out, tmp.data, tmp.len);
  } else if (rc != LAM_ERR_NOMEM) {
    rc = LAM_OK;
    lam_awserr_status_code(out, status);
  }
done:
  lam_buf_free(&tmp);
  return rc;
}
