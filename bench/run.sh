#!/usr/bin/env bash
# Benchmarks: every workload, every contender, against one emulator in one run; prints medians
# and ratios. Figures, not pass/fail. Knobs: BENCH_USERS (100000), BENCH_RUNS (3), BENCH_BULK (1000),
# BENCH_CALLS (10000), BENCH_SYNC_MEMBERS (10000), BENCH_SYNC_DIFFS (100). The PowerShell module (Get-VcsUser, Import-Module) has its own: bench/powershell.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
USERS=${BENCH_USERS:-100000}
RUNS=${BENCH_RUNS:-3}
BULK=${BENCH_BULK:-1000}
CALLS=${BENCH_CALLS:-10000}
work=$(mktemp -d)
trap 'kill $emu_pid 2>/dev/null || true; rm -rf "$work"' EXIT

cargo build --release -q -p vcs-bench -p vcs-emulator -p vcs-cli
python3 -c 'import requests' 2>/dev/null || pip install -q requests
bin=target/release

"$bin/vcs-emulator" --listen 127.0.0.1:0 --users "$USERS" --seed 7 >"$work/emulator.out" 2>"$work/emulator.err" &
emu_pid=$!
for _ in $(seq 100); do [ -s "$work/emulator.out" ] && break; sleep 0.1; done
read -r url token < <(python3 -c 'import json,sys; d=json.loads(open(sys.argv[1]).readline()); print(d["url"], d["apiToken"])' "$work/emulator.out")
echo "emulator: $url with $USERS users ($(cat "$work/emulator.err"))" >&2
results="$work/results.jsonl"
record() { python3 -c 'import json,sys; print(json.dumps({"workload": sys.argv[1], "contender": sys.argv[2], **json.loads(sys.argv[3])}))' "$1" "$2" "$3" >>"$results"; }
seconds_of() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null; t1=$(date +%s.%N); python3 -c "print(json.dumps({'seconds': $t1 - $t0}))" 2>/dev/null || python3 -c "import json; print(json.dumps({'seconds': $t1 - $t0}))"; }
reset() { curl -s -X POST "$url/_emulator/reset" >/dev/null; }

# curl: the same pages, one connection, sequentially: the floor the server sets.
access=$(curl -s -X POST "$url/csp/gateway/am/api/auth/api-tokens/authorize" -d "refresh_token=$token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
org=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["orgId"])' "$work/emulator.out")
python3 - "$url" "$org" "$USERS" >"$work/curl.cfg" <<'PY'
import sys
url, org, users = sys.argv[1], sys.argv[2], int(sys.argv[3])
for start in range(1, users + 1, 200):
    print(f'url = "{url}/csp/gateway/am/api/v2/orgs/{org}/users?pageStart={start}&pageLimit=200"')
    print('output = "/dev/null"')
PY

echo "workload 1: list $USERS users, $RUNS runs each" >&2
for _ in $(seq "$RUNS"); do
  record list "Rust API" "$("$bin/vcs-bench" list-rust "$url" "$token")"
  record list "C ABI + JSON parse" "$("$bin/vcs-bench" list-abi "$url" "$token")"
  record list "vcs CLI (--json)" "$(VCS_SERVER=$url VCS_API_TOKEN=$token seconds_of "$bin/vcs" user list --json)"
  record list "Python requests" "$(python3 bench/python_client.py list "$url" "$token")"
  record list "curl (floor)" "$(seconds_of curl -s -H "csp-auth-token: $access" -K "$work/curl.cfg")"
done

echo "workload 2: invite $BULK, revoke them, remove $BULK users" >&2
for _ in $(seq "$RUNS"); do
  reset; record bulk "Rust API (bounded concurrency)" "$("$bin/vcs-bench" bulk "$url" "$token" "$BULK")"
  reset; record bulk "Python requests (sequential)" "$(python3 bench/python_client.py bulk "$url" "$token" "$BULK")"
done
reset
curl -s -X POST "$url/_emulator/faults" -H 'content-type: application/json' \
  -d '{"path": "/csp/gateway/am/api/**", "status": 429, "retryAfterSeconds": 1, "probability": 0.05}' >/dev/null
curl -s -X DELETE "$url/_emulator/stats" >/dev/null
record bulk-429 "Rust API, 5% answered 429" "$("$bin/vcs-bench" bulk "$url" "$token" "$BULK")"
record bulk-429-stats "emulator" "$(curl -s "$url/_emulator/stats" | python3 -c 'import json,sys; s=json.load(sys.stdin); print(json.dumps({"requests": s["total"], "answered429": s["statuses"].get("429", 0)}))')"
curl -s -X DELETE "$url/_emulator/faults" >/dev/null
reset

echo "workload 3: $CALLS calls through the C ABI and the Rust API (an org of 25 users: one page)" >&2
"$bin/vcs-emulator" --listen 127.0.0.1:0 --users 25 >"$work/small.out" 2>/dev/null &
small_pid=$!
for _ in $(seq 100); do [ -s "$work/small.out" ] && break; sleep 0.1; done
read -r small_url small_token < <(python3 -c 'import json,sys; d=json.loads(open(sys.argv[1]).readline()); print(d["url"], d["apiToken"])' "$work/small.out")
record overhead "ABI vs Rust" "$("$bin/vcs-bench" overhead "$small_url" "$small_token" "$CALLS")"
kill $small_pid

SYNC_MEMBERS=${BENCH_SYNC_MEMBERS:-10000}
SYNC_DIFFS=${BENCH_SYNC_DIFFS:-100}
echo "workload 4: sync an organization of $SYNC_MEMBERS members from a file with $SYNC_DIFFS differences" >&2
"$bin/vcs-emulator" --listen 127.0.0.1:0 --users "$SYNC_MEMBERS" --seed 11 >"$work/sync.out" 2>/dev/null &
sync_pid=$!
for _ in $(seq 100); do [ -s "$work/sync.out" ] && break; sleep 0.1; done
read -r sync_url sync_token < <(python3 -c 'import json,sys; d=json.loads(open(sys.argv[1]).readline()); print(d["url"], d["apiToken"])' "$work/sync.out")
curl -s -X DELETE "$sync_url/_emulator/stats" >/dev/null
sync_result=$("$bin/vcs-bench" sync "$sync_url" "$sync_token" "$SYNC_DIFFS")
# The emulator's count of requests that change something (not GET, not token exchange).
changes=$(curl -s "$sync_url/_emulator/stats" | python3 -c 'import json,sys; r=json.load(sys.stdin)["requests"]; print(sum(v for k, v in r.items() if not k.startswith("GET ") and "/auth/" not in k))')
record sync "Rust API" "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); d["changeRequests"]=int(sys.argv[2]); print(json.dumps(d))' "$sync_result" "$changes")"
kill $sync_pid

python3 bench/report.py "$results" "$USERS" "$BULK"
