#!/usr/bin/env bash
# One DCM counterparty grown to a million customers over HTTP, through the whole
# pipeline (journal, coverage, metrics, `info` log to a file): the creation rate and p99
# of each tenth, resident memory per customer, then the latency of list pages over the
# million (one connection, so it is the page's own time). The scenario is the default
# one with `max_customers` and `max_accounts` raised; the state budget is raised too, or
# it would evict the tenant it measures.
#
#   benches/dcm_million.sh              # N=1000000 STEPS=10 PAGE_SECONDS=3
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-1000000}
STEPS=${STEPS:-10}
PAGE_SECONDS=${PAGE_SECONDS:-3}
PORT=${PORT:-18183}
OUT=target/dcm_million
BASE="http://127.0.0.1:$PORT"
TENANT=bench-dcm-create
CP=11111111-1111-4111-8111-111111111111
mkdir -p "$OUT/scenario"

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
[ -n "${SKIP_BUILD:-}" ] || cargo build --release --bin sandbox

cp scenarios/default.yaml "$OUT/scenario/00-default.yaml"
cat >"$OUT/scenario/10-million.yaml" <<EOF
dcm:
  max_customers: $((N + 1000))
  max_accounts: $((N + 1000))
EOF

SANDBOX_HOST=127.0.0.1 SANDBOX_PORT=$PORT SANDBOX_LOG=info SANDBOX_SCENARIO="$OUT/scenario" \
  SANDBOX_STATE_TOTAL_BYTES_CAP=$((8 * 1024 * 1024 * 1024)) \
  target/release/sandbox >"$OUT/sandbox.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 200); do curl -s -o /dev/null "$BASE/" && break; sleep 0.05; done

rss() { awk '/VmRSS/ {print $2 * 1024}' "/proc/$PID/status"; }
held() { # customers the counterparty holds
  curl -s "$BASE/dcm/api/v1/counterparty/$CP/customers?limit=1" \
    -H "X-Sandbox-Tenant: $TENANT" -H 'Authorization: bearer sandbox-dcm-token' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])'
}

START=$(held)
RSS0=$(rss)
PER_THREAD=$((N / STEPS / 2))
echo "| customers held | creations/s | p50 ms | p99 ms | answers >= 400 | resident MiB |"
echo "|---:|---:|---:|---:|---:|---:|"
for step in $(seq 1 "$STEPS"); do
  rm -f "$OUT/done"
  DCM_LOGIN_PREFIX="s$step-" WRK_STOP_AFTER=$PER_THREAD WRK_DONE_FILE="$OUT/done" \
    wrk -t2 -c32 -d3600s -s benches/wrk/dcm_create.lua "$BASE" >"$OUT/wrk.txt" &
  WRK=$!
  until [ -f "$OUT/done" ] && [ "$(wc -l <"$OUT/done")" -ge 2 ]; do sleep 0.05; done
  kill -INT $WRK; wait $WRK || true
  read -r rps p50 p99 bad _ < <(grep '^RESULT' "$OUT/wrk.txt" | cut -d' ' -f2-)
  # wrk's own rate divides by its whole run, the wait for the second thread included.
  printf '| %s | %s | %s | %s | %s | %.0f |\n' "$(held)" "$rps" "$p50" "$p99" "$bad" \
    "$(($(rss) / 1048576))"
done
HELD=$(held)
RSS1=$(rss)
python3 -c "import sys; a,b,c,d=map(int,sys.argv[1:]); print(f'\n{c-d:,} customers created; resident memory {a/2**20:.0f} -> {b/2**20:.0f} MiB: {(b-a)/(c-d):,.0f} bytes per customer (the journal, at most 32 MiB, included)')" \
  "$RSS0" "$RSS1" "$HELD" "$START"

echo
echo "List pages over $HELD customers, one connection, $PAGE_SECONDS s each:"
echo "| query | pages/s | p50 ms | p99 ms |"
echo "|---|---:|---:|---:|"
for q in "limit=20" "ordering=created_at&offset=$((HELD - 20))&limit=20" \
  "kyc_levels=1&limit=20" "min_balance_allowed=4999&limit=20" \
  "search_string=name996&limit=20" "ordering=-balance_allowed&limit=20" \
  "segments=PL&kyc_levels=2,3&ordering=-balance_allowed&limit=20"; do
  line=$(DCM_QUERY="$q" wrk -t1 -c1 -d"${PAGE_SECONDS}s" -s benches/wrk/dcm_page.lua "$BASE" | grep '^RESULT')
  read -r rps p50 p99 bad _ <<<"${line#RESULT }"
  [ "$bad" = 0 ] || echo "($q answered $bad errors)" >&2
  echo "| \`$q\` | $rps | $p50 | $p99 |"
done
