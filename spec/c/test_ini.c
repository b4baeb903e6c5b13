/*
** test_ini.c -- the config-file parser, the STS XML reader and the
** process runner of the C core.
*/
#include "lam_test.h"
#include "lam_buf.h"
#include "lam_err.h"
#include "lam_ini.h"
#include "lam_proc.h"
#include "lam_xml.h"

/* Renders every event as "S<name>|" "V[sec]key=value|" "N[sec]key.sub=value|". */
static int render(void *ud, const lam_ini_event *ev) {
  lam_buf *o = (lam_buf *)ud;
  if (ev->kind == LAM_INI_SECTION) {
    lam_buf_append_str(o, "S");
    lam_buf_append(o, ev->section, ev->section_len);
  } else {
    lam_buf_append_str(o, ev->kind == LAM_INI_VALUE ? "V[" : "N[");
    lam_buf_append(o, ev->section, ev->section_len);
    lam_buf_append_str(o, "]");
    lam_buf_append(o, ev->key, ev->key_len);
    if (ev->kind == LAM_INI_SUBVALUE) {
      lam_buf_append_str(o, ".");
      lam_buf_append(o, ev->subkey, ev->subkey_len);
    }
    lam_buf_append_str(o, "=");
    lam_buf_append(o, ev->value, ev->value_len);
  }
  lam_buf_append_str(o, "|");
  return 0;
}

static void ini_ok(const char *in, const char *want) {
  lam_buf o = LAM_BUF_INIT, s = LAM_BUF_INIT;
  lam_ini_error e;
  int rc = lam_ini_parse(in, strlen(in), &s, render, &o, &e);
  CHECK(rc == LAM_OK);
  if (rc != LAM_OK) fprintf(stderr, "  input [%s]: %s at line %zu\n", in, e.why, e.line);
  CHECK_STR(o.data ? o.data : "", o.len, want);
  lam_buf_free(&o);
  lam_buf_free_secure(&s);
}

static void ini_err(const char *in, size_t line) {
  lam_buf o = LAM_BUF_INIT, s = LAM_BUF_INIT;
  lam_ini_error e;
  int rc = lam_ini_parse(in, strlen(in), &s, render, &o, &e);
  CHECK(rc == LAM_ERR_PARSE);
  CHECK(e.line == line);
  if (e.line != line) fprintf(stderr, "  input [%s]: line %zu, want %zu\n", in, e.line, line);
  CHECK(rc != LAM_ERR_PARSE || e.why != NULL);
  lam_buf_free(&o);
  lam_buf_free_secure(&s);
}

static void test_ini(void) {
  ini_ok("", "");
  ini_ok("[default]\nregion = eu-west-1\n", "Sdefault|V[default]region=eu-west-1|");
  ini_ok("[profile ops]\r\nRegion=us-east-1\r\naws_access_key_id : AKID \r\n",
         "Sprofile ops|V[profile ops]region=us-east-1|V[profile ops]aws_access_key_id=AKID|");
  ini_ok("  [ sp ]  \n", "S sp |");
  ini_ok("[a]]\n", "Sa]|");
  ini_ok("[a] trailing ]x\n", "Sa] trailing |");
  ini_ok("# c\n; c\n[s]\n  # indented comment\nk = v # not a comment\n",
         "Ss|V[s]k=v # not a comment|");
  ini_ok("[s]\nk =\n", "Ss|V[s]k=|");
  ini_ok("[s]\nk = a\n  b\n\n  c\nj = d\n", "Ss|V[s]k=a\nb\n\nc|V[s]j=d|");
  ini_ok("[s]\nk = a\n\n\nj = d\n\n", "Ss|V[s]k=a|V[s]j=d|");
  ini_ok("[s]\nk = a=b:c\n", "Ss|V[s]k=a=b:c|");
  ini_ok("[s]\nk: a=b\n", "Ss|V[s]k=a=b|");
  ini_ok("[services dev]\nlambda =\n  endpoint_url = http://localhost:4566\n  Other = x = y\nsts =\n\n"
         "  endpoint_url=http://s\n",
         "Sservices dev|N[services dev]lambda.endpoint_url=http://localhost:4566|"
         "N[services dev]lambda.Other=x = y|N[services dev]sts.endpoint_url=http://s|");
  /* a comment between nested lines, and a CR-only file */
  ini_ok("[s]\nlambda =\n  # c\n  a = 1\n", "Ss|N[s]lambda.a=1|");
  ini_ok("[s]\rk = v\r", "Ss|V[s]k=v|");
  /* an indented option sets the indent level; deeper lines continue it */
  ini_ok("[s]\n  k = v\n  j = w\n    more\n", "Ss|V[s]k=v|V[s]j=w\nmore|");
  /* a continuation right after a section header is an option line */
  ini_ok("[s]\n  k = v\n", "Ss|V[s]k=v|");
  /* a section header after an option ends its value */
  ini_ok("[s]\nk = v\n[t]\n", "Ss|V[s]k=v|St|");
  /* errors: option before a section, garbage line, empty key, nested without '=' */
  ini_err("k = v\n", 1);
  ini_err("[s]\nno delimiter here\n", 2);
  ini_err("[s]\n = v\n", 2);
  ini_err("[s]\nlambda =\n  just text\n", 2);
  ini_err("[]\n", 1);
  ini_err("[s]\nk = v\n[t]\nx\n", 4);
}

static int stop_at_second(void *ud, const lam_ini_event *ev) {
  int *n = (int *)ud;
  (void)ev;
  return ++*n == 2 ? 77 : 0;
}

static void test_ini_edges(void) {
  lam_buf s = LAM_BUF_INIT;
  lam_ini_error e;
  int n = 0;
  static const char bin[] = "[s]\nk = a\0b\n\xff\xfe = \x01\n";
  CHECK(lam_ini_parse("[a]\n[b]\n[c]\n", 12, &s, stop_at_second, &n, &e) == 77);
  CHECK(lam_ini_parse(NULL, 0, &s, stop_at_second, &n, &e) == LAM_OK);
  CHECK(lam_ini_parse(NULL, 5, &s, stop_at_second, &n, &e) == LAM_ERR_ARG);
  CHECK(lam_ini_parse("x", LAM_INI_MAX_INPUT + 1, &s, stop_at_second, &n, &e) == LAM_ERR_TOOBIG);
  n = -100;
  CHECK(lam_ini_parse(bin, sizeof bin - 1, &s, stop_at_second, &n, &e) == LAM_OK);
  lam_buf_free_secure(&s);
}

typedef struct { lam_buf out; } leaves;

static int leaf(void *ud, const char *path, size_t plen, const char *text, size_t tlen) {
  lam_buf *o = (lam_buf *)ud;
  lam_buf_append(o, path, plen);
  lam_buf_append_str(o, "=");
  lam_buf_append(o, text, tlen);
  lam_buf_append_str(o, "|");
  return 0;
}

static void xml_ok(const char *in, const char *want) {
  lam_buf o = LAM_BUF_INIT, s = LAM_BUF_INIT;
  const char *why = NULL;
  int rc = lam_xml_leaves(in, strlen(in), &s, leaf, &o, &why);
  CHECK(rc == LAM_OK);
  if (rc) fprintf(stderr, "  [%s]: %s\n", in, why);
  CHECK_STR(o.data ? o.data : "", o.len, want);
  lam_buf_free(&o);
  lam_buf_free_secure(&s);
}

static void xml_err(const char *in) {
  lam_buf o = LAM_BUF_INIT, s = LAM_BUF_INIT;
  const char *why = NULL;
  int rc = lam_xml_leaves(in, strlen(in), &s, leaf, &o, &why);
  CHECK(rc == LAM_ERR_PARSE && why != NULL);
  if (rc != LAM_ERR_PARSE) fprintf(stderr, "  accepted [%s]\n", in);
  lam_buf_free(&o);
  lam_buf_free_secure(&s);
}

static void test_xml(void) {
  xml_ok("<?xml version=\"1.0\"?>\n<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
         "  <AssumeRoleResult><Credentials>\n"
         "    <AccessKeyId>ASIA1</AccessKeyId><SecretAccessKey>s/k+&amp;&lt;&#65;&#x42;</SecretAccessKey>\n"
         "    <SessionToken><![CDATA[tok<en>]]></SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration>\n"
         "  </Credentials></AssumeRoleResult>\n  <!-- c -->\n"
         "  <ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>\n</AssumeRoleResponse>\n",
         "AssumeRoleResponse/AssumeRoleResult/Credentials/AccessKeyId=ASIA1|"
         "AssumeRoleResponse/AssumeRoleResult/Credentials/SecretAccessKey=s/k+&<AB|"
         "AssumeRoleResponse/AssumeRoleResult/Credentials/SessionToken=tok<en>|"
         "AssumeRoleResponse/AssumeRoleResult/Credentials/Expiration=2030-01-01T00:00:00Z|"
         "AssumeRoleResponse/ResponseMetadata/RequestId=r-1|");
  xml_ok("<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
         "<Message a='>'>Not &quot;authorized&apos;</Message></Error></ErrorResponse>",
         "ErrorResponse/Error/Type=Sender|ErrorResponse/Error/Code=AccessDenied|"
         "ErrorResponse/Error/Message=Not \"authorized'|");
  xml_ok("<ns:a xmlns:ns='x'><ns:b/><c>&#x20AC;</c></ns:a>", "a/b=|a/c=\xe2\x82\xac|");
  xml_err("");
  xml_err("<a>");
  xml_err("<a></b>");
  xml_err("<a><b></a></b>");
  xml_err("<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>");
  xml_err("<a>&bogus;</a>");
  xml_err("<a>&#0;</a>");
  xml_err("<a>&#x110000;</a>");
  xml_err("<a></a><b></b>");
  xml_err("text<a></a>");
  xml_err("<a><!-- unterminated </a>");
  xml_err("<a attr='>");
  {
    char deep[LAM_XML_MAX_DEPTH * 3 + 8];
    size_t i;
    for (i = 0; i <= LAM_XML_MAX_DEPTH; i++) memcpy(deep + 3 * i, "<a>", 3);
    deep[3 * (LAM_XML_MAX_DEPTH + 1)] = '\0';
    xml_err(deep);
  }
}

static void test_proc(void) {
  lam_buf out = LAM_BUF_INIT, err = LAM_BUF_INIT;
  lam_proc_result res;
  lam_proc_opts o = {0, 0, 5000};
  const char *echo[] = {"sh", "-c", "printf '%s' \"$1\"; echo oops >&2; exit 3", "sh", "a b;$HOME", NULL};
  const char *missing[] = {"/nonexistent/program", NULL};
  const char *big[] = {"sh", "-c", "yes x | head -c 100000", NULL};
  const char *slow[] = {"sleep", "5", NULL};
  CHECK(lam_proc_run(echo, &o, &out, &err, &res) == LAM_OK);
  CHECK(res.exited && res.exit_code == 3);
  CHECK_STR(out.data, out.len, "a b;$HOME");
  CHECK_STR(err.data, err.len, "oops\n");
  CHECK(lam_proc_run(missing, &o, &out, &err, &res) == LAM_ERR_SPAWN);
  CHECK(res.sys_errno != 0);
  o.max_stdout = 1000;
  CHECK(lam_proc_run(big, &o, &out, &err, &res) == LAM_ERR_TOOBIG);
  o.max_stdout = 0;
  CHECK(lam_proc_run(big, &o, &out, &err, &res) == LAM_OK);
  CHECK(out.len == 100000);
  o.timeout_ms = 200;
  CHECK(lam_proc_run(slow, &o, &out, &err, &res) == LAM_ERR_TIMEOUT);
  CHECK(res.signal == 9);
  CHECK(lam_proc_run(NULL, &o, &out, &err, &res) == LAM_ERR_ARG);
  lam_buf_free_secure(&out);
  lam_buf_free_secure(&err);
}

int main(void) {
  test_ini();
  test_ini_edges();
  test_xml();
  test_proc();
  return lam_test_done("test_ini");
}
