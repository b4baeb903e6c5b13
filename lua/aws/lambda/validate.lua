--- Parameter validation, run before any I/O.
--
-- `check` reports every problem at once, as botocore does, but also checks
-- what the server checks (max length, full-match pattern, enum) and what
-- would break the request itself (control characters, invalid UTF-8, empty
-- or dot-segment path labels).
--
-- Lengths are counted in UTF-16 code units, as the service (Java) counts
-- them: one per code point, two for a code point above U+FFFF.
-- @module aws.lambda.validate

local operations = require "aws.lambda.operations"
local regex = require "aws.lambda.regex"

local byte, find, format, sub = string.byte, string.find, string.format, string.sub
local concat, sort = table.concat, table.sort
local type, pairs, ipairs, tostring, error, setmetatable =
      type, pairs, ipairs, tostring, error, setmetatable

local validate = {}

-- Strictly valid (member, value) pairs seen lately: member -> {value=true}.
-- Bounded by count and value length; emptied when full.
local CACHE_MAX, CACHE_LEN = 1024, 256
local cache, cached = setmetatable({}, { __mode = "k" }), 0

local function remember(m, v)
  if #v > CACHE_LEN then return end
  cached = cached + 1
  if cached > CACHE_MAX then
    cache, cached = setmetatable({}, { __mode = "k" }), 1
  end
  local c = cache[m]
  if not c then c = {}; cache[m] = c end
  c[v] = true
end

--- Forget the cache (tests, benchmarks).
function validate.clear_cache()
  cache, cached = setmetatable({}, { __mode = "k" }), 0
end

---------------------------------------------------------------------------
-- Helpers

-- Position of the first byte that is not valid UTF-8 (overlong forms,
-- surrogates and code points above U+10FFFF are invalid), or nil.
local function utf8_error(s)
  local i = find(s, "[\128-\255]")
  local n = #s
  while i do
    local b = byte(s, i)
    local len
    local lo, hi = 0x80, 0xBF
    if b >= 0xC2 and b <= 0xDF then len = 1
    elseif b >= 0xE0 and b <= 0xEF then
      len = 2
      if b == 0xE0 then lo = 0xA0 elseif b == 0xED then hi = 0x9F end
    elseif b >= 0xF0 and b <= 0xF4 then
      len = 3
      if b == 0xF0 then lo = 0x90 elseif b == 0xF4 then hi = 0x8F end
    else
      return i
    end
    if i + len > n then return i end
    local c = byte(s, i + 1)
    if c < lo or c > hi then return i end
    for j = i + 2, i + len do
      c = byte(s, j)
      if c < 0x80 or c > 0xBF then return i end
    end
    i = find(s, "[\128-\255]", i + len + 1)
  end
  return nil
end
validate.utf8_error = utf8_error

-- Length in UTF-16 code units of a valid UTF-8 string.
local function units(s)
  if not find(s, "[\128-\255]") then return #s end
  local n = 0
  for i = 1, #s do
    local b = byte(s, i)
    if b < 0x80 or b >= 0xC0 then n = n + 1 end   -- count lead bytes
    if b >= 0xF0 then n = n + 1 end                -- surrogate pair
  end
  return n
end
validate.length = units

-- A value for a message: short, one line, quoted when it is a string.
local function show(v)
  local t = type(v)
  if t == "string" then
    if #v > 60 then
      local cut = 57
      while cut > 1 and (byte(v, cut + 1) or 0) >= 0x80 and byte(v, cut + 1) < 0xC0 do
        cut = cut - 1                 -- do not split a UTF-8 sequence
      end
      v = sub(v, 1, cut) .. "..."
    end
    return '"' .. v .. '"'
  elseif t == "number" or t == "boolean" or t == "nil" then
    return tostring(v)
  end
  return "<" .. t .. ">"
end

-- Edit distance, for "did you mean" on unknown parameters.
local function distance(a, b)
  local la, lb = #a, #b
  local prev, cur = {}, {}
  for j = 0, lb do prev[j] = j end
  for i = 1, la do
    cur[0] = i
    local ca = byte(a, i)
    for j = 1, lb do
      local cost = (ca == byte(b, j)) and 0 or 1
      local d = prev[j] + 1
      if cur[j - 1] + 1 < d then d = cur[j - 1] + 1 end
      if prev[j - 1] + cost < d then d = prev[j - 1] + cost end
      cur[j] = d
    end
    prev, cur = cur, prev
  end
  return prev[lb]
end

local function suggest(op, key)
  if type(key) ~= "string" then return nil end
  local norm = key:lower():gsub("[_%-%s]", "")
  local best, best_d
  for _, m in ipairs(op.members) do
    local d = distance(norm, m.name:lower())
    if d < (best_d or 3) and d <= #norm / 3 + 1 then best, best_d = m.name, d end
  end
  return best
end

local function names(op)
  local list = {}
  for i, m in ipairs(op.members) do list[i] = m.name end
  return concat(list, ", ")
end

local function in_enum(list, v)
  for i = 1, #list do if list[i] == v then return true end end
  return false
end

---------------------------------------------------------------------------
-- Per-value checks

-- Problems of one string value; returns the updated problem list.
local function check_string(m, v, strict, problems)
  local name = m.name
  local function add(msg)
    problems = problems or {}
    problems[#problems + 1] = msg
  end
  -- Always: these would break the HTTP request or the signature.
  local cc = find(v, "[%z\1-\31\127]")
  if cc then
    add(format("Invalid value for parameter %s: control character 0x%02X at byte %d",
               name, byte(v, cc), cc))
    return problems
  end
  local bad = utf8_error(v)
  if bad then
    add(format("Invalid value for parameter %s: invalid UTF-8 (byte 0x%02X at byte %d)",
               name, byte(v, bad), bad))
    return problems
  end
  local len = units(v)
  if m.location == "uri" then
    if v == "." or v == ".." then
      -- a dot segment would be resolved away, naming another resource
      add(format("Invalid value for parameter %s, value: %s: \".\" and \"..\" are not allowed "
                 .. "in a URI path", name, show(v)))
      return problems
    end
    if len == 0 then
      add(format("Invalid length for parameter %s, length: 0, valid min length: 1", name))
      return problems
    end
  end
  if not strict then return problems end

  local ok = true
  if m.min and len < m.min then
    ok = false
    add(format("Invalid length for parameter %s, length: %d, valid min length: %d",
               name, len, m.min))
  elseif m.max and len > m.max then
    ok = false
    add(format("Invalid length for parameter %s, length: %d, valid max length: %d",
               name, len, m.max))
  end
  -- an empty value already reported as too short needs no pattern message
  if m.pattern and (ok or len > 0) and not regex.compile(m.pattern):full_match(v) then
    ok = false
    if m.hint then
      add(format("Invalid value for parameter %s, value: %s, must be %s (pattern: %s)",
                 name, show(v), m.hint, m.pattern))
    else
      add(format("Invalid value for parameter %s, value: %s, must match pattern: %s",
                 name, show(v), m.pattern))
    end
  end
  if m.enum and not in_enum(m.enum, v) then
    ok = false
    add(format("Invalid value for parameter %s, value: %s, valid values: %s",
               name, show(v), concat(m.enum, ", ")))
  end
  if ok then remember(m, v) end
  return problems
end

local LUA_TYPE = { string = "string", boolean = "boolean" }

--- Validate parameters for an operation.
-- Always checked: `params` is a table; required members are present;
-- no unknown members (names must be strings); value types; no control
-- characters or invalid UTF-8 in strings; URI members not empty, "." or "..".
-- Unless `opts.param_validation == false`: length limits, the model pattern
-- (as a full match) and enums.
-- @tparam table|string op an operation table, or its name / snake name
-- @param params the caller's parameters
-- @tparam[opt] table opts `{ param_validation = false }` to skip the model checks
-- @treturn nil|{string,...} nil when valid, else every problem found
function validate.check(op, params, opts)
  local resolved = operations.get(op)
  if not resolved then error("aws.lambda.validate: unknown operation " .. tostring(op), 2) end
  op = resolved
  if not op.members_by_name then operations.finish(op) end
  if type(params) ~= "table" then
    return { format("Invalid type for parameters, value: %s, type: %s, valid types: table",
                    show(params), type(params)) }
  end
  local strict = not (opts and opts.param_validation == false)
  local by_name, members = op.members_by_name, op.members
  local problems

  for i = 1, #members do
    local m = members[i]
    if m.required and params[m.name] == nil then
      problems = problems or {}
      problems[#problems + 1] = format('Missing required parameter in input: "%s"', m.name)
    end
  end

  local unknown
  for k in pairs(params) do
    if type(k) ~= "string" or not by_name[k] then
      unknown = unknown or {}
      unknown[#unknown + 1] = k
    end
  end
  if unknown then
    sort(unknown, function(a, b) return tostring(a) < tostring(b) end)
    problems = problems or {}
    local valid = names(op)
    for _, k in ipairs(unknown) do
      local shown = type(k) == "string" and ('"' .. k .. '"')
                    or format("%s (a %s key; names are strings)", tostring(k), type(k))
      local msg = format("Unknown parameter in input: %s, must be one of: %s", shown, valid)
      local guess = suggest(op, k)
      if guess then msg = msg .. format('; did you mean "%s"?', guess) end
      problems[#problems + 1] = msg
    end
  end

  for i = 1, #members do
    local m = members[i]
    local v = params[m.name]
    if v ~= nil then
      local want = LUA_TYPE[m.type] or m.type
      local t = type(v)
      if t ~= want then
        problems = problems or {}
        problems[#problems + 1] = format(
          "Invalid type for parameter %s, value: %s, type: %s, valid types: %s",
          m.name, show(v), t, want)
      elseif t == "string" then
        local c = cache[m]
        if not (c and c[v]) then problems = check_string(m, v, strict, problems) end
      end
    end
  end
  return problems
end

return validate
