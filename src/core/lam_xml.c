/*
** lam_xml.c -- leaf extraction from small XML documents (see lam_xml.h).
*/
#include "lam_xml.h"
#include "lam_err.h"

#include <string.h>

static int lam_xml_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

static int lam_xml_name_end(char c) { return lam_xml_space(c) || c == '/' || c == '>'; }

/* Position of needle in x[pos..len), or len when absent. */
static size_t lam_xml_find(const char *x, size_t len, size_t pos, const char *needle) {
  size_t n = strlen(needle);
  while (pos + n <= len) {
    if (memcmp(x + pos, needle, n) == 0) return pos;
    pos++;
  }
  return len;
}

static int lam_xml_utf8(lam_buf *b, unsigned long cp) {
  char u[4];
  size_t n;
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return LAM_ERR_PARSE;
  if (cp < 0x80) { u[0] = (char)cp; n = 1; }
  else if (cp < 0x800) { u[0] = (char)(0xC0 | (cp >> 6)); u[1] = (char)(0x80 | (cp & 0x3F)); n = 2; }
  else if (cp < 0x10000) {
    u[0] = (char)(0xE0 | (cp >> 12)); u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    u[2] = (char)(0x80 | (cp & 0x3F)); n = 3;
  } else {
    u[0] = (char)(0xF0 | (cp >> 18)); u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); u[3] = (char)(0x80 | (cp & 0x3F)); n = 4;
  }
  return lam_buf_append(b, u, n);
}

/* Decodes the reference at x[*pos] == '&' into b. */
static int lam_xml_entity(const char *x, size_t len, size_t *pos, lam_buf *b) {
  static const struct { const char *name; char c; } named[] = {
    {"lt", '<'}, {"gt", '>'}, {"amp", '&'}, {"quot", '"'}, {"apos", '\''}};
  size_t s = *pos + 1, e = s, i;
  while (e < len && e - s < 12 && x[e] != ';') e++;
  if (e >= len || x[e] != ';' || e == s) return LAM_ERR_PARSE;
  *pos = e + 1;
  if (x[s] == '#') {
    unsigned long cp = 0;
    int hex = (e > s + 1 && (x[s + 1] == 'x')), digits = 0;
    for (i = s + 1 + (size_t)hex; i < e; i++, digits++) {
      char c = x[i];
      int d;
      if (c >= '0' && c <= '9') d = c - '0';
      else if (hex && c >= 'a' && c <= 'f') d = c - 'a' + 10;
      else if (hex && c >= 'A' && c <= 'F') d = c - 'A' + 10;
      else return LAM_ERR_PARSE;
      cp = cp * (hex ? 16u : 10u) + (unsigned long)d;
      if (cp > 0x10FFFF) return LAM_ERR_PARSE;
    }
    if (!digits) return LAM_ERR_PARSE;
    return lam_xml_utf8(b, cp);
  }
  for (i = 0; i < sizeof named / sizeof named[0]; i++)
    if (strlen(named[i].name) == e - s && memcmp(named[i].name, x + s, e - s) == 0)
      return lam_buf_append_char(b, named[i].c);
  return LAM_ERR_PARSE;
}

int lam_xml_leaves(const char *x, size_t len, lam_buf *b, lam_xml_cb cb, void *ud,
                   const char **why) {
  char path[LAM_XML_MAX_PATH];
  size_t plen = 0, depth = 0, pos = 0;
  size_t starts[LAM_XML_MAX_DEPTH];  /* where each open element's name begins in path */
  int had_child[LAM_XML_MAX_DEPTH];
  int rc, seen = 0;
  const char *dummy;
  if (!why) why = &dummy;
  *why = NULL;
  if (!b || !cb || (!x && len)) return LAM_ERR_ARG;
  if (len > LAM_XML_MAX_INPUT) { *why = "the document is too large"; return LAM_ERR_TOOBIG; }
  lam_buf_reset(b);
  if ((rc = lam_buf_reserve(b, len + 1)) != LAM_OK) return rc;
#define LAM_XML_FAIL(msg) do { *why = (msg); return LAM_ERR_PARSE; } while (0)
  while (pos < len) {
    char c = x[pos];
    if (c == '&') {
      if (depth == 0) LAM_XML_FAIL("text outside the root element");
      if (lam_xml_entity(x, len, &pos, b) != LAM_OK) LAM_XML_FAIL("a bad character or entity reference");
      continue;
    }
    if (c != '<') {
      if (depth == 0 && !lam_xml_space(c)) LAM_XML_FAIL("text outside the root element");
      if (depth && (rc = lam_buf_append_char(b, c)) != LAM_OK) return rc;
      pos++;
      continue;
    }
    if (pos + 1 >= len) LAM_XML_FAIL("the document ends inside a tag");
    if (x[pos + 1] == '?') { /* processing instruction / declaration */
      size_t e = lam_xml_find(x, len, pos + 2, "?>");
      if (e == len) LAM_XML_FAIL("an unterminated processing instruction");
      pos = e + 2;
      continue;
    }
    if (x[pos + 1] == '!') {
      if (len - pos >= 4 && memcmp(x + pos, "<!--", 4) == 0) {
        size_t e = lam_xml_find(x, len, pos + 4, "-->");
        if (e == len) LAM_XML_FAIL("an unterminated comment");
        pos = e + 3;
        continue;
      }
      if (len - pos >= 9 && memcmp(x + pos, "<![CDATA[", 9) == 0) {
        size_t e = lam_xml_find(x, len, pos + 9, "]]>");
        if (e == len) LAM_XML_FAIL("an unterminated CDATA section");
        if (depth == 0) LAM_XML_FAIL("text outside the root element");
        if ((rc = lam_buf_append(b, x + pos + 9, e - pos - 9)) != LAM_OK) return rc;
        pos = e + 3;
        continue;
      }
      LAM_XML_FAIL("DOCTYPE and other declarations are not accepted");
    }
    if (x[pos + 1] == '/') { /* closing tag */
      size_t s = pos + 2, e = s, n, ls;
      while (e < len && !lam_xml_name_end(x[e])) e++;
      n = e - s;
      for (ls = e; ls > s && x[ls - 1] != ':'; ls--) {} /* local name */
      while (e < len && lam_xml_space(x[e])) e++;
      if (e >= len || x[e] != '>') LAM_XML_FAIL("a malformed closing tag");
      if (depth == 0 || n == 0) LAM_XML_FAIL("a closing tag without an opening one");
      {
        size_t ln = s + n - ls, os = starts[depth - 1] + (depth > 1 ? 1 : 0);
        if (plen - os != ln || memcmp(path + os, x + ls, ln) != 0)
          LAM_XML_FAIL("mismatched tags");
      }
      if (!had_child[depth - 1] && (rc = cb(ud, path, plen, b->data, b->len)) != 0) return rc;
      plen = starts[--depth];
      lam_buf_reset(b);
      pos = e + 1;
      continue;
    }
    { /* opening tag */
      size_t s = pos + 1, e = s, ls, ln;
      int self_close = 0;
      char q = 0;
      while (e < len && !lam_xml_name_end(x[e])) e++;
      if (e == s) LAM_XML_FAIL("a tag without a name");
      for (ls = e; ls > s && x[ls - 1] != ':'; ls--) {}
      ln = e - ls;
      if (ln == 0) LAM_XML_FAIL("a tag without a name");
      while (e < len) { /* attributes, quoted values may hold '>' */
        if (q) { if (x[e] == q) q = 0; }
        else if (x[e] == '"' || x[e] == '\'') q = x[e];
        else if (x[e] == '>') break;
        e++;
      }
      if (e >= len) LAM_XML_FAIL("the document ends inside a tag");
      self_close = x[e - 1] == '/';
      if (depth == 0 && seen) LAM_XML_FAIL("more than one root element");
      if (depth == LAM_XML_MAX_DEPTH) LAM_XML_FAIL("elements are nested too deeply");
      if (plen + 1 + ln >= sizeof path) LAM_XML_FAIL("element paths are too long");
      if (depth) had_child[depth - 1] = 1;
      starts[depth] = plen;
      had_child[depth] = 0;
      if (depth) path[plen++] = '/';
      memcpy(path + plen, x + ls, ln);
      plen += ln;
      depth++;
      seen = 1;
      lam_buf_reset(b);
      if (self_close) {
        if ((rc = cb(ud, path, plen, "", 0)) != 0) return rc;
        plen = starts[--depth];
      }
      pos = e + 1;
    }
  }
  if (depth || !seen) LAM_XML_FAIL("the document is truncated or empty");
#undef LAM_XML_FAIL
  return LAM_OK;
}
