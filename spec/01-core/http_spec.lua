-- The lambda.http binding: its Lua contract (arguments, lifecycle, the
-- nil-kind-reason failure triple), and a real round trip against a small
-- Python HTTP/1.1 server started for this file.  The socket-level cases
-- (timeouts, dropped connections, size caps) are covered by spec/c/test_http.c.
local core = require "aws.lambda.core"

local SERVER = [=[
import http.server, sys

class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a):
        pass
    def reply(self, status, headers, body):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
    def handle_one(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        if self.path == "/echo":
            lines = [self.command + " " + self.path]
            for k, v in self.headers.items():
                lines.append(k + ": " + v)
            out = ("\n".join(lines) + "\n\n").encode() + body
            self.reply(200, [("Content-Type", "text/plain"), ("X-Multi", "a"),
                             ("X-Multi", "b"), ("X-Amzn-RequestId", "req-1")], out)
        elif self.path == "/error412":
            self.reply(412, [("Content-Type", "application/json"),
                             ("x-amzn-ErrorType", "PreconditionFailedException"),
                             ("x-amzn-RequestId", "9f89d509-063e-4b8c-a3ae-1848cc7c0701")],
                       b'{"Type":"User","message":"The Revision Id provided does not match"}')
        elif self.path == "/throttle":
            self.reply(429, [("x-amzn-ErrorType",
                              "TooManyRequestsException:http://internal.amazon.com/coral/x/"),
                             ("Retry-After", "2")],
                       b'{"Reason":"CallerRateLimitExceeded","Type":"User","message":"Rate exceeded"}')
        elif self.path == "/longheader":
            name = "X-" + "Long" * 100
            self.reply(200, [(name, "1"), (name, "2"), ("X-Short", "s")], b"ok")
        elif self.path == "/empty503":
            self.reply(503, [], b"")
        else:
            self.reply(404, [], b"")
    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = handle_one

srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
srv.serve_forever()
]=]

local function sleep(s) os.execute("sleep " .. s) end

-- a port where nothing listens (an ephemeral one from a socket just closed
-- would race; 9 is "discard", normally unused)
local REFUSED = "http://127.0.0.1:9/"

describe("lambda.http", function()
  describe("http_new", function()
    it("accepts no options, an empty table and every option", function()
      core.http_new():close()
      core.http_new({}):close()
      local h = core.http_new{ connect_timeout = 1.5, read_timeout = 0.001, ca_bundle = nil,
                               verify = false, max_response = 1024 }
      assert.equal("lambda.http (open)", tostring(h))
      h:close()
    end)

    it("raises on bad options, naming them", function()
      assert.has_error(function() core.http_new("x") end)
      assert.error_matches(function() core.http_new{ conect_timeout = 1 } end, "unknown option 'conect_timeout'")
      assert.error_matches(function() core.http_new{ [1] = true } end, "unknown option")
      assert.error_matches(function() core.http_new{ connect_timeout = 0 } end, "connect_timeout")
      assert.error_matches(function() core.http_new{ read_timeout = -1 } end, "read_timeout")
      assert.error_matches(function() core.http_new{ read_timeout = "5" } end, "read_timeout")
      assert.error_matches(function() core.http_new{ read_timeout = 0/0 } end, "read_timeout")
      assert.error_matches(function() core.http_new{ connect_timeout = math.huge } end, "connect_timeout")
      assert.error_matches(function() core.http_new{ verify = "yes" } end, "verify")
      assert.error_matches(function() core.http_new{ max_response = 1.5 } end, "max_response")
      assert.error_matches(function() core.http_new{ max_response = 0 } end, "max_response")
      assert.error_matches(function() core.http_new{ ca_bundle = 5 } end, "ca_bundle")
      assert.error_matches(function() core.http_new{ ca_bundle = "a\0b" } end, "ca_bundle")
    end)
  end)

  describe("lifecycle", function()
    it("close is idempotent and tostring shows the state", function()
      local h = core.http_new()
      assert.equal("lambda.http (open)", tostring(h))
      h:close()
      assert.equal("lambda.http (closed)", tostring(h))
      h:close()
      assert.equal("lambda.http (closed)", tostring(h))
    end)

    it("raises when a closed handle is used", function()
      local h = core.http_new()
      h:close()
      assert.error_matches(function() h:request("GET", REFUSED) end, "attempt to use a closed lambda.http", 1, true)
      assert.error_matches(function() h:stats() end, "attempt to use a closed lambda.http", 1, true)
    end)

    it("close, __gc and __close are one function", function()
      local mt = getmetatable(core.http_new())
      assert.equal(mt.__index.close, mt.__gc)
      assert.equal(mt.__gc, mt.__close)
      assert.equal("lambda.http", mt.__name)
    end)

    it("closes with local <close>", function()
      local ref
      do
        local h <close> = core.http_new()
        ref = h
        assert.equal("lambda.http (open)", tostring(h))
      end
      assert.equal("lambda.http (closed)", tostring(ref))
      -- and also when the block is left by an error
      local ok = pcall(function()
        local h <close> = core.http_new()
        ref = h
        error("boom")
      end)
      assert.is_false(ok)
      assert.equal("lambda.http (closed)", tostring(ref))
    end)

    it("is collected (open or closed) without trouble", function()
      local weak = setmetatable({}, { __mode = "v" })
      weak[1] = core.http_new()
      weak[2] = core.http_new()
      weak[2]:close()
      collectgarbage()
      collectgarbage()
      assert.is_nil(weak[1])
      assert.is_nil(weak[2])
    end)

    it("rejects a foreign self", function()
      local mt = getmetatable(core.http_new())
      assert.has_error(function() mt.__index.request({}, "GET", REFUSED) end)
      assert.has_error(function() mt.__index.close(io.stdout) end)
    end)
  end)

  describe("request arguments", function()
    local h
    before_each(function() h = core.http_new{ connect_timeout = 2, read_timeout = 2 } end)
    after_each(function() h:close() end)

    it("raises on misuse, naming the argument", function()
      assert.error_matches(function() h:request() end, "bad argument #1 to 'request'")
      assert.error_matches(function() h:request("", REFUSED) end, "bad argument #1 to 'request'")
      assert.error_matches(function() h:request("GET") end, "bad argument #2 to 'request'")
      assert.error_matches(function() h:request("GET", "http://x\0y") end, "bad argument #2")
      assert.error_matches(function() h:request("GET", REFUSED, 5) end, "bad argument #3")
      assert.error_matches(function() h:request("GET", REFUSED, { [1] = "x" }) end, "header names must be strings")
      assert.error_matches(function() h:request("GET", REFUSED, { A = 5 }) end, "header 'A'")
      assert.error_matches(function() h:request("GET", REFUSED, { A = { "x", 5 } }) end, "header 'A'")
      assert.error_matches(function() h:request("GET", REFUSED, { ["Bad Name"] = "x" }) end,
                           "bad argument #3 to 'request' %(invalid header name or value%)")
      assert.error_matches(function() h:request("GET", REFUSED, { A = "x\r\nB: y" }) end, "bad argument #3")
      assert.error_matches(function() h:request("GE T", REFUSED) end, "bad argument #1")
      assert.error_matches(function() h:request("POST", REFUSED, nil, 5) end, "bad argument #4")
      assert.error_matches(function() h:request("POST", REFUSED, nil, nil, 5) end, "bad argument #5")
      assert.error_matches(function() h:request("POST", REFUSED, nil, nil, { timeout = 0 }) end,
                           "bad argument #5 to 'request' %('timeout'")
    end)

    it("survives Lua code closing the handle mid-call", function()
      local opts = setmetatable({}, { __index = function() h:close() end })
      assert.error_matches(function() h:request("GET", REFUSED, nil, nil, opts) end, "closed lambda.http", 1, true)
    end)
  end)

  describe("transport failures", function()
    it("returns nil, 'EndpointConnectionError', libcurl's reason when refused", function()
      local h <close> = core.http_new{ connect_timeout = 2 }
      local status, kind, reason = h:request("GET", REFUSED)
      assert.is_nil(status)
      assert.equal("EndpointConnectionError", kind)
      assert.matches("Failed to connect to 127.0.0.1 port 9", reason, 1, true)
      local st = h:stats()
      assert.equal(1, st.requests)
      assert.equal(0, st.connections)
    end)

    it("returns 'HTTPClientError' for a URL libcurl cannot use", function()
      local h <close> = core.http_new()
      local status, kind, reason = h:request("GET", "ftp://127.0.0.1/")
      assert.is_nil(status)
      assert.equal("HTTPClientError", kind)
      assert.is_string(reason)
    end)
  end)

  describe("against a local server", function()
    local pid, portfile, script, base

    setup(function()
      script, portfile = os.tmpname(), os.tmpname()
      os.remove(portfile)
      local f = assert(io.open(script, "w"))
      f:write(SERVER)
      f:close()
      local p = assert(io.popen("python3 " .. script .. " " .. portfile .. " >/dev/null 2>&1 & echo $!"))
      pid = tonumber(p:read("*l"))
      p:close()
      assert.is_number(pid)
      local port
      for _ = 1, 100 do
        local pf = io.open(portfile)
        if pf then
          port = pf:read("*l")
          pf:close()
          break
        end
        sleep(0.05)
      end
      assert.is_truthy(port, "the test server did not start")
      base = "http://127.0.0.1:" .. port
    end)

    teardown(function()
      if pid then os.execute("kill " .. pid) end
      os.remove(script)
      os.remove(portfile)
    end)

    it("round-trips headers and body, keeping the connection alive", function()
      local h <close> = core.http_new{ connect_timeout = 5, read_timeout = 5 }
      local status, headers, body = h:request("POST", base .. "/echo",
        { ["X-Custom"] = "v1", ["X-Dup"] = { "a", "b" }, ["Content-Type"] = "application/json" },
        '{"k":1}', { timeout = 5 })
      assert.equal(200, status)
      assert.matches("^POST /echo\n", body)
      assert.matches("\nX%-Custom: v1\n", body)
      assert.matches("\nX%-Dup: a\nX%-Dup: b\n", body)
      assert.matches("\nContent%-Type: application/json\n", body)
      assert.matches("\nContent%-Length: 7\n", body)
      assert.matches('\n\n{"k":1}$', body)
      assert.is_nil(body:find("\nAccept", 1, true))
      assert.is_nil(body:find("\nExpect", 1, true))
      -- response headers: lower-cased names, repeats joined
      assert.equal("a, b", headers["x-multi"])
      assert.equal("text/plain", headers["content-type"])
      assert.equal("req-1", headers["x-amzn-requestid"])
      assert.is_nil(headers["X-Multi"])
      for _ = 1, 2 do
        status, _, body = h:request("DELETE", base .. "/echo")
        assert.equal(200, status)
        assert.matches("^DELETE /echo\n", body)
        assert.matches("\nContent%-Length: 0\n", body)
      end
      status, headers, body = h:request("GET", base .. "/echo", {})
      assert.equal(200, status)
      assert.equal("a, b", headers["x-multi"])
      assert.is_nil(body:find("Content-Length", 1, true))
      local st = h:stats()
      assert.equal(4, st.requests)
      assert.equal(1, st.connections)
      assert.is_true(st.last_total > 0)
      assert.is_number(st.last_connect)
      assert.is_number(st.last_first_byte)
    end)

    it("returns error statuses as responses, with an empty body as \"\"", function()
      local h <close> = core.http_new()
      local status, _, body = h:request("HEAD", base .. "/echo")
      assert.equal(200, status)
      assert.equal("", body)
      local headers
      status, headers, body = h:request("GET", base .. "/empty503")
      assert.equal(503, status)
      assert.equal("", body)
      assert.equal("0", headers["content-length"])
      local e = core.parse_error(status, headers, body)
      assert.same({ code = "503", message = "Service Unavailable" }, e)
    end)

    it("feeds parse_error", function()
      local h <close> = core.http_new()
      local status, headers, body = h:request("DELETE", base .. "/error412")
      assert.equal(412, status)
      assert.same({ code = "PreconditionFailedException", type = "User",
                    message = "The Revision Id provided does not match",
                    request_id = "9f89d509-063e-4b8c-a3ae-1848cc7c0701" },
                  core.parse_error(status, headers, body))
      status, headers, body = h:request("GET", base .. "/throttle")
      assert.equal(429, status)
      assert.same({ code = "TooManyRequestsException", type = "User", message = "Rate exceeded",
                    reason = "CallerRateLimitExceeded", retry_after = 2 },
                  core.parse_error(status, headers, body))
    end)

    it("lower-cases and joins long header names too", function()
      local h <close> = core.http_new()
      local status, headers, body = h:request("GET", base .. "/longheader")
      assert.equal(200, status)
      assert.equal("ok", body)
      assert.equal("1, 2", headers["x-" .. string.rep("long", 100)])
      assert.equal("s", headers["x-short"])
    end)

    it("survives finalizers closing the handle in the middle of a request", function()
      local outcomes = {}
      collectgarbage("incremental", 1, 1000) -- a GC step at nearly every allocation
      local h = core.http_new()
      for _ = 1, 40 do
        setmetatable({}, { __gc = function() h:close() end })
        local ok, status = pcall(h.request, h, "GET", base .. "/echo", { ["X-A"] = "1" }, nil, { timeout = 5 })
        if ok then
          outcomes[status and "response" or "failure"] = true
        else
          assert.matches("closed", status)
          outcomes.raised = true
        end
        if tostring(h) == "lambda.http (closed)" then h = core.http_new() end
      end
      collectgarbage("incremental", 200, 100) -- Lua 5.4's defaults
      h:close()
      assert.is_true(outcomes.response or outcomes.raised)
    end)

    it("reports a response over max_response as ResponseTooLarge", function()
      local h <close> = core.http_new{ max_response = 10 }
      local status, kind, reason = h:request("GET", base .. "/echo")
      assert.is_nil(status)
      assert.equal("ResponseTooLarge", kind)
      assert.is_string(reason)
    end)
  end)
end)
