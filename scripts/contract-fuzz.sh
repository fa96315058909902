#!/usr/bin/env bash
# The contract fuzzer: starts the sandbox on a free loopback port, checks that its
# OpenAPI documents are valid OpenAPI 3.1, then lets schemathesis send every operation
# positive and negative data and checks every answer against the document.
#   scripts/contract-fuzz.sh [path to the sandbox binary]
# Needs: pip install schemathesis==3.39.16 hypothesis==6.112.0 openapi-spec-validator==0.7.1
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/debug/sandbox}
[ -x "$bin" ] || cargo build --quiet
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# With an admin token, so the admin API is fuzzed behind it as a shared sandbox runs it.
token=contract-fuzz
SANDBOX_HOST=127.0.0.1 SANDBOX_PORT=$port SANDBOX_LOG=warn SANDBOX_ADMIN_TOKEN=$token "$bin" &
pid=$!
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
base=http://127.0.0.1:$port
python3 - "$base" "$token" "$work/openapi.json" <<'PY'
import json, sys, time, urllib.request
from openapi_spec_validator import validate
base, token, out = sys.argv[1:]
def fetch(path):
    req = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + token})
    return json.load(urllib.request.urlopen(req))
for _ in range(100):
    try:
        urllib.request.urlopen(base + "/__sandbox/health", timeout=1)
        break
    except OSError:
        time.sleep(0.1)
providers = fetch("/__sandbox/health")["providers"]
for doc in ["openapi.json", "openapi/admin.json"] + [f"openapi/{p}.json" for p in providers]:
    validate(fetch(f"/__sandbox/{doc}"))
    print("valid OpenAPI 3.1:", doc)
json.dump(fetch("/__sandbox/openapi.json"), open(out, "w"))
PY

# A documented 5xx (an internal-error code the endpoint answers) is allowed, so the
# server-error check is status_code_conformance's: a 5xx the document lacks fails it.
# Generated values stay ASCII without NUL, and security schemes' values are not
# generated: a header value that is not valid HTTP is refused by actix-http's parser
# before the sandbox sees the request (a bare 400), which no document can describe.
# The stateful phase follows the documents' links (a key from auth into the calls that
# take it). TrustDecision answers a missing partner key with HTTP 200 and code 9060, as
# the provider does, so its API runs without `ignored_auth`, which expects a 401. The
# admin API runs with its token (and `ignored_auth` checks it is needed).
fuzz() {
  PYTHONPATH=scripts SCHEMATHESIS_HOOKS=fuzz_hooks schemathesis run "$work/openapi.json" --base-url "$base" \
    --experimental=openapi-3.1 --stateful=links \
    --checks all \
    --generation-codec ascii --generation-allow-x00 false \
    --generation-with-security-parameters false \
    --hypothesis-seed 1 --hypothesis-max-examples 25 \
    --hypothesis-suppress-health-check all --hypothesis-derandomize \
    --no-color "$@"
}
fuzz --exclude-checks not_a_server_error --exclude-path-regex '^/(trustdecision|__sandbox)'
fuzz --exclude-checks not_a_server_error --include-path-regex '^/__sandbox' \
  -H "Authorization: Bearer $token"
fuzz --exclude-checks not_a_server_error,ignored_auth --include-path-regex '^/trustdecision'
