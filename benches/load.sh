#!/usr/bin/env bash
# Throughput of the sandbox's main endpoints beside a bare actix-web handler (the floor,
# src/bin/floor.rs), in one run on this machine: wrk, 2 threads, 32 connections,
# $DURATION per row, loopback only. The sandbox runs release, default settings, its
# `info` log line per request written to a file (target/load/sandbox.log), as a user
# running it in a container would have it. Prints one table: requests/s, p50, p99 and
# share of the floor (the floor is measured, $FLOOR_DURATION, before every row and after
# the last; a row's share uses the mean of the floors either side of it), and the
# server's CPU time (user + system) per request, which drifts less than requests/s.
# A row "floor + essentials" runs the floor doing the least any sandbox must
# (`floor ADDR essentials`: tenant map, bounded journal, counter, log line). Then the
# 50 ms delay rule at 256 connections against its ideal 256 / 0.05 s.
#
#   benches/load.sh                  # DURATION=5s FLOOR_DURATION=3s by default
#   DURATION=8s benches/load.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-5s}
FLOOR_DURATION=${FLOOR_DURATION:-3s}
THREADS=2
CONNS=32
FLOOR_PORT=${FLOOR_PORT:-18181}
PORT=${PORT:-18182}
ESSENTIALS_PORT=${ESSENTIALS_PORT:-18183}
OUT=target/load
mkdir -p "$OUT"

if ! command -v wrk >/dev/null; then
  echo "installing wrk from Debian's packages" >&2
  SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  $SUDO apt-get install -y wrk || { $SUDO apt-get update && $SUDO apt-get install -y wrk; }
fi

# SKIP_BUILD=1 uses the binaries as built; without the floor's, its rows are left out.
[ -n "${SKIP_BUILD:-}" ] || cargo build --release --features floor --bin sandbox --bin floor
FLOOR=target/release/floor

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

wait_port() {
  for _ in $(seq 200); do
    curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0
    sleep 0.05
  done
  echo "nothing listens on $1" >&2; exit 1
}

if [ -x $FLOOR ]; then
  $FLOOR "127.0.0.1:$FLOOR_PORT" & PIDS+=($!)
  FLOOR_PID=$!
  $FLOOR "127.0.0.1:$ESSENTIALS_PORT" essentials >"$OUT/essentials.log" 2>&1 & PIDS+=($!)
  ESSENTIALS_PID=$!
fi
# Default settings but the state budget: the creation rows store more than the default
# 24 MiB (DCM customers, CarmaChain requests), and the budget would evict the bench's own
# tenants, turning their next requests into 401s. benches/soak.py measures memory with
# the defaults.
# For the same reason the default scenario gets one more file raising DCM's
# `max_customers` and `max_accounts` (200,000 and 400,000): a 5 s creation row at 40,000
# requests/s reaches them, and the rest of the row would be 400s.
mkdir -p "$OUT/scenario"
cp scenarios/default.yaml "$OUT/scenario/00-default.yaml"
printf 'dcm:\n  max_customers: 2000000\n  max_accounts: 2000000\n' >"$OUT/scenario/10-bench.yaml"
SANDBOX_HOST=127.0.0.1 SANDBOX_PORT=$PORT SANDBOX_LOG=info SANDBOX_STATE_TOTAL_BYTES_CAP=$((1024 * 1024 * 1024)) \
  SANDBOX_SCENARIO="$OUT/scenario" target/release/sandbox >"$OUT/sandbox.log" 2>&1 & PIDS+=($!)
SANDBOX_PID=$!
if [ -x $FLOOR ]; then wait_port "$FLOOR_PORT"; wait_port "$ESSENTIALS_PORT"; fi
wait_port "$PORT"

BASE="http://127.0.0.1:$PORT"
post() { # tenant path body [header]
  curl -s -X POST "$BASE$2" -H "X-Sandbox-Tenant: $1" -H 'content-type: application/json' \
    ${4:+-H "$4"} -d "$3"
}
token() { # tenant -> a CarmaChain key of the open client
  curl -s "$BASE/carmachain/auth/getToken" -H "X-Sandbox-Tenant: $1" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}

carma_setup() {
  # CarmaChain: a tenant holds at most 10,000 requests not yet answered, so creation
  # rotates over 64 tenants; respond reads a tenant holding three requests.
  : >"$OUT/carma_keys"
  for i in $(seq 0 63); do echo "bench-cc-$i $(token "bench-cc-$i")" >>"$OUT/carma_keys"; done
  echo "bench-cc-respond $(token bench-cc-respond)" >"$OUT/carma_respond"
  RKEY=$(cut -d' ' -f2 "$OUT/carma_respond")
  for _ in 1 2 3; do
    post bench-cc-respond /carmachain/api/createrequest \
      '{"type_request":["Name"],"value":[{"IdDocument":"AB123456","PhoneNumber":"0501234567"}]}' \
      "Authorization: $RKEY" >/dev/null
  done
  export CARMA_KEYS="$OUT/carma_keys" CARMA_RESPOND="$OUT/carma_respond"
}

# CPU time (user + system) a process has used, in clock ticks.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)

# wrk on `url`, then "requests/s p50 p99 bad errors" and the server's CPU microseconds
# per request.
measure() { # script url connections duration server-pid
  local line before
  before=$(ticks "$5")
  line=$(wrk -t$THREADS -c"$3" -d"$4" -s "benches/wrk/$1" "$2" | grep '^RESULT' || true)
  [ -n "$line" ] || { echo "wrk gave no result for $1" >&2; line="RESULT 0 0 0 0 0"; }
  set -- ${line#RESULT } "$(ticks "$5")" "$before" "${4%s}"
  echo "$1 $2 $3 $4 $5 $(python3 -c "print(round(($6 - $7) / $HZ * 1e6 / max($1 * $8, 1), 2))")"
}

run() { # label script url [connections] [server pid]
  echo "$1|$(measure "$2" "$3" "${4:-$CONNS}" "$DURATION" "${5:-$SANDBOX_PID}")" >>"$OUT/rows"
}

# The machine's speed drifts over a run (a shared host: the floor made 120,000 at the
# start of one run and 143,000 at its end), so the floor is measured between every two
# rows and each row is read against the mean of the floors just before and after it.
: >"$OUT/rows"
: >"$OUT/floors"
floor_probe() {
  [ -x $FLOOR ] || return 0
  measure floor.lua "http://127.0.0.1:$FLOOR_PORT/ubki/bonusservice/discount" $CONNS \
    "$FLOOR_DURATION" "$FLOOR_PID" >>"$OUT/floors"
}
row() { floor_probe; run "$@"; }
# First, while the tenant map is empty: its 1,000 tenants fit `tenant_cap` (1,000).
row "UBKI auth, one of 1,000 tenants each request" ubki_auth_tenants.lua "$BASE"
row "UBKI discount (valid key)" ubki_discount.lua "$BASE"
if [ -x $FLOOR ]; then
  row "floor + essentials (UBKI discount's request)" ubki_discount.lua \
    "http://127.0.0.1:$ESSENTIALS_PORT" $CONNS "$ESSENTIALS_PID"
fi
row "TrustDecision call (partner sandbox)" trustdecision.lua "$BASE"
row "DCM customers list page (limit 20)" dcm_list.lua "$BASE"
curl -s -X POST "$BASE/__sandbox/reset" -H 'X-Sandbox-Tenant: bench-dcm-create' >/dev/null
row "DCM customer creation" dcm_create.lua "$BASE"
carma_setup
row "CarmaChain createrequest" carmachain_create.lua "$BASE"
row "CarmaChain respond by period" carmachain_respond.lua "$BASE"
row "SberSafe clients (all blocks)" sbersafe_clients.lua "$BASE"
floor_probe

post bench-delay /__sandbox/rules '{"name":"delay50","when":{"provider":"ubki"},"then":{"delay_ms":50}}' >/dev/null
: >"$OUT/delay"
line=$(wrk -t$THREADS -c256 -d"$DURATION" -s benches/wrk/delay.lua "$BASE" | grep '^RESULT')
echo "${line#RESULT }" >"$OUT/delay"
RSS=$(awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$SANDBOX_PID/status")

python3 - "$OUT/rows" "$OUT/delay" "$DURATION" "$RSS" "$OUT/floors" <<'PY'
import sys
rows = [l.rstrip("\n").split("|") for l in open(sys.argv[1]) if l.strip()]
rows = [(name, *map(float, vals.split())) for name, vals in rows]
floor_lines = [l.split() for l in open(sys.argv[5]) if l.strip()]
floors = [float(l[0]) for l in floor_lines]
floor_us = [float(l[5]) for l in floor_lines]
beside = [(a + b) / 2 for a, b in zip(floors, floors[1:])] if len(floors) == len(rows) + 1 else []
print(f"\nwrk 2 threads, 32 connections, {sys.argv[3]} per row; the floor between every two rows: "
      + (f"{min(floors):,.0f} to {max(floors):,.0f} req/s\n" if floors else "not measured (no floor binary)\n"))
if floor_us:
    print(f"the floor's CPU per request: {min(floor_us):.2f} to {max(floor_us):.2f} us\n")
print("| endpoint | requests/s | p50 ms | p99 ms | floor beside it | share of the floor | server CPU us/request | answers >= 400 | socket errors |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for i, (name, rps, p50, p99, bad, errs, us) in enumerate(rows):
    floor = beside[i] if beside else None
    share = f"{rps / floor:.0%}" if floor else "-"
    shown = f"{floor:,.0f}" if floor else "-"
    print(f"| {name} | {rps:,.0f} | {p50:.2f} | {p99:.2f} | {shown} | {share} | {us:.1f} | {bad:.0f} | {errs:.0f} |")
rps, p50, p99, bad, errs = map(float, open(sys.argv[2]).read().split())
ideal = 256 / 0.05
print(f"\n50 ms delay rule, 256 connections: {rps:,.0f} requests/s = {rps / ideal:.0%} of 256/0.05 s "
      f"(p50 {p50:.1f} ms, p99 {p99:.1f} ms, socket errors {errs:.0f})")
print(f"sandbox resident memory after the run: {sys.argv[4]} MiB")
PY
