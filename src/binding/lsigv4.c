/*
** lsigv4.c -- sign(request, credentials, options) for Lua.
** Check the arguments, call the staged signer of the core, push the result.
** All C memory lives in one context userdata (an upvalue of `sign`), so an
** error raised half-way cannot leak: nothing is malloc'd per call here.
*/
#include "lbind.h"
#include "lam_err.h"
#include "lam_sigv4.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define L_SIGV4_CTX "lambda.sigv4"

typedef struct {
  lam_sigv4_ctx *ctx;     /* NULL once closed */
  lam_sigv4_state st;     /* buffers reused from call to call */
  lam_header *headers;    /* scratch array for the caller's headers */
  int *keyidx;            /* which table key each header came from */
  size_t cap;
  int64_t date_t;         /* the last Unix time formatted, and its text: */
  char date[17];          /* a client signs many requests per second */
} l_sigv4;

/* X-Amz-Date of Unix seconds t, formatted once per distinct second. */
static int l_date(l_sigv4 *s, int64_t t, char out[17]) {
  if (s->date[0] == '\0' || t != s->date_t) {
    int rc = lam_sigv4_date_from_unix(t, s->date);
    if (rc) {
      s->date[0] = '\0';
      return rc;
    }
    s->date_t = t;
  }
  memcpy(out, s->date, 17);
  return 0;
}

static int l_sigv4_gc(lua_State *L) {
  l_sigv4 *s = luaL_checkudata(L, 1, L_SIGV4_CTX);
  if (s->ctx) {
    lam_sigv4_ctx_free(s->ctx);
    s->ctx = NULL;
  }
  lam_sigv4_state_free(&s->st);
  free(s->headers);
  free(s->keyidx);
  s->headers = NULL;
  s->keyidx = NULL;
  s->cap = 0;
  return 0;
}

static l_sigv4 *l_sigv4_self(lua_State *L) {
  l_sigv4 *s = lua_touserdata(L, lua_upvalueindex(1));
  if (!s->ctx) luaL_error(L, "sigv4: the signing context is closed");
  return s;
}

static void l_reserve(lua_State *L, l_sigv4 *s, size_t n) {
  if (n <= s->cap) return;
  {
    size_t ncap = s->cap ? s->cap * 2 : 16;
    lam_header *h;
    int *k;
    while (ncap < n) ncap *= 2;
    h = realloc(s->headers, ncap * sizeof *h);
    if (!h) luaL_error(L, "sigv4.sign: out of memory");
    s->headers = h;
    k = realloc(s->keyidx, ncap * sizeof *k);
    if (!k) luaL_error(L, "sigv4.sign: out of memory");
    s->keyidx = k;
    s->cap = ncap;
  }
}

/* field `k` of the table at idx, as a string; NULL when nil and optional */
static const char *l_field_str(lua_State *L, int idx, const char *k, const char *what,
                               int optional, size_t *len) {
  const char *v;
  int t = lua_getfield(L, idx, k);
  if (t == LUA_TNIL && optional) {
    lua_pop(L, 1);
    *len = 0;
    return NULL;
  }
  if (t != LUA_TSTRING) {
    luaL_error(L, "sigv4.sign: %s.%s must be a string (got %s)", what, k, luaL_typename(L, -1));
  }
  v = lua_tolstring(L, -1, len);
  lua_pop(L, 1); /* still referenced by the table, so v stays valid */
  return v;
}

static int l_field_bool(lua_State *L, int idx, const char *k, int dflt) {
  int t = lua_getfield(L, idx, k), v;
  if (t == LUA_TNIL) v = dflt;
  else if (t == LUA_TBOOLEAN) v = lua_toboolean(L, -1);
  else return luaL_error(L, "sigv4.sign: options.%s must be a boolean (got %s)", k,
                         luaL_typename(L, -1));
  lua_pop(L, 1);
  return v;
}

static int l_ieq(const char *a, size_t an, const char *b, size_t bn) {
  size_t i;
  if (an != bn) return 0;
  for (i = 0; i < an; i++) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = (char)(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = (char)(y - 'A' + 'a');
    if (x != y) return 0;
  }
  return 1;
}

/* Reads request.headers (at idx) into s->headers; returns the count. */
static size_t l_read_headers(lua_State *L, l_sigv4 *s, int idx) {
  size_t n = 0, i, j;
  int key = 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    const char *name;
    size_t nlen;
    if (lua_type(L, -2) != LUA_TSTRING)
      luaL_error(L, "sigv4.sign: request.headers keys must be header names (strings)");
    name = lua_tolstring(L, -2, &nlen);
    key++;
    if (lua_type(L, -1) == LUA_TSTRING) {
      l_reserve(L, s, n + 1);
      s->headers[n].name = name;
      s->headers[n].name_len = nlen;
      s->headers[n].value = lua_tolstring(L, -1, &s->headers[n].value_len);
      s->keyidx[n++] = key;
    } else if (lua_type(L, -1) == LUA_TTABLE) {
      lua_Integer k, len = luaL_len(L, -1);
      if (len == 0)
        luaL_error(L, "sigv4.sign: request.headers[\"%s\"] is an empty list", name);
      for (k = 1; k <= len; k++) {
        if (lua_rawgeti(L, -1, k) != LUA_TSTRING)
          luaL_error(L, "sigv4.sign: request.headers[\"%s\"][%d] must be a string", name, (int)k);
        l_reserve(L, s, n + 1);
        s->headers[n].name = name;
        s->headers[n].name_len = nlen;
        s->headers[n].value = lua_tolstring(L, -1, &s->headers[n].value_len);
        s->keyidx[n++] = key;
        lua_pop(L, 1); /* the list keeps the string alive */
      }
    } else {
      luaL_error(L, "sigv4.sign: request.headers[\"%s\"] must be a string or a list of strings", name);
    }
    lua_pop(L, 1);
    if (n > LAM_CANON_MAX_PAIRS) luaL_error(L, "sigv4.sign: request.headers: too many headers");
  }
  /* Two keys naming one header ("A" and "a") would join in table order,
  ** which Lua leaves undefined: refuse instead of signing by chance. */
  for (i = 0; i < n; i++)
    for (j = i + 1; j < n; j++)
      if (s->keyidx[i] != s->keyidx[j] &&
          l_ieq(s->headers[i].name, s->headers[i].name_len, s->headers[j].name, s->headers[j].name_len))
        luaL_error(L, "sigv4.sign: request.headers: \"%s\" and \"%s\" name the same header; "
                   "pass one key with a list of values", s->headers[i].name, s->headers[j].name);
  return n;
}

static const char *l_sign_errmsg(int rc) {
  switch (rc) {
    case LAM_ERR_URL: return "request.url is not an absolute http(s) URL";
    case LAM_ERR_HEADER: return "request.headers holds an invalid name or a value with CR, LF or NUL";
    case LAM_ERR_HOST: return "request.headers.Host disagrees with the host of request.url";
    case LAM_ERR_METHOD: return "request.method is not a valid HTTP method";
    case LAM_ERR_TOOBIG: return "request has too many query parameters or headers";
    case LAM_ERR_ARG: return "credentials.access_key_id, options.region or options.service holds an invalid character";
    default: return lam_err_message(rc);
  }
}

static void l_set(lua_State *L, const char *k, const char *v, size_t n) {
  lua_pushlstring(L, v, n);
  lua_setfield(L, -2, k);
}

/* sign (full = 1): the result table; sign_headers (full = 0): only the
** headers to send -- what a client needs, without the five strings of the
** intermediate stages. */
static int l_sigv4_run(lua_State *L, int full) {
  l_sigv4 *s = l_sigv4_self(L);
  lam_sigv4_request req;
  lam_credentials cred;
  lam_sigv4_params p;
  size_t n;
  int rc, t;

  luaL_argexpected(L, lua_type(L, 1) == LUA_TTABLE, 1, "request table");
  luaL_argexpected(L, lua_type(L, 2) == LUA_TTABLE, 2, "credentials table");
  luaL_argexpected(L, lua_isnoneornil(L, 3) || lua_type(L, 3) == LUA_TTABLE, 3, "options table");
  if (lua_isnoneornil(L, 3)) {
    lua_settop(L, 2);
    lua_newtable(L);
  }
  lua_settop(L, 3);

  memset(&req, 0, sizeof req);
  req.method = l_field_str(L, 1, "method", "request", 0, &req.method_len);
  req.url = l_field_str(L, 1, "url", "request", 0, &req.url_len);
  req.body = l_field_str(L, 1, "body", "request", 1, &req.body_len);
  if (!req.body) req.body = "";
  t = lua_getfield(L, 1, "headers"); /* index 4 */
  if (t == LUA_TNIL) n = 0;
  else if (t == LUA_TTABLE) n = l_read_headers(L, s, 4);
  else return luaL_error(L, "sigv4.sign: request.headers must be a table (got %s)", luaL_typename(L, 4));
  req.headers = s->headers;
  req.nheaders = n;

  memset(&cred, 0, sizeof cred);
  cred.access_key_id = l_field_str(L, 2, "access_key_id", "credentials", 0, &cred.access_key_id_len);
  cred.secret = l_field_str(L, 2, "secret_access_key", "credentials", 0, &cred.secret_len);
  cred.session_token = l_field_str(L, 2, "session_token", "credentials", 1, &cred.session_token_len);
  if (cred.access_key_id_len == 0) return luaL_error(L, "sigv4.sign: credentials.access_key_id is empty");
  if (cred.secret_len == 0) return luaL_error(L, "sigv4.sign: credentials.secret_access_key is empty");
  if (cred.session_token) {
    lam_header th = {"x-amz-security-token", 20, cred.session_token, cred.session_token_len};
    if (cred.session_token_len == 0 || lam_header_check(&th))
      return luaL_error(L, "sigv4.sign: credentials.session_token is empty or holds CR, LF or NUL");
  }

  memset(&p, 0, sizeof p);
  p.region = l_field_str(L, 3, "region", "options", 0, &p.region_len);
  p.service = l_field_str(L, 3, "service", "options", 0, &p.service_len);
  t = lua_getfield(L, 3, "time");
  if (t == LUA_TNIL) {
    rc = l_date(s, (int64_t)time(NULL), p.amz_date);
  } else if (t == LUA_TNUMBER) {
    int isint;
    lua_Integer v = lua_tointegerx(L, -1, &isint);
    if (!isint) return luaL_error(L, "sigv4.sign: options.time must be whole Unix seconds");
    rc = l_date(s, (int64_t)v, p.amz_date);
  } else if (t == LUA_TSTRING) {
    size_t tl;
    const char *ts = lua_tolstring(L, -1, &tl);
    rc = lam_sigv4_date_check(ts, tl, p.amz_date);
  } else {
    return luaL_error(L, "sigv4.sign: options.time must be Unix seconds or \"YYYYMMDDTHHMMSSZ\" (got %s)",
                      luaL_typename(L, -1));
  }
  if (rc) return luaL_error(L, "sigv4.sign: options.time is not a valid time");
  lua_pop(L, 1);
  p.normalize_path = l_field_bool(L, 3, "normalize_path", 1);
  p.sign_body = l_field_bool(L, 3, "sign_body", 0);
  p.omit_session_token = l_field_bool(L, 3, "omit_session_token", 0);

  rc = lam_sigv4_sign(s->ctx, &req, &cred, &p, &s->st);
  if (rc) return luaL_error(L, "sigv4.sign: %s", l_sign_errmsg(rc));

  if (full) {
    lua_createtable(L, 0, 6);
    lua_pushlstring(L, s->st.authorization.data, s->st.authorization.len);
    lua_pushvalue(L, -1); /* one string, shared with headers.Authorization */
    lua_setfield(L, -3, "authorization");
    lua_insert(L, -2);    /* keep the copy below the result table */
    l_set(L, "signature", s->st.signature, 64);
    l_set(L, "signed_headers", s->st.signed_headers.data, s->st.signed_headers.len);
    l_set(L, "canonical_request", s->st.canonical_request.data, s->st.canonical_request.len);
    l_set(L, "string_to_sign", s->st.string_to_sign.data, s->st.string_to_sign.len);
  }

  /* r.headers: the caller's (minus what the signer owns) plus ours */
  lua_createtable(L, 0, (int)n + 5);
  if (n) {
    lua_pushnil(L);
    while (lua_next(L, 4)) {
      size_t kl;
      const char *k = lua_tolstring(L, -2, &kl);
      if (l_ieq(k, kl, "host", 4) || l_ieq(k, kl, "x-amz-date", 10) ||
          l_ieq(k, kl, "authorization", 13) ||
          (s->st.send_token && l_ieq(k, kl, "x-amz-security-token", 20)) ||
          (p.sign_body && l_ieq(k, kl, "x-amz-content-sha256", 20))) {
        lua_pop(L, 1);
        continue;
      }
      lua_pushvalue(L, -2);
      lua_insert(L, -2);
      lua_rawset(L, -4);
    }
  }
  l_set(L, "Host", s->st.url.host, s->st.url.host_len);
  l_set(L, "X-Amz-Date", p.amz_date, 16);
  if (s->st.send_token) l_set(L, "X-Amz-Security-Token", cred.session_token, cred.session_token_len);
  if (p.sign_body) l_set(L, "X-Amz-Content-SHA256", s->st.payload_hash, 64);
  if (!full) {
    l_set(L, "Authorization", s->st.authorization.data, s->st.authorization.len);
    return 1; /* the headers table */
  }
  lua_pushvalue(L, -3);
  lua_setfield(L, -2, "Authorization");
  lua_setfield(L, -2, "headers");
  return 1; /* the result table; the Authorization copy below it is dropped */
}

static int l_sigv4_sign(lua_State *L) { return l_sigv4_run(L, 1); }
static int l_sigv4_sign_headers(lua_State *L) { return l_sigv4_run(L, 0); }

static int l_sigv4_stats(lua_State *L) {
  l_sigv4 *s = l_sigv4_self(L);
  lam_sigv4_stats st;
  lam_sigv4_get_stats(s->ctx, &st);
  lua_createtable(L, 0, 2);
  lua_pushinteger(L, (lua_Integer)st.hits);
  lua_setfield(L, -2, "hits");
  lua_pushinteger(L, (lua_Integer)st.misses);
  lua_setfield(L, -2, "misses");
  return 1;
}

void l_sigv4_open(lua_State *L) {
  static const luaL_Reg fns[] = {
    {"sign", l_sigv4_sign},
    {"sign_headers", l_sigv4_sign_headers},
    {"sign_stats", l_sigv4_stats},
    {NULL, NULL}
  };
  l_sigv4 *s = lua_newuserdatauv(L, sizeof *s, 0);
  memset(s, 0, sizeof *s); /* closed until the context exists */
  if (luaL_newmetatable(L, L_SIGV4_CTX)) {
    lua_pushcfunction(L, l_sigv4_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, l_sigv4_gc);
    lua_setfield(L, -2, "__close");
  }
  lua_setmetatable(L, -2);
  s->ctx = lam_sigv4_ctx_new();
  if (!s->ctx) luaL_error(L, "aws.lambda.core: cannot create the OpenSSL signing context");
  luaL_setfuncs(L, fns, 1); /* the context is upvalue 1 of each function */
}
