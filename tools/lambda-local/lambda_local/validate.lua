-- luacheck: std ngx_lua
-- luacheck: no max line length
-- Server-side input validation with the model's constraints (botocore
-- 1.43.x service-2.json, lambda-api.md 1.1 and 1.3).  The model patterns are
-- unanchored, but Lambda applies them as FULL matches, so each one is
-- wrapped in \A(?:...)\z.  A violation becomes AWS's ValidationException:
--   1 validation error detected: Value 'x' at 'statementId' failed to
--   satisfy constraint: Member must satisfy regular expression pattern: P

local ngx = ngx
local re_find = ngx.re.find
local type, concat, tostring = type, table.concat, tostring

local M = {}

-- Verbatim model patterns.
local REGION = [[(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}]]
M.P = {
  function_name = [[(arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:|(((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?))(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?]],
  qualifier = [[\$(LATEST(\.PUBLISHED)?)|[a-zA-Z0-9-_$]+]],
  remove_statement_id = [[([a-zA-Z0-9-_.]+)]],
  add_statement_id = [[([a-zA-Z0-9-_]+)]],
  action = [[(lambda:[*]|lambda:[a-zA-Z]+|[*])]],
  principal = [[[^\s]+]],
  source_arn = [[arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*)]],
  source_account = [[\d{12}]],
  event_source_token = [[[a-zA-Z0-9._\-]+]],
  principal_org_id = [[o-[a-z0-9]{10,32}]],
}

-- The same FunctionName grammar, with named captures, to split a valid
-- name into region / account / name / qualifier.
local FN_PARTS = [[\A(?:arn:(?:aws[a-zA-Z-]*)?:lambda:(?<r1>]] .. REGION
  .. [[):(?<a1>\d{12}):|(?:(?<r2>]] .. REGION .. [[):)?(?:(?<a2>\d{12}):)?)]]
  .. [[(?:function:)?(?<name>[a-zA-Z0-9-_\.]+)]]
  .. [[(?::(?<q>\$LATEST(?:\.PUBLISHED)?|[a-zA-Z0-9-_]+))?\z]]

function M.full_match(value, pattern)
  local from = re_find(value, [[\A(?:]] .. pattern .. [[)\z]], "jo")
  return from ~= nil
end

-- Length in characters (UTF-8), as the service counts.
local function char_len(s)
  local _, n = s:gsub("[^\128-\191]", "")
  return n
end

-- Collects constraint violations in member order.
local Errors = {}
Errors.__index = Errors

function M.new()
  return setmetatable({ list = {} }, Errors)
end

function Errors:add(value, member, constraint)
  local shown = value == nil and "null" or ("'" .. tostring(value) .. "'")
  self.list[#self.list + 1] = "Value " .. shown .. " at '" .. member
    .. "' failed to satisfy constraint: " .. constraint
end

-- spec: { required=bool, min=, max=, pattern=, enum={...} }
function Errors:check(value, member, spec)
  if value == nil then
    if spec.required then self:add(nil, member, "Member must not be null") end
    return
  end
  if type(value) ~= "string" then return end  -- type errors are caught earlier
  local len = char_len(value)
  if spec.min and len < spec.min then
    self:add(value, member, "Member must have length greater than or equal to " .. spec.min)
  end
  if spec.max and len > spec.max then
    self:add(value, member, "Member must have length less than or equal to " .. spec.max)
  end
  if spec.pattern and not M.full_match(value, spec.pattern) then
    self:add(value, member, "Member must satisfy regular expression pattern: " .. spec.pattern)
  end
  if spec.enum then
    local ok = false
    for _, e in ipairs(spec.enum) do if e == value then ok = true end end
    if not ok then
      self:add(value, member, "Member must satisfy enum value set: ["
        .. concat(spec.enum, ", ") .. "]")
    end
  end
end

-- nil when valid, else AWS's message.
function Errors:message()
  local n = #self.list
  if n == 0 then return nil end
  return n .. " validation error" .. (n > 1 and "s" or "") .. " detected: "
    .. concat(self.list, "; ")
end

-- Constraint sets per member.
M.FUNCTION_NAME = { required = true, min = 1, max = 256, pattern = M.P.function_name }
M.QUALIFIER = { min = 1, max = 128, pattern = M.P.qualifier }
M.REMOVE_STATEMENT_ID = { required = true, min = 1, max = 100, pattern = M.P.remove_statement_id }
M.ADD_STATEMENT_ID = { required = true, min = 1, max = 100, pattern = M.P.add_statement_id }
M.ACTION = { required = true, max = 10000, pattern = M.P.action }
M.PRINCIPAL = { required = true, max = 2048, pattern = M.P.principal }
M.SOURCE_ARN = { max = 10000, pattern = M.P.source_arn }
M.SOURCE_ACCOUNT = { max = 12, pattern = M.P.source_account }
M.EVENT_SOURCE_TOKEN = { max = 256, pattern = M.P.event_source_token }
M.PRINCIPAL_ORG_ID = { min = 12, max = 34, pattern = M.P.principal_org_id }
M.FUNCTION_URL_AUTH_TYPE = { enum = { "NONE", "AWS_IAM" } }

-- Splits a FunctionName that passed validation.  Returns
-- { name=, region=|nil, account=|nil, qualifier=|nil }.
function M.split_function_name(value)
  local m = ngx.re.match(value, FN_PARTS, "jo")
  if not m then return nil end
  local function opt(v) return v ~= false and v or nil end
  return {
    name = m.name,
    region = opt(m.r1) or opt(m.r2),
    account = opt(m.a1) or opt(m.a2),
    qualifier = opt(m.q),
  }
end

return M
