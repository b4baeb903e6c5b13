/*
** ini.c -- the AWS config/credentials file parser (lam_ini_parse) on any
** text.  Checks every event: a non-empty section; a non-empty, lower-cased
** key without '=' or ':'; values without surrounding blanks; a line number
** inside the input; pointers inside the input or the scratch buffer.  The
** first byte picks an event after which the callback stops the parse,
** whose code must come back unchanged.
*/
#include <stdint.h>

#include "fuzz_util.h"
#include "lam_buf.h"
#include "lam_err.h"
#include "lam_ini.h"

typedef struct {
  const char *text;
  size_t len, lines, events, stop_at;
  const lam_buf *scratch;
} fuzz_ini;

static void within(const fuzz_ini *f, const char *p, size_t n) {
  int in_text = p >= f->text && (size_t)(p - f->text) <= f->len && n <= f->len - (size_t)(p - f->text);
  int in_scratch = f->scratch->data && p >= f->scratch->data &&
                   (size_t)(p - f->scratch->data) <= f->scratch->cap &&
                   n <= f->scratch->cap - (size_t)(p - f->scratch->data);
  FUZZ_CHECK(in_text || in_scratch);
}

static int blank(char c) { return c == ' ' || c == '\t'; }

static int on_event(void *ud, const lam_ini_event *ev) {
  fuzz_ini *f = ud;
  size_t i;
  FUZZ_CHECK(ev->line >= 1 && ev->line <= f->lines);
  FUZZ_CHECK(ev->section && ev->section_len > 0);
  within(f, ev->section, ev->section_len);
  if (ev->kind != LAM_INI_SECTION) {
    FUZZ_CHECK(ev->key && ev->key_len > 0 && ev->value);
    within(f, ev->key, ev->key_len);
    within(f, ev->value, ev->value_len);
    for (i = 0; i < ev->key_len; i++)
      FUZZ_CHECK(!(ev->key[i] >= 'A' && ev->key[i] <= 'Z') && ev->key[i] != '=' && ev->key[i] != ':');
    FUZZ_CHECK(!blank(ev->key[0]) && !blank(ev->key[ev->key_len - 1]));
    if (ev->value_len) FUZZ_CHECK(!blank(ev->value[0]) && !blank(ev->value[ev->value_len - 1]));
    if (ev->kind == LAM_INI_SUBVALUE) {
      FUZZ_CHECK(ev->subkey);
      within(f, ev->subkey, ev->subkey_len);
      FUZZ_CHECK(!memchr(ev->subkey, '=', ev->subkey_len));
    }
  }
  return ++f->events == f->stop_at ? 77 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lam_buf scratch = LAM_BUF_INIT;
  lam_ini_error err = {0, NULL};
  fuzz_ini f;
  size_t i;
  int rc;
  if (size == 0) return 0;
  f.text = (const char *)data + 1;
  f.len = size - 1;
  f.lines = 1;
  for (i = 0; i < f.len; i++)
    if (f.text[i] == '\n' || (f.text[i] == '\r' && (i + 1 == f.len || f.text[i + 1] != '\n'))) f.lines++;
  f.events = 0;
  f.stop_at = data[0] < 16 ? data[0] : 0; /* 0: never stop */
  f.scratch = &scratch;
  rc = lam_ini_parse(f.text, f.len, &scratch, on_event, &f, &err);
  FUZZ_CHECK(rc == LAM_OK || rc == LAM_ERR_PARSE || rc == 77);
  if (rc == 77) FUZZ_CHECK(f.stop_at && f.events == f.stop_at);
  if (rc == LAM_ERR_PARSE) FUZZ_CHECK(err.why && err.line <= f.lines);
  lam_buf_free_secure(&scratch);
  return 0;
}
