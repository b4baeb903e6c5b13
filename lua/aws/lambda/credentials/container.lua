--- Container credentials (ECS task roles, EKS Pod Identity), active only
-- when AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI is set.
--
-- * relative URI -> http://169.254.170.2<relative> (it wins over a full URI);
-- * a full URI must be https, or http to a loopback address, 169.254.170.2,
--   169.254.170.23, fd00:ec2::23 or localhost (botocore's allow-list);
-- * the Authorization header: the file named by
--   AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, re-read on every fetch (it
--   rotates), else AWS_CONTAINER_AUTHORIZATION_TOKEN; CR or LF is refused;
-- * GET with Accept: application/json, a 2 s timeout, 3 attempts 1 s apart;
--   the answer needs AccessKeyId, SecretAccessKey, Token and Expiration.
-- @module aws.lambda.credentials.container

local cjson = require "cjson.safe"
local util = require "aws.lambda.credentials.util"
local refreshable = require "aws.lambda.credentials.refreshable"
local endpoints = require "aws.lambda.endpoints"

local type, tostring, format, match, lower, find = type, tostring, string.format, string.match,
  string.lower, string.find
local open = io.open

local M = { name = "container", TIMEOUT = 2, ATTEMPTS = 3, RETRY_SLEEP = 1, BASE = "http://169.254.170.2" }

local function fail(msg) util.retrieval_error(M.name, msg) end

local ALLOWED = { ["169.254.170.2"] = true, ["169.254.170.23"] = true, ["fd00:ec2::23"] = true,
                  ["localhost"] = true, ["::1"] = true }

-- host of an authority "host[:port]" or "[v6][:port]", lower-cased
local function host_of(authority)
  local v6 = match(authority, "^%[([^%]]+)%]")
  if v6 then return lower(v6) end
  return lower((match(authority, "^([^:]+)")))
end

local function allowed_host(h)
  return ALLOWED[h] == true or match(h, "^127%.%d+%.%d+%.%d+$") ~= nil
end

local function token(ctx, file)
  local t
  if file then
    local f = open(file, "rb")
    if not f then fail("cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE " .. file) end
    t = f:read("a")
    f:close()
  else
    t = util.nonempty(ctx.getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN"))
  end
  if t and find(t, "[\r\n]") then
    fail("the authorization token holds CR or LF, which cannot be sent in a header")
  end
  return t
end

local function fetch(ctx, url, token_file)
  local headers = { Accept = "application/json" }
  local auth = token(ctx, token_file)
  if auth then headers.Authorization = auth end
  local last
  for attempt = 1, M.ATTEMPTS do
    if attempt > 1 then ctx.sleep(M.RETRY_SLEEP) end
    local status, _, body = util.http("GET", url, headers, nil, M.TIMEOUT)
    if not status then
      last = format("%s (%s)", tostring(_), tostring(body))
    elseif status ~= 200 then
      last = format("HTTP %d from %s", status, url)
    else
      local doc = cjson.decode(body)
      if type(doc) ~= "table" then
        last = "the answer is not a JSON object"
      else
        local ak, sk, tok, exp = doc.AccessKeyId, doc.SecretAccessKey, doc.Token, doc.Expiration
        if type(ak) ~= "string" or type(sk) ~= "string" or type(tok) ~= "string" or type(exp) ~= "string" then
          fail("the answer lacks AccessKeyId, SecretAccessKey, Token or Expiration")
        end
        local expires = util.parse_time(exp)
        if not expires then fail("Expiration is not an ISO 8601 date-time") end
        return util.snapshot(M.name, ak, sk, tok, expires)
      end
    end
  end
  fail(format("%s after %d attempts", last, M.ATTEMPTS))
end

function M.load(ctx)
  local getenv = ctx.getenv
  local rel = util.nonempty(getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"))
  local full = util.nonempty(getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI"))
  local url
  if rel then
    url = M.BASE .. rel
  elseif full then
    local e = endpoints.parse(full)
    if not e then
      util.raise("InvalidConfigError", "AWS_CONTAINER_CREDENTIALS_FULL_URI is not an http(s) URL")
    end
    local h = host_of(e.authority)
    if e.scheme ~= "https" and not allowed_host(h) then
      util.raise("InvalidConfigError", format("Unsupported host %q in AWS_CONTAINER_CREDENTIALS_FULL_URI: "
        .. "http is allowed only to loopback, 169.254.170.2, 169.254.170.23, fd00:ec2::23 or localhost", h))
    end
    url = full
  else
    return nil, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI are not set"
  end
  local token_file = util.nonempty(getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"))
  local snap = fetch(ctx, url, token_file)
  return refreshable.new(M.name, function() return fetch(ctx, url, token_file) end, ctx.now, snap)
end

return M
