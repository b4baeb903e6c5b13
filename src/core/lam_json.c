#include "lam_json.h"
#include "lam_err.h"

#include <string.h>

typedef struct {
  const char *p, *end;
} lam_json_cur;

static void lam_json_ws(lam_json_cur *c) {
  while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
    c->p++;
}

static int lam_json_hex4(const char *p, unsigned *out) {
  unsigned v = 0;
  int i;
  for (i = 0; i < 4; i++) {
    char ch = p[i];
    v <<= 4;
    if (ch >= '0' && ch <= '9') v |= (unsigned)(ch - '0');
    else if (ch >= 'a' && ch <= 'f') v |= (unsigned)(ch - 'a' + 10);
    else if (ch >= 'A' && ch <= 'F') v |= (unsigned)(ch - 'A' + 10);
    else return 0;
  }
  *out = v;
  return 1;
}

/* Skips a string literal; when out is given, appends its decoded bytes. */
static int lam_json_str(lam_json_cur *c, lam_buf *out) {
  if (c->p >= c->end || *c->p != '"') return LAM_ERR_PARSE;
  c->p++;
  while (c->p < c->end) {
    const char *run = c->p;
    while (c->p < c->end && *c->p != '"' && *c->p != '\\' && (unsigned char)*c->p >= 0x20)
      c->p++;
    if (out && c->p > run && lam_buf_append(out, run, (size_t)(c->p - run))) return LAM_ERR_NOMEM;
    if (c->p >= c->end) break;
    if (*c->p == '"') { c->p++; return LAM_OK; }
    if ((unsigned char)*c->p < 0x20) return LAM_ERR_PARSE; /* raw control char */
    /* backslash escape */
    if (c->end - c->p < 2) return LAM_ERR_PARSE;
    c->p++;
    {
      char e = *c->p++, ch;
      unsigned cp, lo;
      unsigned char u[4];
      size_t n;
      switch (e) {
        case '"': ch = '"'; break;
        case '\\': ch = '\\'; break;
        case '/': ch = '/'; break;
        case 'b': ch = '\b'; break;
        case 'f': ch = '\f'; break;
        case 'n': ch = '\n'; break;
        case 'r': ch = '\r'; break;
        case 't': ch = '\t'; break;
        case 'u':
          if (c->end - c->p < 4 || !lam_json_hex4(c->p, &cp)) return LAM_ERR_PARSE;
          c->p += 4;
          if (cp >= 0xD800 && cp <= 0xDBFF) { /* surrogate pair */
            if (c->end - c->p < 6 || c->p[0] != '\\' || c->p[1] != 'u' ||
                !lam_json_hex4(c->p + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF)
              return LAM_ERR_PARSE;
            c->p += 6;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return LAM_ERR_PARSE;
          }
          if (cp < 0x80) { u[0] = (unsigned char)cp; n = 1; }
          else if (cp < 0x800) { u[0] = (unsigned char)(0xC0 | (cp >> 6)); u[1] = (unsigned char)(0x80 | (cp & 0x3F)); n = 2; }
          else if (cp < 0x10000) { u[0] = (unsigned char)(0xE0 | (cp >> 12)); u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F)); u[2] = (unsigned char)(0x80 | (cp & 0x3F)); n = 3; }
          else { u[0] = (unsigned char)(0xF0 | (cp >> 18)); u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F)); u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F)); u[3] = (unsigned char)(0x80 | (cp & 0x3F)); n = 4; }
          if (out && lam_buf_append(out, u, n)) return LAM_ERR_NOMEM;
          continue;
        default: return LAM_ERR_PARSE;
      }
      if (out && lam_buf_append_char(out, ch)) return LAM_ERR_NOMEM;
    }
  }
  return LAM_ERR_PARSE;
}

static int lam_json_lit(lam_json_cur *c, const char *word) {
  size_t n = strlen(word);
  if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0) return LAM_ERR_PARSE;
  c->p += n;
  return LAM_OK;
}

static int lam_json_num(lam_json_cur *c) {
  const char *start;
  if (c->p < c->end && *c->p == '-') c->p++;
  start = c->p;
  if (c->p < c->end && *c->p == '0') c->p++;
  else while (c->p < c->end && *c->p >= '0' && *c->p <= '9') c->p++;
  if (c->p == start) return LAM_ERR_PARSE;
  if (c->p < c->end && *c->p == '.') {
    c->p++;
    start = c->p;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') c->p++;
    if (c->p == start) return LAM_ERR_PARSE;
  }
  if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
    c->p++;
    if (c->p < c->end && (*c->p == '+' || *c->p == '-')) c->p++;
    start = c->p;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') c->p++;
    if (c->p == start) return LAM_ERR_PARSE;
  }
  return LAM_OK;
}

static int lam_json_value(lam_json_cur *c, int depth) {
  int rc;
  lam_json_ws(c);
  if (c->p >= c->end) return LAM_ERR_PARSE;
  if (depth > LAM_JSON_MAX_DEPTH) return LAM_ERR_PARSE;
  switch (*c->p) {
    case '"': return lam_json_str(c, NULL);
    case 't': return lam_json_lit(c, "true");
    case 'f': return lam_json_lit(c, "false");
    case 'n': return lam_json_lit(c, "null");
    case '{':
      c->p++;
      lam_json_ws(c);
      if (c->p < c->end && *c->p == '}') { c->p++; return LAM_OK; }
      for (;;) {
        lam_json_ws(c);
        if ((rc = lam_json_str(c, NULL))) return rc;
        lam_json_ws(c);
        if (c->p >= c->end || *c->p != ':') return LAM_ERR_PARSE;
        c->p++;
        if ((rc = lam_json_value(c, depth + 1))) return rc;
        lam_json_ws(c);
        if (c->p < c->end && *c->p == ',') { c->p++; continue; }
        if (c->p < c->end && *c->p == '}') { c->p++; return LAM_OK; }
        return LAM_ERR_PARSE;
      }
    case '[':
      c->p++;
      lam_json_ws(c);
      if (c->p < c->end && *c->p == ']') { c->p++; return LAM_OK; }
      for (;;) {
        if ((rc = lam_json_value(c, depth + 1))) return rc;
        lam_json_ws(c);
        if (c->p < c->end && *c->p == ',') { c->p++; continue; }
        if (c->p < c->end && *c->p == ']') { c->p++; return LAM_OK; }
        return LAM_ERR_PARSE;
      }
    default:
      return lam_json_num(c);
  }
}

lam_json_type lam_json_type_of(const char *s, size_t len) {
  lam_json_cur c;
  c.p = s;
  c.end = s + len;
  lam_json_ws(&c);
  if (c.p >= c.end) return LAM_JSON_INVALID;
  switch (*c.p) {
    case '{': return LAM_JSON_OBJECT;
    case '[': return LAM_JSON_ARRAY;
    case '"': return LAM_JSON_STRING;
    case 't': return LAM_JSON_TRUE;
    case 'f': return LAM_JSON_FALSE;
    case 'n': return LAM_JSON_NULL;
    default: return (*c.p == '-' || (*c.p >= '0' && *c.p <= '9')) ? LAM_JSON_NUMBER : LAM_JSON_INVALID;
  }
}

int lam_json_validate(const char *s, size_t len) {
  lam_json_cur c;
  int rc;
  c.p = s;
  c.end = s + len;
  if ((rc = lam_json_value(&c, 0))) return rc;
  lam_json_ws(&c);
  return c.p == c.end ? LAM_OK : LAM_ERR_PARSE;
}

/* Compares the literal at c (a key) with key without allocating. */
static int lam_json_key_eq(lam_json_cur *c, const char *key, int *eq) {
  const char *k = key;
  int same = 1;
  if (c->p >= c->end || *c->p != '"') return LAM_ERR_PARSE;
  /* fast path: no escapes in the literal */
  {
    const char *q = c->p + 1;
    while (q < c->end && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20) q++;
    if (q < c->end && *q == '"') {
      size_t n = (size_t)(q - c->p - 1);
      *eq = (strlen(key) == n && memcmp(c->p + 1, key, n) == 0);
      c->p = q + 1;
      return LAM_OK;
    }
  }
  {
    lam_buf tmp = LAM_BUF_INIT;
    int rc = lam_json_str(c, &tmp);
    if (rc == LAM_OK) same = (tmp.len == strlen(k) && (tmp.len == 0 || memcmp(tmp.data, k, tmp.len) == 0));
    lam_buf_free(&tmp);
    *eq = same;
    return rc;
  }
}

int lam_json_member(const char *s, size_t len, const char *key,
                    const char **val, size_t *vlen) {
  lam_json_cur c;
  int rc, found = 0;
  c.p = s;
  c.end = s + len;
  lam_json_ws(&c);
  if (c.p >= c.end || *c.p != '{') return LAM_ERR_PARSE;
  c.p++;
  lam_json_ws(&c);
  if (c.p < c.end && *c.p == '}') return LAM_ERR_ARG;
  for (;;) {
    int eq = 0;
    const char *vstart;
    lam_json_ws(&c);
    if ((rc = lam_json_key_eq(&c, key, &eq))) return rc;
    lam_json_ws(&c);
    if (c.p >= c.end || *c.p != ':') return LAM_ERR_PARSE;
    c.p++;
    lam_json_ws(&c);
    vstart = c.p;
    if ((rc = lam_json_value(&c, 1))) return rc;
    if (eq) {
      *val = vstart;
      *vlen = (size_t)(c.p - vstart);
      found = 1;
    }
    lam_json_ws(&c);
    if (c.p < c.end && *c.p == ',') { c.p++; continue; }
    if (c.p < c.end && *c.p == '}') break;
    return LAM_ERR_PARSE;
  }
  return found ? LAM_OK : LAM_ERR_ARG;
}

int lam_json_item(const char *s, size_t len, size_t index,
                  const char **val, size_t *vlen) {
  lam_json_cur c;
  size_t i = 0;
  int rc;
  c.p = s;
  c.end = s + len;
  lam_json_ws(&c);
  if (c.p >= c.end || *c.p != '[') return LAM_ERR_PARSE;
  c.p++;
  lam_json_ws(&c);
  if (c.p < c.end && *c.p == ']') return LAM_ERR_ARG;
  for (;; i++) {
    const char *vstart;
    lam_json_ws(&c);
    vstart = c.p;
    if ((rc = lam_json_value(&c, 1))) return rc;
    if (i == index) {
      *val = vstart;
      *vlen = (size_t)(c.p - vstart);
      return LAM_OK;
    }
    lam_json_ws(&c);
    if (c.p < c.end && *c.p == ',') { c.p++; continue; }
    if (c.p < c.end && *c.p == ']') return LAM_ERR_ARG;
    return LAM_ERR_PARSE;
  }
}

int lam_json_string(const char *s, size_t len, lam_buf *out) {
  lam_json_cur c;
  c.p = s;
  c.end = s + len;
  lam_json_ws(&c);
  return lam_json_str(&c, out);
}

int lam_json_member_string(const char *s, size_t len, const char *key, lam_buf *out) {
  const char *v;
  size_t vl;
  int rc = lam_json_member(s, len, key, &v, &vl);
  if (rc) return rc;
  if (lam_json_type_of(v, vl) != LAM_JSON_STRING) return LAM_ERR_ARG;
  return lam_json_string(v, vl, out);
}
