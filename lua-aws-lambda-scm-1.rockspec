rockspec_format = "3.0"
package = "lua-aws-lambda"
version = "scm-1"
source = {
  url = "git+https://github.com/lua-aws-lambda/lua-aws-lambda.git",
}
description = {
  summary = "AWS Lambda permission API (RemovePermission, GetPolicy, AddPermission) for Lua, with a C core",
  detailed = [[
A Lua module whose C core signs requests with SigV4 (staged, cached signing
keys, proven by the official test suite) and sends them with libcurl.
]],
  license = "Apache-2.0",
}
dependencies = {
  "lua >= 5.1, < 5.5",
  "lua-cjson",
}
external_dependencies = {
  OPENSSL = { header = "openssl/evp.h" },
  -- Debian keeps curl.h in a multiarch include directory that luarocks
  -- does not search, so check for the library instead.
  CURL = { library = "curl" },
}
build = {
  type = "cmake",
  variables = {
    CMAKE_BUILD_TYPE = "Release",
    CMAKE_INSTALL_PREFIX = "$(PREFIX)",
    LUA_INCDIR = "$(LUA_INCDIR)",
    LUA_LIBDIR = "$(LIBDIR)",
    LUADIR = "$(LUADIR)",
    LAM_BUILD_TESTS = "OFF",
    LAM_BUILD_BENCH = "OFF",
  },
}
