--- The Lambda permission operations, described as data, and the request
-- builder that turns validated parameters into method, path, query and body.
--
-- Source: botocore 1.43.67's Lambda model (lambda-api.md §1, "M-new").
-- Patterns are kept verbatim; the server applies them as full matches.
-- @module aws.lambda.operations

local byte, char, find, format, gsub, sub =
      string.byte, string.char, string.find, string.format, string.gsub, string.sub
local concat = table.concat
local setmetatable, type, error, tostring, ipairs =
      setmetatable, type, error, tostring, ipairs

local operations = {}

-- Verbatim model patterns (JSON escapes undone); kept on one line each.
-- luacheck: push no max line length
local P_FN = [=[(arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:|(((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?))(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?]=]
local P_Q = [=[\$(LATEST(\.PUBLISHED)?)|[a-zA-Z0-9-_$]+]=]
local P_ACTION = [=[(lambda:[*]|lambda:[a-zA-Z]+|[*])]=]
local P_ARN = [=[arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*)]=]
-- luacheck: pop

operations.patterns = {
  NamespacedFunctionName = P_FN,
  NumericLatestPublishedOrAliasQualifier = P_Q,
  Action = P_ACTION,
  Arn = P_ARN,
  NamespacedStatementId = [=[([a-zA-Z0-9-_.]+)]=],
  StatementId = [=[([a-zA-Z0-9-_]+)]=],
  Principal = [=[[^\s]+]=],
  SourceOwner = [=[\d{12}]=],
  EventSourceToken = [=[[a-zA-Z0-9._\-]+]=],
  PrincipalOrgID = [=[o-[a-z0-9]{10,32}]=],
}
local P = operations.patterns

local FN_HINT = "a function name like my-function, a partial ARN like "
  .. "123456789012:function:my-function or a function ARN, optionally "
  .. "ending in :version or :alias"

local function function_name()
  return { name = "FunctionName", location = "uri", required = true, type = "string",
           shape = "NamespacedFunctionName", min = 1, max = 256, pattern = P_FN, hint = FN_HINT }
end

local function qualifier()
  return { name = "Qualifier", location = "querystring", type = "string",
           shape = "NumericLatestPublishedOrAliasQualifier", min = 1, max = 128, pattern = P_Q,
           hint = "a version number, an alias name, $LATEST or $LATEST.PUBLISHED" }
end

local definitions = {
  {
    name = "RemovePermission", snake = "remove_permission",
    method = "DELETE", uri = "/2015-03-31/functions/{FunctionName}/policy/{StatementId}",
    success = 204,
    members = {
      function_name(),
      { name = "StatementId", location = "uri", required = true, type = "string",
        shape = "NamespacedStatementId", min = 1, max = 100, pattern = P.NamespacedStatementId,
        hint = "made of letters, digits, '-', '_' and '.'" },
      qualifier(),
      { name = "RevisionId", location = "querystring", type = "string", shape = "String" },
    },
    errors = {
      "InvalidParameterValueException", "PublicPolicyException", "ServiceException",
      "TooManyRequestsException", "ResourceNotFoundException", "PreconditionFailedException",
    },
    output = {},
  },
  {
    name = "GetPolicy", snake = "get_policy",
    method = "GET", uri = "/2015-03-31/functions/{FunctionName}/policy",
    success = 200, readonly = true,
    members = { function_name(), qualifier() },
    errors = {
      "InvalidParameterValueException", "ServiceException",
      "TooManyRequestsException", "ResourceNotFoundException",
    },
    output = { "Policy", "RevisionId" },
  },
  {
    name = "AddPermission", snake = "add_permission",
    method = "POST", uri = "/2015-03-31/functions/{FunctionName}/policy",
    success = 201,
    members = {
      function_name(),
      { name = "StatementId", location = "body", required = true, type = "string",
        shape = "StatementId", min = 1, max = 100, pattern = P.StatementId,
        hint = "made of letters, digits, '-' and '_'" },
      { name = "Action", location = "body", required = true, type = "string",
        shape = "Action", min = 0, max = 10000, pattern = P_ACTION,
        hint = "lambda:<ActionName>, lambda:* or *" },
      { name = "Principal", location = "body", required = true, type = "string",
        shape = "Principal", min = 0, max = 2048, pattern = P.Principal },
      { name = "SourceArn", location = "body", type = "string",
        shape = "Arn", min = 0, max = 10000, pattern = P_ARN },
      { name = "SourceAccount", location = "body", type = "string",
        shape = "SourceOwner", min = 0, max = 12, pattern = P.SourceOwner,
        hint = "a 12-digit account ID" },
      { name = "EventSourceToken", location = "body", type = "string",
        shape = "EventSourceToken", min = 0, max = 256, pattern = P.EventSourceToken },
      qualifier(),
      { name = "RevisionId", location = "body", type = "string", shape = "String" },
      { name = "PrincipalOrgID", location = "body", type = "string",
        shape = "PrincipalOrgID", min = 12, max = 34, pattern = P.PrincipalOrgID,
        hint = "an organization ID like o-a1b2c3d4e5" },
      { name = "FunctionUrlAuthType", location = "body", type = "string",
        shape = "FunctionUrlAuthType", enum = { "NONE", "AWS_IAM" } },
      { name = "InvokedViaFunctionUrl", location = "body", type = "boolean",
        shape = "InvokedViaFunctionUrl" },
    },
    errors = {
      "InvalidParameterValueException", "ResourceConflictException", "PublicPolicyException",
      "ServiceException", "TooManyRequestsException", "PolicyLengthExceededException",
      "ResourceNotFoundException", "PreconditionFailedException",
    },
    output = { "Statement" },
  },
}

--- Operations in definition order; also `operations.by_name[name]`,
-- `operations.by_snake[snake]` and `operations.<Name>`.
operations.list = {}
operations.by_name = {}
operations.by_snake = {}

-- Fill the derived fields of an operation table (idempotent).
local function finish(op)
  local by_name = {}
  op.query, op.body_members, op.uri_members = {}, {}, {}
  for i, m in ipairs(op.members) do
    m.index = i
    by_name[m.name] = m
    if m.location == "querystring" then op.query[#op.query + 1] = m.name
    elseif m.location == "body" then op.body_members[#op.body_members + 1] = m
    elseif m.location == "uri" then op.uri_members[#op.uri_members + 1] = m end
  end
  op.members_by_name = by_name
  -- op.members.FunctionName works too; ipairs/pairs still see just the list
  setmetatable(op.members, { __index = by_name })
  return op
end

for _, op in ipairs(definitions) do
  finish(op)
  operations.list[#operations.list + 1] = op
  operations.by_name[op.name] = op
  operations.by_snake[op.snake] = op
  operations[op.name] = op
end

--- Look an operation up by table, model name or snake name.
-- @treturn table|nil the operation
function operations.get(op)
  if type(op) == "table" then return op end
  return operations.by_name[op] or operations.by_snake[op]
end

---------------------------------------------------------------------------
-- Percent-encoding (botocore: quote(value, safe='-._~'))

local PCT = {}
for b = 0, 255 do PCT[char(b)] = format("%%%02X", b) end

local enc_cache, enc_count = {}, 0
local ENC_CACHE_MAX, ENC_CACHE_LEN = 512, 128

--- Percent-encode every byte outside `A-Za-z0-9-._~`, uppercase hex.
-- @tparam string value (booleans and numbers are encoded via tostring)
-- @treturn string
function operations.encode(value)
  if type(value) ~= "string" then value = tostring(value) end
  if not find(value, "[^A-Za-z0-9%-._~]") then return value end
  local hit = enc_cache[value]
  if hit then return hit end
  local out = gsub(value, "[^A-Za-z0-9%-._~]", PCT)
  if #value <= ENC_CACHE_LEN then
    enc_count = enc_count + 1
    if enc_count > ENC_CACHE_MAX then enc_cache, enc_count = {}, 1 end
    enc_cache[value] = out
  end
  return out
end
local encode = operations.encode

---------------------------------------------------------------------------
-- JSON text, byte-compatible with Python's json.dumps (ensure_ascii=True,
-- separators ", " and ": "): the AddPermission reference vector's payload
-- hash depends on those exact bytes.  lua-cjson would escape "/" as "\/"
-- and pass non-ASCII through, which differs from botocore.

local JSON_ESC = { ['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f",
                   ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t" }
for b = 0, 31 do
  local c = char(b)
  if not JSON_ESC[c] then JSON_ESC[c] = format("\\u%04x", b) end
end
JSON_ESC["\127"] = "\\u007f"

local function utf8_escape(seq)
  local b1, n = byte(seq), #seq
  local cp
  if n == 2 and b1 >= 0xC2 and b1 <= 0xDF then
    cp = (b1 - 0xC0) * 64 + (byte(seq, 2) - 0x80)
  elseif n == 3 and b1 >= 0xE0 and b1 <= 0xEF then
    cp = ((b1 - 0xE0) * 64 + (byte(seq, 2) - 0x80)) * 64 + (byte(seq, 3) - 0x80)
    if cp < 0x800 or (cp >= 0xD800 and cp <= 0xDFFF) then cp = nil end
  elseif n == 4 and b1 >= 0xF0 and b1 <= 0xF4 then
    cp = (((b1 - 0xF0) * 64 + (byte(seq, 2) - 0x80)) * 64 + (byte(seq, 3) - 0x80)) * 64
         + (byte(seq, 4) - 0x80)
    if cp < 0x10000 or cp > 0x10FFFF then cp = nil end
  end
  if not cp then error("aws.lambda.operations: invalid UTF-8 in a body value", 0) end
  if cp < 0x10000 then return format("\\u%04x", cp) end
  cp = cp - 0x10000
  return format("\\u%04x\\u%04x", 0xD800 + (cp - cp % 1024) / 1024, 0xDC00 + cp % 1024)
end

--- Encode a string as JSON text, as Python's json.dumps does.
-- @tparam string s valid UTF-8
-- @treturn string
function operations.json_string(s)
  if not find(s, '[%z\1-\31"\\\127-\255]') then return '"' .. s .. '"' end
  s = gsub(s, '[%z\1-\31"\\\127]', JSON_ESC)
  if find(s, "[\128-\255]") then
    s = gsub(s, "[\192-\255][\128-\191]*", utf8_escape)
    if find(s, "[\128-\255]") then
      error("aws.lambda.operations: invalid UTF-8 in a body value", 0)
    end
  end
  return '"' .. s .. '"'
end
local json_string = operations.json_string

local function json_value(v)
  local t = type(v)
  if t == "string" then return json_string(v) end
  if t == "boolean" then return v and "true" or "false" end
  error("aws.lambda.operations: cannot serialize a " .. t .. " body value", 0)
end

---------------------------------------------------------------------------
-- Request building

-- Per-operation templates, made on first use: path pieces with the label
-- slots, "Name=" prefixes for the query, '"Name": ' prefixes for the body.
local templates = setmetatable({}, { __mode = "k" })

local function template(op)
  local t = templates[op]
  if t then return t end
  if not op.members_by_name then finish(op) end
  local path, slots = {}, {}
  local last = 1
  for s, name, e in op.uri:gmatch("(){([%w_]+)}()") do
    path[#path + 1] = sub(op.uri, last, s - 1)
    path[#path + 1] = false
    slots[#slots + 1] = { index = #path, name = name }
    last = e
  end
  path[#path + 1] = sub(op.uri, last)
  local query = {}
  for i, name in ipairs(op.query) do query[i] = { name = name, prefix = name .. "=" } end
  local body = {}
  for i, m in ipairs(op.body_members) do
    body[i] = { name = m.name, prefix = '"' .. m.name .. '": ' }
  end
  t = { path = path, slots = slots, query = query, body = body,
        has_body = #body > 0, qbuf = {}, bbuf = {} }
  templates[op] = t
  return t
end

local function label(op, name, v)
  if type(v) ~= "string" then
    error(format("aws.lambda.operations: %s: URI member %s must be a string, got %s",
                 op.name, name, type(v)), 0)
  end
  -- "", "." and ".." would change which resource the path names
  if v == "" or v == "." or v == ".." then
    error(format("aws.lambda.operations: %s: URI member %s cannot be %q", op.name, name, v), 0)
  end
  return encode(v)
end

--- Build the HTTP request parts for validated parameters.
-- @tparam table|string op an operation (or its name / snake name)
-- @tparam table params validated parameters
-- @treturn table `{ method=, path=, query=, body=, headers=, operation= }`:
--   `path` is percent-encoded, `query` is "" when empty (no "?"), `body` is
--   nil without body members, `headers` is a fresh table holding
--   Content-Type only when there is a body.
function operations.build(op, params)
  op = operations.get(op) or error("aws.lambda.operations: unknown operation " .. tostring(op), 2)
  local t = template(op)

  local path = t.path
  for _, slot in ipairs(t.slots) do
    path[slot.index] = label(op, slot.name, params[slot.name])
  end
  path = concat(path)

  local query, q, nq = "", t.qbuf, 0
  for _, item in ipairs(t.query) do
    local v = params[item.name]
    if v ~= nil then nq = nq + 1; q[nq] = item.prefix .. encode(v) end
  end
  if nq == 1 then query = q[1] elseif nq > 1 then query = concat(q, "&", 1, nq) end

  local body, headers
  if t.has_body then
    local b, nb = t.bbuf, 0
    for _, item in ipairs(t.body) do
      local v = params[item.name]
      if v ~= nil then nb = nb + 1; b[nb] = item.prefix .. json_value(v) end
    end
    body = nb == 0 and "{}" or "{" .. concat(b, ", ", 1, nb) .. "}"
    headers = { ["Content-Type"] = "application/json" }
  else
    headers = {}
  end
  return { method = op.method, path = path, query = query, body = body,
           headers = headers, operation = op.name }
end

-- Lets a hand-made operation table (tests, future operations) be used.
operations.finish = finish

return operations
