/*
** lutil.c -- clocks, sleep and UUIDs for the Lua layer (retries and
** timeouts need sub-second time; plain Lua has only os.time/os.clock).
*/
#include "lbind.h"
#include "lam_util.h"

static int l_util_monotonic(lua_State *L) {
  lua_pushnumber(L, lam_monotonic());
  return 1;
}

static int l_util_time(lua_State *L) {
  lua_pushnumber(L, lam_wallclock());
  return 1;
}

static int l_util_sleep(lua_State *L) {
  lua_Number s = luaL_checknumber(L, 1);
  luaL_argcheck(L, s >= 0, 1, "seconds must not be negative");
  lam_sleep((double)s);
  return 0;
}

static int l_util_uuid4(lua_State *L) {
  char id[37];
  if (lam_uuid4(id)) return luaL_error(L, "uuid4: the random generator failed");
  lua_pushlstring(L, id, 36);
  return 1;
}

void l_util_open(lua_State *L) {
  static const luaL_Reg fns[] = {
    {"monotonic", l_util_monotonic},
    {"time", l_util_time},
    {"sleep", l_util_sleep},
    {"uuid4", l_util_uuid4},
    {NULL, NULL}
  };
  luaL_setfuncs(L, fns, 0);
}
