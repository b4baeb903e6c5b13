-- Prints the signed RemovePermission request of the AWS documentation
-- example (statement xaccount on alias PROD of my-function), exactly as it
-- would go on the wire.  The credentials are the documentation's examples.
local sigv4 = require "aws.lambda.sigv4"

local region = os.getenv("AWS_REGION") or "us-east-1"
local url = ("https://lambda.%s.amazonaws.com/2015-03-31/functions/my-function/policy/xaccount?Qualifier=PROD")
  :format(region)
local r = sigv4.sign(
  { method = "DELETE", url = url },
  { access_key_id = "AKIDEXAMPLE", secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
  { region = region, service = "lambda" })

print("== canonical request")
print(r.canonical_request)
print("\n== string to sign")
print(r.string_to_sign)
print("\n== request")
print("DELETE " .. url:match("^https?://[^/]+(.*)$") .. " HTTP/1.1")
local names = {}
for name in pairs(r.headers) do names[#names + 1] = name end
table.sort(names)
for _, name in ipairs(names) do print(name .. ": " .. r.headers[name]) end
