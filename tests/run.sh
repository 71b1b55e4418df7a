#!/usr/bin/env bash
# The project's one test command (README, .ci/run): runs every suite this machine can run and
# ends with one line per suite, then "N passed, N failed, N skipped" as the last line.
#
#   rust         cargo build --release --workspace; cargo nextest run (or cargo test), where cargo
#                can reach its crate registry. Elsewhere the prebuilt binaries of ../shared/carry
#                stand in (VCS_CARRY overrides that folder), only if they were built from the
#                same Rust sources; otherwise the run fails and says why.
#   tour         scripts/vcs tour, README's first command
#   readme       tests/readme-commands.sh: every sh block of the READMEs, as written
#   module       dotnet build powershell -c Release          -> target/powershell/VcsNative/
#   engine       dotnet test tests/engine -c Release
#   csharp-host  tests/csharp/Host.csproj run against an emulator
#   pester       tests/powershell/*.Tests.ps1 with pwsh and Pester 5+, against an emulator
#   package      tests/package.sh: dotnet pack powershell, Install-PSResource from a folder repository
#                in a temporary home, a #Requires -Modules VcsNative script, Uninstall-PSResource
#
# Each suite's output goes to target/test-logs/<suite>.log; a failing suite's tail is printed.
# A failing suite does not stop the others. Exit status: non-zero if anything failed or no suite ran.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
logs=$root/target/test-logs
rm -rf "$logs"
mkdir -p "$logs"

passed=0 failed=0 skipped=0 suites_ran=0
summary=()
emulator_pids=()

cleanup() {
  local pid
  for pid in "${emulator_pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- bookkeeping -------------------------------------------------------------------------------

begin() { echo "==> $1: $2 (log: target/test-logs/$1.log)"; }

# record SUITE STATUS PASSED FAILED SKIPPED TEXT
#   STATUS: ran (its tests ran, passing or not) | failed (before any test ran) | skipped
#           | step (a build or check with no tests of its own)
record() {
  local suite=$1 status=$2
  passed=$((passed + $3)) failed=$((failed + $4)) skipped=$((skipped + $5))
  [[ $status != ran ]] || suites_ran=$((suites_ran + 1))
  summary+=("$(printf '%-12s %s' "$suite" "$6")")
  echo "    $6"
}

# A suite that could not run because something it needs is missing or broken: 1 skipped.
not_run() { record "$1" skipped 0 0 1 "not run: $2"; }

show_tail() {
  echo "    --- last lines of ${1#"$root"/} ---"
  tail -n "${2:-40}" "$1" | sed 's/^/    | /'
  echo "    ---"
}

# run_logged LOG SECONDS CMD...: runs CMD with all output appended to LOG, under a time limit
# (a hung suite must not eat CI's 90 minutes); sets rc.
run_logged() {
  local log=$1 secs=$2
  shift 2
  rc=0
  echo "\$ $*" >>"$log"
  timeout --kill-after=30 "$secs" "$@" >>"$log" 2>&1 </dev/null || rc=$?
  if ((rc == 124 || rc == 137)); then echo "timed out after ${secs}s: $*" >>"$log"; fi
}

# One field of the emulator's first stdout line (compact JSON of plain strings).
json_field() { sed -n "s/.*\"$2\"[[:space:]]*:[[:space:]]*\"\([^\"]*\)\".*/\1/p" <<<"$1"; }

# start_emulator NAME USERS: starts $VCS_EMULATOR on a free port and sets EMU_URL, EMU_TOKEN,
# EMU_VCD_ORG, EMU_VCD_USER, EMU_VCD_PASSWORD from its first line. Returns 1 if it did not start.
start_emulator() {
  local out=$logs/$1-emulator.out line="" pid i
  : >"$out"
  "$VCS_EMULATOR" --listen 127.0.0.1:0 --users "$2" >"$out" 2>"$logs/$1-emulator.err" </dev/null &
  pid=$!
  emulator_pids+=("$pid")
  for ((i = 0; i < 100; i++)); do
    # A whole line: the emulator may be caught halfway through writing it.
    if [[ $(wc -l <"$out") -ge 1 ]]; then
      line=$(head -n 1 "$out")
      break
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  EMU_URL=$(json_field "$line" url)
  EMU_TOKEN=$(json_field "$line" apiToken)
  EMU_VCD_ORG=$(json_field "$line" vcdOrg)
  EMU_VCD_USER=$(json_field "$line" vcdUser)
  EMU_VCD_PASSWORD=$(json_field "$line" vcdPassword)
  if [[ -z $EMU_URL || -z $EMU_TOKEN ]]; then
    echo "the emulator ($VCS_EMULATOR) printed no connection line; stderr:" >>"$logs/$1.log"
    cat "$logs/$1-emulator.err" >>"$logs/$1.log" 2>/dev/null || true
    return 1
  fi
}

count_of() { grep -oE "[0-9]+ $1" <<<"$2" | grep -oE '^[0-9]+' | awk '{s += $1} END {print s + 0}'; }

# --- 1. Rust: build and test where cargo can reach its registry, else the carry ------------------

native_ok=0 native_why=""
# shellcheck source=scripts/carry.sh
source "$root/scripts/carry.sh"

rust_suite() {
  local log=$logs/rust.log
  begin rust "cargo build --release --workspace, then the Rust tests"
  run_logged "$log" 3000 cargo build --release --workspace
  if ((rc != 0)); then
    show_tail "$log"
    record rust failed 0 1 0 "FAILED: cargo build --release --workspace (exit $rc)"
    native_why="cargo build failed (see rust)"
    return
  fi
  export VCS_NATIVE_LIB=$root/target/release/libvcs_native.so
  export VCS_EMULATOR=$root/target/release/vcs-emulator
  export VCS_CLI=$root/target/release/vcs
  native_ok=1

  # Tests marked #[ignore = "needs TOOL"] run where TOOL is installed (.ci/run installs them);
  # where it is missing they are left out and counted as skipped, with the reason.
  local left_out=() why_left=()
  if ! command -v valgrind >/dev/null; then
    left_out+=(c_scenario_is_clean_under_valgrind) why_left+=("valgrind not found")
  fi
  if ! command -v mono >/dev/null || ! command -v mcs >/dev/null; then
    left_out+=(csharp_host_scenario_passes) why_left+=("mono or mcs not found")
  fi
  if [[ $(uname -s) != Linux ]]; then
    left_out+=(a_thousand_connect_disconnect_cycles_keep_memory_flat redirects_are_not_followed_so_credentials_stay_home)
    why_left+=("no /proc/self/status (not Linux)" "no 127.0.0.2 (not Linux)")
  fi
  local runner filter="" t
  if cargo nextest --version >/dev/null 2>&1; then
    runner="cargo nextest run --workspace --no-fail-fast --run-ignored all"
    for t in "${left_out[@]}"; do filter+="${filter:+ | }test(=$t)"; done
    [[ -z $filter ]] || filter="not ($filter)"
  else
    runner="cargo test --workspace --no-fail-fast -- --include-ignored"
    for t in "${left_out[@]}"; do runner+=" --skip $t"; done
    echo "    (cargo-nextest not installed: cargo test instead)"
  fi
  for t in "${!left_out[@]}"; do echo "    skipped: ${left_out[$t]} (${why_left[$t]})"; done
  if [[ -n $filter ]]; then
    # shellcheck disable=SC2086
    run_logged "$log" 3000 $runner -E "$filter"
  else
    # shellcheck disable=SC2086
    run_logged "$log" 3000 $runner
  fi
  sed -i 's/\x1b\[[0-9;]*m//g' "$log"

  local p f s line
  if [[ $runner == *nextest* ]]; then
    # "Summary [  41.2s] 130 tests run: 128 passed, 1 failed, 1 timed out, 3 skipped"
    line=$(grep -E '^ *Summary \[' "$log" | tail -n 1 || true)
    p=$(count_of passed "$line") f=$(($(count_of failed "$line") + $(count_of 'timed out' "$line"))) s=$(count_of skipped "$line")
  else
    # One "test result: ok. 5 passed; 0 failed; 1 ignored; ..." per test binary and doc tests.
    line=$(grep -E '^test result: ' "$log" || true)
    p=$(count_of passed "$line") f=$(count_of failed "$line") s=$(($(count_of ignored "$line") + $(count_of 'filtered out' "$line")))
  fi
  if [[ -z $line ]]; then
    show_tail "$log"
    record rust failed 0 1 0 "FAILED: $runner printed no summary (exit $rc)"
  elif ((p + f == 0)); then
    show_tail "$log"
    record rust failed 0 1 "$s" "FAILED: $runner ran no test (exit $rc)"
  elif ((rc != 0 || f > 0)); then
    show_tail "$log"
    ((f > 0)) || f=1
    record rust ran "$p" "$f" "$s" "FAILED: $p passed, $f failed, $s skipped ($runner, exit $rc)"
  else
    local reasons=""
    ((${#left_out[@]} == 0)) || reasons="; skipped: $(IFS=,; echo "${why_left[*]}" | sed 's/,/, /g')"
    record rust ran "$p" 0 "$s" "ran: $p passed, 0 failed, $s skipped ($runner$reasons)"
  fi
}

# The prebuilt binaries match one commit's Rust sources and no other (scripts/carry.sh).
use_carry() {
  if carry_select "$root"; then
    native_ok=1
    record carry step 0 0 0 "ok: prebuilt binaries of ${CARRY_COMMIT:0:12} match the Rust sources (${VCS_CLI%/vcs})"
  else
    native_why=$CARRY_WHY
    record carry failed 0 1 0 "FAILED: refusing the prebuilt binaries: $native_why"
    native_why="the prebuilt binaries were refused (see carry)"
  fi
}

rust_fetch_log=$logs/cargo-fetch.log
# The README blocks that build Rust code (`# needs: crates`) run only where cargo can fetch.
export VCS_CARGO_BUILDS=0
if ! command -v cargo >/dev/null; then
  echo "==> rust: cargo not found"
  record rust skipped 0 0 1 "skipped: cargo not found"
  use_carry
else
  echo "==> rust: checking that cargo can fetch the crates (log: target/test-logs/cargo-fetch.log)"
  run_logged "$rust_fetch_log" 900 cargo fetch
  if ((rc == 0)); then
    export VCS_CARGO_BUILDS=1
    rust_suite
  else
    if grep -qiE 'could not resolve host|failed to download|network|timed out|spurious' "$rust_fetch_log"; then
      why="no crate registry reachable"
    else
      why="cargo fetch failed"
    fi
    detail=$(grep -m1 -oE 'Could not resolve host: [^) ]+' "$rust_fetch_log" ||
      grep -m1 -E '^error' "$rust_fetch_log" | cut -c1-120 || true)
    why="$why${detail:+ ($detail)}"
    record rust skipped 0 0 1 "skipped: $why; using the prebuilt carry instead"
    use_carry
  fi
fi
((native_ok)) || native_why="no native library: $native_why"

# --- README's first command: the guided tour against the embedded emulator ---------------------

begin tour "scripts/vcs tour (README's first command)"
if ((!native_ok)); then
  not_run tour "$native_why"
else
  run_logged "$logs/tour.log" 300 "$root/scripts/vcs" tour
  if ((rc == 0)) && grep -q 'Tour complete: all [0-9]* steps did what they said' "$logs/tour.log"; then
    record tour ran 1 0 0 "ran: $(grep -m1 -o 'all [0-9]* steps did what they said' "$logs/tour.log")"
  else
    show_tail "$logs/tour.log"
    record tour ran 0 1 0 "FAILED: scripts/vcs tour (exit $rc)"
  fi
fi

# .ci/run installs pwsh and Pester into target/tools where the machine has no pwsh of its own:
# on PATH for the README blocks that need pwsh, the Pester suite and the package suite.
if ! command -v pwsh >/dev/null && [[ -x $root/target/tools/pwsh ]]; then
  export PATH=$root/target/tools:$PATH
  export PSModulePath=$root/target/tools/modules${PSModulePath:+:$PSModulePath}
fi

# --- The READMEs' command blocks, run as written (tests/readme-commands.sh) ----------------------

begin readme "the sh blocks of README.md, emulator/README.md and bench/README.md"
if ((!native_ok)); then
  not_run readme "$native_why"
else
  run_logged "$logs/readme.log" 2400 bash "$root/tests/readme-commands.sh"
  line=$(grep -E '^README commands: ' "$logs/readme.log" | tail -n 1 || true)
  p=$(count_of passed "$line") f=$(count_of failed "$line") s=$(count_of skipped "$line")
  if [[ -z $line ]]; then
    show_tail "$logs/readme.log"
    record readme failed 0 1 0 "FAILED: tests/readme-commands.sh printed no counts (exit $rc)"
  elif ((rc != 0 || f > 0)); then
    show_tail "$logs/readme.log"
    ((f > 0)) || f=1
    record readme ran "$p" "$f" "$s" "FAILED: $p blocks passed, $f failed, $s skipped (exit $rc)"
  else
    record readme ran "$p" 0 "$s" "ran: ${line#README commands: }"
  fi
fi

# --- 2. .NET: the module, its engine tests, the C# host ----------------------------------------

module_ok=0 module_why=""
if ! command -v dotnet >/dev/null; then
  module_why="dotnet not found"
  for s in module engine csharp-host; do record "$s" skipped 0 0 1 "skipped: dotnet not found"; done
elif ((!native_ok)); then
  module_why=$native_why
  for s in module engine csharp-host; do not_run "$s" "$native_why"; done
else
  export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
  # No MSBuild nodes or compiler server left running after the run (`dotnet build-server
  # shutdown` would stop other builds' servers too).
  export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0 UseSharedCompilation=false
  module_dir=$root/target/powershell/VcsNative

  # The module, as README builds it. Removed first so that a failed build never leaves an old
  # module to be tested.
  begin module "export VCS_NATIVE_LIB=\$(scripts/native-lib); dotnet build powershell -c Release"
  rm -rf "$module_dir"
  if ! native_lib=$("$root/scripts/native-lib" 2>>"$logs/module.log") || [[ $native_lib != "$VCS_NATIVE_LIB" ]]; then
    record module failed 0 1 0 "FAILED: scripts/native-lib gave '${native_lib:-nothing}', not the library chosen above ($VCS_NATIVE_LIB)"
    module_why="scripts/native-lib failed"
  elif ! compgen -G 'powershell/*.csproj' >/dev/null; then
    echo "no project file in powershell/ (expected powershell/VcsNative.csproj)" >"$logs/module.log"
    record module failed 0 1 0 "FAILED: no project file in powershell/ (expected powershell/VcsNative.csproj)"
    module_why="the module project is missing"
  else
    run_logged "$logs/module.log" 1200 dotnet build powershell -c Release
    if ((rc != 0)); then
      show_tail "$logs/module.log"
      record module failed 0 1 0 "FAILED: dotnet build powershell -c Release (exit $rc)"
      module_why="the module build failed"
    elif [[ ! -f $module_dir/VcsNative.psd1 ]]; then
      record module failed 0 1 0 "FAILED: the build did not write target/powershell/VcsNative/VcsNative.psd1"
      module_why="the module build wrote no module"
    else
      module_ok=1
      record module step 0 0 0 "built: target/powershell/VcsNative/"
    fi
  fi

  # Engine tests: counts from the TRX files (the console summary differs across SDK versions).
  begin engine "dotnet test tests/engine -c Release"
  if ! compgen -G 'tests/engine/*.csproj' >/dev/null; then
    echo "no project file in tests/engine/ (expected tests/engine/VcsNative.Engine.Tests.csproj)" >"$logs/engine.log"
    record engine failed 0 1 0 "FAILED: no test project in tests/engine/ (expected tests/engine/VcsNative.Engine.Tests.csproj)"
  elif ((!module_ok)); then
    not_run engine "$module_why"
  else
    trx_dir=$logs/engine-trx
    run_logged "$logs/engine.log" 1800 dotnet test tests/engine -c Release --logger trx --results-directory "$trx_dir"
    p=0 f=0 s=0 t=0 trx_count=0
    attr() { grep -oE " $1=\"[0-9]+\"" <<<"$counters" | grep -oE '[0-9]+' || echo 0; }
    for trx in "$trx_dir"/*.trx; do
      [[ -f $trx ]] || continue
      trx_count=$((trx_count + 1))
      counters=$(tr '\n' ' ' <"$trx" | grep -oE '<Counters [^>]*>' | head -n 1 || true)
      t=$((t + $(attr total)))
      p=$((p + $(attr passed)))
      f=$((f + $(attr failed) + $(attr error) + $(attr timeout) + $(attr aborted)))
    done
    s=$((t - p - f))
    ((s >= 0)) || s=0
    if ((trx_count == 0)); then
      show_tail "$logs/engine.log"
      record engine failed 0 1 0 "FAILED: dotnet test wrote no results (exit $rc)"
    elif ((t == 0)); then
      show_tail "$logs/engine.log"
      record engine failed 0 1 0 "FAILED: dotnet test ran no test (exit $rc)"
    elif ((rc != 0 || f > 0)); then
      # The names of the failed tests, then the end: stack traces are in the log.
      grep -E '^ +Failed [A-Za-z_]' "$logs/engine.log" | head -n 40 | sed 's/^ */    failed: /' || true
      show_tail "$logs/engine.log" 5
      ((f > 0)) || f=1
      record engine ran "$p" "$f" "$s" "FAILED: $p passed, $f failed, $s skipped (dotnet test exit $rc)"
    else
      record engine ran "$p" 0 "$s" "ran: $p passed, 0 failed, $s skipped"
    fi
  fi

  # The C# host: Host.cs and powershell/VcsNative.cs under .NET, the native library beside it.
  begin csharp-host "tests/csharp/Host.csproj against an emulator"
  log=$logs/csharp-host.log
  run_logged "$log" 600 dotnet build tests/csharp/Host.csproj -c Release
  host_dll=$root/target/dotnet/bin/Host/Release/Host.dll
  if ((rc != 0)) || [[ ! -f $host_dll ]]; then
    show_tail "$log"
    record csharp-host failed 0 1 0 "FAILED: dotnet build tests/csharp/Host.csproj (exit $rc)"
  elif ! start_emulator csharp-host 20; then
    show_tail "$log"
    record csharp-host failed 0 1 0 "FAILED: the emulator did not start"
  else
    # No LD_LIBRARY_PATH: the library must be found beside the program.
    run_logged "$log" 600 env -u LD_LIBRARY_PATH dotnet "$host_dll" "$EMU_URL" "$EMU_TOKEN" "$EMU_VCD_ORG" "$EMU_VCD_USER" "$EMU_VCD_PASSWORD"
    line=$(grep -E 'checks passed, [0-9]+ failed' "$log" | tail -n 1 || true)
    p=$(count_of 'checks passed' "$line") f=$(count_of failed "$line")
    if [[ -z $line || $((p + f)) -eq 0 ]]; then
      show_tail "$log"
      record csharp-host failed 0 1 0 "FAILED: the host printed no 'checks passed' line, or counted none (exit $rc)"
    elif ((rc != 0 || f > 0)); then
      show_tail "$log"
      ((f > 0)) || f=1
      record csharp-host ran "$p" "$f" 0 "FAILED: $p checks passed, $f failed (exit $rc)"
    else
      record csharp-host ran "$p" 0 0 "ran: $p checks passed, 0 failed"
    fi
  fi
fi

# --- 3. Pester --------------------------------------------------------------------------------


pester_suite() {
  local log=$logs/pester.log pwsh_args=(-NoProfile -NonInteractive -File "$root/tests/run-pester.ps1" -Path "$root/tests/powershell")
  begin pester "tests/powershell/*.Tests.ps1 with Pester 5+"
  if ! command -v pwsh >/dev/null; then
    record pester skipped 0 0 1 "skipped: pwsh not found"
    return
  fi
  run_logged "$log" 120 pwsh "${pwsh_args[@]}" -CheckOnly
  if ((rc == 3)); then
    record pester skipped 0 0 1 "skipped: $(sed -n 's/^PESTER-MISSING: //p' "$log")"
    return
  elif ((rc != 0)); then
    show_tail "$log"
    record pester failed 0 1 0 "FAILED: pwsh could not check for Pester (exit $rc)"
    return
  fi
  if ((!module_ok)); then
    not_run pester "no module to test: $module_why"
    return
  fi
  if ! start_emulator pester 40; then
    show_tail "$log"
    record pester failed 0 1 0 "FAILED: the emulator did not start"
    return
  fi
  run_logged "$log" 1800 env -u LD_LIBRARY_PATH \
    VCS_TEST_URL="$EMU_URL" VCS_TEST_API_TOKEN="$EMU_TOKEN" VCS_TEST_MODULE="$module_dir/VcsNative.psd1" \
    VCS_TEST_VCD_ORG="$EMU_VCD_ORG" VCS_TEST_VCD_USER="$EMU_VCD_USER" VCS_TEST_VCD_PASSWORD="$EMU_VCD_PASSWORD" \
    pwsh "${pwsh_args[@]}"
  local line p f s blocks containers
  line=$(grep -E '^PESTER-COUNTS ' "$log" | tail -n 1 || true)
  field() { grep -oE " $1=[0-9]+" <<<"$line" | grep -oE '[0-9]+' || echo 0; }
  p=$(field passed) s=$(($(field skipped) + $(field notrun) + $(field inconclusive)))
  blocks=$(field failedBlocks) containers=$(field failedContainers)
  # A block or a whole file that fails (BeforeAll, a parse error) is a failure even with no failed test.
  f=$(($(field failed) + blocks + containers))
  if [[ -z $line ]]; then
    show_tail "$log"
    record pester failed 0 1 0 "FAILED: the Pester run printed no counts (exit $rc)"
  elif ((rc != 0 || f > 0)); then
    grep -E '^ *\[-\] ' "$log" | head -n 40 | sed 's/^ */    failed: /' || true
    show_tail "$log" 8
    ((f > 0)) || f=1
    record pester ran "$p" "$f" "$s" "FAILED: $p passed, $f failed ($blocks blocks, $containers files), $s skipped or not run"
  elif ((p == 0)); then
    show_tail "$log"
    record pester failed 0 1 "$s" "FAILED: Pester ran no test (all skipped or none found)"
  else
    record pester ran "$p" 0 "$s" "ran: $p passed, 0 failed, $s skipped or not run"
  fi
}
pester_suite

# --- 4. The module as a package: dotnet pack, Install-PSResource by name, Uninstall-PSResource --

package_suite() {
  local log=$logs/package.log line p f
  begin package "tests/package.sh: dotnet pack, Install-PSResource from a folder repository, a #Requires script, Uninstall-PSResource"
  if ! command -v dotnet >/dev/null; then
    record package skipped 0 0 1 "skipped: dotnet not found"
    return
  elif ((!module_ok)); then
    not_run package "no module to pack: $module_why"
    return
  fi
  # tests/package.sh finds pwsh on PATH (target/tools is put on it before the README blocks) and says
  # what is missing (pwsh, PSResourceGet, unzip, file) with exit status 3.
  run_logged "$log" 900 env VCS_NATIVE_LIB="$VCS_NATIVE_LIB" VCS_EMULATOR="$VCS_EMULATOR" bash "$root/tests/package.sh"
  if ((rc == 3)); then
    record package skipped 0 0 1 "skipped: $(sed -n 's/^PACKAGE-SKIPPED: //p' "$log" | tail -n 1)"
    return
  fi
  line=$(grep -E '^package: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1 || true)
  p=$(count_of passed "$line") f=$(count_of failed "$line")
  if [[ -z $line || $((p + f)) -eq 0 ]]; then
    show_tail "$log"
    record package failed 0 1 0 "FAILED: tests/package.sh printed no counts (exit $rc)"
  elif ((rc != 0 || f > 0)); then
    grep -E '^FAILED: ' "$log" | head -n 20 | sed 's/^/    /' || true
    show_tail "$log" 8
    ((f > 0)) || f=1
    record package ran "$p" "$f" 0 "FAILED: $p checks passed, $f failed (exit $rc)"
  else
    record package ran "$p" 0 0 "ran: $p checks passed, 0 failed"
  fi
}
package_suite

# --- summary ----------------------------------------------------------------------------------

echo
echo "== summary (logs in target/test-logs/)"
printf '  %s\n' "${summary[@]}"
if ((suites_ran == 0)); then
  echo "  no test suite ran on this machine: that is a failure"
fi
echo "$passed passed, $failed failed, $skipped skipped"
((failed == 0 && suites_ran > 0))
