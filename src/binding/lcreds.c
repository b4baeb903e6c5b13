/*
** lcreds.c -- the C helpers of the credential providers:
**
**   core.parse_ini(text)       -> sections, order | nil, message, line
**       sections = { [name] = { key = "value", key2 = { subkey = "value" } } }
**       order    = { name1, name2, ... } (file order); duplicates are errors
**       (configparser's strict mode), except repeated [DEFAULT] headers.
**   core.xml_leaves(text)      -> { [path] = text } | nil, message
**       the first occurrence of each leaf path wins
**   core.spawn(argv, opts)     -> { exit_code=, signal=, stdout=, stderr= }
**                              |  nil, kind, reason   (kind: SPAWN, TOOBIG, TIMEOUT...)
**       argv = { "prog", "arg", ... } run without a shell; opts = { timeout = s,
**       max_stdout = bytes }
**   core.sha1_hex(s)           -> 40 hex digits (the SSO token cache file name)
**
** Memory: every C buffer lives in a "lambda.scratch" userdata whose __gc
** wipes and frees it, so a Lua error anywhere cannot leak (or leave a
** secret behind in freed memory).
*/
#include "lbind.h"
#include "lam_buf.h"
#include "lam_err.h"
#include "lam_ini.h"
#include "lam_proc.h"
#include "lam_xml.h"

#include <string.h>
#include <openssl/evp.h>

#define L_SCRATCH_MT "lambda.scratch"
#define L_SPAWN_MAX_ARGS 256

typedef struct {
  lam_buf a, b;
} l_scratch;

static int l_scratch_gc(lua_State *L) {
  l_scratch *s = (l_scratch *)luaL_checkudata(L, 1, L_SCRATCH_MT);
  lam_buf_free_secure(&s->a);
  lam_buf_free_secure(&s->b);
  return 0;
}

static l_scratch *l_scratch_new(lua_State *L) {
  l_scratch *s = (l_scratch *)lua_newuserdatauv(L, sizeof *s, 0);
  lam_buf_init(&s->a);
  lam_buf_init(&s->b);
  if (luaL_newmetatable(L, L_SCRATCH_MT)) {
    lua_pushcfunction(L, l_scratch_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, l_scratch_gc);
    lua_setfield(L, -2, "__close");
  }
  lua_setmetatable(L, -2);
  return s;
}

/* ---- parse_ini ------------------------------------------------------- */

/* stack: 1 text, 2 scratch, 3 sections, 4 order, 5 current section */
typedef struct {
  lua_State *L;
  size_t sub_line; /* the option whose nested lines are being stored */
  size_t dup_line;
  char why[160];
} l_ini_ud;

static int l_ini_event(void *p, const lam_ini_event *ev) {
  l_ini_ud *u = (l_ini_ud *)p;
  lua_State *L = u->L;
  if (ev->kind == LAM_INI_SECTION) {
    lua_pushlstring(L, ev->section, ev->section_len);
    lua_pushvalue(L, -1);
    if (lua_rawget(L, 3) != LUA_TNIL) {
      if (!(ev->section_len == 7 && memcmp(ev->section, "DEFAULT", 7) == 0)) {
        lua_pop(L, 2);
        u->dup_line = ev->line;
        strcpy(u->why, "a section appears twice");
        return LAM_ERR_PARSE;
      }
      lua_replace(L, 5);
      lua_pop(L, 1);
      return 0;
    }
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -2);
    lua_pushvalue(L, -2);
    lua_rawset(L, 3);                       /* sections[name] = t */
    lua_replace(L, 5);
    lua_rawseti(L, 4, (lua_Integer)lua_rawlen(L, 4) + 1); /* order[#+1] = name */
    u->sub_line = 0;
    return 0;
  }
  lua_pushlstring(L, ev->key, ev->key_len);
  if (ev->kind == LAM_INI_VALUE || ev->line != u->sub_line) {
    lua_pushvalue(L, -1);
    if (lua_rawget(L, 5) != LUA_TNIL) {
      lua_pop(L, 2);
      u->dup_line = ev->line;
      strcpy(u->why, "an option appears twice in one section");
      return LAM_ERR_PARSE;
    }
    lua_pop(L, 1);
    if (ev->kind == LAM_INI_VALUE) {
      lua_pushlstring(L, ev->value, ev->value_len);
      lua_rawset(L, 5);
      return 0;
    }
    u->sub_line = ev->line;
    lua_newtable(L);
    lua_pushvalue(L, -2);
    lua_pushvalue(L, -2);
    lua_rawset(L, 5);
    lua_remove(L, -2);
  } else {
    lua_rawget(L, 5);
  }
  lua_pushlstring(L, ev->subkey, ev->subkey_len);
  lua_pushlstring(L, ev->value, ev->value_len);
  lua_rawset(L, -3); /* later duplicates of a subkey win, as in botocore */
  lua_pop(L, 1);
  return 0;
}

static int l_ini_parse(lua_State *L) {
  size_t len;
  const char *text = luaL_checklstring(L, 1, &len);
  l_scratch *s;
  l_ini_ud u;
  lam_ini_error err;
  int rc;
  lua_settop(L, 1);
  s = l_scratch_new(L); /* 2 */
  lua_newtable(L);      /* 3 */
  lua_newtable(L);      /* 4 */
  lua_pushnil(L);       /* 5 */
  memset(&u, 0, sizeof u);
  u.L = L;
  rc = lam_ini_parse(text, len, &s->a, l_ini_event, &u, &err);
  lam_buf_free_secure(&s->a);
  if (rc == LAM_OK) {
    lua_settop(L, 4);
    return 2;
  }
  lua_pushnil(L);
  if (u.dup_line) {
    lua_pushstring(L, u.why);
    lua_pushinteger(L, (lua_Integer)u.dup_line);
  } else if (rc == LAM_ERR_PARSE || rc == LAM_ERR_TOOBIG) {
    lua_pushstring(L, err.why);
    lua_pushinteger(L, (lua_Integer)err.line);
  } else {
    lua_pushstring(L, lam_err_message(rc));
    lua_pushinteger(L, 0);
  }
  return 3;
}

/* ---- xml_leaves ------------------------------------------------------ */

static int l_xml_leaf(void *p, const char *path, size_t plen, const char *text, size_t tlen) {
  lua_State *L = (lua_State *)p;
  lua_pushlstring(L, path, plen);
  lua_pushvalue(L, -1);
  if (lua_rawget(L, 3) == LUA_TNIL) {
    lua_pop(L, 1);
    lua_pushlstring(L, text, tlen);
    lua_rawset(L, 3);
  } else {
    lua_pop(L, 2);
  }
  return 0;
}

static int l_xml_leaves(lua_State *L) {
  size_t len;
  const char *text = luaL_checklstring(L, 1, &len);
  const char *why = NULL;
  l_scratch *s;
  int rc;
  lua_settop(L, 1);
  s = l_scratch_new(L); /* 2 */
  lua_newtable(L);      /* 3 */
  rc = lam_xml_leaves(text, len, &s->a, l_xml_leaf, L, &why);
  lam_buf_free_secure(&s->a);
  if (rc == LAM_OK) return 1;
  lua_pushnil(L);
  lua_pushstring(L, why ? why : lam_err_message(rc));
  return 2;
}

/* ---- spawn ----------------------------------------------------------- */

static int l_spawn(lua_State *L) {
  lam_proc_opts opts;
  lam_proc_result res;
  l_scratch *s;
  const char **argv;
  lua_Integer n, i;
  int rc;
  luaL_checktype(L, 1, LUA_TTABLE);
  memset(&opts, 0, sizeof opts);
  if (!lua_isnoneornil(L, 2)) {
    luaL_checktype(L, 2, LUA_TTABLE);
    if (lua_getfield(L, 2, "timeout") != LUA_TNIL) {
      lua_Number t = luaL_checknumber(L, -1);
      luaL_argcheck(L, t > 0 && t <= 86400, 2, "'timeout' must be > 0 and <= 86400 seconds");
      opts.timeout_ms = (long)(t * 1000);
      if (opts.timeout_ms == 0) opts.timeout_ms = 1;
    }
    if (lua_getfield(L, 2, "max_stdout") != LUA_TNIL) {
      lua_Integer m = luaL_checkinteger(L, -1);
      luaL_argcheck(L, m > 0 && m <= 64 * 1024 * 1024, 2, "'max_stdout' must be 1..64 MiB");
      opts.max_stdout = (size_t)m;
    }
  }
  lua_settop(L, 1);
  n = (lua_Integer)lua_rawlen(L, 1);
  luaL_argcheck(L, n >= 1 && n <= L_SPAWN_MAX_ARGS, 1, "argv must hold 1 to 256 strings");
  argv = (const char **)lua_newuserdatauv(L, (size_t)(n + 1) * sizeof *argv, 0); /* 2 */
  for (i = 1; i <= n; i++) {
    size_t l;
    const char *a;
    if (lua_rawgeti(L, 1, i) != LUA_TSTRING) luaL_argerror(L, 1, "argv must hold only strings");
    a = lua_tolstring(L, -1, &l);
    if (strlen(a) != l) luaL_argerror(L, 1, "an argument holds a NUL byte");
    argv[i - 1] = a; /* stays alive: the argv table at index 1 holds it */
    lua_pop(L, 1);
  }
  argv[n] = NULL;
  s = l_scratch_new(L); /* 3 */
  rc = lam_proc_run(argv, &opts, &s->a, &s->b, &res);
  if (rc != LAM_OK) {
    lam_buf_free_secure(&s->a);
    lua_pushnil(L);
    lua_pushstring(L, lam_err_name(rc));
    if (rc == LAM_ERR_SPAWN && res.sys_errno)
      lua_pushfstring(L, "%s: %s", lam_err_message(rc), strerror(res.sys_errno));
    else
      lua_pushstring(L, lam_err_message(rc));
    return 3;
  }
  lua_createtable(L, 0, 4);
  if (res.exited) {
    lua_pushinteger(L, res.exit_code);
    lua_setfield(L, -2, "exit_code");
  }
  if (res.signal) {
    lua_pushinteger(L, res.signal);
    lua_setfield(L, -2, "signal");
  }
  lua_pushlstring(L, s->a.data ? s->a.data : "", s->a.len);
  lua_setfield(L, -2, "stdout");
  lua_pushlstring(L, s->b.data ? s->b.data : "", s->b.len);
  lua_setfield(L, -2, "stderr");
  lam_buf_free_secure(&s->a);
  lam_buf_free_secure(&s->b);
  return 1;
}

/* ---- sha1_hex -------------------------------------------------------- */

static int l_sha1_hex(lua_State *L) {
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0, i;
  char hex[2 * EVP_MAX_MD_SIZE];
  if (!EVP_Digest(s, len, md, &mdlen, EVP_sha1(), NULL)) return luaL_error(L, "sha1 failed");
  for (i = 0; i < mdlen; i++) {
    hex[2 * i] = "0123456789abcdef"[md[i] >> 4];
    hex[2 * i + 1] = "0123456789abcdef"[md[i] & 15];
  }
  lua_pushlstring(L, hex, 2 * (size_t)mdlen);
  return 1;
}

void l_creds_open(lua_State *L) {
  static const luaL_Reg fns[] = {
    {"parse_ini", l_ini_parse},
    {"xml_leaves", l_xml_leaves},
    {"spawn", l_spawn},
    {"sha1_hex", l_sha1_hex},
    {NULL, NULL}
  };
  luaL_setfuncs(L, fns, 0);
}
