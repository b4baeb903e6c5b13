--- The shared config and credentials files (~/.aws/config, ~/.aws/credentials):
-- located, read once, parsed by the C core, and turned into profiles the
-- way botocore does (configloader.build_profile_map + the session's merge
-- of the credentials file).
-- @module aws.lambda.profiles

local core = require "aws.lambda.core"
local errors = require "aws.lambda.errors"

local type, pairs, ipairs, error, tostring = type, pairs, ipairs, error, tostring
local open = io.open
local format, sub, gsub, find = string.format, string.sub, string.gsub, string.find
local concat = table.concat

local profiles = {}

local function invalid(msg) error(errors.new("InvalidConfigError", { message = msg }), 0) end

--- Splits a string the way Python's shlex.split does (POSIX mode, no
-- comments): whitespace separates words; '...' is literal; "..." keeps its
-- text, with \ escaping only \ " $ ` and newline; \ outside quotes escapes
-- the next character.  Returns a list, or nil and a reason.
function profiles.shlex_split(s)
  local words, cur, have = {}, {}, false
  local i, n = 1, #s
  local state = " " -- " " between/in a word, "'" or '"' inside quotes
  while i <= n do
    local c = sub(s, i, i)
    if state == " " then
      if find(c, "^%s") then
        if have then words[#words + 1] = concat(cur); cur, have = {}, false end
      elseif c == "'" or c == '"' then
        state, have = c, true
      elseif c == "\\" then
        if i == n then return nil, "a trailing backslash" end
        i = i + 1
        cur[#cur + 1] = sub(s, i, i)
        have = true
      else
        cur[#cur + 1] = c
        have = true
      end
    elseif state == "'" then
      if c == "'" then state = " " else cur[#cur + 1] = c end
    else -- double quotes
      if c == '"' then
        state = " "
      elseif c == "\\" and i < n and find(sub(s, i + 1, i + 1), '^[\\"$`\n]') then
        i = i + 1
        cur[#cur + 1] = sub(s, i, i)
      else
        cur[#cur + 1] = c
      end
    end
    i = i + 1
  end
  if state ~= " " then return nil, "no closing quotation" end
  if have then words[#words + 1] = concat(cur) end
  return words
end

--- Expands ~ (HOME) and $VAR / ${VAR} the way os.path.expanduser and
-- expandvars do (an unset variable is left as written).  Returns nil when
-- the path needs HOME and there is none.
function profiles.expand(path, getenv)
  if sub(path, 1, 1) == "~" and (#path == 1 or sub(path, 2, 2) == "/") then
    local home = getenv("HOME")
    if not home or home == "" then return nil end
    path = home .. sub(path, 2)
  end
  path = gsub(path, "%$(%b{})", function(b)
    local v = getenv(sub(b, 2, -2))
    return v
  end)
  path = gsub(path, "%$([%a_][%w_]*)", function(name) return getenv(name) end)
  return path
end

local function read_file(path)
  local f = open(path, "rb")
  if not f then return nil end -- a missing (or unreadable) file is no file, as in botocore
  local text = f:read("a")
  f:close()
  return text
end

--- Parses a file's text: sections (with [DEFAULT] merged into each, as
-- configparser does) and their order.  Raises InvalidConfigError naming
-- the file and line; never quotes the file's content.
function profiles.parse(text, path)
  local sections, order, line = core.parse_ini(text)
  if not sections then
    invalid(format("Unable to parse config file %s: %s (line %s)", tostring(path), order, tostring(line)))
  end
  local defaults = sections.DEFAULT
  if defaults then
    sections.DEFAULT = nil
    local kept = {}
    for _, name in ipairs(order) do
      if name ~= "DEFAULT" then
        kept[#kept + 1] = name
        local s = sections[name]
        for k, v in pairs(defaults) do
          if s[k] == nil then s[k] = v end
        end
      end
    end
    order = kept
  end
  return sections, order
end

local function two_words(name)
  local parts = profiles.shlex_split(name)
  if parts and #parts == 2 then return parts[1], parts[2] end
end

--- Loads both files.  `getenv` reads the environment.  Returns
-- { config_path, credentials_path,
--   profiles = { [name] = merged keys (credentials file wins) },
--   config_profiles, credential_profiles, sso_sessions, services }.
function profiles.load(getenv)
  local cpath = profiles.expand(getenv("AWS_CONFIG_FILE") or "~/.aws/config", getenv)
  local kpath = profiles.expand(getenv("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials", getenv)
  local r = { config_path = cpath, credentials_path = kpath, profiles = {}, config_profiles = {},
              credential_profiles = {}, sso_sessions = {}, services = {} }
  local text = cpath and read_file(cpath)
  if text then
    local sections, order = profiles.parse(text, cpath)
    for _, name in ipairs(order) do
      local values = sections[name]
      local kind, rest = two_words(name)
      if kind == "profile" then
        r.config_profiles[rest] = values
      elseif kind == "sso-session" then
        r.sso_sessions[rest] = values
      elseif kind == "services" then
        r.services[rest] = values
      elseif name == "default" then
        r.config_profiles.default = values
      end -- any other section is not a profile (botocore keeps it aside)
    end
  end
  text = kpath and read_file(kpath)
  if text then
    local sections, order = profiles.parse(text, kpath)
    for _, name in ipairs(order) do r.credential_profiles[name] = sections[name] end
  end
  for name, values in pairs(r.config_profiles) do
    local m = {}
    for k, v in pairs(values) do m[k] = v end
    r.profiles[name] = m
  end
  for name, values in pairs(r.credential_profiles) do
    local m = r.profiles[name]
    if not m then m = {}; r.profiles[name] = m end
    for k, v in pairs(values) do m[k] = v end
  end
  return r
end

--- A profile's value as a plain string (nested blocks are not values).
function profiles.value(p, key)
  local v = p and p[key]
  if type(v) == "string" and v ~= "" then return v end
end

return profiles
