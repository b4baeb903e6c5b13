-- luacheck: std ngx_lua
-- Shared state of lambda-local, kept in nginx shared dicts so that it
-- survives across requests (and is consistent across workers):
--
--   ll_state  "meta"        region, account, partition, credentials (JSON)
--             "fn:<name>"   one function: versions, aliases, policies and
--                           revision ids per qualifier (JSON)
--             "seed"        the current seed text (reloaded by reset)
--             "seed0"       the seed the server started with
--             "faults"      FIFO list of queued faults (one JSON per request)
--             "clock"       clock offset in seconds (tests of skew handling)
--             "lock"        mutex for read-modify-write of a function
--   ll_log    "seq"         number of Lambda requests logged since reset
--             "log:<n>"     request n (JSON); only the last LOG_MAX are kept
--             "connections" distinct connection serials seen since reset
--             "conn:<id>"   marker per connection serial
--
-- Functions are keyed by name; qualifiers: "" = unqualified ($LATEST),
-- a version number, or an alias name.

local cjson = require "cjson"
local crypto = require "lambda_local.crypto"

local ngx = ngx
local type, pairs, ipairs, tostring, error, pcall = type, pairs, ipairs, tostring, error, pcall

local state = ngx.shared.ll_state
local logd = ngx.shared.ll_log

local M = {}

M.LOG_MAX = 50000          -- log entries kept (older ones are dropped)
M.FAULT_COUNT_MAX = 10000  -- a queued fault applies to at most this many requests

local null = cjson.null

local function is_str(v) return type(v) == "string" and v ~= "" end

---------------------------------------------------------------------------
-- Seed loading
---------------------------------------------------------------------------

-- Turns a decoded seed into { meta = ..., functions = { name -> fn } },
-- raising a readable error on malformed input.
local function normalize_seed(seed)
  if type(seed) ~= "table" then error("seed: top level must be a JSON object", 0) end
  local meta = {
    region = seed.region or "us-east-1",
    account = seed.account or "123456789012",
    partition = seed.partition or "aws",
    credentials = {},
  }
  if not is_str(meta.region) then error("seed: region must be a string", 0) end
  if not (type(meta.account) == "string" and meta.account:match("^%d%d%d%d%d%d%d%d%d%d%d%d$")) then
    error("seed: account must be a 12-digit string", 0)
  end
  if type(seed.credentials) ~= "table" or #seed.credentials == 0 then
    error("seed: credentials must be a non-empty array", 0)
  end
  for i, c in ipairs(seed.credentials) do
    if not (type(c) == "table" and is_str(c.access_key_id) and is_str(c.secret_access_key)) then
      error("seed: credentials[" .. i .. "] needs access_key_id and secret_access_key", 0)
    end
    local token = c.session_token
    if token == null or token == "" then token = nil end
    meta.credentials[c.access_key_id] = {
      secret_access_key = c.secret_access_key,
      session_token = token,
    }
  end

  local functions = {}
  for i, f in ipairs(seed.functions or {}) do
    if type(f) ~= "table" or not is_str(f.name) then
      error("seed: functions[" .. i .. "] needs a name", 0)
    end
    local fn = {
      name = f.name,
      versions = {},
      aliases = {},
      block_public_policy = f.block_public_policy == true,
      policies = {},
      revisions = {},
    }
    for _, v in ipairs(f.versions or {}) do fn.versions[tostring(v)] = true end
    for alias, target in pairs(f.aliases or {}) do fn.aliases[alias] = tostring(target) end
    for qualifier, policy in pairs(f.policies or {}) do
      if qualifier == "$LATEST" then qualifier = "" end
      if qualifier ~= "" and not fn.versions[qualifier] and not fn.aliases[qualifier] then
        error("seed: function " .. f.name .. " has a policy for unknown qualifier "
              .. qualifier, 0)
      end
      -- Either an array of statements or a whole policy document.
      local statements = policy
      if type(policy) == "table" and policy.Statement then statements = policy.Statement end
      if type(statements) ~= "table" then
        error("seed: policy of " .. f.name .. ":" .. qualifier .. " must be an array", 0)
      end
      if #statements > 0 then fn.policies[qualifier] = statements end
    end
    -- Every valid qualifier gets a RevisionId, fixed by the seed if asked.
    local fixed = f.revision_ids or {}
    local function rev(q)
      local r = fixed[q] or (q == "" and fixed["$LATEST"]) or nil
      fn.revisions[q] = is_str(r) and r or crypto.uuid4()
    end
    rev("")
    for v in pairs(fn.versions) do rev(v) end
    for a in pairs(fn.aliases) do rev(a) end
    functions[f.name] = fn
  end
  return { meta = meta, functions = functions }
end

local function wipe_state()
  local keys = state:get_keys(0)
  for _, k in ipairs(keys) do
    if k ~= "lock" and k ~= "seed0" then state:delete(k) end
  end
end

local function clear_log()
  logd:flush_all()
  logd:flush_expired()
  logd:set("seq", 0)
  logd:set("connections", 0)
end

-- Replaces the whole state by the seed text.  No lock here: callers hold it
-- (or run in init_by_lua, before any request).
local function load_seed_text(text)
  local ok, seed = pcall(cjson.decode, text)
  if not ok then error("seed: invalid JSON: " .. tostring(seed), 0) end
  local n = normalize_seed(seed)
  wipe_state()
  state:set("meta", cjson.encode(n.meta))
  for name, fn in pairs(n.functions) do
    local okset, err = state:safe_set("fn:" .. name, cjson.encode(fn))
    if not okset then error("seed: cannot store function " .. name .. ": " .. err, 0) end
  end
  state:set("seed", text)
  clear_log()
end

local function read_file(path)
  local f, err = io.open(path, "rb")
  if not f then error("seed: cannot open " .. tostring(err), 0) end
  local text = f:read("*a")
  f:close()
  return text
end

-- init_by_lua: load the start-up seed.
function M.init(seed_path)
  local text = read_file(seed_path)
  state:set("lock", nil)
  load_seed_text(text)
  state:set("seed0", text)
end

---------------------------------------------------------------------------
-- Locking
---------------------------------------------------------------------------

-- Runs fn(...) holding the state lock; re-raises its error after unlocking.
local function with_lock(fn, ...)
  local deadline = ngx.now() + 5
  while not state:add("lock", true, 10) do
    if ngx.now() > deadline then error("lambda-local: state lock timeout", 0) end
    ngx.sleep(0.001)
    ngx.update_time()
  end
  local ok, a, b, c = pcall(fn, ...)
  state:delete("lock")
  if not ok then error(a, 0) end
  return a, b, c
end
M.with_lock = with_lock

-- Admin reset: text = a new seed, "default" = the start-up seed, nil = the
-- current seed.  Also clears the log, the faults and the clock offset.
function M.reset(text)
  return with_lock(function()
    if text == "default" then text = state:get("seed0") end
    text = text or state:get("seed")
    load_seed_text(text)
    return true
  end)
end

function M.reset_from_file(path)
  return M.reset(read_file(path))
end

---------------------------------------------------------------------------
-- Accessors
---------------------------------------------------------------------------

-- The decoded meta is cached per worker and re-decoded only when the
-- stored text changes (string equality is a pointer compare in LuaJIT).
local meta_text, meta_cache
function M.meta()
  local text = state:get("meta")
  if text ~= meta_text then
    meta_cache = cjson.decode(text)
    meta_text = text
  end
  return meta_cache
end

function M.get_function(name)
  local text = state:get("fn:" .. name)
  return text and cjson.decode(text) or nil
end

function M.put_function(fn)
  local ok, err = state:safe_set("fn:" .. fn.name, cjson.encode(fn))
  if not ok then error("lambda-local: cannot store function: " .. tostring(err), 0) end
end

-- Debug view of every function.
function M.dump()
  local meta = cjson.decode(state:get("meta"))
  for _, c in pairs(meta.credentials) do c.secret_access_key = "REDACTED" end
  local out = { meta = meta, functions = {} }
  for _, k in ipairs(state:get_keys(0)) do
    if k:sub(1, 3) == "fn:" then
      local fn = cjson.decode(state:get(k))
      out.functions[fn.name] = fn
    end
  end
  out.clock_offset = M.clock_offset()
  return out
end

---------------------------------------------------------------------------
-- Clock (an offset lets tests simulate client clock skew)
---------------------------------------------------------------------------

function M.clock_offset()
  return state:get("clock") or 0
end

function M.set_clock_offset(seconds)
  state:set("clock", seconds)
end

function M.now()
  return ngx.time() + M.clock_offset()
end

---------------------------------------------------------------------------
-- Faults: a FIFO of JSON objects, one entry per request to fault
---------------------------------------------------------------------------

function M.push_fault(fault, count)
  local text = cjson.encode(fault)
  for _ = 1, count do
    local len, err = state:rpush("faults", text)
    if not len then error("lambda-local: cannot queue fault: " .. tostring(err), 0) end
  end
  return state:llen("faults") or 0
end

function M.pop_fault()
  local text = state:lpop("faults")
  return text and cjson.decode(text) or nil
end

function M.pending_faults()
  local out = {}
  local n = state:llen("faults") or 0
  -- Pop and push back to read the list: dicts have no "peek range".
  for _ = 1, n do
    local text = state:lpop("faults")
    if not text then break end
    out[#out + 1] = cjson.decode(text)
    state:rpush("faults", text)
  end
  return out
end

function M.clear_faults()
  local n = state:llen("faults") or 0
  state:delete("faults")
  return n
end

---------------------------------------------------------------------------
-- Request log
---------------------------------------------------------------------------

-- Reserves the next request number (arrival order).
function M.next_seq()
  return logd:incr("seq", 1, 0)
end

function M.append_log(entry)
  local n = entry.n
  logd:safe_set("log:" .. n, cjson.encode(entry))
  if n > M.LOG_MAX then logd:delete("log:" .. (n - M.LOG_MAX)) end
  if logd:add("conn:" .. tostring(entry.connection), true) then
    logd:incr("connections", 1, 0)
  end
end

-- Entries with number > since, in order.  Holes (evicted or still being
-- handled) are skipped.
function M.log_entries(since)
  local last = logd:get("seq") or 0
  local first = (since or 0) + 1
  if last - first >= M.LOG_MAX then first = last - M.LOG_MAX + 1 end
  local out = {}
  for n = first, last do
    local text = logd:get("log:" .. n)
    if text then out[#out + 1] = cjson.decode(text) end
  end
  return out
end

function M.stats()
  return {
    requests = logd:get("seq") or 0,
    connections = logd:get("connections") or 0,
  }
end

M.clear_log = clear_log

return M
