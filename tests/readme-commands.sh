#!/usr/bin/env bash
# Runs every fenced `sh` block of README.md, emulator/README.md and bench/README.md as written,
# each file's blocks in order in one shell (as a reader follows them), from the top of the
# checkout, and checks that each succeeds. Markers on a block's first lines:
#   # needs the real service     not run (counted as skipped)
#   # needs: TOOL, TOOL          run where every TOOL is installed, else skipped with the reason;
#                                the word `crates` stands for a cargo that can fetch the crates (a
#                                block that builds Rust code); tests/run.sh passes what it found
#                                in VCS_CARGO_BUILDS (1 or 0), else it is checked here
# The test command itself (`bash tests/run.sh`) is not run again from inside it.
#
# Before each file, an emulator is started and its address and credentials exported as the
# READMEs name them (VCS_SERVER, VCS_API_TOKEN, VCD_SERVER, VCD_ORG, VCD_USER, VCD_PASSWORD);
# HOME is a scratch folder and the benchmarks get small knobs. Files the blocks leave in the
# checkout are removed afterwards. Last line: "README commands: N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
scratch=$(mktemp -d)
emulator_pid=""
cleanup() {
  [[ -z $emulator_pid ]] || kill "$emulator_pid" 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT

untracked() { git -C "$root" ls-files --others --directory --no-empty-directory 2>/dev/null | grep -v '^target/' | sort; }
before=$(untracked)

emulator=${VCS_EMULATOR:-$root/scripts/vcs-emulator}
start_emulator() {
  local out=$scratch/emulator.json line="" i
  [[ -z $emulator_pid ]] || { kill "$emulator_pid" 2>/dev/null; wait "$emulator_pid" 2>/dev/null; }
  : >"$out"
  "$emulator" --listen 127.0.0.1:0 --users 200 >"$out" 2>"$scratch/emulator.err" </dev/null &
  emulator_pid=$!
  for ((i = 0; i < 3000; i++)); do
    [[ $(wc -l <"$out") -ge 1 ]] && { line=$(head -n 1 "$out"); break; }
    kill -0 "$emulator_pid" 2>/dev/null || break
    sleep 0.1
  done
  field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" <<<"$line"; }
  export VCS_SERVER=$(field url) VCS_API_TOKEN=$(field apiToken)
  export VCD_SERVER=$(field vcdUrl) VCD_ORG=$(field vcdOrg) VCD_USER=$(field vcdUser) VCD_PASSWORD=$(field vcdPassword)
  [[ -n $VCS_SERVER && -n $VCS_API_TOKEN ]] || { echo "the emulator ($emulator) did not start:"; cat "$scratch/emulator.err"; return 1; }
}

# HOME is a scratch folder (the C block installs under $HOME/.local); the toolchains keep theirs.
real_home=$HOME
export CARGO_HOME=${CARGO_HOME:-$real_home/.cargo} RUSTUP_HOME=${RUSTUP_HOME:-$real_home/.rustup}
export DOTNET_CLI_HOME=${DOTNET_CLI_HOME:-$real_home} NUGET_PACKAGES=${NUGET_PACKAGES:-$real_home/.nuget/packages}
export PYTHONUSERBASE=${PYTHONUSERBASE:-$real_home/.local}
export HOME=$scratch/home
mkdir -p "$HOME"
export BENCH_USERS=2000 BENCH_RUNS=1 BENCH_BULK=20 BENCH_CALLS=100
unset VCS_APP_ID VCS_APP_SECRET VCS_ORG_ID VCD_API_TOKEN VCD_NEW_USER_PASSWORD

# Whether cargo can build here (the blocks marked `# needs: crates`).
if [[ -z ${VCS_CARGO_BUILDS:-} ]]; then
  VCS_CARGO_BUILDS=0
  if command -v cargo >/dev/null && CARGO_NET_RETRY=0 timeout 300 cargo fetch --manifest-path "$root/Cargo.toml" >/dev/null 2>&1 </dev/null; then
    VCS_CARGO_BUILDS=1
  fi
fi

passed=0 failed=0 skipped=0
reasons=()
for file in README.md emulator/README.md bench/README.md; do
  [[ -f $file ]] || continue
  # Blocks as "LINE<TAB>TEXT" records separated by NUL: LINE is the line of the opening fence.
  session=$scratch/session.sh
  printf 'set -e\ntrap '\''kill $(jobs -p) 2>/dev/null || true'\'' EXIT\n' >"$session"
  blocks=() lines=()
  while IFS=$'\t' read -r -d '' line text; do
    blocks+=("$text") lines+=("$line")
  done < <(awk '
    /^```sh[[:space:]]*$/ && !inside { inside = 1; start = NR; text = ""; next }
    /^```/ && inside { inside = 0; printf "%d\t%s%c", start, text, 0; next }
    inside { text = text $0 "\n" }
  ' "$file")
  torun=()
  for i in "${!blocks[@]}"; do
    text=${blocks[$i]} where="$file:${lines[$i]}"
    if grep -qE '^[[:space:]]*# needs the real service' <<<"$text"; then
      skipped=$((skipped + 1)) reasons+=("$where: needs the real service")
      continue
    fi
    if [[ $(grep -vE '^[[:space:]]*(#|$)' <<<"$text") =~ ^bash\ tests/run\.sh ]]; then
      skipped=$((skipped + 1)) reasons+=("$where: the test command itself")
      continue
    fi
    needs=$(sed -n 's/^[[:space:]]*# needs:[[:space:]]*//p' <<<"$text" | head -n 1)
    missing="" no_crates=""
    for tool in ${needs//,/ }; do
      if [[ $tool == crates ]]; then
        [[ $VCS_CARGO_BUILDS == 1 ]] || no_crates="cargo cannot fetch the crates (no crate registry reachable)"
        continue
      fi
      command -v "$tool" >/dev/null || missing+="${missing:+, }$tool"
    done
    if [[ -n $missing || -n $no_crates ]]; then
      [[ -z $missing ]] || missing="$missing not found"
      skipped=$((skipped + 1)) reasons+=("$where: ${no_crates}${no_crates:+${missing:+; }}$missing")
      continue
    fi
    torun+=("$where")
    printf 'echo "::: %s"\n%s\n' "$where" "$text" >>"$session"
  done
  ((${#torun[@]})) || continue
  echo "== $file: ${#torun[@]} block(s)"
  start_emulator || { failed=$((failed + ${#torun[@]})); continue; }
  rc=0
  timeout --kill-after=30 1800 bash "$session" </dev/null >"$scratch/session.log" 2>&1 || rc=$?
  cat "$scratch/session.log"
  if ((rc == 0)); then
    passed=$((passed + ${#torun[@]}))
  else
    last=$(grep -E '^::: ' "$scratch/session.log" | tail -n 1 | cut -c5-)
    done_before=0
    for w in "${torun[@]}"; do [[ $w == "$last" ]] && break; done_before=$((done_before + 1)); done
    passed=$((passed + done_before))
    failed=$((failed + ${#torun[@]} - done_before))
    echo "FAILED: the block at ${last:-the start of $file} (exit $rc); the blocks after it did not run"
  fi
done

# What the blocks wrote into the checkout (emulator.json, a.out, host/, ...) goes.
comm -13 <(echo "$before") <(untracked) | while read -r path; do
  [[ -n $path ]] && rm -rf "${root:?}/$path"
done

for r in "${reasons[@]}"; do echo "skipped: $r"; done
why=$(printf '%s\n' "${reasons[@]}" | sed -n 's/^[^ ]*: //p' | sort | uniq -c | awk '{n = $1; $1 = ""; printf "%s%s x%d", sep, substr($0, 2), n; sep = "; "}')
echo "README commands: $passed passed, $failed failed, $skipped skipped${why:+ ($why)}"
((failed == 0 && passed > 0))
