-- stages.lua -- where a remove_permission call spends its time, stage by
-- stage, measured with os.clock (CPU time of this process) over many
-- iterations.  Each stage is the code client.lua runs, called the same way:
--
--   validate  validate.check(op, params, client.validation)
--   build     operations.build + the URL, as Client:build_request does
--   sign      sigv4.sign_headers (or sign) with the client's credentials and
--             options (+ _signing_time)
--   attempt   retry.start + the per-attempt headers (User-Agent, ids)
--   send      http:request on the client's handle (libcurl + C header parse)
--   parse     state:success + response meta + decode_output of a 204
--   call      client:remove_permission, the whole public path
--   glue      call - (sum of the stages): Lua work between the stages
-- The send stage alone is run against the endpoint; the others are CPU only.
--
--   lua5.4 bench/stages.lua ENDPOINT_URL [N]
-- Prints one line per stage: "stage <name> <us/call> <share %>".
-- A benchmark: it asserts nothing.
local lambda = require "aws.lambda"
local client_mod = require "aws.lambda.client"
local operations = require "aws.lambda.operations"
local validate = require "aws.lambda.validate"
local sigv4 = require "aws.lambda.sigv4"
local retry = require "aws.lambda.retry"

local endpoint = assert(arg[1], "usage: stages.lua ENDPOINT_URL [N]")
local n = tonumber(arg[2]) or 20000
local clock = os.clock

-- what the client signs with: sign_headers where the binding has it
local sign = sigv4.sign_headers or sigv4.sign

local c = lambda.new {
  region = "us-east-1", endpoint_url = endpoint, max_attempts = 1,
  credentials = { access_key_id = "AKIDEXAMPLE", secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
}
local params = { FunctionName = "my-function", StatementId = "xaccount", Qualifier = "PROD" }
local op = operations.get("RemovePermission")
c:remove_permission(params) -- resolves credentials, opens the connection

local function per_call(f)
  f() -- warm
  local best = math.huge
  for _ = 1, 3 do -- best of 3: the least disturbed by other processes
    local t0 = clock()
    for _ = 1, n do f() end
    local t = (clock() - t0) / n
    if t < best then best = t end
  end
  return best * 1e6
end

local built = operations.build(op, params)
local url = c.endpoint.base .. built.path .. "?" .. built.query
local creds = c:_credentials()
local signed = sigv4.sign({ method = built.method, url = url, headers = built.headers, body = built.body },
  creds, { region = c.region, service = "lambda", time = c:_signing_time() })
local http = c:_transport()
local headers = signed.headers
headers["User-Agent"] = client_mod.USER_AGENT
headers["amz-sdk-invocation-id"] = "0d4c0b6e-0f3e-4f4e-9c1a-6b8f1f1d2a3b"
headers["amz-sdk-request"] = "attempt=1; max=1"
local status, rh = http:request("DELETE", url, headers, built.body)
assert(status == 204, "the endpoint did not answer 204")
local pstate = retry.start(c, nil)

local results = {
  { "validate", per_call(function() return validate.check(op, params, c.validation) end) },
  { "build", per_call(function()
      local b = operations.build(op, params)
      local u = c.endpoint.base .. b.path
      if b.query ~= "" then u = u .. "?" .. b.query end
      return { method = b.method, url = u, headers = b.headers, body = b.body }
    end) },
  { "sign", per_call(function()
      return sign({ method = "DELETE", url = url, headers = {}, body = nil }, c:_credentials(),
        { region = c.region, service = "lambda", time = c:_signing_time() })
    end) },
  { "attempt", per_call(function()
      local st = retry.start(c, nil)
      local h = {}
      h["User-Agent"] = client_mod.USER_AGENT
      h["amz-sdk-invocation-id"] = st.invocation_id
      h["amz-sdk-request"] = string.format("attempt=%d; max=%d", st.attempt, st.max_attempts)
      return h, st:request_options()
    end) },
  { "send", per_call(function() return http:request("DELETE", url, headers, built.body, nil) end) },
  { "parse", per_call(function()
      pstate:success()
      local meta = { status = status, attempts = 1, request_id = rh["x-amzn-requestid"], headers = rh }
      local out = {} -- decode_output: nothing to decode for an operation without output
      if #op.output == 0 then return nil, meta end
      return out, meta
    end) },
  { "call", per_call(function() return c:remove_permission(params) end) },
}
local sum = 0
for i = 1, 6 do sum = sum + results[i][2] end
local call = results[7][2]
results[#results + 1] = { "glue", math.max(0, call - sum) }
for _, r in ipairs(results) do
  print(("stage %-8s %8.2f %6.1f"):format(r[1], r[2], 100 * r[2] / call))
end
