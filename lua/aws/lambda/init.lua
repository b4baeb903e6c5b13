--- aws.lambda: the Lambda permission API.
--
--    local lambda = require "aws.lambda"
--    lambda.remove_permission{ FunctionName = "my-function", Qualifier = "PROD", StatementId = "xaccount" }
--    --> nil, meta on success; raises an error table on failure
--    local client = lambda.new{ region = "eu-west-1" }
--    if lambda.exceptions.ResourceNotFoundException:match(err) then ... end
--
-- The module-level functions use a default client, created at the first call
-- from the environment (AWS_REGION / AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID ...).
-- @module aws.lambda

local client = require "aws.lambda.client"
local errors = require "aws.lambda.errors"
local operations = require "aws.lambda.operations"

local lambda = {
  VERSION = client.VERSION,
  exceptions = errors.exceptions,
  new = client.new,
}

local default

--- The default client (created on first use).
function lambda.default_client()
  if not default then default = client.new() end
  return default
end

--- Forgets the default client (after changing the environment, in tests).
function lambda.reset_default()
  local d = default
  default = nil
  if d then d:close() end
end

for _, op in ipairs(operations.list) do
  lambda[op.snake] = function(params, call_opts)
    return lambda.default_client():call(op, params, call_opts)
  end
end

return lambda
