#!/usr/bin/env bash
# make bench-sign: the C signer and sigv4.sign from Lua against the floor
# (one SHA-256 + one HMAC with a cached key), all measured in this run.
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$build" && pwd)
n=${BENCH_N:-200000}
c_out=$("$build/sign_bench" "$n")
lua_out=$(cd "$root" && LUA_PATH="$root/lua/?.lua;;" LUA_CPATH="$build/?.so;;" lua5.4 bench/sign_bench.lua "$n")
printf '%s\n%s\n' "$c_out" "$lua_out" | awk '
  { v[$1] = $2 }
  END {
    printf "machine: %s\n", m
    printf "%-34s %12s %10s %8s\n", "what", "ops/s", "us/op", "x floor"
    printf "%-34s %12.0f %10.3f %8s\n", "floor (SHA-256 + HMAC, cached key)", v["floor"], 1e6 / v["floor"], "1.00"
    printf "%-34s %12.0f %10.3f %8.2f   target >= 0.50\n", "C signer (lam_sigv4_sign)", v["c_sign"], 1e6 / v["c_sign"], v["c_sign"] / v["floor"]
    printf "%-34s %12.0f %10.3f %8.2f   target >= 0.25\n", "Lua sigv4.sign", v["lua_sign"], 1e6 / v["lua_sign"], v["lua_sign"] / v["floor"]
    printf "canonical request: %d bytes\n", v["canonical_request_bytes"]
  }' m="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
