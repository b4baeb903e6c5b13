"""Checks a running lambda-local with REAL botocore-signed requests.

Run by test.sh:  python3 test_endpoint.py PORT
botocore is used here only as an independent client/signer to prove the
endpoint; lambda-local itself never uses it.  Prints one line per check and
a summary; exits 1 if any check failed.
"""
import datetime
import http.client
import json
import re
import sys
import time
import types
import urllib.parse

import botocore.auth
import botocore.session
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

PORT = int(sys.argv[1])
ENDPOINT = "http://127.0.0.1:%d" % PORT
REGION, ACCOUNT = "us-east-1", "123456789012"
AKID, SECRET = "AKIDLOCALEXAMPLE", "local/secret+key/EXAMPLE"
ASIA, TEMP_SECRET, TOKEN = ("ASIALOCALEXAMPLE", "local/temp/secret/EXAMPLE",
                            "local-session-token/EXAMPLE==")
PROD_ARN = "arn:aws:lambda:us-east-1:123456789012:function:my-function:PROD"

passed, failed = 0, 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("  ok   %s" % name)
    else:
        failed += 1
        print("  FAIL %s %s" % (name, detail))


def client(akid=AKID, secret=SECRET, token=None):
    session = botocore.session.Session()
    return session.create_client(
        "lambda", region_name=REGION, endpoint_url=ENDPOINT,
        aws_access_key_id=akid, aws_secret_access_key=secret, aws_session_token=token,
        config=Config(retries={"max_attempts": 0}, connect_timeout=2, read_timeout=5))


def call(fn, **kw):
    """(response, None) or (None, exception)."""
    try:
        return fn(**kw), None
    except Exception as e:  # noqa: BLE001 - we inspect every kind
        return None, e


def err_code(e):
    return getattr(e, "response", {}).get("Error", {}).get("Code")


def err_msg(e):
    return getattr(e, "response", {}).get("Error", {}).get("Message")


def status(e):
    return getattr(e, "response", {}).get("ResponseMetadata", {}).get("HTTPStatusCode")


def admin(method, path, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=5)
    data = None if body is None else (body if isinstance(body, str) else json.dumps(body))
    conn.request(method, "/__admin/" + path, body=data)
    r = conn.getresponse()
    text = r.read().decode()
    conn.close()
    try:
        return r.status, json.loads(text)
    except ValueError:
        return r.status, text


def raw(method, path, headers=None, body=b""):
    """An arbitrary request; returns (status, headers dict lower-cased, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=5)
    conn.request(method, path, body=body or None, headers=headers or {})
    r = conn.getresponse()
    data = r.read()
    hdrs = {k.lower(): v for k, v in r.getheaders()}
    conn.close()
    return r.status, hdrs, data


def signed_raw(method, path, body=b"", akid=AKID, secret=SECRET, token=None, headers=None):
    """Signs with botocore's SigV4Auth and sends with http.client."""
    req = AWSRequest(method=method, url=ENDPOINT + path, data=body, headers=headers or {})
    botocore.auth.SigV4Auth(Credentials(akid, secret, token), "lambda", REGION).add_auth(req)
    prepared = req.prepare()
    return raw(method, path, dict(prepared.headers), body)


def signed_raw_response(method, path):
    """(status, Content-Length, outcome, bytes read) of a signed GET read with http.client."""
    req = AWSRequest(method=method, url=ENDPOINT + path)
    botocore.auth.SigV4Auth(Credentials(AKID, SECRET), "lambda", REGION).add_auth(req)
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=5)
    conn.request(method, path, headers=dict(req.headers))
    r = conn.getresponse()
    length = int(r.getheader("content-length"))
    try:
        data = r.read()
        return r.status, length, "complete", len(data)
    except http.client.IncompleteRead as ex:
        return r.status, length, "IncompleteRead", len(ex.partial)
    finally:
        conn.close()


def reset():
    st, _ = admin("POST", "reset")
    assert st == 200


def fault(**f):
    st, r = admin("POST", "faults", f)
    assert st == 200, r


def shift_client_clock(minutes):
    """Makes botocore sign with a clock `minutes` off (both old and new botocore)."""
    delta = datetime.timedelta(minutes=minutes)
    if hasattr(botocore.auth, "get_current_datetime"):
        real = botocore.auth.get_current_datetime
        botocore.auth.get_current_datetime = lambda *a, **k: real(*a, **k) + delta

        def undo():
            botocore.auth.get_current_datetime = real
        return undo
    real_module = botocore.auth.datetime

    class Shifted(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return datetime.datetime.utcnow() + delta

    shim = types.ModuleType("datetime")
    shim.__dict__.update(real_module.__dict__)
    shim.datetime = Shifted
    botocore.auth.datetime = shim

    def undo_old():
        botocore.auth.datetime = real_module
    return undo_old


# ---------------------------------------------------------------------------

def test_operations():
    print("operations (botocore):")
    reset()
    c = client()
    r, e = call(c.get_policy, FunctionName=PROD_ARN, Qualifier="PROD")
    check("get_policy full ARN + Qualifier=PROD (double-encoded path)", e is None, repr(e))
    if r:
        pol = json.loads(r["Policy"])
        check("policy document shape", pol["Version"] == "2012-10-17" and pol["Id"] == "default"
              and pol["Statement"][0]["Sid"] == "xaccount", r["Policy"])
        check("RevisionId is a uuid", re.match(r"^[0-9a-f-]{36}$", r["RevisionId"]) is not None)
        check("x-amzn-RequestId on success",
              re.match(r"^[0-9a-f-]{36}$", r["ResponseMetadata"]["RequestId"]) is not None)
        check("Content-Type application/json",
              r["ResponseMetadata"]["HTTPHeaders"].get("content-type") == "application/json")

    r, e = call(c.remove_permission, FunctionName=PROD_ARN, StatementId="xaccount")
    check("remove xaccount -> 204", e is None and r["ResponseMetadata"]["HTTPStatusCode"] == 204,
          repr(e))
    r, e = call(c.remove_permission, FunctionName=PROD_ARN, StatementId="xaccount")
    check("remove again -> ResourceNotFoundException (policy now empty)",
          err_code(e) == "ResourceNotFoundException" and status(e) == 404
          and err_msg(e) == "No policy is associated with the given resource.", err_msg(e))
    r, e = call(c.get_policy, FunctionName="my-function", Qualifier="PROD")
    check("get_policy of emptied policy -> 404",
          err_code(e) == "ResourceNotFoundException"
          and err_msg(e) == "The resource you requested does not exist.", err_msg(e))

    # Sid missing from a non-empty policy.
    r, e = call(c.remove_permission, FunctionName="with-policy", StatementId="nope")
    check("remove unknown Sid -> exact message", err_msg(e) ==
          "Statement nope is not found in resource policy.", err_msg(e))
    r, e = call(c.remove_permission, FunctionName="with-policy", StatementId="sid.with.dots")
    check("remove Sid with dots", e is None, repr(e))

    # AddPermission + duplicate + normalisation.
    r, e = call(c.add_permission, FunctionName="my-function", StatementId="s3",
                Action="lambda:InvokeFunction", Principal="s3.amazonaws.com",
                SourceArn="arn:aws:s3:::my-bucket", SourceAccount=ACCOUNT)
    check("add_permission -> 201", e is None and r["ResponseMetadata"]["HTTPStatusCode"] == 201,
          repr(e))
    if r:
        st = json.loads(r["Statement"])
        check("statement normalised", st == {
            "Sid": "s3", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "lambda:InvokeFunction",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:my-function",
            "Condition": {"StringEquals": {"AWS:SourceAccount": ACCOUNT},
                          "ArnLike": {"AWS:SourceArn": "arn:aws:s3:::my-bucket"}}}, r["Statement"])
        check("statement key order as AWS", r["Statement"].startswith(
            '{"Sid":"s3","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},'
            '"Action":"lambda:InvokeFunction","Resource":'), r["Statement"])
    r, e = call(c.add_permission, FunctionName="my-function", StatementId="s3",
                Action="lambda:InvokeFunction", Principal="s3.amazonaws.com")
    check("duplicate Sid -> 409 ResourceConflictException",
          err_code(e) == "ResourceConflictException" and status(e) == 409 and err_msg(e) ==
          "The statement id (s3) provided already exists. Please provide a new statement id, "
          "or remove the existing statement.", err_msg(e))
    r, e = call(c.add_permission, FunctionName="my-function", StatementId="acct",
                Action="lambda:InvokeFunction", Principal="210987654321", Qualifier="1")
    check("account principal -> AWS root ARN, qualified Resource", e is None and json.loads(
        r["Statement"])["Principal"] == {"AWS": "arn:aws:iam::210987654321:root"}
        and json.loads(r["Statement"])["Resource"].endswith(":my-function:1"), repr(e))
    r, e = call(c.add_permission, FunctionName="my-function", StatementId="bad",
                Action="lambda:InvokeFunction", Principal="not-a-principal")
    check("bad principal -> InvalidParameterValueException",
          err_code(e) == "InvalidParameterValueException" and err_msg(e) ==
          "The provided principal was invalid. Please check the principal and try again.",
          err_msg(e))

    # RevisionId: stale -> 412 (alias wording vs function wording), fresh -> ok.
    r, _ = call(c.get_policy, FunctionName="with-policy")
    rev = r["RevisionId"]
    r, e = call(c.add_permission, FunctionName="with-policy", StatementId="x1",
                Action="lambda:InvokeFunction", Principal="*", SourceAccount=ACCOUNT,
                RevisionId="00000000-0000-4000-8000-000000000000")
    check("add with stale RevisionId -> 412", err_code(e) == "PreconditionFailedException"
          and status(e) == 412 and err_msg(e) == "The Revision Id provided does not match the "
          "latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
          err_msg(e))
    r, e = call(c.add_permission, FunctionName="with-policy", StatementId="x1",
                Action="lambda:InvokeFunction", Principal="*", SourceAccount=ACCOUNT,
                RevisionId=rev)
    check("add with current RevisionId -> 201", e is None, repr(e))
    r2, _ = call(c.get_policy, FunctionName="with-policy")
    check("RevisionId changed after add", r2["RevisionId"] != rev)
    r, e = call(c.remove_permission, FunctionName="with-policy", StatementId="x1",
                RevisionId=rev)
    check("remove with stale RevisionId -> 412", err_code(e) == "PreconditionFailedException")
    r, e = call(c.remove_permission, FunctionName="with-policy", StatementId="x1",
                RevisionId=r2["RevisionId"])
    check("remove with current RevisionId -> 204", e is None, repr(e))
    r, e = call(c.add_permission, FunctionName="my-function", StatementId="x2",
                Action="lambda:InvokeFunction", Principal="s3.amazonaws.com", Qualifier="PROD",
                RevisionId="stale")
    check("stale RevisionId on an alias -> GetPolicy wording",
          err_msg(e) is not None and "Call the GetPolicy API" in err_msg(e), err_msg(e))

    # Qualifiers.
    r, e = call(c.get_policy, FunctionName="with-policy", Qualifier="$LATEST")
    check("Qualifier=$LATEST reads the unqualified policy", e is None and
          json.loads(r["Policy"])["Statement"][0]["Sid"] == "s3-invoke", repr(e))
    r, e = call(c.get_policy, FunctionName="with-policy:1")
    check("name suffix :1 reads the version policy", e is None and
          json.loads(r["Policy"])["Statement"][0]["Sid"] == "v1-only", repr(e))
    r, e = call(c.get_policy, FunctionName="my-function:PROD", Qualifier="1")
    check("qualifier mismatch -> 400", err_code(e) == "InvalidParameterValueException" and
          err_msg(e) == "The derived qualifier from the function name does not match the "
          "specified qualifier.", err_msg(e))
    r, e = call(c.add_permission, FunctionName="my-function", StatementId="l",
                Action="lambda:InvokeFunction", Principal="*", Qualifier="$LATEST")
    check("add with $LATEST -> 400", err_msg(e) ==
          "We currently do not support adding policies for $LATEST.", err_msg(e))
    r, e = call(c.get_policy, FunctionName="123456789012:function:with-policy")
    check("account:function:name form", e is None, repr(e))
    r, e = call(c.get_policy, FunctionName="arn:aws:lambda:us-east-1:999999999999:function:with-policy")
    check("other account in ARN -> 404", err_code(e) == "ResourceNotFoundException")

    # Not found, per operation.
    r, e = call(c.get_policy, FunctionName="nope")
    check("get_policy missing function -> 404 'does not exist'",
          err_msg(e) == "The resource you requested does not exist.", err_msg(e))
    r, e = call(c.get_policy, FunctionName="no-policy")
    check("get_policy function without policy -> 404",
          err_msg(e) == "The resource you requested does not exist.", err_msg(e))
    r, e = call(c.remove_permission, FunctionName="nope", StatementId="s")
    check("remove on missing function -> 'No policy found for'", err_msg(e) ==
          "No policy found for: arn:aws:lambda:us-east-1:123456789012:function:nope", err_msg(e))
    r, e = call(c.remove_permission, FunctionName="my-function", StatementId="s",
                Qualifier="NOPE")
    check("remove on missing alias -> 'Cannot find alias arn'", err_msg(e) ==
          "Cannot find alias arn: arn:aws:lambda:us-east-1:123456789012:function:my-function:NOPE",
          err_msg(e))
    r, e = call(c.add_permission, FunctionName="nope", StatementId="s",
                Action="lambda:InvokeFunction", Principal="*")
    check("add on missing function -> 'Function not found'", err_msg(e) ==
          "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope", err_msg(e))

    # Public policy.
    r, e = call(c.add_permission, FunctionName="public-blocked", StatementId="pub",
                Action="lambda:InvokeFunction", Principal="*")
    check("public statement on blocked function -> PublicPolicyException",
          err_code(e) == "PublicPolicyException" and status(e) == 400, repr(e))
    r, e = call(c.add_permission, FunctionName="public-blocked", StatementId="pub",
                Action="lambda:InvokeFunction", Principal="*", SourceAccount=ACCOUNT)
    check("conditioned '*' on blocked function -> 201", e is None, repr(e))

    # Server-side validation (botocore does not check patterns).
    r, e = call(c.add_permission, FunctionName="my-function", StatementId="example.com",
                Action="lambda:InvokeFunction", Principal="s3.amazonaws.com")
    check("add StatementId with '.' -> ValidationException", err_code(e) == "ValidationException"
          and err_msg(e) == "1 validation error detected: Value 'example.com' at 'statementId' "
          "failed to satisfy constraint: Member must satisfy regular expression pattern: "
          "([a-zA-Z0-9-_]+)", err_msg(e))
    if e is not None:
        body = e.response.get("Error", {})
        check("ValidationException body has no Type", "Type" not in e.response, e.response)
    r, e = call(c.remove_permission, FunctionName="my-function", StatementId="a" * 101)
    check("StatementId too long -> ValidationException",
          err_code(e) == "ValidationException" and "length less than or equal to 100"
          in (err_msg(e) or ""), err_msg(e))
    r, e = call(c.add_permission, FunctionName="my-function", StatementId="v",
                Action="lambda:Invoke*", Principal="s3 .com", SourceAccount="123")
    check("several violations counted", err_code(e) == "ValidationException" and
          (err_msg(e) or "").startswith("3 validation errors detected: "), err_msg(e))

    # Awkward wire forms: reserved characters in the query, dots in names,
    # bodies nginx spools to a temp file, bodies that are not valid input.
    r, e = call(c.remove_permission, FunctionName="with-policy", StatementId="s3-invoke",
                RevisionId="abc/+= x&y=z")
    check("query with / + = space & (RevisionId) signs ok -> 412",
          err_code(e) == "PreconditionFailedException", repr(e))
    r, e = call(c.get_policy, FunctionName="my.function.v2")
    check("function name with dots -> signed ok, 404", err_code(e) == "ResourceNotFoundException",
          repr(e))
    # Unknown members are ignored, as by AWS; this one only makes the body big.
    big = json.dumps({"StatementId": "big", "Action": "lambda:InvokeFunction",
                      "Principal": "s3.amazonaws.com", "Padding": "t" * 2500000})
    st, h, b = signed_raw("POST", "/2015-03-31/functions/my-function/policy", big.encode(),
                          headers={"Content-Type": "application/json"})
    check("2.5 MB body (nginx spools it to a file) verifies -> 201", st == 201, (st, b[:200]))
    st, h, b = signed_raw("POST", "/2015-03-31/functions/my-function/policy", b"",
                          headers={"Content-Type": "application/json"})
    check("empty AddPermission body -> 3 'must not be null' errors", st == 400 and
          json.loads(b)["message"].startswith("3 validation errors detected: Value null at "
                                              "'statementId' failed to satisfy constraint: "
                                              "Member must not be null"), b)
    st, h, b = signed_raw("POST", "/2015-03-31/functions/my-function/policy", b"{not json",
                          headers={"Content-Type": "application/json"})
    check("invalid JSON body -> InvalidRequestContentException", st == 400 and
          h.get("x-amzn-errortype") == "InvalidRequestContentException", (st, b))
    sizes = []
    for i in range(40):
        r, e = call(c.add_permission, FunctionName="my-function", StatementId="long%d" % i,
                    Action="lambda:InvokeFunction", Principal="s3.amazonaws.com", Qualifier="1",
                    SourceArn="arn:aws:s3:::" + "b" * 1000)
        if e is not None:
            break
    check("policy over 20480 bytes -> PolicyLengthExceededException",
          err_code(e) == "PolicyLengthExceededException" and re.match(
              r"^The final policy size \(\d+\) is bigger than the limit \(20480\)\.$",
              err_msg(e) or "") is not None, err_msg(e))

    # Session-token credentials.
    ct = client(ASIA, TEMP_SECRET, TOKEN)
    r, e = call(ct.get_policy, FunctionName="with-policy")
    check("session-token credential works", e is None, repr(e))
    r, e = call(client(ASIA, TEMP_SECRET, "wrong-token").get_policy, FunctionName="with-policy")
    check("wrong session token -> UnrecognizedClientException",
          err_code(e) == "UnrecognizedClientException" and status(e) == 403, repr(e))
    r, e = call(client(ASIA, TEMP_SECRET).get_policy, FunctionName="with-policy")
    check("missing session token -> UnrecognizedClientException",
          err_code(e) == "UnrecognizedClientException", repr(e))
    r, e = call(client("AKIDUNKNOWN", SECRET).get_policy, FunctionName="with-policy")
    check("unknown access key -> UnrecognizedClientException", err_msg(e) ==
          "The security token included in the request is invalid.", err_msg(e))


def test_signatures():
    print("signatures:")
    reset()
    r, e = call(client(secret="tampered/secret").get_policy, FunctionName=PROD_ARN,
                Qualifier="PROD")
    msg = err_msg(e) or ""
    check("tampered secret -> 403 InvalidSignatureException",
          err_code(e) == "InvalidSignatureException" and status(e) == 403, repr(e))
    check("message is AWS's, with the canonical string", msg.startswith(
        "The request signature we calculated does not match the signature you provided. "
        "Check your AWS Secret Access Key and signing method. Consult the service documentation "
        "for details.\n\nThe Canonical String for this request should have been\n'GET\n"
        "/2015-03-31/functions/arn%253Aaws%253Alambda%253Aus-east-1%253A123456789012%253A"
        "function%253Amy-function%253APROD/policy\nQualifier=PROD\nhost:127.0.0.1:"), msg)
    check("message has the String-to-Sign", "\n\nThe String-to-Sign should have been\n"
          "'AWS4-HMAC-SHA256\n" in msg and msg.endswith("'\n"), msg)
    check("no secret in the message", SECRET not in msg and "tampered" not in msg)

    undo = shift_client_clock(-20)
    try:
        r, e = call(client().get_policy, FunctionName="with-policy")
    finally:
        undo()
    msg = err_msg(e) or ""
    check("20-min-old X-Amz-Date -> Signature expired", err_code(e) ==
          "InvalidSignatureException" and re.match(
              r"^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z "
              r"\(\d{8}T\d{6}Z - 15 min\.\)$", msg) is not None, msg)
    check("Date header on the 403", e is not None and "date" in
          e.response["ResponseMetadata"]["HTTPHeaders"])
    undo = shift_client_clock(+20)
    try:
        r, e = call(client().get_policy, FunctionName="with-policy")
    finally:
        undo()
    check("20-min-future X-Amz-Date -> not yet current",
          (err_msg(e) or "").startswith("Signature not yet current: "), err_msg(e))

    # Server clock shifted through the admin API: same check from the other side.
    st, body = admin("POST", "clock", {"offset": 1200})
    r, e = call(client().get_policy, FunctionName="with-policy")
    check("server clock +20 min -> Signature expired",
          (err_msg(e) or "").startswith("Signature expired: "), err_msg(e))
    admin("POST", "clock", {"offset": 0})

    st, h, b = raw("GET", "/2015-03-31/functions/with-policy/policy")
    check("no Authorization -> 403 MissingAuthenticationTokenException", st == 403 and
          h.get("x-amzn-errortype") == "MissingAuthenticationTokenException", (st, h, b))
    check("x-amzn-RequestId on errors", re.match(r"^[0-9a-f-]{36}$",
                                                   h.get("x-amzn-requestid", "")) is not None)

    # host not signed: sign by hand without it.
    st, h, b = signed_raw("GET", "/2015-03-31/functions/with-policy/policy")
    check("botocore-signed raw request ok", st == 200, (st, b))

    # Signed with an HTTP Date header instead of X-Amz-Date (botocore does
    # that when the request already has a Date header).
    st, h, b = signed_raw("GET", "/2015-03-31/functions/with-policy/policy",
                          headers={"Date": "placeholder"})
    _, log = admin("GET", "log")
    check("Date header instead of X-Amz-Date verifies", st == 200 and
          "x-amz-date" not in log[-1]["headers"] and "date" in log[-1]["headers"], (st, b))

    # Region scope.
    req = AWSRequest(method="GET", url=ENDPOINT + "/2015-03-31/functions/with-policy/policy")
    botocore.auth.SigV4Auth(Credentials(AKID, SECRET), "lambda", "eu-west-1").add_auth(req)
    st, h, b = raw("GET", "/2015-03-31/functions/with-policy/policy", dict(req.headers))
    check("wrong scope region -> 403", st == 403 and b"scoped to a valid region" in b, b)

    # Unknown route / method (signed).
    st, h, b = signed_raw("GET", "/2015-03-31/functions/with-policy/nothing")
    check("unknown route -> 404 UnknownOperationException", st == 404 and
          h.get("x-amzn-errortype") == "UnknownOperationException", (st, h, b))
    st, h, b = signed_raw("PUT", "/2015-03-31/functions/with-policy/policy")
    check("wrong method -> 404 UnknownOperationException", st == 404 and
          h.get("x-amzn-errortype") == "UnknownOperationException", (st, h, b))

    # The reference vector of lambda-api.md section 5 (AKIDEXAMPLE, 20150830T123600Z),
    # replayed byte for byte with the server clock set to that instant.
    seed = {"region": "us-east-1", "account": "123456789012",
            "credentials": [{"access_key_id": "AKIDEXAMPLE",
                             "secret_access_key": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}],
            "functions": [{"name": "my-function", "versions": ["1"], "aliases": {"PROD": "1"}}]}
    st, _ = admin("POST", "reset", seed)
    check("reset with a JSON seed body", st == 200)
    admin("POST", "clock", {"now": "20150830T123600Z"})
    path = ("/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction"
            "%3Amy-function%3APROD/policy/sid.1?Qualifier=PROD&RevisionId=abc%2F%2B%3D%20x")
    vector_headers = {
        "Host": "lambda.us-east-1.amazonaws.com", "X-Amz-Date": "20150830T123600Z",
        "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/lambda/"
                         "aws4_request, SignedHeaders=host;x-amz-date, Signature="
                         "dbc8a0f022894f9fd74c24cba37bfba932581742496ec7ae8d39314fa2dac41f"}
    st, h, b = raw("DELETE", path, vector_headers)
    _, log = admin("GET", "log")
    check("reference vector signature verifies", log and log[-1]["signature"] == "ok",
          log and log[-1]["signature"])
    check("Date header follows the shifted clock",
          h.get("date") == "Sun, 30 Aug 2015 12:36:00 GMT" or
          h.get("date", "").startswith("Sun, 30 Aug 2015 12:3"), h.get("date"))
    vector_headers["Authorization"] = vector_headers["Authorization"][:-4] + "0000"
    st, h, b = raw("DELETE", path, vector_headers)
    msg = json.loads(b).get("message", "")
    expected = ("DELETE\n/2015-03-31/functions/arn%253Aaws%253Alambda%253Aus-east-1%253A"
                "123456789012%253Afunction%253Amy-function%253APROD/policy/sid.1\n"
                "Qualifier=PROD&RevisionId=abc%2F%2B%3D%20x\nhost:lambda.us-east-1.amazonaws.com\n"
                "x-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    check("canonical request equals the reference vector's", "should have been\n'%s'\n" % expected
          in msg, msg)
    check("string-to-sign hash line equals the reference vector's",
          "9837a1b4d89b5a1bb7e11a0420713c627ee86dc0f5caeddba0d23841641a5797" in msg, msg)
    st, _ = admin("POST", "reset?seed=default")
    check("reset ?seed=default restores the start seed + clock", st == 200 and
          admin("GET", "clock")[1]["offset"] == 0)


def test_faults():
    print("faults:")
    reset()
    c = client()

    fault(count=1, kind="throttle", retry_after=2)
    r, e = call(c.get_policy, FunctionName="with-policy")
    hdrs = e.response["ResponseMetadata"]["HTTPHeaders"] if e is not None and hasattr(
        e, "response") else {}
    check("throttle -> 429 TooManyRequestsException + Retry-After",
          err_code(e) == "TooManyRequestsException" and status(e) == 429
          and hdrs.get("retry-after") == "2" and err_msg(e) == "Rate exceeded"
          and e.response.get("Reason") == "CallerRateLimitExceeded", repr(e))
    r, e = call(c.get_policy, FunctionName="with-policy")
    check("fault count respected (next request normal)", e is None, repr(e))

    fault(kind="service")
    r, e = call(c.get_policy, FunctionName="with-policy")
    check("service -> 500 ServiceException", err_code(e) == "ServiceException" and status(e) == 500
          and e.response.get("Type") == "Service", repr(e))

    fault(kind="status", status=503, body="html")
    r, e = call(c.get_policy, FunctionName="with-policy")
    check("status 503 html -> code '503'", err_code(e) == "503" and status(e) == 503, repr(e))
    fault(kind="status", status=502, body="empty")
    r, e = call(c.get_policy, FunctionName="with-policy")
    check("status 502 empty -> code '502'", err_code(e) == "502", repr(e))

    fault(kind="delay", seconds=0.6)
    t0 = time.time()
    r, e = call(c.get_policy, FunctionName="with-policy")
    check("delay 0.6 s then normal", e is None and time.time() - t0 >= 0.55, repr(e))

    fault(kind="drop")
    r, e = call(c.get_policy, FunctionName="with-policy")
    check("drop -> connection closed without response", e is not None and
          not isinstance(e, ClientError), repr(e))
    fault(kind="drop")
    try:
        raw("GET", "/2015-03-31/functions/with-policy/policy")
        dropped = False
    except http.client.RemoteDisconnected:
        dropped = True
    check("drop (raw) -> RemoteDisconnected, no status line", dropped)

    fault(kind="malformed")
    r, e = call(c.get_policy, FunctionName="with-policy")
    check("malformed -> 400 with non-JSON body", status(e) == 400 and err_code(e) == "400"
          and "truncated" in (err_msg(e) or ""), repr(e))

    fault(kind="code", status=418, code="SomeCode", message="odd")
    r, e = call(c.get_policy, FunctionName="with-policy")
    check("code -> arbitrary error", err_code(e) == "SomeCode" and status(e) == 418
          and err_msg(e) == "odd", repr(e))

    fault(kind="public_policy")
    r, e = call(c.remove_permission, FunctionName="with-policy", StatementId="s3-invoke")
    check("public_policy on RemovePermission -> 400 PublicPolicyException",
          err_code(e) == "PublicPolicyException" and status(e) == 400, repr(e))

    fault(kind="trickle", seconds=1)
    t0 = time.time()
    r, e = call(c.get_policy, FunctionName="with-policy")
    check("trickle 1 s -> complete body, slowly", e is None and time.time() - t0 >= 0.9
          and "Policy" in r, repr(e))

    fault(kind="truncate")
    r, e = call(c.get_policy, FunctionName="with-policy")
    # urllib3 2.x raises; urllib3 1.x (Debian's botocore) does not enforce
    # Content-Length and botocore then parses half a JSON body into nothing.
    check("truncate -> client sees a broken body", (e is not None and not isinstance(
        e, ClientError)) or (r is not None and "Policy" not in r), repr(e or r))
    fault(kind="truncate")
    got = signed_raw_response("GET", "/2015-03-31/functions/with-policy/policy")
    check("truncate (raw) -> 200 headers, Content-Length > bytes sent, then close",
          got[0] == 200 and got[2] == "IncompleteRead" and got[3] < got[1], got)

    st, q = admin("POST", "faults", [{"kind": "throttle", "count": 2}, {"kind": "service"}])
    check("queue of 3 reported", st == 200 and q == {"queued": 3}, q)
    codes = []
    for _ in range(4):
        r, e = call(c.get_policy, FunctionName="with-policy")
        codes.append(err_code(e) if e is not None else "ok")
    check("faults apply FIFO", codes == ["TooManyRequestsException"] * 2 + ["ServiceException", "ok"],
          codes)

    fault(kind="service", count=5)
    st, q = admin("DELETE", "faults")
    r, e = call(c.get_policy, FunctionName="with-policy")
    check("DELETE faults clears the queue", q == {"cleared": 5} and e is None, (q, repr(e)))
    st, q = admin("POST", "faults", {"kind": "nonsense"})
    check("unknown fault kind rejected", st == 400, q)


def test_log_and_stats():
    print("log and stats:")
    reset()
    c = client()
    ct = client(ASIA, TEMP_SECRET, TOKEN)
    call(c.get_policy, FunctionName=PROD_ARN, Qualifier="PROD")
    call(c.add_permission, FunctionName="my-function", StatementId="a1",
         Action="lambda:InvokeFunction", Principal="s3.amazonaws.com")
    fault(kind="throttle")
    call(c.get_policy, FunctionName="with-policy")
    call(ct.get_policy, FunctionName="with-policy")
    admin("GET", "ping")          # admin requests are not logged
    st, log = admin("GET", "log")
    check("log has the 4 Lambda requests", st == 200 and [x["n"] for x in log] == [1, 2, 3, 4],
          log)
    if len(log) == 4:
        check("log: raw uri kept", log[0]["uri"].startswith(
            "/2015-03-31/functions/arn%3Aaws%3Alambda%3A"), log[0]["uri"])
        check("log: status and method", [x["status"] for x in log] == [200, 201, 429, 200]
              and log[1]["method"] == "POST", [x["status"] for x in log])
        check("log: body kept", json.loads(log[1]["body"])["StatementId"] == "a1")
        check("log: signature verdicts", all(x["signature"] == "ok" for x in log))
        check("log: fault recorded", [x["fault"] for x in log] == [None, None, "throttle", None])
        check("log: Signature= redacted", log[0]["headers"]["authorization"].endswith(
            "Signature=REDACTED"), log[0]["headers"]["authorization"])
        check("log: session token redacted",
              log[3]["headers"].get("x-amz-security-token") == "REDACTED")
        check("log: connection serials", log[0]["connection"] == log[1]["connection"] and
              log[1]["connection_requests"] == log[0]["connection_requests"] + 1)
    st, s = admin("GET", "stats")
    check("stats: requests 4, connections 2 (keep-alive)", s == {"requests": 4, "connections": 2},
          s)
    st, log = admin("GET", "log?since=3")
    check("log?since=3", [x["n"] for x in log] == [4])
    st, state = admin("GET", "state")
    check("state shows the added statement and hides secrets",
          any(x["Sid"] == "a1" for x in state["functions"]["my-function"]["policies"][""])
          and SECRET not in json.dumps(state))
    reset()
    check("reset clears the log", admin("GET", "log")[1] == [] and
          admin("GET", "stats")[1] == {"requests": 0, "connections": 0})
    check("ping", admin("GET", "ping") == (200, "ok"))


if __name__ == "__main__":
    for t in (test_operations, test_signatures, test_faults, test_log_and_stats):
        try:
            t()
        except Exception as ex:  # noqa: BLE001
            import traceback
            traceback.print_exc()
            check(t.__name__ + " ran to the end", False, repr(ex))
    print("endpoint checks: %d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)
