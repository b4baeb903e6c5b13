-- The AWS documentation's RemovePermission example, end to end:
-- show the policy of alias PROD of my-function, remove statement xaccount,
-- show the policy again, then show what removing it a second time raises.
--
-- make demo runs it against the bundled local endpoint (tools/lambda-local);
-- with credentials and a region in the environment and no endpoint set, the
-- same script talks to real AWS Lambda.
local lambda = require "aws.lambda"
local cjson = require "cjson"

local FUNCTION = arg and arg[1] or "my-function"
local ALIAS, SID = "PROD", "xaccount"

local function show_policy()
  local ok, out = pcall(lambda.get_policy, { FunctionName = FUNCTION, Qualifier = ALIAS })
  if ok then
    print(("  RevisionId %s"):format(out.RevisionId))
    for _, st in ipairs(out.policy.Statement) do
      print(("  - Sid %-10s %s %s for %s"):format(st.Sid, st.Effect, st.Action, cjson.encode(st.Principal)))
    end
  elseif lambda.exceptions.ResourceNotFoundException:match(out) then
    print("  (no policy: " .. out.message .. ")")
  else
    error(out, 0)
  end
end

local client = lambda.default_client()
print(("endpoint %s, region %s"):format(client.endpoint.url, client.region))

print(("\n1. get_policy{ FunctionName = %q, Qualifier = %q }"):format(FUNCTION, ALIAS))
show_policy()

print(("\n2. remove_permission{ FunctionName = %q, Qualifier = %q, StatementId = %q }"):format(FUNCTION, ALIAS, SID))
local result, meta = lambda.remove_permission{ FunctionName = FUNCTION, Qualifier = ALIAS, StatementId = SID }
print(("  -> %s  (HTTP %d, RequestId %s, %d attempt%s)"):format(tostring(result), meta.status,
  meta.request_id, meta.attempts, meta.attempts == 1 and "" or "s"))

print("\n3. get_policy again")
show_policy()

print("\n4. remove_permission again: the error it raises")
local ok, err = pcall(lambda.remove_permission, { FunctionName = FUNCTION, Qualifier = ALIAS, StatementId = SID })
assert(not ok, "the second removal should fail")
print("  tostring(err): " .. tostring(err))
print("  lambda.exceptions.ResourceNotFoundException:match(err): "
  .. tostring(lambda.exceptions.ResourceNotFoundException:match(err)))
for _, k in ipairs { "code", "status", "message", "type", "request_id", "operation", "retryable", "attempts" } do
  print(("  err.%-10s = %s"):format(k, tostring(err[k])))
end
