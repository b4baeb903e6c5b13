-- sign_bench.lua -- sigv4.sign calls per second from Lua (median of 5
-- rounds), on the same RemovePermission request as bench/sign_bench.c.
-- Prints "lua_sign <ops/s>".  A benchmark: it asserts nothing.
local sigv4 = require "aws.lambda.sigv4"

local n = tonumber(arg[1]) or 200000
local req = {
  method = "DELETE",
  url = "https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/"
    .. "arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Amy-function%3APROD/policy/sid.1"
    .. "?Qualifier=PROD&RevisionId=abc%2F%2B%3D%20x",
}
local cred = { access_key_id = "AKIDEXAMPLE", secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" }
local opts = { region = "us-east-1", service = "lambda", time = "20150830T123600Z" }
local sign, clock = sigv4.sign, os.clock

sign(req, cred, opts)
local rates = {}
for r = 1, 5 do
  local t0 = clock()
  for _ = 1, n do sign(req, cred, opts) end
  rates[r] = n / (clock() - t0)
end
table.sort(rates)
print(("lua_sign %.0f"):format(rates[3]))
