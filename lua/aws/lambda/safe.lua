--- aws.lambda.safe: the same API returning instead of raising.
--
--    local safe = require "aws.lambda.safe"
--    local ok, err = safe.remove_permission{ ... }   --> true, meta | nil, err
--    local out, meta = safe.get_policy{ ... }        --> out, meta  | nil, err
--    local c, err = safe.new{ region = "eu-west-1" } --> client     | nil, err
--
-- Every function runs the raising code path under pcall, so both flavours
-- behave the same; a nil result (RemovePermission) becomes true.
-- @module aws.lambda.safe

local lambda = require "aws.lambda"
local operations = require "aws.lambda.operations"

local pcall, setmetatable = pcall, setmetatable

local function returning(ok, result, meta)
  if not ok then return nil, result end
  if result == nil then result = true end
  return result, meta
end

local safe = { VERSION = lambda.VERSION, exceptions = lambda.exceptions }

local SafeClient = {}
SafeClient.__index = SafeClient

for _, op in ipairs(operations.list) do
  safe[op.snake] = function(params, call_opts)
    return returning(pcall(lambda[op.snake], params, call_opts))
  end
  SafeClient[op.snake] = function(self, params, call_opts)
    return returning(pcall(self.client.call, self.client, op, params, call_opts))
  end
end

function SafeClient:build_request(op, params)
  return returning(pcall(self.client.build_request, self.client, op, params))
end

function SafeClient:describe() return self.client:describe() end
function SafeClient:close() return self.client:close() end

--- A client whose methods return nil, err instead of raising.
function safe.new(config)
  local ok, c = pcall(lambda.new, config)
  if not ok then return nil, c end
  return setmetatable({ client = c }, SafeClient)
end

return safe
