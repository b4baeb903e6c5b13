/*
** lcore.c -- luaopen_aws_lambda_core: the module table of the C core.
*/
#include "lbind.h"

#include <curl/curl.h>

#define LAM_EXPORT __attribute__((visibility("default")))

LAM_EXPORT int luaopen_aws_lambda_core(lua_State *L);

LAM_EXPORT int luaopen_aws_lambda_core(lua_State *L) {
  static int curl_ready = 0;
  if (!curl_ready) { /* once per process, before any handle exists */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
      return luaL_error(L, "aws.lambda.core: curl_global_init failed");
    curl_ready = 1;
  }
  lua_newtable(L);
  l_sigv4_open(L);
  l_http_open(L);
  l_awserr_open(L);
  l_util_open(L);
  l_creds_open(L);
  lua_pushliteral(L, "0.1.0");
  lua_setfield(L, -2, "_VERSION");
  return 1;
}
