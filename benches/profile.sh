#!/usr/bin/env bash
# Instructions per request, which a loaded machine does not blur: the release sandbox
# under callgrind (one worker, `info` log to a file), one endpoint's wrk script, counters
# zeroed after a warm-up and dumped after exactly N answers. Prints Ir per request and
# the inclusive cost of the pipeline's steps and of the usual suspects.
#
#   benches/profile.sh [script] [N]      # default ubki_discount.lua 2000
set -euo pipefail
cd "$(dirname "$0")/.."
SCRIPT=${1:-ubki_discount.lua}
N=${2:-2000}
PORT=${PORT:-18190}
OUT=target/profile
mkdir -p "$OUT"
rm -f "$OUT"/callgrind.*
[ -n "${SKIP_BUILD:-}" ] || cargo build --release --bin sandbox
BIN=${BIN:-target/release/sandbox}

SANDBOX_HOST=127.0.0.1 SANDBOX_PORT=$PORT SANDBOX_LOG=${SANDBOX_LOG:-info} SANDBOX_WORKERS=1 \
  valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.%p" \
  "$BIN" >"$OUT/sandbox.log" 2>"$OUT/valgrind.log" &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 600); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.1; done

BASE="http://127.0.0.1:$PORT"
export CARMA_KEYS="$OUT/carma_keys" CARMA_RESPOND="$OUT/carma_respond"
if [[ $SCRIPT == carmachain_* ]]; then
  TOKEN=$(curl -s "$BASE/carmachain/auth/getToken" -H "X-Sandbox-Tenant: cc" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  echo "cc $TOKEN" >"$CARMA_KEYS"; cp "$CARMA_KEYS" "$CARMA_RESPOND"
  curl -s "$BASE/carmachain/api/createrequest" -H "X-Sandbox-Tenant: cc" -H "Authorization: $TOKEN" \
    -H 'content-type: application/json' \
    -d '{"type_request":["Name"],"value":[{"IdDocument":"AB123456","PhoneNumber":"0501234567"}]}' >/dev/null
fi

answer() { # exactly $1 requests, one connection
  rm -f "$OUT/done"
  WRK_STOP_AFTER=$1 WRK_DONE_FILE="$OUT/done" wrk -t1 -c1 -d3600s -s "benches/wrk/$SCRIPT" "$BASE" >/dev/null &
  local wrk_pid=$!
  until [ -s "$OUT/done" ]; do sleep 0.2; done
  kill -INT $wrk_pid; wait $wrk_pid || true
}
answer 200
callgrind_control --zero $PID >/dev/null 2>&1
answer "$N"
kill $PID; wait $PID || true   # the profile is written at exit: N requests and the shutdown
FILE="$OUT/callgrind.$PID"
TOTAL=$(callgrind_annotate "$FILE" | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
echo "$SCRIPT: $TOTAL instructions over $N requests = $((TOTAL / N)) per request"
callgrind_annotate --inclusive=yes "$FILE" 2>/dev/null |
  grep -E 'pipeline::|journal::|state::Sandbox::tenant|tracing_subscriber::fmt::fmt_layer::Layer.*on_event|serde_json::ser|BTreeMap.*insert|sandbox::providers::[a-z]+::routes::[a-z_]+::\{\{closure\}\}|actix_http::h1::dispatcher::Dispatcher.*poll' |
  head -40 | awk -v n="$N" '{gsub(",", "", $1); printf "%10d per request  %s\n", $1 / n, $0}' | cut -c1-220
