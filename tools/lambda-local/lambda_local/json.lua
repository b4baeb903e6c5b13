-- luacheck: std ngx_lua
-- JSON for lambda-local.
--
-- Decoding goes through lua-cjson.  Encoding is our own because AWS output
-- has a fixed key order ("Version","Id","Statement" / "Sid","Effect",...)
-- and never escapes "/", while cjson orders keys by hash and writes "\/".
-- Clients should not care, but byte-faithful bodies make captures and
-- Content-Length comparisons with real AWS meaningful.

local cjson = require "cjson"

local type, pairs, ipairs, tostring = type, pairs, ipairs, tostring
local concat, sort = table.concat, table.sort
local format, byte = string.format, string.byte
local floor, huge = math.floor, math.huge

local M = {}

M.null = cjson.null

-- Tables carrying this metatable encode as arrays even when empty.
M.array_mt = { __name = "json.array" }

function M.array(t)
  return setmetatable(t or {}, M.array_mt)
end

-- Key order used by AWS in the bodies we produce.  Keys not listed sort
-- after these, alphabetically (byte order).
local RANK = {}
for i, k in ipairs({
  "Reason", "Type", "Message", "message",          -- error bodies
  "Policy", "RevisionId",                          -- GetPolicy
  "Version", "Id", "Statement",                    -- policy document
  "Sid", "Effect", "Principal", "Action", "Resource", "Condition",
  "StringEquals", "ArnLike", "Bool",               -- conditions
}) do
  RANK[k] = i
end

local function key_less(a, b)
  local ra, rb = RANK[a], RANK[b]
  if ra and rb then return ra < rb end
  if ra then return true end
  if rb then return false end
  return a < b
end

local ESC = {
  ['"'] = '\\"', ['\\'] = '\\\\', ['\b'] = '\\b', ['\f'] = '\\f',
  ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t',
}

local function encode_string(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    return ESC[c] or format("\\u%04x", byte(c))
  end) .. '"'
end
M.encode_string = encode_string

local function is_array(t)
  if getmetatable(t) == M.array_mt then return true end
  local n = #t
  if n == 0 then return false end
  local count = 0
  for _ in pairs(t) do count = count + 1 end
  return count == n
end

local encode_value

local function encode_number(v)
  if v ~= v or v == huge or v == -huge then return "null" end
  if v == floor(v) and v > -2^53 and v < 2^53 then
    return format("%d", v)
  end
  return format("%.17g", v)
end

encode_value = function(v, out)
  local t = type(v)
  if t == "string" then
    out[#out + 1] = encode_string(v)
  elseif t == "number" then
    out[#out + 1] = encode_number(v)
  elseif t == "boolean" then
    out[#out + 1] = v and "true" or "false"
  elseif t == "table" then
    if is_array(v) then
      out[#out + 1] = "["
      for i = 1, #v do
        if i > 1 then out[#out + 1] = "," end
        encode_value(v[i], out)
      end
      out[#out + 1] = "]"
    else
      local keys = {}
      for k in pairs(v) do keys[#keys + 1] = tostring(k) end
      sort(keys, key_less)
      out[#out + 1] = "{"
      for i, k in ipairs(keys) do
        if i > 1 then out[#out + 1] = "," end
        out[#out + 1] = encode_string(k)
        out[#out + 1] = ":"
        local val = v[k]
        if val == nil then val = v[tonumber(k)] end
        encode_value(val, out)
      end
      out[#out + 1] = "}"
    end
  else
    -- nil, cjson.null (lightuserdata) and anything exotic
    out[#out + 1] = "null"
  end
end

-- Compact encoding, AWS key order.
function M.encode(v)
  local out = {}
  encode_value(v, out)
  return concat(out)
end

-- Returns the decoded value, or nil and an error message.
function M.decode(s)
  if type(s) ~= "string" then return nil, "not a string" end
  local ok, v = pcall(cjson.decode, s)
  if not ok then return nil, tostring(v) end
  return v
end

return M
