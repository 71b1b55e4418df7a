#!/usr/bin/env bash
# Cursor benchmarks: the C ABI's cursor (vcs_get_users_open / vcs_cursor_next) against the vcs
# CLI and a Python client, listing every user; peak memory at two sizes; the first page's
# latency after open. Figures, not pass/fail. Knobs: BENCH_USERS (100000), BENCH_USERS_LARGE
# (200000), BENCH_RUNS (3).
set -euo pipefail
cd "$(dirname "$0")/.."
USERS=${BENCH_USERS:-100000}
LARGE=${BENCH_USERS_LARGE:-200000}
RUNS=${BENCH_RUNS:-3}
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT

cargo build --release -q -p vcs-bench -p vcs-emulator -p vcs-cli
python3 -c 'import requests' 2>/dev/null || pip install -q requests
bin=target/release
results="$work/results.jsonl"

# Runs in this shell (not a subshell), so the trap knows every emulator it must stop.
start_emulator() { # USERS NAME -> sets e_url and e_token
  "$bin/vcs-emulator" --listen 127.0.0.1:0 --users "$1" --seed 7 >"$work/$2.out" 2>"$work/$2.err" &
  pids+=($!)
  for _ in $(seq 600); do [ -s "$work/$2.out" ] && break; sleep 0.1; done
  read -r e_url e_token < <(python3 -c 'import json,sys; d=json.loads(open(sys.argv[1]).readline()); print(d["url"], d["apiToken"])' "$work/$2.out")
}

# Whole process: wall time and peak resident memory (GNU time), stdout to /dev/null.
whole() { # LABEL USERS cmd...
  local label=$1 users=$2; shift 2
  /usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null
  read -r secs kib <"$work/time"
  echo "{\"contender\": \"$label\", \"users\": $users, \"wallSeconds\": $secs, \"peakRssKib\": $kib}" >>"$results"
}

inner() { # LABEL USERS json
  echo "{\"contender\": \"$1\", \"users\": $2, \"inner\": $3}" >>"$results"
}

start_emulator "$USERS" main
url=$e_url token=$e_token
echo "emulator: $url with $USERS users" >&2
for _ in $(seq "$RUNS"); do
  whole "vcs user list --json > /dev/null" "$USERS" env VCS_SERVER="$url" VCS_API_TOKEN="$token" "$bin/vcs" user list --json
  whole "C ABI cursor (vcs-bench list-cursor)" "$USERS" "$bin/vcs-bench" list-cursor "$url" "$token"
  inner "C ABI cursor (vcs-bench list-cursor)" "$USERS" "$("$bin/vcs-bench" list-cursor "$url" "$token")"
  whole "Python requests, counting" "$USERS" python3 bench/python_client.py list "$url" "$token"
done

start_emulator "$LARGE" large
url2=$e_url token2=$e_token
echo "emulator: $url2 with $LARGE users" >&2
for _ in $(seq "$RUNS"); do
  whole "C ABI cursor (vcs-bench list-cursor)" "$LARGE" "$bin/vcs-bench" list-cursor "$url2" "$token2"
  whole "vcs user list --json > /dev/null" "$LARGE" env VCS_SERVER="$url2" VCS_API_TOKEN="$token2" "$bin/vcs" user list --json
done

python3 - "$results" <<'PY'
import json, statistics, sys
from collections import defaultdict
rows = [json.loads(l) for l in open(sys.argv[1])]
whole = defaultdict(list)
inner = defaultdict(list)
for r in rows:
    key = (r["contender"], r["users"])
    (inner if "inner" in r else whole)[key].append(r.get("inner", r))
print("\n| contender | users | wall s (median) | peak RSS MiB (max) |")
print("|---|---:|---:|---:|")
for (c, u), v in whole.items():
    print(f"| {c} | {u:,} | {statistics.median(x['wallSeconds'] for x in v):.2f} | {max(x['peakRssKib'] for x in v) / 1024:.0f} |")
for (c, u), v in inner.items():
    print(f"\n{c}, {u:,} users, inside the process (median of {len(v)}): open to end "
          f"{statistics.median(x['seconds'] for x in v):.2f} s, first page {statistics.median(x['firstPageMs'] for x in v):.1f} ms "
          f"after open, {v[0]['pages']} pages, {v[0]['users']:,} users")
med = {k: statistics.median(x["wallSeconds"] for x in v) for k, v in whole.items()}
users = min(u for _, u in med)
cli = med.get(("vcs user list --json > /dev/null", users))
cur = med.get(("C ABI cursor (vcs-bench list-cursor)", users))
py = med.get(("Python requests, counting", users))
if cli and cur:
    print(f"\ncursor / CLI (whole processes, {users:,} users): {cur / cli:.2f}x")
if cli and py:
    print(f"Python / CLI: the CLI is {py / cli:.2f}x faster")
PY
