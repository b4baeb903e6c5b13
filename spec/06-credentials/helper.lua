-- Helpers for the credential specs: a scripted loopback HTTP server
-- (fake_server.py), temporary files, and a replaced environment.
local core = require "aws.lambda.core"
local cjson = require "cjson"

local H = {}

local here = debug.getinfo(1, "S").source:match("^@(.*)/helper%.lua$") or "spec/06-credentials"
H.dir = here

local function sh_quote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end
H.sh_quote = sh_quote

function H.write(path, text)
  local f = assert(io.open(path, "wb"))
  f:write(text)
  f:close()
  return path
end

function H.read(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

--- A fresh temporary directory (removed by H.rmdir).
function H.tmpdir()
  local p = io.popen("mktemp -d")
  local d = p:read("l")
  p:close()
  return d
end

function H.rmdir(d)
  if d and d:match("^/tmp/") then os.execute("rm -rf " .. sh_quote(d)) end
end

function H.mkdir(d) os.execute("mkdir -p " .. sh_quote(d)) end

H.with_env = require("helpers.env").with_env

local Server = {}
Server.__index = Server

--- Starts a fake server answering `routes` (see fake_server.py).
function H.start(routes)
  local dir = H.tmpdir()
  local s = setmetatable({ dir = dir, routes_file = dir .. "/routes.json", log_file = dir .. "/log.jsonl",
                           port_file = dir .. "/port" }, Server)
  s:set(routes or {})
  H.write(s.log_file, "")
  local cmd = string.format("python3 %s %s %s %s >/dev/null 2>&1 & echo $!", sh_quote(here .. "/fake_server.py"),
    sh_quote(s.routes_file), sh_quote(s.log_file), sh_quote(s.port_file))
  local p = io.popen(cmd)
  s.pid = tonumber(p:read("l"))
  p:close()
  assert(s.pid, "could not start fake_server.py")
  for _ = 1, 200 do
    local port = H.read(s.port_file)
    if port and port ~= "" then
      s.port = tonumber(port)
      break
    end
    core.sleep(0.025)
  end
  assert(s.port, "fake_server.py did not start")
  s.url = "http://127.0.0.1:" .. s.port
  return s
end

function Server:set(routes)
  H.write(self.routes_file .. ".tmp", cjson.encode({ routes = routes }))
  os.rename(self.routes_file .. ".tmp", self.routes_file)
end

function Server:log()
  local out = {}
  for line in (H.read(self.log_file) or ""):gmatch("[^\n]+") do out[#out + 1] = cjson.decode(line) end
  return out
end

function Server:requests()
  local out = {}
  for _, e in ipairs(self:log()) do
    if e.event == "request" then out[#out + 1] = e end
  end
  return out
end

function Server:connections()
  local n = 0
  for _, e in ipairs(self:log()) do
    if e.event == "connect" then n = n + 1 end
  end
  return n
end

function Server:clear() H.write(self.log_file, "") end

function Server:stop()
  if self.pid then
    os.execute("kill " .. math.floor(self.pid) .. " 2>/dev/null")
    self.pid = nil
  end
  H.rmdir(self.dir)
end

--- One route answering `responses` (tables, or a status+body shorthand).
function H.route(method, path, ...)
  local rs = {}
  for i, r in ipairs { ... } do rs[i] = r end
  return { method = method, path = path, responses = rs }
end

--- ISO 8601 for Unix seconds.
function H.iso(t) return os.date("!%Y-%m-%dT%H:%M:%SZ", math.floor(t)) end

--- STS success body.
function H.sts_xml(action, ak, sk, token, expires)
  return string.format([[<%sResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <%sResult><Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>%s</SecretAccessKey>
  <SessionToken>%s</SessionToken><Expiration>%s</Expiration></Credentials></%sResult>
  <ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></%sResponse>]],
    action, action, ak, sk, token, H.iso(expires), action, action)
end

--- Parses an application/x-www-form-urlencoded body.
function H.form(body)
  local t = {}
  for k, v in body:gmatch("([^&=]+)=([^&]*)") do
    t[k] = v:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end)
  end
  return t
end

--- An environment rooted in `dir`: HOME, both files there, IMDS off,
-- plus `extra` (false removes a variable).
function H.env(dir, extra)
  local e = { HOME = dir, AWS_CONFIG_FILE = dir .. "/config", AWS_SHARED_CREDENTIALS_FILE = dir .. "/credentials",
              AWS_EC2_METADATA_DISABLED = "true" }
  for k, v in pairs(extra or {}) do
    if v == false then e[k] = nil else e[k] = v end
  end
  return e
end

--- An executable script.
function H.script(path, body)
  H.write(path, body)
  os.execute("chmod +x " .. sh_quote(path))
  return path
end

--- True when no string value anywhere in `t` contains `secret`.
function H.holds(t, secret, seen)
  seen = seen or {}
  if type(t) == "string" then return t:find(secret, 1, true) ~= nil end
  if type(t) ~= "table" or seen[t] then return false end
  seen[t] = true
  for k, v in pairs(t) do
    if H.holds(k, secret, seen) or H.holds(v, secret, seen) then return true end
  end
  return false
end

return H
