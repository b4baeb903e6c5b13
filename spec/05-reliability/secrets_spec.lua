-- No secret is ever printed: with distinctive credentials, failing and
-- succeeding calls over real HTTP (lambda-local) must leave the secret
-- key, the session token and every request signature out of tostring(err),
-- every field of every error and meta table (walked recursively), every
-- logger event (raw and as log.format prints it), describe(), and stderr
-- under AWS_LAMBDA_LUA_DEBUG=1.
local ll = require "04-integration.lambda_local_helper"
local lambda = require "aws.lambda"
local safe = require "aws.lambda.safe"
local core = require "aws.lambda.core"
local log = require "aws.lambda.log"
local cjson = require "cjson"

local X = lambda.exceptions

-- Distinctive values: a fragment of any of them showing up anywhere is a leak.
local AKID = "ASIASECRETSPECEXAMPLE"
local SECRET = "SeCrEtKeYzz9/Qq8+wXyZsecretspec0001"
local TOKEN = "ToKeNsecretspec/AbC+dEf0002/IQoJb3JpZ2luX2VjEPT=="
local WRONG = "WrOnGsEcReTyy7/Pp6+secretspec0003"
local FRAGMENTS = { "SeCrEtKeY", "Qq8+wXyZ", "ToKeNsecretspec", "IQoJb3JpZ2luX2VjEPT", "WrOnGsEcReT", "Pp6+secretspec" }

local GOOD = { access_key_id = AKID, secret_access_key = SECRET, session_token = TOKEN }
local BAD = { access_key_id = AKID, secret_access_key = WRONG, session_token = TOKEN }
local GP = { FunctionName = "my-function", Qualifier = "PROD" }

local srv
local signatures -- hex signatures of every request sent, collected by the transport

-- The default seed with our credential as the only one.
local function seed()
  local f = assert(io.open(ll.default_seed, "rb"))
  local s = cjson.decode(f:read("a"))
  f:close()
  s.credentials = { { access_key_id = AKID, secret_access_key = SECRET, session_token = TOKEN } }
  return s
end

-- The real transport, wrapped to note each request's signature.
local function recording_transport(opts)
  local http = core.http_new(opts or { connect_timeout = 2, read_timeout = 2 })
  return {
    request = function(_, method, url, headers, body, ropts)
      local sig = tostring(headers.Authorization):match("Signature=(%x+)")
      assert(sig, "a request without a signature")
      signatures[#signatures + 1] = sig
      return http:request(method, url, headers, body, ropts)
    end,
    close = function() http:close() end,
  }
end

-- Every needle: the secret fragments and every signature sent so far.
local function needles()
  local list = {}
  for _, f in ipairs(FRAGMENTS) do list[#list + 1] = f end
  for _, s in ipairs(signatures) do list[#list + 1] = s end
  return list
end

local function assert_clean(text, where)
  text = tostring(text)
  for _, n in ipairs(needles()) do
    assert.is_nil(text:find(n, 1, true), ("%s leaks %q:\n%s"):format(where, n, text))
  end
end

-- Walks a value (keys and values, nested tables, cycles allowed).
local function walk(v, where, seen)
  seen = seen or {}
  if type(v) == "string" or type(v) == "number" then
    assert_clean(v, where)
  elseif type(v) == "table" and not seen[v] then
    seen[v] = true
    for k, x in next, v do
      walk(k, where .. " (a key)", seen)
      walk(x, where .. "." .. tostring(k), seen)
    end
  end
end

-- A client with a logger that keeps every event and its printed form.
local function client(cfg)
  local events, lines = {}, {}
  local o = {
    region = ll.region, endpoint_url = srv.endpoint, credentials = GOOD,
    transport = recording_transport(), sleep = function() end, random = function() return 0.5 end,
    logger = function(ev)
      events[#events + 1] = ev
      lines[#lines + 1] = log.format(ev)
    end,
  }
  for k, v in pairs(cfg or {}) do o[k] = v end
  return lambda.new(o), events, lines
end

-- Runs a call on c and checks everything it left behind.
local function run(c, events, lines, method, params, call_opts)
  local ok, r, meta = pcall(c[method], c, params, call_opts)
  if not ok then
    assert.is_true(X.Error:match(r), "not an error table: " .. tostring(r))
    assert_clean(tostring(r), "tostring(err)")
    assert_clean(r.message, "err.message")
    walk(r, "err")
  else
    walk(r, "result")
    walk(meta, "meta")
  end
  walk(events, "logger events")
  for i, line in ipairs(lines) do assert_clean(line, "log line " .. i) end
  walk(c:describe(), "describe()")
  assert.is_true(#signatures > 0)
  return ok, r, meta
end

describe("secrets never printed (lambda-local)", function()
  setup(function() srv = ll.start() end)
  teardown(function() if srv then srv:stop() end end)
  before_each(function()
    srv:reset(seed())
    signatures = {}
  end)

  it("succeeding calls: GetPolicy, AddPermission, RemovePermission", function()
    local c, events, lines = client()
    assert.is_true((run(c, events, lines, "get_policy", GP)))
    assert.is_true((run(c, events, lines, "add_permission", { FunctionName = "my-function", Qualifier = "PROD",
      StatementId = "s3", Action = "lambda:InvokeFunction", Principal = "s3.amazonaws.com" })))
    assert.is_true((run(c, events, lines, "remove_permission",
      { FunctionName = "my-function", Qualifier = "PROD", StatementId = "s3" })))
    assert.are.equal(3, #signatures)
    -- the logger did see the requests, with the secrets replaced
    local req = events[1]
    assert.are.equal("request", req.event)
    assert.truthy(req.headers.Authorization:find("Signature=<redacted>", 1, true), req.headers.Authorization)
    assert.are.equal("<redacted>", req.headers["X-Amz-Security-Token"])
    for _, e in ipairs(srv:log()) do assert.are.equal("ok", e.signature) end
  end)

  it("InvalidSignatureException whose message echoes the canonical request with the token", function()
    local c, events, lines = client { credentials = BAD }
    local ok, err = run(c, events, lines, "get_policy", GP)
    assert.is_false(ok)
    assert.are.equal("InvalidSignatureException", err.code)
    -- the echo is there, with the token redacted
    assert.truthy(err.message:find("The Canonical String for this request should have been", 1, true))
    assert.truthy(err.message:find("x-amz-security-token:<redacted>", 1, true), err.message)
  end)

  it("retries (throttling, 5xx, dropped connections) and their retry events", function()
    srv:fault { count = 1, kind = "throttle", retry_after = 1 }
    srv:fault { count = 1, kind = "status", status = 503, body = "html" }
    local c, events, lines = client()
    local ok, _, meta = run(c, events, lines, "get_policy", GP)
    assert.is_true(ok)
    assert.are.equal(3, meta.attempts)
    srv:fault { count = 3, kind = "drop" }
    local c2, ev2, lines2 = client() -- a fresh connection: see fault_matrix_spec on kept-alive ones
    assert.is_false((run(c2, ev2, lines2, "get_policy", GP)))
    for _, e in ipairs(ev2) do events[#events + 1] = e end
    local retries = 0
    for _, e in ipairs(events) do if e.event == "retry" then retries = retries + 1 end end
    assert.are.equal(4, retries)
  end)

  it("a clock 20 minutes off, corrected from the Date header", function()
    srv:clock(1200)
    local c, events, lines = client()
    local ok, _, meta = run(c, events, lines, "get_policy", GP)
    assert.is_true(ok)
    assert.are.equal(2, meta.attempts)
  end)

  it("read timeouts, refused connections and malformed bodies", function()
    srv:fault { count = 2, kind = "delay", seconds = 0.5 }
    local c, events, lines = client { transport = recording_transport { read_timeout = 0.1 }, max_attempts = 2 }
    assert.is_false((run(c, events, lines, "get_policy", GP)))
    local p = assert(io.popen("python3 -c 'import socket\n"
      .. "s = socket.socket(); s.bind((\"127.0.0.1\", 0)); print(s.getsockname()[1]); s.close()'"))
    local port = assert(tonumber(p:read("a")))
    p:close()
    local c2, ev2, lines2 = client { endpoint_url = "http://127.0.0.1:" .. port }
    assert.is_false((run(c2, ev2, lines2, "get_policy", GP)))
    srv:fault { count = 1, kind = "malformed" }
    assert.is_false((run(c, events, lines, "get_policy", GP)))
  end)

  it("ResourceNotFoundException, with and without missing_ok", function()
    local c, events, lines = client()
    local params = { FunctionName = "my-function", Qualifier = "PROD", StatementId = "nope" }
    assert.is_false((run(c, events, lines, "remove_permission", params)))
    assert.is_true((run(c, events, lines, "remove_permission", params, { missing_ok = true })))
  end)

  -- a debugging proxy or a broken gateway may echo what it received
  it("a server that echoes the request's Authorization header in its error", function()
    local auth = "AWS4-HMAC-SHA256 Credential=" .. AKID .. "/20261126/us-east-1/lambda/aws4_request, "
      .. "SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=" .. ("ab12"):rep(16)
    signatures[#signatures + 1] = ("ab12"):rep(16)
    srv:fault { count = 1, kind = "code", status = 400, code = "BadRequest",
                message = "bad request; Authorization: " .. auth .. "; X-Amz-Security-Token: " .. TOKEN }
    local c, events, lines = client()
    assert.is_false((run(c, events, lines, "get_policy", GP)))
  end)

  it("a server that echoes the token and the secret without naming them", function()
    srv:fault { count = 1, kind = "code", status = 400, code = "BadRequest",
                message = "the token " .. TOKEN .. " signed with " .. SECRET .. " is not valid" }
    local c, events, lines = client()
    assert.is_false((run(c, events, lines, "get_policy", GP)))
  end)

  it("bad parameters and bad options", function()
    local c, events, lines = client()
    signatures[1] = ("0"):rep(64) -- nothing is signed here
    local ok, err = pcall(c.get_policy, c, { FunctionName = "a/b", Extra = SECRET })
    assert.is_false(ok)
    walk(err, "err")
    assert_clean(tostring(err), "tostring(err)")
    local sc, serr = safe.new { region = ll.region, credentials = { access_key_id = AKID, secret_access_key = 42 } }
    assert.is_nil(sc)
    walk(serr, "err")
    local sc2, serr2 = safe.new { region = ll.region, credentials = GOOD, bogus = SECRET }
    assert.is_nil(sc2)
    walk(serr2, "err")
    assert.are.same({}, events)
    assert.are.same({}, lines)
  end)

  it("a session token with a line break is refused without showing it", function()
    local c, events, lines = client { credentials = { access_key_id = AKID, secret_access_key = SECRET,
                                                      session_token = "ToKeNsecretspec\r\nX: 1" } }
    signatures[1] = ("0"):rep(64)
    local ok, err = pcall(c.get_policy, c, GP)
    assert.is_false(ok)
    assert_clean(tostring(err), "the error")
    walk(err, "err")
    walk(events, "events")
    walk(lines, "lines")
    assert.are.equal(0, srv:stats().requests)
  end)

  it("AWS_LAMBDA_LUA_DEBUG=1 prints requests, responses and retries to stderr, without secrets", function()
    local script = os.tmpname()
    local errfile = os.tmpname()
    local f = assert(io.open(script, "wb"))
    f:write(([[
package.path = %q
package.cpath = %q
local lambda = require "aws.lambda"
local core = require "aws.lambda.core"
local http = core.http_new{}
local function client(secret)
  return lambda.new{ region = %q, endpoint_url = %q, sleep = function() end,
    credentials = { access_key_id = %q, secret_access_key = secret, session_token = %q },
    transport = { close = function() http:close() end, request = function(_, m, u, h, b, o)
      io.stdout:write(h.Authorization:match("Signature=(%%x+)"), "\n")
      return http:request(m, u, h, b, o)
    end } }
end
local gp = { FunctionName = "my-function", Qualifier = "PROD" }
local good = client(%q)
print(pcall(good.get_policy, good, gp))          -- a throttle, a 503, then success
local bad = client(%q)
print(pcall(bad.get_policy, bad, gp))            -- InvalidSignatureException
print(pcall(good.get_policy, good, gp))          -- the token echoed in an error
]]):format(package.path, package.cpath, ll.region, srv.endpoint, AKID, TOKEN, SECRET, WRONG))
    f:close()
    srv:fault { count = 1, kind = "throttle" }
    srv:fault { count = 1, kind = "status", status = 503 }
    srv:fault { count = 1, kind = "code", status = 400, code = "BadRequest", type = false,
                message = "echo: x-amz-security-token: " .. TOKEN }
    local p = assert(io.popen(("AWS_LAMBDA_LUA_DEBUG=1 %q %q 2>%q"):format(
      arg and arg[-1] or "lua5.4", script, errfile)))
    for line in p:lines() do
      local sig = line:match("^(%x+)$")
      if sig then signatures[#signatures + 1] = sig end
    end
    p:close()
    local ef = assert(io.open(errfile, "rb"))
    local stderr = ef:read("a")
    ef:close()
    os.remove(script)
    os.remove(errfile)
    assert.are.equal(5, #signatures)
    -- the debug output is there: 5 requests, 5 responses, 2 retries
    local _, nreq = stderr:gsub("aws%.lambda request", "")
    local _, nretry = stderr:gsub("aws%.lambda retry", "")
    assert.are.equal(5, nreq, stderr)
    assert.are.equal(2, nretry, stderr)
    assert_clean(stderr, "stderr")
  end)
end)
