/*
** lbind.h -- internal declarations shared by the binding files.
** The binding is the only C that includes lua.h.  Each file registers its
** functions into the module table through one l_<area>_open function; these
** are hidden (-fvisibility=hidden), so luaopen_aws_lambda_core is the only
** symbol the module exports.
*/
#ifndef LBIND_H
#define LBIND_H

#include <lua.h>
#include <lauxlib.h>

/* Each pushes nothing: it adds its functions to the table at the top. */
void l_sigv4_open(lua_State *L);
void l_http_open(lua_State *L);
void l_awserr_open(lua_State *L);
void l_util_open(lua_State *L);
void l_creds_open(lua_State *L);

#endif
