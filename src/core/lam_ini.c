/*
** lam_ini.c -- the AWS config/credentials file parser (see lam_ini.h).
*/
#include "lam_ini.h"
#include "lam_err.h"

#include <string.h>

/* Python's str.strip() set, ASCII part: \t \n \v \f \r, \x1c-\x1f, space */
static int lam_ini_space(unsigned char c) {
  return c == ' ' || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
}

static void lam_ini_strip(const char *t, size_t *s, size_t *e) {
  while (*s < *e && lam_ini_space((unsigned char)t[*s])) (*s)++;
  while (*e > *s && lam_ini_space((unsigned char)t[*e - 1])) (*e)--;
}

typedef struct {
  const char *text;
  lam_buf *sb;       /* key (lower-cased) then the value being assembled */
  lam_ini_cb cb;
  void *ud;
  lam_ini_error *err;
  const char *sec;
  size_t sec_len;
  int have_sec, have_opt;
  size_t key_len;    /* the key is sb->data[0..key_len) */
  size_t opt_line;
} lam_ini_state;

static int lam_ini_fail(lam_ini_state *st, size_t line, const char *why) {
  st->err->line = line;
  st->err->why = why;
  return LAM_ERR_PARSE;
}

/* Emits the pending option: a plain value, or the lines of a nested one. */
static int lam_ini_flush(lam_ini_state *st) {
  lam_ini_event ev;
  const char *v;
  size_t vlen, p;
  if (!st->have_opt) return LAM_OK;
  st->have_opt = 0;
  memset(&ev, 0, sizeof ev);
  ev.line = st->opt_line;
  ev.section = st->sec;
  ev.section_len = st->sec_len;
  ev.key = st->sb->data;
  ev.key_len = st->key_len;
  v = st->sb->data + st->key_len;
  vlen = st->sb->len - st->key_len;
  if (vlen == 0 || v[0] != '\n') {
    ev.kind = LAM_INI_VALUE;
    ev.value = v;
    ev.value_len = vlen;
    return st->cb(st->ud, &ev);
  }
  ev.kind = LAM_INI_SUBVALUE; /* botocore's _parse_nested */
  p = 0;
  while (p < vlen) {
    size_t ls = p, le, eq, ks, ke, vs, ve;
    int rc;
    while (p < vlen && v[p] != '\n') p++;
    le = p++;
    lam_ini_strip(v, &ls, &le);
    if (ls == le) continue;
    for (eq = ls; eq < le && v[eq] != '='; eq++) {}
    if (eq == le) return lam_ini_fail(st, st->opt_line, "a line of a nested section has no '='");
    ks = ls; ke = eq; vs = eq + 1; ve = le;
    lam_ini_strip(v, &ks, &ke);
    lam_ini_strip(v, &vs, &ve);
    ev.subkey = v + ks;
    ev.subkey_len = ke - ks;
    ev.value = v + vs;
    ev.value_len = ve - vs;
    rc = st->cb(st->ud, &ev);
    if (rc) return rc;
  }
  return LAM_OK;
}

int lam_ini_parse(const char *text, size_t len, lam_buf *scratch, lam_ini_cb cb, void *ud,
                  lam_ini_error *err) {
  lam_ini_state st;
  size_t pos = 0, lineno = 0, indent_level = 0, blanks = 0;
  int rc;
  if (!scratch || !cb || !err || (!text && len)) return LAM_ERR_ARG;
  err->line = 0;
  err->why = NULL;
  if (len > LAM_INI_MAX_INPUT) {
    err->why = "the file is too large";
    return LAM_ERR_TOOBIG;
  }
  memset(&st, 0, sizeof st);
  st.text = text;
  st.sb = scratch;
  st.cb = cb;
  st.ud = ud;
  st.err = err;
  lam_buf_reset(scratch);
  /* keys and values never outgrow the input, so the buffer never moves
  ** (and never leaves a copy of a secret behind in freed memory) */
  if ((rc = lam_buf_reserve(scratch, len + 1)) != LAM_OK) return rc;
  while (pos < len) {
    size_t ls = pos, le, s, e, indent;
    while (pos < len && text[pos] != '\n' && text[pos] != '\r') pos++;
    le = pos;
    if (pos < len) pos += (text[pos] == '\r' && pos + 1 < len && text[pos + 1] == '\n') ? 2 : 1;
    lineno++;
    s = ls;
    e = le;
    lam_ini_strip(text, &s, &e);
    if (s == e) { /* blank: kept inside a value if a continuation follows */
      if (st.have_opt) blanks++;
      continue;
    }
    if (text[s] == '#' || text[s] == ';') continue;
    indent = s - ls;
    if (st.have_opt && indent > indent_level) { /* continuation line */
      size_t i;
      for (i = 0; i <= blanks; i++)
        if ((rc = lam_buf_append_char(scratch, '\n')) != LAM_OK) return rc;
      if ((rc = lam_buf_append(scratch, text + s, e - s)) != LAM_OK) return rc;
      blanks = 0;
      continue;
    }
    if ((rc = lam_ini_flush(&st)) != LAM_OK) return rc;
    blanks = 0;
    indent_level = indent;
    if (text[s] == '[') { /* "[" .+ "]": up to the last ']' */
      size_t r = e - 1;
      while (r > s && text[r] != ']') r--;
      if (r >= s + 2) {
        lam_ini_event ev;
        memset(&ev, 0, sizeof ev);
        ev.kind = LAM_INI_SECTION;
        ev.line = lineno;
        ev.section = text + s + 1;
        ev.section_len = r - s - 1;
        st.sec = ev.section;
        st.sec_len = ev.section_len;
        st.have_sec = 1;
        if ((rc = cb(ud, &ev)) != 0) return rc;
        continue;
      }
    }
    if (!st.have_sec) return lam_ini_fail(&st, lineno, "an option comes before any [section] header");
    {
      size_t d = s, ks = s, ke, vs, ve, i;
      while (d < e && text[d] != '=' && text[d] != ':') d++;
      if (d == e)
        return lam_ini_fail(&st, lineno, "the line is not a [section], a 'key = value' or a continuation");
      ke = d;
      lam_ini_strip(text, &ks, &ke);
      if (ks == ke) return lam_ini_fail(&st, lineno, "an option has an empty name");
      vs = d + 1;
      ve = e;
      lam_ini_strip(text, &vs, &ve);
      lam_buf_reset(scratch);
      for (i = ks; i < ke; i++) {
        char c = text[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if ((rc = lam_buf_append_char(scratch, c)) != LAM_OK) return rc;
      }
      st.key_len = ke - ks;
      if ((rc = lam_buf_append(scratch, text + vs, ve - vs)) != LAM_OK) return rc;
      st.have_opt = 1;
      st.opt_line = lineno;
    }
  }
  return lam_ini_flush(&st);
}
