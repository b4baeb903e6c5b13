/*
** lawserr.c -- core.parse_error(status, headers, body) over lam_awserr.
**
**   headers: the lower-cased table h:request returns (or nil)
**   returns { code=, message=, type=|nil, reason=|nil,
**             request_id=|nil, retry_after=|nil }
**
** The parse result lives in a stack struct (no heap), so pushing it into
** Lua cannot leak even if a push raises.
*/
#include "lbind.h"
#include "lam_awserr.h"
#include "lam_err.h"

#include <string.h>

/* headers[name] when it is a string; the value stays on the stack (so the
** returned pointer remains valid).  NULL otherwise. */
static const char *l_awserr_header(lua_State *L, int idx, const char *name, size_t *len) {
  *len = 0;
  if (lua_isnoneornil(L, idx)) {
    lua_pushnil(L);
    return NULL;
  }
  if (lua_getfield(L, idx, name) != LUA_TSTRING) return NULL;
  return lua_tolstring(L, -1, len);
}

/* Pushes Retry-After as a number of seconds when it is a non-negative
** integer or decimal ("3", "1.5"; white space around is allowed).  An
** HTTP-date or anything else gives nothing.  Returns 1 when pushed. */
static int l_awserr_retry_after(lua_State *L, const char *s, size_t len) {
  char num[48];
  size_t a = 0, b = len, i, before = 0, after = 0;
  int dot = 0;
  if (!s) return 0;
  while (a < b && (s[a] == ' ' || s[a] == '\t')) a++;
  while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t')) b--;
  if (a == b || b - a >= sizeof num) return 0;
  for (i = a; i < b; i++) {
    if (s[i] >= '0' && s[i] <= '9') {
      if (dot) after++;
      else before++;
    } else if (s[i] == '.' && !dot) {
      dot = 1;
    } else {
      return 0;
    }
  }
  if (!before || (dot && !after)) return 0;
  memcpy(num, s + a, b - a);
  num[b - a] = '\0';
  return lua_stringtonumber(L, num) != 0; /* integer, or float when needed */
}

static void l_awserr_setstr(lua_State *L, const char *k, const char *s, size_t len) {
  lua_pushlstring(L, s, len);
  lua_setfield(L, -2, k);
}

static int l_parse_error(lua_State *L) {
  lam_awserr e; /* ~10 KiB, no heap */
  lua_Integer status = luaL_checkinteger(L, 1);
  const char *body, *errtype, *rid, *retry;
  size_t blen, etlen, rlen, ralen;
  int rc;
  luaL_argcheck(L, status >= 100 && status <= 999, 1, "HTTP status out of range");
  if (!lua_isnoneornil(L, 2)) luaL_checktype(L, 2, LUA_TTABLE);
  body = luaL_optlstring(L, 3, NULL, &blen);
  lua_settop(L, 3);
  errtype = l_awserr_header(L, 2, "x-amzn-errortype", &etlen); /* index 4 */
  rid = l_awserr_header(L, 2, "x-amzn-requestid", &rlen);      /* 5 */
  if (!rid) rid = l_awserr_header(L, 2, "x-amz-request-id", &rlen);
  retry = l_awserr_header(L, 2, "retry-after", &ralen);

  rc = lam_awserr_parse(&e, (int)status, errtype, etlen, body, blen);
  if (rc != LAM_OK) return luaL_error(L, "parse_error: %s", lam_err_message(rc));

  lua_createtable(L, 0, 6);
  l_awserr_setstr(L, "code", e.code, e.code_len);
  l_awserr_setstr(L, "message", e.message, e.message_len);
  if (e.has_type) l_awserr_setstr(L, "type", e.type, e.type_len);
  if (e.has_reason) l_awserr_setstr(L, "reason", e.reason, e.reason_len);
  if (rid) l_awserr_setstr(L, "request_id", rid, rlen);
  if (l_awserr_retry_after(L, retry, ralen)) lua_setfield(L, -2, "retry_after");
  return 1;
}

void l_awserr_open(lua_State *L) {
  lua_pushcfunction(L, l_parse_error);
  lua_setfield(L, -2, "parse_error");
}
