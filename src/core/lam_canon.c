#include "lam_canon.h"
#include "lam_err.h"

#include <stdlib.h>
#include <string.h>

/* Bit 1: RFC 3986 unreserved, the only bytes SigV4 leaves unencoded;
** bit 2: '/', also kept in paths.  The encoder tests one mask. */
static const unsigned char lam_safe[256] = {
  ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1,
  ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1,
  ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1,
  ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1,
  ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1,
  ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1,
  ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1,
  ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
  ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1,
  ['7'] = 1, ['8'] = 1, ['9'] = 1, ['-'] = 1, ['.'] = 1, ['_'] = 1, ['~'] = 1,
  ['/'] = 2,
};

static int lam_hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static int lam_ieq(const char *a, size_t an, const char *b) {
  size_t i;
  if (an != strlen(b)) return 0;
  for (i = 0; i < an; i++) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
    if (c != b[i]) return 0;
  }
  return 1;
}

int lam_url_parse(const char *url, size_t len, lam_url *out) {
  const char *p = url, *end = url + len, *auth, *auth_end, *port = NULL, *hash;
  size_t i;
  memset(out, 0, sizeof *out);
  for (i = 0; i < len && url[i] != ':'; i++) {}
  if (i == len || len - i < 3 || url[i + 1] != '/' || url[i + 2] != '/') return LAM_ERR_URL;
  out->scheme = url;
  out->scheme_len = i;
  if (!lam_ieq(url, i, "http") && !lam_ieq(url, i, "https")) return LAM_ERR_URL;
  auth = p = url + i + 3;
  while (p < end && *p != '/' && *p != '?' && *p != '#') p++;
  auth_end = p;
  if (auth == auth_end) return LAM_ERR_URL;
  /* userinfo is never signed nor sent by us: refuse it rather than guess */
  if (memchr(auth, '@', (size_t)(auth_end - auth))) return LAM_ERR_URL;
  for (p = auth; p < auth_end; p++) {
    unsigned char c = (unsigned char)*p;
    if (c <= 0x20 || c >= 0x7f) return LAM_ERR_URL;
  }
  /* find the port, minding IPv6 literals: [::1]:8080 */
  if (*auth == '[') {
    const char *rb = memchr(auth, ']', (size_t)(auth_end - auth));
    if (!rb) return LAM_ERR_URL;
    if (rb + 1 < auth_end) {
      if (rb[1] != ':') return LAM_ERR_URL;
      port = rb + 1;
    }
  } else {
    const char *colon = memchr(auth, ':', (size_t)(auth_end - auth));
    if (colon) port = colon;
  }
  out->host = auth;
  out->host_len = (size_t)(auth_end - auth);
  if (port) {
    size_t plen = (size_t)(auth_end - port - 1);
    const char *q;
    if (plen == 0 || plen > 5) return LAM_ERR_URL;
    for (q = port + 1; q < auth_end; q++)
      if (*q < '0' || *q > '9') return LAM_ERR_URL;
    if ((lam_ieq(out->scheme, out->scheme_len, "http") && plen == 2 && memcmp(port + 1, "80", 2) == 0) ||
        (lam_ieq(out->scheme, out->scheme_len, "https") && plen == 3 && memcmp(port + 1, "443", 3) == 0))
      out->host_len = (size_t)(port - auth); /* default port: not signed */
  }
  if (port == auth) return LAM_ERR_URL;
  hash = memchr(auth_end, '#', (size_t)(end - auth_end));
  if (hash) end = hash;
  out->path = auth_end;
  p = memchr(auth_end, '?', (size_t)(end - auth_end));
  if (!p) p = end;
  out->path_len = (size_t)(p - auth_end);
  if (p < end) {
    out->has_query = 1;
    out->query = p + 1;
    out->query_len = (size_t)(end - p - 1);
  } else {
    out->query = end;
  }
  return LAM_OK;
}

int lam_uri_encode(lam_buf *out, const char *s, size_t n, int keep_slash) {
  static const char hex[] = "0123456789ABCDEF";
  /* bit 1: unreserved; bit 2: also kept in paths ('/') */
  const unsigned char mask = keep_slash ? 3 : 1;
  size_t i = 0;
  int rc = lam_buf_reserve(out, n * 3);
  char *d;
  if (rc) return rc;
  d = out->data + out->len;
  while (i < n) {
    size_t run = i;
    /* copy runs of safe bytes in one go: most of a Lambda path is safe */
    while (run < n && (lam_safe[(unsigned char)s[run]] & mask)) run++;
    if (run > i) {
      memcpy(d, s + i, run - i);
      d += run - i;
      i = run;
      if (i == n) break;
    }
    {
      unsigned char c = (unsigned char)s[i++];
      d[0] = '%';
      d[1] = hex[c >> 4];
      d[2] = hex[c & 15];
      d += 3;
    }
  }
  out->len = (size_t)(d - out->data);
  out->data[out->len] = '\0';
  return LAM_OK;
}

int lam_uri_decode(lam_buf *out, const char *s, size_t n) {
  size_t i;
  int rc = lam_buf_reserve(out, n);
  char *d;
  if (rc) return rc;
  d = out->data + out->len;
  for (i = 0; i < n; i++) {
    int hi, lo;
    if (s[i] == '%' && i + 2 < n && (hi = lam_hexval(s[i + 1])) >= 0 &&
        (lo = lam_hexval(s[i + 2])) >= 0) {
      *d++ = (char)(hi * 16 + lo);
      i += 2;
    } else {
      *d++ = s[i];
    }
  }
  out->len = (size_t)(d - out->data);
  out->data[out->len] = '\0';
  return LAM_OK;
}

int lam_path_normalize(lam_buf *out, const char *path, size_t n) {
  /* Segments are kept as (offset, length) into `path`; ".." pops one. */
  size_t stack_small[32];
  size_t *seg = stack_small, cap = 16, top = 0, i = 0;
  int rc = LAM_OK, trailing = (n > 0 && path[n - 1] == '/');
  while (i < n) {
    size_t start, len;
    while (i < n && path[i] == '/') i++;
    start = i;
    while (i < n && path[i] != '/') i++;
    len = i - start;
    if (len == 0) break;
    if (len == 1 && path[start] == '.') continue;
    if (len == 2 && path[start] == '.' && path[start + 1] == '.') {
      if (top) top--;
      continue;
    }
    if (top == cap) {
      size_t *grown = malloc(cap * 2 * 2 * sizeof *grown);
      if (!grown) { rc = LAM_ERR_NOMEM; goto done; }
      memcpy(grown, seg, top * 2 * sizeof *seg);
      if (seg != stack_small) free(seg);
      seg = grown;
      cap *= 2;
    }
    seg[2 * top] = start;
    seg[2 * top + 1] = len;
    top++;
  }
  if (top == 0) {
    rc = lam_buf_append_char(out, '/');
    goto done;
  }
  for (i = 0; i < top; i++) {
    if ((rc = lam_buf_append_char(out, '/'))) goto done;
    if ((rc = lam_buf_append(out, path + seg[2 * i], seg[2 * i + 1]))) goto done;
  }
  if (trailing) rc = lam_buf_append_char(out, '/');
done:
  if (seg != stack_small) free(seg);
  return rc;
}

/* 1 when path needs no normalization: it starts with '/' and holds no
** "//" and no "/." (which every "." or ".." segment starts with; a name
** such as "/.hidden" merely takes the slow path, which keeps it). */
static int lam_path_is_normal(const char *path, size_t n) {
  const char *p = path, *end = path + n;
  if (n == 0 || path[0] != '/') return 0;
  while ((p = memchr(p, '/', (size_t)(end - p))) != NULL) {
    if (++p == end) break;
    if (*p == '/' || *p == '.') return 0;
  }
  return 1;
}

int lam_canon_path(lam_buf *out, const char *path, size_t n, int normalize) {
  lam_buf tmp = LAM_BUF_INIT;
  int rc;
  if (n == 0) return lam_buf_append_char(out, '/');
  if (!normalize) return lam_uri_encode(out, path, n, 1);
  if (lam_path_is_normal(path, n)) return lam_uri_encode(out, path, n, 1);
  rc = lam_path_normalize(&tmp, path, n);
  if (!rc) rc = lam_uri_encode(out, tmp.data, tmp.len, 1);
  lam_buf_free(&tmp);
  return rc;
}

typedef struct {
  size_t key, key_len, val, val_len; /* offsets into the scratch buffer */
} lam_qpair;

static int lam_qpair_cmp(const char *base, const lam_qpair *x, const lam_qpair *y) {
  size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
  int c = memcmp(base + x->key, base + y->key, n);
  if (c) return c;
  if (x->key_len != y->key_len) return x->key_len < y->key_len ? -1 : 1;
  n = x->val_len < y->val_len ? x->val_len : y->val_len;
  c = memcmp(base + x->val, base + y->val, n);
  if (c) return c;
  if (x->val_len != y->val_len) return x->val_len < y->val_len ? -1 : 1;
  return 0;
}

/* Decodes then re-encodes one component into ws, recording its slice.
** ws has room reserved for the worst case, so it never moves here. */
static void lam_query_component(lam_buf *ws, const char *s, size_t n, size_t *off, size_t *len) {
  size_t i;
  *off = ws->len;
  for (i = 0; i < n && (lam_safe[(unsigned char)s[i]] & 1); i++) {}
  if (i == n) { /* already canonical: the common case */
    memcpy(ws->data + ws->len, s, n);
    ws->len += n;
  } else {
    /* decode into the spare room past the worst-case encoding, then encode */
    char *tmp = ws->data + ws->cap - n - 1;
    lam_buf dec;
    dec.data = tmp;
    dec.len = 0;
    dec.cap = n + 1;
    (void)lam_uri_decode(&dec, s, n); /* cannot grow: decoding only shrinks */
    {
      static const char hex[] = "0123456789ABCDEF";
      char *d = ws->data + ws->len;
      for (i = 0; i < dec.len; i++) {
        unsigned char c = (unsigned char)tmp[i];
        if (lam_safe[c] & 1) *d++ = (char)c;
        else { *d++ = '%'; *d++ = hex[c >> 4]; *d++ = hex[c & 15]; }
      }
      ws->len = (size_t)(d - ws->data);
    }
  }
  *len = ws->len - *off;
}

int lam_canon_query_ws(lam_buf *out, const char *q, size_t n, lam_buf *ws) {
  lam_qpair small[16], *pairs = small;
  size_t count = 0, cap = 16, i = 0;
  int rc = LAM_OK;
  if (n == 0) return LAM_OK;
  lam_buf_reset(ws);
  /* encoded output is at most 3n; the decode area needs n more */
  if (n > ((size_t)-1) / 8 || (rc = lam_buf_reserve(ws, 4 * n + 2))) return rc ? rc : LAM_ERR_TOOBIG;
  while (i <= n) {
    size_t start = i, eq;
    const char *amp = memchr(q + i, '&', n - i);
    i = amp ? (size_t)(amp - q) : n;
    if (i > start) { /* skip empty pieces such as "a=1&&b=2" */
      if (count == LAM_CANON_MAX_PAIRS) { rc = LAM_ERR_TOOBIG; goto done; }
      if (count == cap) {
        lam_qpair *grown = malloc(cap * 2 * sizeof *grown);
        if (!grown) { rc = LAM_ERR_NOMEM; goto done; }
        memcpy(grown, pairs, count * sizeof *pairs);
        if (pairs != small) free(pairs);
        pairs = grown;
        cap *= 2;
      }
      for (eq = start; eq < i && q[eq] != '='; eq++) {}
      lam_query_component(ws, q + start, eq - start, &pairs[count].key, &pairs[count].key_len);
      if (eq < i) {
        lam_query_component(ws, q + eq + 1, i - eq - 1, &pairs[count].val, &pairs[count].val_len);
      } else {
        pairs[count].val = ws->len;
        pairs[count].val_len = 0;
      }
      count++;
    }
    i++;
  }
  /* insertion sort: stable, needs no global context (qsort has none), and
  ** queries are short; the pair cap bounds the quadratic worst case */
  for (i = 1; i < count; i++) {
    lam_qpair cur = pairs[i];
    size_t j = i;
    while (j > 0 && lam_qpair_cmp(ws->data, &pairs[j - 1], &cur) > 0) {
      pairs[j] = pairs[j - 1];
      j--;
    }
    pairs[j] = cur;
  }
  if ((rc = lam_buf_reserve(out, ws->len + 2 * count))) goto done;
  for (i = 0; i < count; i++) {
    if (i) out->data[out->len++] = '&';
    memcpy(out->data + out->len, ws->data + pairs[i].key, pairs[i].key_len);
    out->len += pairs[i].key_len;
    out->data[out->len++] = '=';
    memcpy(out->data + out->len, ws->data + pairs[i].val, pairs[i].val_len);
    out->len += pairs[i].val_len;
  }
  out->data[out->len] = '\0';
done:
  if (pairs != small) free(pairs);
  return rc;
}

int lam_canon_query(lam_buf *out, const char *q, size_t n) {
  lam_buf ws = LAM_BUF_INIT;
  int rc = lam_canon_query_ws(out, q, n, &ws);
  lam_buf_free(&ws);
  return rc;
}

static int lam_is_ws(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

int lam_canon_header_value(lam_buf *out, const char *v, size_t n) {
  size_t i = 0, j;
  int rc, first = 1;
  while (n && lam_is_ws(v[n - 1])) n--;
  while (i < n && lam_is_ws(v[i])) i++;
  while (i < n) {
    j = i;
    while (j < n && !lam_is_ws(v[j])) j++;
    if (!first && (rc = lam_buf_append_char(out, ' '))) return rc;
    if ((rc = lam_buf_append(out, v + i, j - i))) return rc;
    first = 0;
    while (j < n && lam_is_ws(v[j])) j++;
    i = j;
  }
  return LAM_OK;
}

int lam_canon_header_unsigned(const char *lname, size_t n) {
  static const char *const never[] = {
    "authorization", "user-agent", "expect", "connection", "keep-alive",
    "proxy-authenticate", "proxy-authorization", "te", "trailer",
    "transfer-encoding", "upgrade", "x-amzn-trace-id", NULL
  };
  size_t i;
  for (i = 0; never[i]; i++)
    if (strlen(never[i]) == n && memcmp(never[i], lname, n) == 0) return 1;
  return 0;
}

int lam_header_check(const lam_header *h) {
  /* RFC 9110 token characters */
  static const char tchar[] = "!#$%&'*+-.^_`|~";
  size_t i;
  if (h->name_len == 0) return LAM_ERR_HEADER;
  for (i = 0; i < h->name_len; i++) {
    unsigned char c = (unsigned char)h->name[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          (c && strchr(tchar, c))))
      return LAM_ERR_HEADER;
  }
  for (i = 0; i < h->value_len; i++) {
    char c = h->value[i];
    if (c == '\r' || c == '\n' || c == '\0') return LAM_ERR_HEADER;
  }
  return LAM_OK;
}
