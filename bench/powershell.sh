#!/usr/bin/env bash
# Get-VcsUser in a fresh process against `vcs user list --json`, on one emulator in one run: each
# contender BENCH_RUNS times, alternating; prints medians of wall time and peak memory (the whole
# process's maximum resident set) and the ratios against the CLI. Figures, not pass/fail.
# Then the streaming figures (issue #29): the first object, Select -First 5, peak memory of
# Get-VcsUser | Measure-Object at BENCH_PEAK_USERS (50000 and 200000 users, one emulator each) and
# the module's import after an empty module's.
# Knobs: BENCH_USERS (100000), BENCH_RUNS (3), BENCH_PEAK_USERS ("50000 200000"); binaries from VCS_EMULATOR, VCS_CLI and VCS_NATIVE_LIB,
# by default cargo's target/release/ (build them with `cargo build --release`), else the prebuilt
# binaries of ../shared/carry when they match the Rust sources (scripts/carry.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
USERS=${BENCH_USERS:-100000}
RUNS=${BENCH_RUNS:-3}
# Where cargo has built nothing, the prebuilt binaries of ../shared/carry when they match the Rust sources.
if [ -z "${VCS_EMULATOR:-}" ] && [ ! -x "$root/target/release/vcs-emulator" ]; then
  # shellcheck source=scripts/carry.sh
  source "$root/scripts/carry.sh"
  carry_select "$root" || echo "no prebuilt binaries: $CARRY_WHY" >&2
fi
emulator=${VCS_EMULATOR:-$root/target/release/vcs-emulator}
cli=${VCS_CLI:-$root/target/release/vcs}
export VCS_NATIVE_LIB=${VCS_NATIVE_LIB:-$root/target/release/libvcs_native.so}
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
for f in "$emulator" "$cli" "$VCS_NATIVE_LIB"; do
  [ -e "$f" ] || { echo "missing $f: run cargo build --release, or set VCS_EMULATOR, VCS_CLI and VCS_NATIVE_LIB" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "missing /usr/bin/time (GNU time): apt-get install time" >&2; exit 1; }

host=$root/target/bench/powershell
manifest=$root/target/powershell/VcsNative/VcsNative.psd1
work=$(mktemp -d)
emu_pid=
trap '[ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null; rm -rf "$work"' EXIT
echo "building the module and the benchmark host (Release; the first time, compiling the engine ReadyToRun takes minutes)" >&2
{ dotnet build powershell -c Release -nologo && dotnet publish bench/powershell -c Release -o "$host" -nologo; } >"$work/build.log" 2>&1 \
  || { cat "$work/build.log" >&2; exit 1; }
"$emulator" --listen 127.0.0.1:0 --users "$USERS" --seed 7 >"$work/emulator.out" 2>"$work/emulator.err" &
emu_pid=$!
for _ in $(seq 300); do [ -s "$work/emulator.out" ] && break; sleep 0.1; done
read -r url token < <(python3 -c 'import json,sys; d=json.loads(open(sys.argv[1]).readline()); print(d["url"], d["apiToken"])' "$work/emulator.out")
echo "emulator: $url with $USERS users" >&2

results=$work/results.jsonl
# measure NAME COMMAND...: one run; its wall time, peak RSS and CPU time, and the figures it printed (JSON) if any.
measure() {
  local name=$1 t0 t1
  shift
  t0=$(date +%s%N)
  /usr/bin/time -f '%M %U %S' -o "$work/time" "$@" >"$work/stdout"
  t1=$(date +%s%N)
  python3 - "$name" "$t0" "$t1" "$work/time" "$work/stdout" >>"$results" <<'PY'
import json, sys
name, t0, t1, time_file, stdout = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
rss, user, system = open(time_file).read().split()[-3:]
row = {"contender": name, "seconds": (t1 - t0) / 1e9, "peakRssKib": int(rss), "cpuSeconds": float(user) + float(system)}
if name != "vcs user list --json":
    row.update(json.loads(open(stdout).read().strip().splitlines()[-1]))
print(json.dumps(row))
PY
}

# A real pwsh too, where there is one (.ci/run installs PowerShell 7.6.9 into target/tools).
pwsh=$(command -v pwsh || true)
[ -n "$pwsh" ] || [ ! -x "$root/target/tools/pwsh" ] || pwsh=$root/target/tools/pwsh
pwsh_list='$c = [Diagnostics.Stopwatch]::StartNew(); Import-Module $env:BENCH_MANIFEST; $i = $c.Elapsed.TotalMilliseconds
$null = Connect-Vcs -Server $env:BENCH_URL -ApiToken $env:BENCH_TOKEN; $c.Restart(); $n = (Get-VcsUser).Count
@{ importMs = $i; listMs = $c.Elapsed.TotalMilliseconds; users = $n } | ConvertTo-Json -Compress'
pwsh_import='$c = [Diagnostics.Stopwatch]::StartNew(); Import-Module $env:BENCH_MANIFEST; @{ importMs = $c.Elapsed.TotalMilliseconds } | ConvertTo-Json -Compress'
pwsh_empty='$c = [Diagnostics.Stopwatch]::StartNew(); Import-Module $env:BENCH_EMPTY; @{ importMs = $c.Elapsed.TotalMilliseconds } | ConvertTo-Json -Compress'
pwsh_after_empty='Import-Module $env:BENCH_EMPTY; $c = [Diagnostics.Stopwatch]::StartNew(); Import-Module $env:BENCH_MANIFEST; @{ importMs = $c.Elapsed.TotalMilliseconds } | ConvertTo-Json -Compress'
# Select-Object is run once before the clock starts: its first use in a process costs pwsh 300 to 500 ms, the engine's, not the module's.
pwsh_first='Import-Module $env:BENCH_MANIFEST; $null = Connect-Vcs -Server $env:BENCH_URL -ApiToken $env:BENCH_TOKEN; $null = 1..3 | Select-Object -First 1
$c = [Diagnostics.Stopwatch]::StartNew(); $null = Get-VcsUser | Select-Object -First 1; $f = $c.Elapsed.TotalMilliseconds
$c.Restart(); $n = (Get-VcsUser | Select-Object -First 5).Count; $s = $c.Elapsed.TotalMilliseconds
@{ firstObjectMs = $f; first5Ms = $s; count = $n } | ConvertTo-Json -Compress'
pwsh_measure='Import-Module $env:BENCH_MANIFEST; $null = Connect-Vcs -Server $env:BENCH_URL -ApiToken $env:BENCH_TOKEN
$c = [Diagnostics.Stopwatch]::StartNew(); $n = (Get-VcsUser | Measure-Object).Count; @{ measureMs = $c.Elapsed.TotalMilliseconds; count = $n } | ConvertTo-Json -Compress'
# An empty module: what any first Import-Module costs in a fresh pwsh.
mkdir -p "$work/Empty"
echo "@{ ModuleVersion = '1.0'; GUID = '5f0c7c1e-0000-4000-8000-000000000001'; CmdletsToExport = @(); FunctionsToExport = @() }" >"$work/Empty/Empty.psd1"
export BENCH_MANIFEST=$manifest BENCH_URL=$url BENCH_TOKEN=$token BENCH_EMPTY=$work/Empty/Empty.psd1

echo "$RUNS runs of each contender, alternating${pwsh:+ (with $pwsh)}" >&2
for i in $(seq "$RUNS"); do
  VCS_SERVER=$url VCS_API_TOKEN=$token measure "vcs user list --json" "$cli" user list --json
  measure "Get-VcsUser" "$host/PsBench" list "$manifest" "$url" "$token"
  for stage in walk parse keep; do measure "cursor $stage" "$host/PsBench" "$stage" "$manifest" "$url" "$token"; done
  measure "Import-Module" "$host/PsBench" import "$manifest"
  measure "engine alone" "$host/PsBench" engine
  measure "first object" "$host/PsBench" first "$manifest" "$url" "$token"
  measure "Import-Module after empty" "$host/PsBench" import "$manifest" "$BENCH_EMPTY"
  if [ -n "$pwsh" ]; then
    measure "pwsh Get-VcsUser" "$pwsh" -NoProfile -NonInteractive -Command "$pwsh_list"
    measure "pwsh Import-Module" "$pwsh" -NoProfile -NonInteractive -Command "$pwsh_import"
    measure "pwsh empty module" "$pwsh" -NoProfile -NonInteractive -Command "$pwsh_empty"
    measure "pwsh import after empty" "$pwsh" -NoProfile -NonInteractive -Command "$pwsh_after_empty"
    measure "pwsh first object" "$pwsh" -NoProfile -NonInteractive -Command "$pwsh_first"
  fi
  echo "  run $i of $RUNS done" >&2
done
kill "$emu_pid" 2>/dev/null; wait "$emu_pid" 2>/dev/null || true
emu_pid=

# Peak memory of Get-VcsUser | Measure-Object against listings of other sizes, one emulator each.
for n in ${BENCH_PEAK_USERS:-50000 200000}; do
  : >"$work/emulator.out"
  "$emulator" --listen 127.0.0.1:0 --users "$n" --seed 7 >"$work/emulator.out" 2>"$work/emulator.err" &
  emu_pid=$!
  for _ in $(seq 600); do [ -s "$work/emulator.out" ] && break; sleep 0.1; done
  read -r BENCH_URL BENCH_TOKEN < <(python3 -c 'import json,sys; d=json.loads(open(sys.argv[1]).readline()); print(d["url"], d["apiToken"])' "$work/emulator.out")
  export BENCH_URL BENCH_TOKEN
  echo "emulator: $BENCH_URL with $n users (peak memory)" >&2
  for i in $(seq "$RUNS"); do
    measure "measure $n" "$host/PsBench" measure "$manifest" "$BENCH_URL" "$BENCH_TOKEN"
    [ -z "$pwsh" ] || measure "pwsh measure $n" "$pwsh" -NoProfile -NonInteractive -Command "$pwsh_measure"
  done
  kill "$emu_pid" 2>/dev/null; wait "$emu_pid" 2>/dev/null || true
  emu_pid=
done

python3 - "$results" "$USERS" <<'PY'
import json, os, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
users = int(sys.argv[2])
by = {}
for r in rows:
    by.setdefault(r["contender"], []).append(r)
def med(name, key):
    return statistics.median(r[key] for r in by[name])
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "unknown CPU")
cli, g = "vcs user list --json", "Get-VcsUser"
print(f"\nMachine: {cpu}, {os.cpu_count()} cores shared by the emulator and the client; medians of {len(by[g])} runs\n")
print(f"Whole processes, each fresh, against one emulator with {users:,} users:\n")
print("| process | wall s | CPU s | peak RSS MiB | time vs CLI | memory vs CLI |")
print("|---|---:|---:|---:|---:|---:|")
label = {
    cli: "`vcs user list --json` > /dev/null",
    g: "engine + Import-Module + Connect-Vcs + `(Get-VcsUser).Count`",
    "cursor walk": "no engine: the library's cursor in a .NET process, pages walked unread",
    "cursor parse": "no engine: the same, each page read by the module's reader",
    "cursor keep": f"no engine: the same, the {users:,} users kept",
    "Import-Module": "engine + Import-Module",
    "engine alone": "engine alone (runspace opened, one command)",
}
for name in (cli, g, "cursor walk", "cursor parse", "cursor keep", "Import-Module", "engine alone"):
    s, c, m = med(name, "seconds"), med(name, "cpuSeconds"), med(name, "peakRssKib")
    print(f"| {label[name]} | {s:.2f} | {c:.2f} | {m / 1024:.0f} | {s / med(cli, 'seconds'):.2f}x | {m / med(cli, 'peakRssKib'):.2f}x |")
print("\nInside the Get-VcsUser process (Stopwatch around each step; resident memory after it):\n")
print("| step | ms | RSS MiB |")
print("|---|---:|---:|")
print(f"| engine: runspace opened, one command | {med(g, 'engineMs'):.0f} | {med(g, 'rssEngineKib') / 1024:.0f} |")
print(f"| Import-Module | {med(g, 'importMs'):.0f} | {med(g, 'rssImportKib') / 1024:.0f} |")
print(f"| Connect-Vcs | {med(g, 'connectMs'):.0f} | |")
print(f"| (Get-VcsUser).Count | {med(g, 'listMs'):.0f} | {med(g, 'rssListKib') / 1024:.0f} |")
walk, parse, keep = (med(f"cursor {s}", "cursorMs") for s in ("walk", "parse", "keep"))
print("\nThe same listing without the engine, open to end (other processes, same emulator; where the time goes):\n")
print("| step | ms | its share |")
print("|---|---:|---:|")
print(f"| the library's cursor, pages walked unread | {walk:.0f} | {walk:.0f} |")
print(f"| and each page read by the module's reader | {parse:.0f} | {parse - walk:+.0f} |")
print(f"| and the users kept, as `(...).Count` keeps them | {keep:.0f} | {keep - parse:+.0f} |")
print(f"| `(Get-VcsUser).Count` in the engine | {med(g, 'listMs'):.0f} | {med(g, 'listMs') - keep:+.0f} |")
if "pwsh Get-VcsUser" in by:
    p = "pwsh Get-VcsUser"
    print("\nIn a real pwsh (PowerShell 7.6.9), each a fresh `pwsh -NoProfile -NonInteractive -Command ...`:\n")
    print("| process | wall s | peak RSS MiB | time vs CLI | memory vs CLI | Import-Module ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, text in ((p, "Import-Module, Connect-Vcs, `(Get-VcsUser).Count`"), ("pwsh Import-Module", "Import-Module"), ("pwsh empty module", "Import-Module of an empty manifest (the engine's first import)")):
        s, m = med(name, "seconds"), med(name, "peakRssKib")
        print(f"| {text} | {s:.2f} | {m / 1024:.0f} | {s / med(cli, 'seconds'):.2f}x | {m / med(cli, 'peakRssKib'):.2f}x | {med(name, 'importMs'):.0f} |")
    print(f"\nIn pwsh, (Get-VcsUser).Count takes {med(p, 'listMs'):.0f} ms: {med(p, 'listMs') / 1000 / med(cli, 'seconds'):.2f}x the CLI's whole run.")
print("\nStreaming (issue #29 goals), medians:\n")
print("| figure | PsBench host | pwsh | goal |")
print("|---|---:|---:|---|")
def both(name, key, fmt="{:.0f}"):
    a = fmt.format(med(name, key)) if name in by else "-"
    b = fmt.format(med("pwsh " + name, key)) if ("pwsh " + name) in by else "-"
    return a, b
pl = f"{med('pwsh Get-VcsUser', 'listMs') / 1000 / med(cli, 'seconds'):.2f}x" if "pwsh Get-VcsUser" in by else "-"
print(f"| (Get-VcsUser).Count vs `vcs user list --json` | {med(g, 'listMs') / 1000 / med(cli, 'seconds'):.2f}x | {pl} | within 1.1x |")
a, b = both("first object", "firstObjectMs")
print(f"| first object of Get-VcsUser, ms | {a} | {b} | < 100 |")
a, b = both("first object", "first5Ms")
print(f"| Get-VcsUser \\| Select-Object -First 5, ms | {a} | {b} | < 300 |")
if "first object" in by:
    print(f"| Stop() after the first object, ms | {med('first object', 'stopMs'):.0f} | - | < 300 |")
a = med("Import-Module after empty", "importMs")
b = f"{med('pwsh import after empty', 'importMs'):.0f}" if "pwsh import after empty" in by else "-"
print(f"| the module's Import-Module after an empty module's, ms | {a:.0f} | {b} | < 50 |")
peaks = sorted({int(k.split()[-1]) for k in by if k.startswith("measure ")})
for n in peaks:
    a = med(f"measure {n}", "peakRssKib") / 1024
    b = f"{med(f'pwsh measure {n}', 'peakRssKib') / 1024:.0f}" if f"pwsh measure {n}" in by else "-"
    print(f"| peak RSS of Get-VcsUser \\| Measure-Object, {n:,} users, MiB | {a:.0f} | {b} | |")
if len(peaks) >= 2:
    lo, hi = peaks[0], peaks[-1]
    for prefix, label in (("measure", "PsBench host"), ("pwsh measure", "pwsh")):
        if f"{prefix} {lo}" in by and f"{prefix} {hi}" in by:
            r = med(f"{prefix} {hi}", "peakRssKib") / med(f"{prefix} {lo}", "peakRssKib")
            print(f"\nPeak growth from {lo:,} to {hi:,} users ({label}): {100 * (r - 1):+.0f}% (goal: within 10%)")
print(f"\n(Get-VcsUser).Count alone takes {med(g, 'listMs') / 1000 / med(cli, 'seconds'):.2f}x the CLI's whole run.")
print(f"Import-Module in a fresh host: {med('Import-Module', 'importMs'):.0f} ms by the Stopwatch; the whole process takes "
      f"{1000 * (med('Import-Module', 'seconds') - med('engine alone', 'seconds')):.0f} ms more than the engine alone.")
PY
