-- sigv4.sign against the official SigV4 suite and the Lambda reference
-- vectors, stage by stage, plus its argument contract.
local sigv4 = require "aws.lambda.sigv4"
local cjson = require "cjson"
local fixtures = require "helpers.fixtures"

local V4 = fixtures.path("sigv4/v4")

-- request.txt -> sigv4 request table (a repeated header becomes a list;
-- a line starting with white space continues the previous value)
local function parse_request(text)
  local line, rest = text:match("^([^\n]*)\n(.*)$")
  local method, path = line:match("^(%S+) (.*) HTTP/%d%.%d$")
  local headers, last = {}, nil
  local body = ""
  while true do
    local l, more = rest:match("^([^\n]*)\n?(.*)$")
    if l == "" then body = more; break end
    if l:match("^%s") then
      local v = headers[last]
      local add = l:match("^%s*(.-)$")
      if type(v) == "table" then v[#v] = v[#v] .. " " .. add else headers[last] = v .. " " .. add end
    else
      local name, value = l:match("^([^:]+):(.*)$")
      if headers[name] == nil then
        headers[name] = value
      elseif type(headers[name]) == "table" then
        table.insert(headers[name], value)
      else
        headers[name] = { headers[name], value }
      end
      last = name
    end
    if more == "" then break end
    rest = more
  end
  return {
    method = method,
    url = "https://" .. headers.Host .. path,
    headers = headers,
    body = body,
  }
end

local function trimmed(s) return (s:gsub("[\r\n]+$", "")) end

local function iso_to_amz(ts) return (ts:gsub("[-:]", "")) end

describe("sigv4.sign on the official SigV4 suite", function()
  local cases = fixtures.list(V4)
  it("finds all 38 cases", function()
    assert.are.equal(38, #cases)
  end)
  for _, name in ipairs(cases) do
    it(name, function()
      local dir = V4 .. "/" .. name .. "/"
      local ctx = cjson.decode(fixtures.read(dir .. "context.json"))
      local req = parse_request(fixtures.read(dir .. "request.txt"))
      local r = sigv4.sign(req, {
        access_key_id = ctx.credentials.access_key_id,
        secret_access_key = ctx.credentials.secret_access_key,
        session_token = ctx.credentials.token,
      }, {
        region = ctx.region, service = ctx.service,
        time = iso_to_amz(ctx.timestamp),
        normalize_path = ctx.normalize, sign_body = ctx.sign_body,
        omit_session_token = ctx.omit_session_token or false,
      })
      assert.are.equal(fixtures.read(dir .. "header-canonical-request.txt"), r.canonical_request)
      assert.are.equal(fixtures.read(dir .. "header-string-to-sign.txt"), r.string_to_sign)
      assert.are.equal(trimmed(fixtures.read(dir .. "header-signature.txt")), r.signature)
      local signed = fixtures.read(dir .. "header-signed-request.txt")
      assert.are.equal(signed:match("\nAuthorization:([^\n]*)"), r.authorization)
      assert.are.equal(r.authorization, r.headers.Authorization)
      assert.are.equal(signed:match("\nX%-Amz%-Date:([^\n]*)"), r.headers["X-Amz-Date"])
      if ctx.credentials.token then
        -- sent either way; signed unless omit_session_token
        assert.are.equal(ctx.credentials.token, r.headers["X-Amz-Security-Token"])
        assert.are.equal(not ctx.omit_session_token,
          r.signed_headers:find("x-amz-security-token", 1, true) ~= nil)
      end
    end)
  end
end)

describe("sigv4.sign on the Lambda reference vectors", function()
  local doc = cjson.decode(fixtures.read(fixtures.path("sigv4/lambda-vectors.json")))
  it("has 5 vectors", function() assert.are.equal(5, #doc.cases) end)
  for i, case in ipairs(doc.cases) do
    it(("#%d %s"):format(i, case.name), function()
      local line = case.request_line
      if not line then
        -- the session-token case shares the previous case's request
        local prev = doc.cases[i - 1]
        assert.are.same(prev.params, case.params)
        line = prev.request_line
      end
      local method, url = line:match("^(%S+) (.+)$")
      local headers = {}
      if case.body then headers["Content-Type"] = "application/json" end
      local r = sigv4.sign({ method = method, url = url, headers = headers, body = case.body }, {
        access_key_id = doc.credentials.access_key_id,
        secret_access_key = doc.credentials.secret_access_key,
        session_token = case.session_token,
      }, { region = doc.region, service = doc.service, time = doc.timestamp })
      if case.canonical_request then
        assert.are.equal(case.canonical_request, r.canonical_request)
      end
      assert.are.equal(case.string_to_sign, r.string_to_sign)
      assert.are.equal(case.authorization, r.authorization)
      if case.session_token then
        assert.are.equal(case.session_token, r.headers["X-Amz-Security-Token"])
      end
    end)
  end
end)

describe("sigv4.sign contract", function()
  local creds = { access_key_id = "AKIDEXAMPLE", secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" }
  local opts = { region = "us-east-1", service = "lambda", time = 1440938160 }
  local req = { method = "GET", url = "https://lambda.us-east-1.amazonaws.com:8443/base/x?b=2&a=1" }

  it("takes Unix seconds and the text form to the same date", function()
    local a = sigv4.sign(req, creds, opts)
    local b = sigv4.sign(req, creds, { region = "us-east-1", service = "lambda", time = "20150830T123600Z" })
    assert.are.equal("20150830T123600Z", a.headers["X-Amz-Date"])
    assert.are.equal(a.signature, b.signature)
  end)

  it("keeps a non-default port and the base path in what it signs", function()
    local r = sigv4.sign(req, creds, opts)
    assert.are.equal("lambda.us-east-1.amazonaws.com:8443", r.headers.Host)
    assert.truthy(r.canonical_request:find("\n/base/x\na=1&b=2\nhost:lambda.us-east-1.amazonaws.com:8443\n", 1, true))
  end)

  it("drops the default port", function()
    local r = sigv4.sign({ method = "GET", url = "http://127.0.0.1:80/" }, creds, opts)
    assert.are.equal("127.0.0.1", r.headers.Host)
  end)

  it("does not sign hop-by-hop or transport headers but still returns them", function()
    local r = sigv4.sign({ method = "GET", url = "https://h/", headers = {
      ["User-Agent"] = "x", Connection = "keep-alive", Expect = "100-continue", ["X-Amzn-Trace-Id"] = "t",
      ["X-Custom"] = "  a   b  " } }, creds, opts)
    assert.are.equal("host;x-amz-date;x-custom", r.signed_headers)
    assert.truthy(r.canonical_request:find("\nx-custom:a b\n", 1, true))
    assert.are.equal("x", r.headers["User-Agent"])
  end)

  it("adds and signs X-Amz-Content-SHA256 with sign_body", function()
    local r = sigv4.sign({ method = "POST", url = "https://h/", body = "abc" }, creds,
      { region = "us-east-1", service = "lambda", time = 0, sign_body = true })
    assert.are.equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
      r.headers["X-Amz-Content-SHA256"])
    assert.are.equal("host;x-amz-content-sha256;x-amz-date", r.signed_headers)
  end)

  it("puts no secret in the result", function()
    local r = sigv4.sign(req, creds, opts)
    local function scan(t)
      for k, v in pairs(t) do
        if type(v) == "table" then scan(v)
        else
          assert.falsy(tostring(v):find(creds.secret_access_key, 1, true), k)
        end
      end
    end
    scan(r)
  end)

  local bad = {
    { "request not a table", function() return sigv4.sign(nil, creds, opts) end, "#1" },
    { "credentials not a table", function() return sigv4.sign(req, "k", opts) end, "#2" },
    { "options not a table", function() return sigv4.sign(req, creds, 5) end, "#3" },
    { "missing url", function() return sigv4.sign({ method = "GET" }, creds, opts) end, "request.url" },
    { "relative url", function() return sigv4.sign({ method = "GET", url = "/x" }, creds, opts) end, "request.url" },
    { "ftp url", function() return sigv4.sign({ method = "GET", url = "ftp://h/" }, creds, opts) end, "request.url" },
    { "bad method", function() return sigv4.sign({ method = "GE T", url = "https://h/" }, creds, opts) end,
      "request.method" },
    { "CRLF in a header", function()
        return sigv4.sign({ method = "GET", url = "https://h/", headers = { X = "a\r\nB: c" } }, creds, opts) end,
      "request.headers" },
    { "a header key that is not a string",
      function()
        return sigv4.sign({ method = "GET", url = "https://h/", headers = { "x" } }, creds, opts) end,
      "request.headers" },
    { "the same header under two spellings", function()
        return sigv4.sign({ method = "GET", url = "https://h/", headers = { A = "1", a = "2" } }, creds, opts) end,
      "name the same header" },
    { "Host disagreeing with the url", function()
        return sigv4.sign({ method = "GET", url = "https://h/", headers = { Host = "evil" } }, creds, opts) end,
      "Host" },
    { "missing secret", function()
        return sigv4.sign(req, { access_key_id = "AKID" }, opts) end, "credentials.secret_access_key" },
    { "numeric access key", function()
        return sigv4.sign(req, { access_key_id = 5, secret_access_key = "s" }, opts) end, "credentials.access_key_id" },
    { "missing region", function()
        return sigv4.sign(req, creds, { service = "lambda" }) end, "options.region" },
    { "bad time text", function()
        return sigv4.sign(req, creds, { region = "r", service = "s", time = "2015-08-30" }) end, "options.time" },
    { "fractional time", function()
        return sigv4.sign(req, creds, { region = "r", service = "s", time = 1.5 }) end, "options.time" },
    { "non-boolean flag", function()
        return sigv4.sign(req, creds, { region = "r", service = "s", sign_body = "yes" }) end, "options.sign_body" },
  }
  for _, case in ipairs(bad) do
    it("raises a named error for " .. case[1], function()
      local ok, err = pcall(case[2])
      assert.is_false(ok)
      assert.truthy(tostring(err):find(case[3], 1, true), tostring(err))
      assert.falsy(tostring(err):find(creds.secret_access_key, 1, true))
    end)
  end

  it("sign_headers returns exactly sign's headers, for the same inputs", function()
    local hreq = { method = "POST", url = "https://h:8443/a/b?x=1", body = "{}",
                   headers = { ["Content-Type"] = "application/json", ["X-Multi"] = { "1", "2" } } }
    local tcreds = { access_key_id = "ASIAX", secret_access_key = "s", session_token = "tok" }
    local full = sigv4.sign(hreq, tcreds, opts)
    local only = sigv4.sign_headers(hreq, tcreds, opts)
    assert.are.same(full.headers, only)
    assert.is_nil(only.canonical_request)
  end)

  it("caches the signing key: a second signature the same day is a hit", function()
    local before = sigv4.stats()
    sigv4.sign(req, creds, { region = "eu-west-3", service = "lambda", time = 1440938160 })
    sigv4.sign(req, creds, { region = "eu-west-3", service = "lambda", time = 1440938161 })
    local after = sigv4.stats()
    assert.are.equal(before.misses + 1, after.misses)
    assert.are.equal(before.hits + 1, after.hits)
  end)
end)
