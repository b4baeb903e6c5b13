/*
** lhttp.c -- the "lambda.http" userdata over lam_http.
**
**   core.http_new{connect_timeout=, read_timeout=, ca_bundle=, verify=,
**                 max_response=}                     -> handle (raises on misuse)
**   h:request(method, url, headers, body, opts)     -> status, headers, body
**                                                   |  nil, kind, reason
**   h:stats() -> {connections=, requests=, last_*=}; h:close(); tostring(h)
**
** Memory discipline: nothing is malloc'd on the C side per call except what
** the userdata owns (the header vector, freed by close/__gc), so a raise at
** any point cannot leak.  Request header names/values are not copied: they
** point into the strings of the caller's headers table, which stays on the
** stack, unchanged, until lam_http_perform returns (it is read last, with
** raw access, after anything that could run Lua code).
*/
#include "lbind.h"
#include "lam_buf.h"
#include "lam_err.h"
#include "lam_http.h"

#include <string.h>

#define L_HTTP_MT "lambda.http"
#define L_HTTP_MAX_SECONDS 2147483.0 /* keeps milliseconds within 2^31 */

typedef struct {
  lam_http *h; /* NULL when closed */
  lam_buf hdrs; /* lam_http_header[] of the request being sent */
} l_http;

/* A positive number of seconds at stack index idx, as whole milliseconds
** rounded up.  arg is the argument blamed in the error message. */
static long l_http_ms(lua_State *L, int idx, int arg, const char *what) {
  lua_Number v, ms;
  long r;
  if (lua_type(L, idx) != LUA_TNUMBER)
    return luaL_argerror(L, arg, lua_pushfstring(L, "'%s' must be a number of seconds", what));
  v = lua_tonumber(L, idx);
  if (!(v > 0) || v > L_HTTP_MAX_SECONDS) /* also rejects NaN */
    return luaL_argerror(L, arg, lua_pushfstring(L, "'%s' must be > 0 and <= %d seconds", what,
                                                 (int)L_HTTP_MAX_SECONDS));
  ms = v * 1000;
  r = (long)ms;
  return r < ms ? r + 1 : r;
}

static l_http *l_http_check(lua_State *L) {
  l_http *u = (l_http *)luaL_checkudata(L, 1, L_HTTP_MT);
  if (!u->h) luaL_error(L, "attempt to use a closed " L_HTTP_MT);
  return u;
}

static int l_http_new(lua_State *L) {
  static const char *const known[] = {"connect_timeout", "read_timeout", "ca_bundle", "verify",
                                      "max_response", NULL};
  lam_http_config cfg;
  l_http *u;
  int rc;
  lam_http_config_init(&cfg);
  if (!lua_isnoneornil(L, 1)) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_pushnil(L);
    while (lua_next(L, 1)) { /* catch misspelt options */
      int i, ok = 0;
      if (lua_type(L, -2) == LUA_TSTRING)
        for (i = 0; known[i] && !ok; i++) ok = strcmp(lua_tostring(L, -2), known[i]) == 0;
      if (!ok) {
        lua_pushvalue(L, -2);
        return luaL_argerror(L, 1, lua_pushfstring(L, "unknown option '%s'", luaL_tolstring(L, -1, NULL)));
      }
      lua_pop(L, 1);
    }
    if (lua_getfield(L, 1, "connect_timeout") != LUA_TNIL)
      cfg.connect_timeout_ms = l_http_ms(L, -1, 1, "connect_timeout");
    if (lua_getfield(L, 1, "read_timeout") != LUA_TNIL)
      cfg.read_timeout_ms = l_http_ms(L, -1, 1, "read_timeout");
    if (lua_getfield(L, 1, "verify") != LUA_TNIL) {
      luaL_argcheck(L, lua_type(L, -1) == LUA_TBOOLEAN, 1, "'verify' must be a boolean");
      cfg.verify = lua_toboolean(L, -1);
    }
    if (lua_getfield(L, 1, "max_response") != LUA_TNIL) {
      int isint;
      lua_Integer n = lua_tointegerx(L, -1, &isint);
      luaL_argcheck(L, lua_type(L, -1) == LUA_TNUMBER && isint && n > 0 &&
                       (lua_Unsigned)n <= (size_t)-1, 1, "'max_response' must be a positive integer");
      cfg.max_response = (size_t)n;
    }
    if (lua_getfield(L, 1, "ca_bundle") != LUA_TNIL) { /* stays on the stack */
      size_t len;
      luaL_argcheck(L, lua_type(L, -1) == LUA_TSTRING, 1, "'ca_bundle' must be a string");
      cfg.ca_bundle = lua_tolstring(L, -1, &len);
      luaL_argcheck(L, strlen(cfg.ca_bundle) == len, 1, "'ca_bundle' contains a NUL byte");
    }
  }
  /* Closed first, so a failure below leaves a consistent userdata. */
  u = (l_http *)lua_newuserdatauv(L, sizeof *u, 0);
  u->h = NULL;
  lam_buf_init(&u->hdrs);
  luaL_setmetatable(L, L_HTTP_MT);
  if ((rc = lam_http_new(&u->h, &cfg)) != LAM_OK)
    return luaL_error(L, L_HTTP_MT ": cannot create the handle (%s)", lam_err_message(rc));
  return 1;
}

static void l_http_add(lua_State *L, l_http *u, const char *name, size_t nlen, int vidx) {
  lam_http_header hd;
  hd.name = name;
  hd.name_len = nlen;
  hd.value = lua_tolstring(L, vidx, &hd.value_len);
  if (lam_buf_append(&u->hdrs, &hd, sizeof hd)) luaL_error(L, "not enough memory");
}

/* Fills u->hdrs from the headers table at idx: {name = "v" | {"v1", "v2"}}.
** Raw access only, so no Lua code runs.  Returns the number of headers. */
static size_t l_http_collect(lua_State *L, l_http *u, int idx) {
  lam_buf_reset(&u->hdrs);
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    size_t nlen;
    const char *name;
    if (lua_type(L, -2) != LUA_TSTRING) luaL_argerror(L, 4, "header names must be strings");
    name = lua_tolstring(L, -2, &nlen);
    if (lua_type(L, -1) == LUA_TSTRING) {
      l_http_add(L, u, name, nlen, -1);
    } else if (lua_type(L, -1) == LUA_TTABLE) {
      lua_Integer i, n = (lua_Integer)lua_rawlen(L, -1);
      for (i = 1; i <= n; i++) {
        if (lua_rawgeti(L, -1, i) != LUA_TSTRING)
          luaL_argerror(L, 4, lua_pushfstring(L, "header '%s': values must be strings", name));
        l_http_add(L, u, name, nlen, -1); /* the list keeps the string alive */
        lua_pop(L, 1);
      }
    } else {
      luaL_argerror(L, 4, lua_pushfstring(L, "header '%s': value must be a string or a list of strings", name));
    }
    lua_pop(L, 1);
  }
  return u->hdrs.len / sizeof(lam_http_header);
}

/* Pushes the response headers: lower-cased names, repeats joined by ", ".
** Any Lua allocation may run a finalizer, and a finalizer may close this
** handle; so every string is copied into Lua (lua_pushlstring copies before
** its GC step) before the next allocation, and the handle is re-checked
** before each read of its memory. */
static void l_http_push_headers(lua_State *L, l_http *u, size_t n) {
  char low[256];
  size_t i, j;
  lua_createtable(L, 0, n > 64 ? 64 : (int)n);
  for (i = 0; i < n; i++) {
    lam_http_header hd;
    if (!u->h || lam_http_header_at(u->h, i, &hd) != LAM_OK)
      luaL_error(L, L_HTTP_MT " was closed during the request");
    if (hd.name_len <= sizeof low) {
      for (j = 0; j < hd.name_len; j++) {
        char c = hd.name[j];
        low[j] = (c >= 'A' && c <= 'Z') ? (char)(c + ('a' - 'A')) : c;
      }
      lua_pushlstring(L, low, hd.name_len);
    } else { /* a long name: anchor a copy in Lua, lower-case from that */
      luaL_Buffer b;
      const char *s;
      char *p;
      size_t len;
      lua_pushlstring(L, hd.name, hd.name_len);
      s = lua_tolstring(L, -1, &len);
      p = luaL_buffinitsize(L, &b, len);
      for (j = 0; j < len; j++) p[j] = (s[j] >= 'A' && s[j] <= 'Z') ? (char)(s[j] + ('a' - 'A')) : s[j];
      luaL_pushresultsize(&b, len);
      lua_remove(L, -2);
    }
    if (!u->h || lam_http_header_at(u->h, i, &hd) != LAM_OK) /* re-read after allocating */
      luaL_error(L, L_HTTP_MT " was closed during the request");
    lua_pushlstring(L, hd.value, hd.value_len); /* tbl key value */
    lua_pushvalue(L, -2);
    if (lua_rawget(L, -4) == LUA_TSTRING) {     /* tbl key value old */
      lua_insert(L, -2);                        /* tbl key old value */
      lua_pushliteral(L, ", ");
      lua_insert(L, -2);                        /* tbl key old ", " value */
      lua_concat(L, 3);
    } else {
      lua_pop(L, 1);
    }
    lua_rawset(L, -3);
  }
}

static int l_http_request(lua_State *L) {
  l_http *u = l_http_check(L);
  lam_http_request req;
  lam_http_result res;
  size_t len;
  int rc;
  memset(&req, 0, sizeof req);
  req.method = luaL_checklstring(L, 2, &len);
  luaL_argcheck(L, len > 0 && strlen(req.method) == len, 2, "invalid method");
  req.url = luaL_checklstring(L, 3, &len);
  luaL_argcheck(L, strlen(req.url) == len, 3, "URL contains a NUL byte");
  if (!lua_isnoneornil(L, 4)) luaL_checktype(L, 4, LUA_TTABLE);
  if (!lua_isnoneornil(L, 5)) {
    luaL_argcheck(L, lua_type(L, 5) == LUA_TSTRING, 5, "body must be a string or nil");
    req.body = lua_tolstring(L, 5, &req.body_len);
  }
  if (!lua_isnoneornil(L, 6)) { /* may run __index: before the raw header read */
    luaL_checktype(L, 6, LUA_TTABLE);
    if (lua_getfield(L, 6, "timeout") != LUA_TNIL) req.timeout_ms = l_http_ms(L, -1, 6, "timeout");
    lua_pop(L, 1);
  }
  u = l_http_check(L); /* Lua code run above (__index, a finalizer) may have closed it */
  /* From here to lam_http_perform nothing allocates from Lua, so no Lua
  ** code can run while we hold pointers into the headers table. */
  if (lua_istable(L, 4)) req.nheaders = l_http_collect(L, u, 4);
  req.headers = req.nheaders ? (const lam_http_header *)(const void *)u->hdrs.data : NULL;

  rc = lam_http_perform(u->h, &req, &res);
  /* res points into the handle: copy each string before the next Lua
  ** allocation (see l_http_push_headers); errors use literals. */
  if (rc == LAM_ERR_HEADER) return luaL_argerror(L, 4, "invalid header name or value");
  if (rc == LAM_ERR_ARG) return luaL_argerror(L, 2, "invalid method");
  if (rc != LAM_OK) { /* a transport failure: returned, not raised */
    luaL_pushfail(L);
    lua_pushstring(L, res.reason);
    lua_pushstring(L, res.kind); /* a static string */
    lua_insert(L, -2);           /* nil, kind, reason */
    return 3;
  }
  lua_pushinteger(L, (lua_Integer)res.status);
  lua_pushlstring(L, res.body, res.body_len);
  l_http_push_headers(L, u, res.nheaders);
  lua_insert(L, -2); /* status, headers, body */
  return 3;
}

static void l_http_setsec(lua_State *L, const char *k, long long us) {
  lua_pushnumber(L, (lua_Number)us / 1e6);
  lua_setfield(L, -2, k);
}

static int l_http_stats(lua_State *L) {
  l_http *u = l_http_check(L);
  lam_http_stats st;
  lam_http_get_stats(u->h, &st);
  lua_createtable(L, 0, 6);
  lua_pushinteger(L, (lua_Integer)st.connections);
  lua_setfield(L, -2, "connections");
  lua_pushinteger(L, (lua_Integer)st.requests);
  lua_setfield(L, -2, "requests");
  /* timings of the last request, seconds from its start */
  l_http_setsec(L, "last_connect", st.connect_us);
  l_http_setsec(L, "last_tls", st.appconnect_us);
  l_http_setsec(L, "last_first_byte", st.starttransfer_us);
  l_http_setsec(L, "last_total", st.total_us);
  return 1;
}

/* close, __gc and __close: idempotent. */
static int l_http_close(lua_State *L) {
  l_http *u = (l_http *)luaL_checkudata(L, 1, L_HTTP_MT);
  lam_http_free(u->h);
  u->h = NULL;
  lam_buf_free(&u->hdrs);
  return 0;
}

static int l_http_tostring(lua_State *L) {
  l_http *u = (l_http *)luaL_checkudata(L, 1, L_HTTP_MT);
  lua_pushstring(L, u->h ? L_HTTP_MT " (open)" : L_HTTP_MT " (closed)");
  return 1;
}

static const luaL_Reg l_http_methods[] = {
  {"request", l_http_request},
  {"stats", l_http_stats},
  {"close", l_http_close},
  {NULL, NULL}
};

static const luaL_Reg l_http_meta[] = {
  {"__gc", l_http_close},
  {"__close", l_http_close},
  {"__tostring", l_http_tostring},
  {NULL, NULL}
};

void l_http_open(lua_State *L) {
  if (luaL_newmetatable(L, L_HTTP_MT)) {
    luaL_setfuncs(L, l_http_meta, 0);
    luaL_newlib(L, l_http_methods);
    lua_setfield(L, -2, "__index");
  }
  lua_pop(L, 1);
  lua_pushcfunction(L, l_http_new);
  lua_setfield(L, -2, "http_new");
}
