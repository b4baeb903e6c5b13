#!/usr/bin/env bash
# make bench: remove_permission through our public API against the floor (a
# raw libcurl loop sending the identical request with precomputed headers)
# and against boto3, all in one run on one machine, plus the signing
# figures, cold start, memory over 100k calls and a callgrind instruction
# count per call.  See bench/README.md.  A benchmark: it never fails on a
# figure (only on a broken set-up); the targets are printed beside the ratios.
#
#   bench/run.sh [BUILD_DIR]
# Knobs (environment): BENCH_ROUNDS (15) rounds of BENCH_CALLS (4000) calls
# for ours and the floor and BENCH_BOTO3_CALLS (600) for boto3, interleaved;
# BENCH_COLD_RUNS (7); BENCH_RSS_CALLS (100000); BENCH_SIGN_N (200000);
# BENCH_STAGES_N (10000, 0 = skip the stage breakdown); BENCH_CALLGRIND
# (1; 0 = skip); BENCH_PYTHON (the python3 with boto3; default: Debian's).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
ROUNDS=${BENCH_ROUNDS:-15}
CALLS=${BENCH_CALLS:-4000}
BOTO3_CALLS=${BENCH_BOTO3_CALLS:-600}
COLD_RUNS=${BENCH_COLD_RUNS:-7}
RSS_N1=10000
RSS_N2=${BENCH_RSS_CALLS:-100000}
SIGN_N=${BENCH_SIGN_N:-200000}
STAGES_N=${BENCH_STAGES_N:-10000}
CALLGRIND=${BENCH_CALLGRIND:-1}
CG_N1=300 CG_N2=1300          # callgrind: Ir(CG_N2 calls) - Ir(CG_N1 calls)

die() { echo "bench: $*" >&2; exit 1; }

# A clean, reproducible environment for every client: no preload, no proxy,
# no AWS profile/config/credentials/endpoint from the caller.
unset LD_PRELOAD LUA_INIT LUA_INIT_5_4 LUA_PATH_5_4 LUA_CPATH_5_4
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export no_proxy="127.0.0.1,localhost" NO_PROXY="127.0.0.1,localhost"
while read -r v; do unset "$v"; done < <(compgen -e | grep '^AWS_' || true)
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
export LUA_PATH="$root/lua/?.lua;$root/lua/?/init.lua;;" LUA_CPATH="$build/?.so;;"
export LC_ALL=C

LUA=${LUA:-lua5.4}
RAW=$build/raw_curl
COLD=$build/coldstart
for f in "$RAW" "$COLD" "$build/sign_bench" "$build/aws/lambda/core.so"; do
  [ -x "$f" ] || [ -f "$f" ] || die "$f missing: run make build first"
done
command -v "$LUA" >/dev/null || die "$LUA not found"

# boto3: Debian's python3-boto3 (not a pyenv shim, whose start-up is a shell)
PY=${BENCH_PYTHON:-}
if [ -z "$PY" ]; then
  for p in /usr/bin/python3 python3; do
    if command -v "$p" >/dev/null && "$p" -c 'import boto3' 2>/dev/null; then PY=$(command -v "$p"); break; fi
  done
fi

cd "$root"
prefix=$(mktemp -d "${TMPDIR:-/tmp}/lam-bench.XXXXXX")
mkdir -p "$prefix/tmp"
nginx_pid=""
cleanup() {
  if [ -n "$nginx_pid" ] && kill -0 "$nginx_pid" 2>/dev/null; then
    kill -TERM "$nginx_pid" 2>/dev/null || true
    wait "$nginx_pid" 2>/dev/null || true
  fi
  rm -rf "$prefix"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the endpoint: bench/nginx.conf.in, nginx in the foreground as our child ---
free_port() {
  if [ -n "$PY" ] || command -v python3 >/dev/null; then
    "${PY:-python3}" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' && return
  fi
  local p i
  for i in $(seq 1 50); do
    p=$((20000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  die "no free port found"
}
nginx=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
[ -x "$nginx" ] || die "nginx not found (Debian: apt-get install nginx-light)"
user_line=""
[ "$(id -u)" -eq 0 ] && user_line="user root $(id -gn);"  # workers must read the prefix
started=""
for try in 1 2 3 4 5; do
  port=$(free_port); check_port=$(free_port)
  [ "$port" != "$check_port" ] || continue
  conf=$(<"$root/bench/nginx.conf.in")
  conf=${conf//@USER@/"$user_line"}
  conf=${conf//@PREFIX@/"$prefix"}
  conf=${conf//@CHECK_PORT@/"$check_port"}
  conf=${conf//@PORT@/"$port"}
  printf '%s\n' "$conf" >"$prefix/nginx.conf"
  : >"$prefix/error.log"
  "$nginx" -p "$prefix/" -c "$prefix/nginx.conf" -e "$prefix/error.log" 2>>"$prefix/error.log" &
  nginx_pid=$!
  for _ in $(seq 1 50); do
    kill -0 "$nginx_pid" 2>/dev/null || break
    if curl -s -f -o /dev/null --noproxy '*' --max-time 1 "http://127.0.0.1:$port/ping"; then started=1; break; fi
    sleep 0.1
  done
  [ -n "$started" ] && break
  kill -TERM "$nginx_pid" 2>/dev/null || true
  wait "$nginx_pid" 2>/dev/null || true
  nginx_pid=""
  grep -q "Address already in use" "$prefix/error.log" || break
done
[ -n "$started" ] || { cat "$prefix/error.log" >&2; die "nginx did not start"; }

base="http://127.0.0.1:$port"
check_base="http://127.0.0.1:$check_port"
path="/2015-03-31/functions/my-function/policy/xaccount?Qualifier=PROD"

# --- header: machine and versions ---------------------------------------------
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
lua_v=$("$LUA" -v 2>&1 | awk '{print $2}')
curl_v=$(curl-config --version 2>/dev/null | awk '{print $2}' || true)
nginx_v=$("$nginx" -v 2>&1 | sed 's|.*nginx/||')
boto_v="not installed"
[ -n "$PY" ] && boto_v=$("$PY" -c 'import sys, boto3, botocore; print("boto3 %s / botocore %s (%s, Python %s)" % (boto3.__version__, botocore.__version__, sys.executable, sys.version.split()[0]))')
echo "make bench -- lua-aws-lambda remove_permission against the raw libcurl floor and boto3"
load0=$(cut -d' ' -f1-3 /proc/loadavg)
echo "machine:  $cpu, $(nproc) cores, $(uname -sr), load average at start $load0"
echo "versions: Lua $lua_v, libcurl $curl_v, nginx $nginx_v, $boto_v"
echo "endpoint: nginx on 127.0.0.1:$port, 1 worker, keep-alive (bench/nginx.conf.in: 204 / 200 + JSON, no Lua)"
busy=$(awk -v l="$(cut -d' ' -f1 /proc/loadavg)" -v n="$(nproc)" 'BEGIN { print (l > n - 1) ? 1 : 0 }')
if [ "$busy" = 1 ]; then
  echo "WARNING:  the machine is busy (load $(cut -d' ' -f1 /proc/loadavg) on $(nproc) cores): wall-clock figures will"
  echo "          scatter; the callgrind instruction counts at the end do not depend on load"
fi
echo

# --- the request check: each client once against the logging port ---------------
"$RAW" "$check_base$path" 1 easy 0 >/dev/null
"$LUA" bench/api_bench.lua once "$check_base" >/dev/null
[ -n "$PY" ] && "$PY" bench/boto3_bench.py once "$check_base" >/dev/null
sleep 0.2 # nginx writes the log line after the response
echo "request check (what the endpoint received, one call each; signature cut):"
mapfile -t lines <"$prefix/check.log"
names=(raw ours boto3)
for i in "${!lines[@]}"; do printf '  %-6s %s\n' "${names[$i]}" "${lines[$i]}"; done
same=$(printf '%s\n' "${lines[@]}" | awk '{print $1, $2, $3}' | sort -u | wc -l)
if [ "$same" -eq 1 ]; then echo "  -> method, URI and body identical for all ${#lines[@]}"
else echo "  -> WARNING: the clients sent different requests (method/URI/body)"; fi
echo

# --- throughput: short interleaved rounds ---------------------------------------------
# The machine may be shared: each round runs the floor, ours and boto3 back
# to back, and the ratios are medians of the per-round (paired) ratios.
res=$prefix/results
: >"$res"
echo "remove_permission: $ROUNDS rounds, each: raw floor, ours, raw multi ($CALLS calls each) and boto3 ($BOTO3_CALLS)"
for r in $(seq 1 "$ROUNDS"); do
  "$RAW" "$base$path" "$CALLS" easy 500 | sed "s/^easy/raw round=$r/" >>"$res"
  "$LUA" bench/api_bench.lua rate "$base" "$CALLS" 500 | sed "s/^ours/ours round=$r/" >>"$res"
  "$RAW" "$base$path" "$CALLS" multi 500 | sed "s/^multi/rawmulti round=$r/" >>"$res"
  if [ -n "$PY" ]; then
    "$PY" bench/boto3_bench.py rate "$base" "$BOTO3_CALLS" 100 | sed "s/^boto3/boto3 round=$r/" >>"$res"
  fi
done

# values of field KEY on the lines of NAME, one per line
vals() {
  awk -v name="$1" -v key="$2" '$1 == name { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == key) print kv[2] } }' "$res"
}
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
med() { vals "$1" "$2" | median; }
# per-round ratios of the rates of A and B: "median min max"
ratios() {
  paste <(vals "$1" rate) <(vals "$2" rate) | awk '{ printf "%.4f\n", $1 / $2 }' | sort -g |
    awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f %.2f %.2f\n", m, v[1], v[NR] }'
}
row() { printf '  %-52s %9.0f %9.1f %9.1f %9.2f\n' "$1" "$(med "$2" rate)" "$(med "$2" p50_us)" "$(med "$2" p99_us)" "$(med "$2" cpu_us)"; }
verdict() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { ok = (op == ">=") ? (v >= t) : (v <= t); print ok ? "met" : "NOT met" }'; }
printf '  %-52s %9s %9s %9s %9s\n' "medians over the rounds" "calls/s" "p50 us" "p99 us" "CPU us"
row "raw libcurl loop, easy handle, fixed headers (floor)" raw
row "raw libcurl, multi-driven like lam_http (for info)" rawmulti
row "ours: client:remove_permission" ours
[ -n "$PY" ] && row "boto3 remove_permission (retries off)" boto3
best() { vals "$1" rate | sort -g | tail -1; }
read -r r1 r1lo r1hi < <(ratios ours raw)
b1=$(awk -v a="$(best ours)" -v b="$(best raw)" 'BEGIN { printf "%.2f", a / b }')
echo "  ours / raw floor   = ${r1}x   target >= 0.85x   $(verdict "$r1" 0.85 '>=')   (per round ${r1lo}-${r1hi}; fastest rounds ${b1}x)"
if [ -n "$PY" ]; then
  read -r r2 r2lo r2hi < <(ratios ours boto3)
  b2=$(awk -v a="$(best ours)" -v b="$(best boto3)" 'BEGIN { printf "%.1f", a / b }')
  printf '  ours / boto3       = %.1fx    target >= 8x      %s   (per round %.1f-%.1f; fastest rounds %sx)\n' \
    "$r2" "$(verdict "$r2" 8 '>=')" "$r2lo" "$r2hi" "$b2"
else
  echo "  ours / boto3       = n/a (python3-boto3 not installed)"
fi
echo

# --- signing: bench/sign.sh ---------------------------------------------------------
echo "signing ($SIGN_N signatures, median of 5 rounds; bench/sign.sh):"
BENCH_N=$SIGN_N "$root/bench/sign.sh" "$build" | grep -v '^machine:' | sed 's/^/  /'
echo

# --- cold start -----------------------------------------------------------------------
echo "cold start: one process doing require + client + one remove_permission, $COLD_RUNS runs each, interleaved"
cold=$prefix/cold
: >"$cold"
for _ in $(seq 1 "$COLD_RUNS"); do
  "$COLD" "$LUA" bench/api_bench.lua cold "$base" | sed 's/^/ours /' >>"$cold"
  [ -n "$PY" ] && "$COLD" "$PY" bench/boto3_bench.py cold "$base" | sed 's/^/boto3 /' >>"$cold"
done
grep -q 'status=[1-9]' "$cold" && { cat "$cold" >&2; die "a cold-start run failed"; }
cmed() { res=$cold med "$1" "$2"; }
printf '  %-10s %12s %14s\n' "medians" "wall ms" "peak RSS MiB"
ow=$(cmed ours wall_s); orss=$(cmed ours maxrss_kib)
printf '  %-10s %12.1f %14.1f\n' ours "$(awk -v v="$ow" 'BEGIN{print v*1000}')" "$(awk -v v="$orss" 'BEGIN{print v/1024}')"
if [ -n "$PY" ]; then
  bw=$(cmed boto3 wall_s); brss=$(cmed boto3 maxrss_kib)
  printf '  %-10s %12.1f %14.1f\n' boto3 "$(awk -v v="$bw" 'BEGIN{print v*1000}')" "$(awk -v v="$brss" 'BEGIN{print v/1024}')"
  c1=$(awk -v a="$ow" -v b="$bw" 'BEGIN { printf "%.3f", a / b }')
  c2=$(awk -v a="$orss" -v b="$brss" 'BEGIN { printf "%.3f", a / b }')
  echo "  ours / boto3 wall  = $c1 (1/$(awk -v v="$c1" 'BEGIN{printf "%.0f", 1/v}'))   target <= 0.050 (1/20)   $(verdict "$c1" 0.05 '<=')"
  echo "  ours / boto3 RSS   = $c2 (1/$(awk -v v="$c2" 'BEGIN{printf "%.1f", 1/v}'))   target <= 0.250 (1/4)    $(verdict "$c2" 0.25 '<=')"
fi
echo

# --- memory over 100k calls -------------------------------------------------------------
echo "memory: one process, $RSS_N2 calls"
line=$("$LUA" bench/api_bench.lua rss "$base" "$RSS_N1" "$RSS_N2")
eval "$(echo "$line" | tr ' ' '\n' | grep '=' | sed 's/^/m_/')"
growth=$(awk -v a="$m_rss1_kib" -v b="$m_rss2_kib" 'BEGIN { printf "%.2f", (b - a) * 100 / a }')
echo "  VmRSS after $m_n1 calls: $m_rss1_kib KiB; after $m_n2 calls: $m_rss2_kib KiB; growth ${growth}%   target < 1%   $(verdict "$growth" 0.999 '<=')"
echo "  (Lua heap after a full collection: $m_heap1_kib KiB -> $m_heap2_kib KiB)"
echo

# --- where the time goes: Lua-side stages ------------------------------------------------
if [ "$STAGES_N" -gt 0 ]; then
  echo "where a call's CPU time goes (bench/stages.lua, os.clock, best of 3 x $STAGES_N):"
  "$LUA" bench/stages.lua "$base" "$STAGES_N" | awk '{ printf "  %-9s %7.2f us  %5.1f%%\n", $2, $3, $4 }'
  echo
fi

# --- callgrind: instructions per call, client side ----------------------------------------
if [ "$CALLGRIND" != 0 ] && command -v valgrind >/dev/null; then
  ir() { # total instructions of a command under callgrind
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
      awk '/Collected :/ { print $NF }'
  }
  echo "callgrind: client-side instructions per remove_permission, (Ir($CG_N2 calls) - Ir($CG_N1 calls)) / $((CG_N2 - CG_N1)):"
  o1=$(ir "$LUA" bench/api_bench.lua calls "$base" "$CG_N1")
  o2=$(ir "$LUA" bench/api_bench.lua calls "$base" "$CG_N2")
  w1=$(ir "$RAW" "$base$path" "$CG_N1" easy 0)
  w2=$(ir "$RAW" "$base$path" "$CG_N2" easy 0)
  oc=$(( (o2 - o1) / (CG_N2 - CG_N1) )); wc=$(( (w2 - w1) / (CG_N2 - CG_N1) ))
  printf '  ours  %8d Ir/call\n  raw   %8d Ir/call (the floor)\n  ours / raw = %.2f\n' "$oc" "$wc" "$(awk -v a="$oc" -v b="$wc" 'BEGIN{print a/b}')"
  echo
fi
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (at the start: $load0)"
