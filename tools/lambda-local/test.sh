#!/usr/bin/env bash
# Proves tools/lambda-local: starts it, drives it with REAL botocore-signed
# requests (test_endpoint.py), checks the start/stop/run life cycle, the
# Lua helper for busted, and prints a PASS/FAIL summary.
# Usage: tools/lambda-local/test.sh [-v]   (-v: list every botocore check)
#        PYTHON=/usr/bin/python3 tools/lambda-local/test.sh   (pick the python)
# Exit status 0 = all passed.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
ll="$here/lambda-local"
passed=0
failed=0
started_prefixes=()

ok() { passed=$((passed + 1)); echo "  ok   $*"; }
bad() { failed=$((failed + 1)); echo "  FAIL $*"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }

# Same notion as the script's: a zombie nginx counts as gone.
alive() {
  kill -0 "$1" 2>/dev/null || return 1
  local s
  s=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  s=${s##*) }
  [ "${s:0:1}" != Z ]
}

cleanup() {
  local p
  for p in "${started_prefixes[@]}"; do "$ll" stop "$p" >/dev/null 2>&1 || true; done
  [ -n "${tmp:-}" ] && rm -rf "$tmp"
}
trap cleanup EXIT
tmp=$(mktemp -d)

# botocore talks to 127.0.0.1 only: no proxies, no user AWS config.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
for v in $(env | grep -o '^AWS_[A-Z_]*' || true); do unset "$v"; done
export NO_PROXY='*' AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
export AWS_EC2_METADATA_DISABLED=true

# A python3 that has botocore (Debian's python3-boto3 is in /usr/bin).
verbose=no
[ "${1:-}" = "-v" ] && verbose=yes
py=""
for cand in ${PYTHON:-} python3 /usr/bin/python3; do
  if command -v "$cand" >/dev/null && "$cand" -c 'import botocore' 2>/dev/null; then
    py=$cand; break
  fi
done
[ -n "$py" ] || { echo "test.sh: no python3 with botocore (apt-get install python3-boto3)"; exit 1; }

start_time=$SECONDS

echo "== start (default seed, free port)"
line=$("$ll" start 2>"$tmp/start.err")
rc=$?
read -r port pid prefix <<<"$line"
[ -n "${prefix:-}" ] && started_prefixes+=("$prefix")
check "start exits 0" [ $rc -eq 0 ]
check "start prints one line 'PORT PID PREFIX'" \
  bash -c '[[ "$1" =~ ^[0-9]+\ [0-9]+\ /[^\ ]+$ ]] && [ "$(wc -l <<<"$1")" -eq 1 ]' _ "$line"
check "nginx pid $pid is running" alive "$pid"
check "prefix has nginx.conf, pid file and logs" \
  test -f "$prefix/nginx.conf" -a -f "$prefix/nginx.pid" -a -f "$prefix/error.log"
check "port answers /__admin/ping" \
  bash -c '[ "$(curl -s --noproxy "*" "http://127.0.0.1:$1/__admin/ping")" = ok ]' _ "$port"
if [ $rc -ne 0 ]; then cat "$tmp/start.err"; fi

echo "== botocore against the endpoint ($py: $("$py" -c 'import botocore; print(botocore.__version__)'))"
timeout 60 "$py" "$here/test_endpoint.py" "$port" >"$tmp/py.out" 2>&1
rc=$?
if [ $verbose = yes ]; then cat "$tmp/py.out"; else grep -E 'FAIL|Traceback|Error' "$tmp/py.out" | head -40; fi
sed -n 's/^endpoint checks: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$tmp/py.out" \
  >"$tmp/py.counts"
read -r pp pf <"$tmp/py.counts" || { pp=0; pf=1; }
passed=$((passed + pp)); failed=$((failed + pf))
echo "  botocore checks: $pp passed, $pf failed"
[ $rc -eq 0 ] || [ "$pf" -gt 0 ] || { bad "test_endpoint.py exited $rc"; tail -20 "$tmp/py.out"; }

echo "== no error in nginx's error log"
check "error.log has no [error]/[alert]/[crit]" \
  bash -c '! grep -E "\[(error|alert|crit|emerg)\]" "$1"' _ "$prefix/error.log"

echo "== stop"
"$ll" stop "$prefix"
check "stop exits 0" [ $? -eq 0 ]
check "nginx $pid is gone" bash -c '! kill -0 "$1" 2>/dev/null || grep -q "^[0-9]* ([^)]*) Z" "/proc/$1/stat"' _ "$pid"
check "prefix created by start is removed" test ! -e "$prefix"
"$ll" stop "$prefix" 2>/dev/null
check "stop of a removed prefix fails cleanly" [ $? -ne 0 ]

echo "== start --port --prefix --workers 2"
fixed_port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
line=$("$ll" start --port "$fixed_port" --prefix "$tmp/pfx" --workers 2)
read -r port2 pid2 prefix2 <<<"$line"
started_prefixes+=("$tmp/pfx")
check "--port honoured" [ "$port2" = "$fixed_port" ]
check "--prefix honoured" [ "$prefix2" = "$tmp/pfx" ]
check "2 worker processes" bash -c '[ "$(wc -w </proc/$1/task/$1/children)" -eq 2 ]' _ "$pid2"
check "signed request on 2 workers" "$py" -c '
import sys, botocore.session
c = botocore.session.Session().create_client("lambda", region_name="us-east-1",
    endpoint_url="http://127.0.0.1:%s" % sys.argv[1], aws_access_key_id="AKIDLOCALEXAMPLE",
    aws_secret_access_key="local/secret+key/EXAMPLE")
for i in range(6):
    c.get_policy(FunctionName="my-function", Qualifier="PROD")' "$port2"
check "same port again -> start fails" bash -c '! "$1" start --port "$2" --prefix "$3" >/dev/null 2>&1' \
  _ "$ll" "$port2" "$tmp/pfx-busy"
"$ll" stop "$tmp/pfx"
check "stop keeps a --prefix it did not create" test -f "$tmp/pfx/nginx.conf"
check "nginx $pid2 is gone" bash -c '! kill -0 "$1" 2>/dev/null || grep -q "^[0-9]* ([^)]*) Z" "/proc/$1/stat"' _ "$pid2"

echo "== start failures"
echo '{"credentials": "nope"}' >"$tmp/bad-seed.json"
out=$("$ll" start --seed "$tmp/bad-seed.json" 2>&1)
rc=$?
check "bad seed -> non-zero exit" [ $rc -ne 0 ]
check "bad seed -> nginx's error log shown" \
  bash -c 'grep -q "seed: credentials must be a non-empty array" <<<"$1"' _ "$out"
bad_prefix=$(grep -o '/[^ ]*/lambda-local\.[A-Za-z0-9]*' <<<"$out" | head -1)
check "bad seed leaves no temp prefix" test -n "$bad_prefix" -a ! -e "${bad_prefix:-/}"

echo "== run (foreground) and Ctrl-C"
# Job control on, so that the background job does not start with SIGINT
# ignored (as a non-interactive shell would do) and behaves as in a terminal.
set -m
"$ll" run >"$tmp/run.out" 2>"$tmp/run.err" &
run_pid=$!
set +m
for _ in $(seq 1 50); do [ -s "$tmp/run.out" ] && break; sleep 0.1; done
read -r port3 pid3 prefix3 <"$tmp/run.out" || true
started_prefixes+=("${prefix3:-/nonexistent}")
check "run prints PORT PID PREFIX and serves" \
  bash -c '[ "$(curl -s --noproxy "*" "http://127.0.0.1:$1/__admin/ping")" = ok ]' _ "${port3:-0}"
kill -INT "$run_pid"
for _ in $(seq 1 50); do kill -0 "$run_pid" 2>/dev/null || break; sleep 0.1; done
check "run exits on SIGINT" bash -c '! kill -0 "$1" 2>/dev/null' _ "$run_pid"
check "run's nginx is gone" bash -c '! kill -0 "$1" 2>/dev/null || grep -q "^[0-9]* ([^)]*) Z" "/proc/$1/stat"' _ "${pid3:-0}"
check "run removes its prefix" test ! -e "${prefix3:-/nonexistent}"

echo "== Lua helper for busted (lua5.4)"
if command -v lua5.4 >/dev/null; then
  cat >"$tmp/helper.lua" <<'EOF'
package.path = arg[1] .. "/spec/?.lua;" .. package.path
local ll = require "04-integration.lambda_local_helper"
local srv = ll.start()
assert(srv.endpoint == "http://127.0.0.1:" .. srv.port)
assert(ll.credentials.access_key_id == "AKIDLOCALEXAMPLE" and ll.credentials.session_token == nil)
assert(ll.temp_credentials.session_token == "local-session-token/EXAMPLE==")
assert(srv:fault{ count = 2, kind = "throttle", retry_after = 2 }.queued == 2)
local pending = srv.admin("GET", "faults")
assert(#pending == 2 and pending[1].retry_after == 2)
srv:clear_faults()
local log = srv:log()
assert(type(log) == "table" and #log == 0)
assert(srv:stats().requests == 0)
assert(srv:reset().reset == true)
assert(srv:reset(ll.default_seed).reset == true)
assert(srv:state().functions["my-function"].aliases.PROD == "1")
assert(not pcall(srv.reset, srv, "/nonexistent-seed.json"))
local pid = srv.pid
assert(srv:stop() and srv:stop())
print("helper ok " .. pid)
EOF
  out=$(cd / && lua5.4 "$tmp/helper.lua" "$root" 2>&1)
  check "helper start/fault/log/stats/reset/stop" bash -c 'grep -q "^helper ok" <<<"$1"' _ "$out"
  grep -q "^helper ok" <<<"$out" || echo "$out"
  # The ASan/UBSan spec run exports LD_PRELOAD with the sanitizer runtimes;
  # a preloaded curl deadlocks, so the helper and the script must drop it.
  asan=$(gcc -print-file-name=libasan.so 2>/dev/null || true)
  ubsan=$(gcc -print-file-name=libubsan.so 2>/dev/null || true)
  if [ -f "$asan" ] && [ -f "$ubsan" ]; then
    out=$(cd / && LD_PRELOAD="$asan $ubsan" ASAN_OPTIONS=detect_leaks=0 \
          timeout 60 lua5.4 "$tmp/helper.lua" "$root" 2>&1)
    check "helper works with LD_PRELOAD=libasan+libubsan (as in make test-asan)" \
      bash -c 'grep -q "^helper ok" <<<"$1"' _ "$out"
    grep -q "^helper ok" <<<"$out" || echo "$out" | tail -5
  fi
else
  echo "  (lua5.4 not installed: skipped)"
fi

echo "== as a non-root user"
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null &&
   setpriv --reuid=nobody --regid=nogroup --clear-groups test -r "$here/lambda_local/lambda.lua" 2>/dev/null; then
  line=$(TMPDIR=/tmp setpriv --reuid=nobody --regid=nogroup --clear-groups "$ll" start 2>"$tmp/nobody.err")
  read -r port4 pid4 prefix4 <<<"$line"
  check "start as nobody" bash -c '[ "$(curl -s --noproxy "*" "http://127.0.0.1:$1/__admin/ping")" = ok ]' _ "${port4:-0}"
  [ -n "${prefix4:-}" ] || cat "$tmp/nobody.err"
  check "workers run as nobody" bash -c 'for c in $(cat /proc/$1/task/$1/children); do [ "$(stat -c %U /proc/$c)" = nobody ] || exit 1; done' _ "${pid4:-0}"
  setpriv --reuid=nobody --regid=nogroup --clear-groups "$ll" stop "${prefix4:-/nonexistent}"
  check "stop as nobody" test ! -e "${prefix4:-/nonexistent}"
else
  echo "  (not root, or no setpriv, or repo unreadable by nobody: skipped)"
fi

elapsed=$((SECONDS - start_time))
echo
if [ "$failed" -eq 0 ]; then
  echo "lambda-local test.sh: PASS in ${elapsed}s"
else
  echo "lambda-local test.sh: FAIL in ${elapsed}s"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
