-- luacheck: std ngx_lua
-- The three Lambda permission operations, with AWS's recorded behaviour
-- (lambda-api.md 1.1-1.3).  Each returns a response table (respond.lua).
--
-- Check order, as far as real AWS responses show it:
--   1. model validation (ValidationException, all violations at once)
--   2. qualifier from the name vs ?Qualifier (InvalidParameterValue)
--   3. existence of the function, then of the qualifier (404)
--   4. RevisionId (412), then the operation's own rules.

local json = require "lambda_local.json"
local store = require "lambda_local.store"
local crypto = require "lambda_local.crypto"
local validate = require "lambda_local.validate"
local respond = require "lambda_local.respond"

local type, ipairs, next = type, ipairs, next

local M = {}

M.POLICY_MAX = 20480   -- bytes, Lambda's resource policy limit

local null = json.null
local err = respond.error

local function invalid_param(message)
  return err(400, "InvalidParameterValueException", message)
end

local function not_found(message)
  return err(404, "ResourceNotFoundException", message)
end

local function function_arn(meta, t, qualifier)
  local arn = "arn:" .. meta.partition .. ":lambda:" .. t.region .. ":" .. t.account
    .. ":function:" .. t.name
  if qualifier and qualifier ~= "" then arn = arn .. ":" .. qualifier end
  return arn
end

-- Validated FunctionName + optional ?Qualifier -> target, or nil + response.
-- target.qualifier is as given ("$LATEST" included); target.key is the
-- policy key ("" for unqualified and $LATEST).
local function resolve(meta, function_name, query_qualifier)
  local parts = validate.split_function_name(function_name)
  if not parts then
    -- Unreachable after validation; kept as a guard.
    return nil, err(400, "ValidationException", "1 validation error detected: Value '"
      .. function_name .. "' at 'functionName' failed to satisfy constraint: "
      .. "Member must satisfy regular expression pattern: " .. validate.P.function_name)
  end
  if parts.qualifier and query_qualifier and parts.qualifier ~= query_qualifier then
    return nil, invalid_param(
      "The derived qualifier from the function name does not match the specified qualifier.")
  end
  local t = {
    name = parts.name,
    region = parts.region or meta.region,
    account = parts.account or meta.account,
    qualifier = parts.qualifier or query_qualifier,
  }
  -- A name in another account or region is simply not here (404 like AWS).
  t.foreign = t.region ~= meta.region or t.account ~= meta.account
  t.key = (t.qualifier == nil or t.qualifier == "$LATEST") and "" or t.qualifier
  return t
end

local function load_function(t)
  if t.foreign then return nil end
  return store.get_function(t.name)
end

local function qualifier_exists(fn, key)
  return key == "" or fn.versions[key] ~= nil or fn.aliases[key] ~= nil
end

local function precondition_failed(fn, key)
  local api = fn.aliases[key] and "GetPolicy" or "GetFunction/GetAlias"
  return err(412, "PreconditionFailedException",
    "The Revision Id provided does not match the latest Revision Id. Call the "
      .. api .. " API to retrieve the latest Revision Id")
end

local function policy_document(statements)
  return { Version = "2012-10-17", Id = "default", Statement = json.array(statements) }
end

local function validation_failed(errors)
  local message = errors:message()
  if message then return err(400, "ValidationException", message) end
  return nil
end

---------------------------------------------------------------------------
-- GetPolicy: GET /2015-03-31/functions/{FunctionName}/policy[?Qualifier=]
---------------------------------------------------------------------------

function M.get_policy(meta, function_name, query)
  local v = validate.new()
  v:check(function_name, "functionName", validate.FUNCTION_NAME)
  v:check(query.Qualifier, "qualifier", validate.QUALIFIER)
  local bad = validation_failed(v)
  if bad then return bad end

  local t, res = resolve(meta, function_name, query.Qualifier)
  if not t then return res end

  -- AWS answers the same 404 for a missing function, version or policy.
  local NOT_FOUND = "The resource you requested does not exist."
  local fn = load_function(t)
  if not fn or not qualifier_exists(fn, t.key) then return not_found(NOT_FOUND) end
  local statements = fn.policies[t.key]
  if not statements or #statements == 0 then return not_found(NOT_FOUND) end

  return respond.json(200, {
    Policy = json.encode(policy_document(statements)),
    RevisionId = fn.revisions[t.key],
  })
end

---------------------------------------------------------------------------
-- RemovePermission:
-- DELETE /2015-03-31/functions/{FunctionName}/policy/{StatementId}
--        [?Qualifier=&RevisionId=]
---------------------------------------------------------------------------

function M.remove_permission(meta, function_name, statement_id, query)
  local v = validate.new()
  v:check(function_name, "functionName", validate.FUNCTION_NAME)
  v:check(statement_id, "statementId", validate.REMOVE_STATEMENT_ID)
  v:check(query.Qualifier, "qualifier", validate.QUALIFIER)
  local bad = validation_failed(v)
  if bad then return bad end

  local t, res = resolve(meta, function_name, query.Qualifier)
  if not t then return res end

  return store.with_lock(function()
    local fn = load_function(t)
    if not fn then
      return not_found("No policy found for: " .. function_arn(meta, t, t.key))
    end
    if not qualifier_exists(fn, t.key) then
      return not_found("Cannot find alias arn: " .. function_arn(meta, t, t.qualifier))
    end
    local statements = fn.policies[t.key]
    if not statements or #statements == 0 then
      return not_found("No policy is associated with the given resource.")
    end
    if query.RevisionId and query.RevisionId ~= fn.revisions[t.key] then
      return precondition_failed(fn, t.key)
    end
    local index
    for i, s in ipairs(statements) do
      if s.Sid == statement_id then index = i break end
    end
    if not index then
      return not_found("Statement " .. statement_id .. " is not found in resource policy.")
    end
    table.remove(statements, index)
    if #statements == 0 then fn.policies[t.key] = nil end
    fn.revisions[t.key] = crypto.uuid4()
    store.put_function(fn)
    return respond.empty(204)
  end)
end

---------------------------------------------------------------------------
-- AddPermission: POST /2015-03-31/functions/{FunctionName}/policy
--                [?Qualifier=], JSON body
---------------------------------------------------------------------------

-- Body members: name, wire type.
local ADD_MEMBERS = {
  { "StatementId", "string" }, { "Action", "string" }, { "Principal", "string" },
  { "SourceArn", "string" }, { "SourceAccount", "string" },
  { "EventSourceToken", "string" }, { "RevisionId", "string" },
  { "PrincipalOrgID", "string" }, { "FunctionUrlAuthType", "string" },
  { "InvokedViaFunctionUrl", "boolean" },
}

-- account id, "*", service principal or IAM ARN -> policy Principal.
local function normalize_principal(meta, p)
  if p == "*" then return "*" end
  if p:match("^%d%d%d%d%d%d%d%d%d%d%d%d$") then
    return { AWS = "arn:" .. meta.partition .. ":iam::" .. p .. ":root" }
  end
  if p:match("^arn:aws[%w%-]*:iam::%d%d%d%d%d%d%d%d%d%d%d%d:.") then
    return { AWS = p }
  end
  if p:find(".", 1, true) and not p:find(":", 1, true) then
    return { Service = p }
  end
  return nil
end

local function bad_body(message)
  return err(400, "InvalidRequestContentException",
             "Could not parse request body into json: " .. message)
end

function M.add_permission(meta, function_name, query, body)
  local input = {}
  if body ~= nil and body ~= "" then
    local decoded, decode_err = json.decode(body)
    if decoded == nil then return bad_body(decode_err) end
    if type(decoded) ~= "table" or (#decoded > 0) then
      return bad_body("the body must be a JSON object")
    end
    input = decoded
  end
  local args = {}
  for _, m in ipairs(ADD_MEMBERS) do
    local name, wire_type = m[1], m[2]
    local value = input[name]
    if value ~= nil and value ~= null then
      if type(value) ~= wire_type then
        return bad_body("member " .. name .. " must be a " .. wire_type)
      end
      args[name] = value
    end
  end

  local v = validate.new()
  v:check(function_name, "functionName", validate.FUNCTION_NAME)
  v:check(args.StatementId, "statementId", validate.ADD_STATEMENT_ID)
  v:check(args.Action, "action", validate.ACTION)
  v:check(args.Principal, "principal", validate.PRINCIPAL)
  v:check(args.SourceArn, "sourceArn", validate.SOURCE_ARN)
  v:check(args.SourceAccount, "sourceAccount", validate.SOURCE_ACCOUNT)
  v:check(args.EventSourceToken, "eventSourceToken", validate.EVENT_SOURCE_TOKEN)
  v:check(query.Qualifier, "qualifier", validate.QUALIFIER)
  v:check(args.PrincipalOrgID, "principalOrgID", validate.PRINCIPAL_ORG_ID)
  v:check(args.FunctionUrlAuthType, "functionUrlAuthType", validate.FUNCTION_URL_AUTH_TYPE)
  local bad = validation_failed(v)
  if bad then return bad end

  local t, res = resolve(meta, function_name, query.Qualifier)
  if not t then return res end
  if t.qualifier == "$LATEST" then
    return invalid_param("We currently do not support adding policies for $LATEST.")
  end

  return store.with_lock(function()
    local fn = load_function(t)
    if not fn or not qualifier_exists(fn, t.key) then
      return not_found("Function not found: " .. function_arn(meta, t, t.qualifier))
    end
    local principal = normalize_principal(meta, args.Principal)
    if not principal then
      return invalid_param(
        "The provided principal was invalid. Please check the principal and try again.")
    end
    if args.RevisionId and args.RevisionId ~= fn.revisions[t.key] then
      return precondition_failed(fn, t.key)
    end
    local statements = fn.policies[t.key] or {}
    for _, s in ipairs(statements) do
      if s.Sid == args.StatementId then
        return err(409, "ResourceConflictException", "The statement id (" .. args.StatementId
          .. ") provided already exists. Please provide a new statement id, or remove the "
          .. "existing statement.")
      end
    end

    local statement = {
      Sid = args.StatementId,
      Effect = "Allow",
      Principal = principal,
      Action = args.Action,
      Resource = function_arn(meta, t, t.key),
    }
    local condition, equals = {}, {}
    if args.SourceAccount then equals["AWS:SourceAccount"] = args.SourceAccount end
    if args.PrincipalOrgID then equals["aws:PrincipalOrgID"] = args.PrincipalOrgID end
    if args.FunctionUrlAuthType then
      equals["lambda:FunctionUrlAuthType"] = args.FunctionUrlAuthType
    end
    if args.EventSourceToken then equals["lambda:EventSourceToken"] = args.EventSourceToken end
    if next(equals) then condition.StringEquals = equals end
    if args.SourceArn then condition.ArnLike = { ["AWS:SourceArn"] = args.SourceArn } end
    if args.InvokedViaFunctionUrl == true then
      condition.Bool = { ["lambda:InvokedViaFunctionUrl"] = "true" }
    end
    if next(condition) then statement.Condition = condition end

    -- Public = anyone, with nothing tying the call to an account, ARN or org.
    local public = principal == "*" and not (args.SourceArn or args.SourceAccount
                                             or args.PrincipalOrgID)
    if public and fn.block_public_policy then
      return err(400, "PublicPolicyException",
        "The resource-based policy you provided would grant public access to the function, "
        .. "and Block Public Access for Lambda is turned on for this account. Add a condition "
        .. "that restricts the principal, or turn off block public policy.")
    end

    statements[#statements + 1] = statement
    local size = #json.encode(policy_document(statements))
    if size > M.POLICY_MAX then
      return err(400, "PolicyLengthExceededException", "The final policy size (" .. size
        .. ") is bigger than the limit (" .. M.POLICY_MAX .. ").")
    end
    fn.policies[t.key] = statements
    fn.revisions[t.key] = crypto.uuid4()
    store.put_function(fn)
    return respond.json(201, { Statement = json.encode(statement) })
  end)
end

return M
