#!/usr/bin/env bash
# Benchmarks: every workload, every contender, against one emulator in one run; prints medians
# and ratios. Figures, not pass/fail. Knobs: BENCH_USERS (100000), BENCH_RUNS (3), BENCH_BULK (1000),
# BENCH_CALLS (10000), BENCH_SYNC_MEMBERS (10000), BENCH_SYNC_DIFFS (100), BENCH_ONLY (throttling:
# only workload 5). The PowerShell module (Get-VcsUser, Import-Module) has its own: bench/powershell.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
USERS=${BENCH_USERS:-100000}
RUNS=${BENCH_RUNS:-3}
BULK=${BENCH_BULK:-1000}
CALLS=${BENCH_CALLS:-10000}
work=$(mktemp -d)
emu_pid=""
e_pid=""
trap '[[ -z $emu_pid ]] || kill "$emu_pid" 2>/dev/null || true; [[ -z $e_pid ]] || kill "$e_pid" 2>/dev/null || true; rm -rf "$work"' EXIT

cargo build --release -q -p vcs-bench -p vcs-emulator -p vcs-cli
bin=target/release
results="$work/results.jsonl"
record() { python3 -c 'import json,sys; print(json.dumps({"workload": sys.argv[1], "contender": sys.argv[2], **json.loads(sys.argv[3])}))' "$1" "$2" "$3" >>"$results"; }

# Starts an emulator with the given flags; sets e_url, e_token, e_pid and e_info (its first line).
start_emulator() {
  "$bin/vcs-emulator" --listen 127.0.0.1:0 "$@" >"$work/e.out" 2>/dev/null &
  e_pid=$!
  for _ in $(seq 100); do [ -s "$work/e.out" ] && break; sleep 0.1; done
  e_info=$(head -1 "$work/e.out")
  e_url=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["url"])' "$e_info")
  e_token=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["apiToken"])' "$e_info")
}

# Workload 5: throttling. 1,000 invitations while 5% of requests are answered 429 (Retry-After 1),
# then 2,000 Cloud Director creates against --rate-limit 100.
throttling() {
  echo "workload 5: throttling ($BULK invitations with 5% answered 429; 2000 creates against --rate-limit 100)" >&2
  start_emulator --users 25
  curl -s -X POST "$e_url/_emulator/faults" -H 'content-type: application/json' \
    -d '{"path": "/csp/**", "status": 429, "retryAfterSeconds": 1, "probability": 0.05}' >/dev/null
  curl -s -X DELETE "$e_url/_emulator/stats" >/dev/null
  local figures once stats
  figures=$("$bin/vcs-bench" invite "$e_url" "$e_token" "$BULK")
  stats=$(curl -s "$e_url/_emulator/stats")
  once=$(curl -s "$e_url/_emulator/state" | python3 -c '
import json, sys, collections
w = json.load(sys.stdin)
n = collections.Counter(i["username"] for i in w["invitations"] if i["username"].startswith("throttled") and i["status"] in ("available", "AVAILABLE", "Available"))
print(json.dumps({"addressesInvited": len(n), "invitedMoreThanOnce": sum(1 for v in n.values() if v > 1)}))')
  record throttle-invite "Rust API" "$(python3 -c 'import json,sys; a,b,c=(json.loads(x) for x in sys.argv[1:]); print(json.dumps({**a, **c, "requests": b["total"], "answered429": b["statuses"].get("429", 0)}))' "$figures" "$stats" "$once")"
  kill $e_pid

  start_emulator --users 25 --rate-limit 100
  local login
  login=$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["vcdOrg"] + ":" + d["vcdUser"] + ":" + d["vcdPassword"])' "$e_info")
  sleep 1.2   # a full bucket, as a fresh organization has
  curl -s -X DELETE "$e_url/_emulator/stats" >/dev/null
  figures=$("$bin/vcs-bench" vcd-create "$e_url" "$login" 2000)
  stats=$(curl -s "$e_url/_emulator/stats")
  record throttle-limit "Rust API" "$(python3 -c 'import json,sys; a,b=(json.loads(x) for x in sys.argv[1:]); print(json.dumps({**a, "requests": b["total"], "answered429": b["statuses"].get("429", 0), "limit": 100}))' "$figures" "$stats")"
  kill $e_pid
}

if [ "${BENCH_ONLY:-}" = throttling ]; then
  throttling
  python3 bench/report.py "$results" "$USERS" "$BULK"
  exit 0
fi
python3 -c 'import requests' 2>/dev/null || pip install -q requests

"$bin/vcs-emulator" --listen 127.0.0.1:0 --users "$USERS" --seed 7 >"$work/emulator.out" 2>"$work/emulator.err" &
emu_pid=$!
for _ in $(seq 100); do [ -s "$work/emulator.out" ] && break; sleep 0.1; done
read -r url token < <(python3 -c 'import json,sys; d=json.loads(open(sys.argv[1]).readline()); print(d["url"], d["apiToken"])' "$work/emulator.out")
echo "emulator: $url with $USERS users ($(cat "$work/emulator.err"))" >&2
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
kill $emu_pid
throttling

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
