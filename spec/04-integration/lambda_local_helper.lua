-- Helper for busted specs (Lua 5.4): starts and stops tools/lambda-local
-- (the local Lambda endpoint on nginx) and talks to its admin API with
-- `curl`, so no socket library is needed.
--
--   local ll = require "04-integration.lambda_local_helper"
--   local srv = ll.start()               -- or ll.start{ seed = "/path/seed.json" }
--   -- srv.port, srv.pid, srv.prefix, srv.endpoint ("http://127.0.0.1:PORT")
--   srv:fault{ count = 1, kind = "throttle", retry_after = 2 }
--   srv:log()  srv:stats()  srv:state()  srv:reset()  srv:clear_faults()
--   srv.admin("GET", "stats")            -- raw admin call: decoded JSON or text, status
--   srv:stop()                           -- idempotent; call it in teardown
--   ll.credentials, ll.temp_credentials, ll.region, ll.account  -- default seed
--
-- The repo root is found from this file's own path, so specs may run from
-- any directory.

local cjson = require "cjson"

local M = {}

local function shell_quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

-- Runs a shell command, returns its output and exit code.  `env -u
-- LD_PRELOAD`: under the ASan/UBSan spec run LD_PRELOAD holds the sanitizer
-- runtimes, and a preloaded curl or nginx can hang at start-up.
local function run(cmd)
  local p = assert(io.popen("env -u LD_PRELOAD " .. cmd .. " 2>&1", "r"))
  local out = p:read("a")
  local ok, _, code = p:close()
  return out, ok and 0 or code
end

-- <repo>/spec/04-integration/lambda_local_helper.lua -> <repo>
local function repo_root()
  local src = debug.getinfo(1, "S").source
  src = src:sub(1, 1) == "@" and src:sub(2) or src
  local dir = src:match("^(.*)/[^/]*$") or "."
  local out = run("sh -c " .. shell_quote("cd " .. shell_quote(dir .. "/../..") .. " && pwd"))
  return (out:gsub("%s+$", ""))
end

M.root = repo_root()
M.script = M.root .. "/tools/lambda-local/lambda-local"
M.default_seed = M.root .. "/tools/lambda-local/seed.json"

-- Credentials of the default seed, in the shape the module's API takes.
do
  local f = io.open(M.default_seed, "rb")
  local seed = f and cjson.decode(f:read("a"))
  if f then f:close() end
  local function cred(i)
    local c = seed and seed.credentials[i]
    if not c then return nil end
    local token = c.session_token
    if token == cjson.null then token = nil end
    return {
      access_key_id = c.access_key_id,
      secret_access_key = c.secret_access_key,
      session_token = token,
    }
  end
  M.credentials = cred(1)
  M.temp_credentials = cred(2)
  M.region = seed and seed.region or "us-east-1"
  M.account = seed and seed.account or "123456789012"
end

-- lua-cjson decodes every number as a float; give integral ones back as
-- integers so that specs print and compare 4, not 4.0.
local function integers(v)
  if type(v) == "number" then return math.tointeger(v) or v end
  if type(v) == "table" then
    for k, x in pairs(v) do v[k] = integers(x) end
  end
  return v
end

local function decode(text)
  local ok, v = pcall(cjson.decode, text)
  if ok then return integers(v) end
  return text
end

-- One admin call.  path: "stats", "/stats" or "/__admin/stats" (a query
-- string may follow).  body: nil, a string, or a table (sent as JSON).
-- Returns the decoded JSON (or the text) and the HTTP status.
local function admin_call(port, method, path, body)
  path = path:gsub("^/", ""):gsub("^__admin/", "")
  local cmd = { "curl -s --noproxy '*' --max-time 30 -X", shell_quote(method),
                "-w", shell_quote("\n%{http_code}") }
  local tmp
  if body ~= nil then
    tmp = os.tmpname()
    local f = assert(io.open(tmp, "wb"))
    f:write(type(body) == "string" and body or cjson.encode(body))
    f:close()
    cmd[#cmd + 1] = "-H 'Content-Type: application/json' --data-binary @" .. shell_quote(tmp)
  end
  cmd[#cmd + 1] = shell_quote("http://127.0.0.1:" .. port .. "/__admin/" .. path)
  local out = run(table.concat(cmd, " "))
  if tmp then os.remove(tmp) end
  local text, status = out:match("^(.*)\n(%d%d%d)$")
  if not status then error("lambda-local admin " .. method .. " " .. path .. " failed: " .. out, 2) end
  return decode(text), tonumber(status)
end

local Server = {}
Server.__index = Server

-- Checks that an admin call succeeded and returns its decoded body.
local function expect_ok(srv, method, path, body)
  local v, status = admin_call(srv.port, method, path, body)
  if status ~= 200 then
    error(("lambda-local admin %s %s -> %d: %s"):format(method, path, status,
          type(v) == "table" and cjson.encode(v) or tostring(v)), 3)
  end
  return v
end

-- Queues a fault: { count = N, kind = K, ... } (see tools/lambda-local/README.md).
function Server:fault(f)
  return expect_ok(self, "POST", "faults", f)
end

function Server:clear_faults()
  return expect_ok(self, "DELETE", "faults")
end

-- Lambda requests received since the last reset (optionally after number `since`).
function Server:log(since)
  return expect_ok(self, "GET", since and ("log?since=" .. since) or "log")
end

function Server:stats()
  return expect_ok(self, "GET", "stats")
end

function Server:state()
  return expect_ok(self, "GET", "state")
end

-- seed: nil (reload the current seed), "default" (the start-up seed), a
-- path to a seed file, or a seed table.
function Server:reset(seed)
  if seed == nil then return expect_ok(self, "POST", "reset") end
  if type(seed) == "table" then return expect_ok(self, "POST", "reset", seed) end
  if seed == "default" then return expect_ok(self, "POST", "reset?seed=default") end
  local escaped = tostring(seed):gsub("[^%w%-_%./~]", function(c)
    return ("%%%02X"):format(c:byte())
  end)
  return expect_ok(self, "POST", "reset?seed=" .. escaped)
end

-- Shifts the server clock by `offset` seconds (0 restores it).
function Server:clock(offset)
  return expect_ok(self, "POST", "clock", { offset = offset })
end

-- Stops nginx and removes the prefix; safe to call more than once.
function Server:stop()
  if self.stopped then return true end
  self.stopped = true
  local out, code = run(shell_quote(M.script) .. " stop " .. shell_quote(self.prefix))
  if code ~= 0 then
    io.stderr:write("lambda-local stop failed: ", out, "\n")
    return false
  end
  return true
end

Server.__gc = Server.stop      -- last resort if a spec forgets teardown
Server.__close = Server.stop   -- local srv <close> = ll.start()

-- opts: { seed = path, port = n, workers = n }
function M.start(opts)
  opts = opts or {}
  local cmd = shell_quote(M.script) .. " start"
  if opts.seed then cmd = cmd .. " --seed " .. shell_quote(opts.seed) end
  if opts.port then cmd = cmd .. " --port " .. tonumber(opts.port) end
  if opts.workers then cmd = cmd .. " --workers " .. tonumber(opts.workers) end
  local out, code = run(cmd)
  local port, pid, prefix
  for line in out:gmatch("[^\n]+") do
    local a, b, c = line:match("^(%d+) (%d+) (/.+)$")
    if a then port, pid, prefix = tonumber(a), tonumber(b), c end
  end
  if code ~= 0 or not port then
    error("lambda-local failed to start (exit " .. tostring(code) .. "):\n" .. out, 2)
  end
  local srv = setmetatable({
    port = port,
    pid = pid,
    prefix = prefix,
    endpoint = "http://127.0.0.1:" .. port,
    stopped = false,
  }, Server)
  -- srv.admin(method, path, body) and srv:admin(method, path, body) both work.
  srv.admin = function(a, b, c, d)
    if a == srv then a, b, c = b, c, d end
    return admin_call(port, a, b, c)
  end
  return srv
end

return M
