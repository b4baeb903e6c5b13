--- AWS Signature Version 4 for Lua, signed by the C core.
--
--    local sigv4 = require "aws.lambda.sigv4"
--    local r = sigv4.sign(request, credentials, options)
--
-- request     = { method = "DELETE", url = "https://host[:port]/path?query",
--                 headers = { [name] = "value" | { "v1", "v2" } }, body = "" }
-- credentials = { access_key_id = ..., secret_access_key = ..., session_token = nil | ... }
-- options     = { region = "us-east-1", service = "lambda",
--                 time = <integer Unix seconds> | "20150830T123600Z" (default: now),
--                 normalize_path = true, sign_body = false, omit_session_token = false }
--
-- r.authorization, r.signature, r.signed_headers, r.canonical_request,
-- r.string_to_sign, and r.headers: every header
-- to send (the caller's plus Host, X-Amz-Date, X-Amz-Security-Token,
-- X-Amz-Content-SHA256 when sign_body, Authorization).
-- Bad arguments raise an error naming the argument; the secret never
-- appears in the result or in an error.
local core = require "aws.lambda.core"

local sigv4 = {}

sigv4.sign = core.sign

--- Like sign, but returns only r.headers (what a client sends): cheaper,
-- as the intermediate stages never become Lua strings.
sigv4.sign_headers = core.sign_headers

--- Signing-key cache counters: { hits = n, misses = n }.
sigv4.stats = core.sign_stats

return sigv4
