# Sourced by tests/run.sh and scripts/vcs: chooses the prebuilt Rust binaries of ../shared/carry
# (VCS_CARRY overrides the folder) for a machine whose cargo cannot build. They match one commit's
# Rust sources and no other (../shared/carry/README.md), so they are used only when HEAD's Rust
# sources, committed and in the work tree, are those of that commit.
#
# carry_select ROOT (the repository's top folder): on success exports VCS_NATIVE_LIB, VCS_EMULATOR, VCS_CLI and sets CARRY_COMMIT;
# on refusal returns 1 with the reason in CARRY_WHY.
carry_rust_sources=(Cargo.toml Cargo.lock build.rs src emulator cli include)

carry_select() {
  local root=$1 carry bin commit changed
  git -C "$root" rev-parse --git-dir >/dev/null 2>&1 || { CARRY_WHY="not a git clone: cannot check the carry against the Rust sources"; return 1; }
  carry=${VCS_CARRY:-$root/../shared/carry}
  carry=$(cd "$carry" 2>/dev/null && pwd -P || echo "$carry")
  bin=$carry/linux-x64
  CARRY_WHY=""
  if [[ $(uname -s)-$(uname -m) != Linux-x86_64 ]]; then
    CARRY_WHY="the carry has linux-x64 binaries only, this is $(uname -s)-$(uname -m)"
  elif [[ ! -r $carry/SOURCE || ! -x $bin/vcs-emulator || ! -r $bin/libvcs_native.so || ! -x $bin/vcs ]]; then
    CARRY_WHY="no prebuilt binaries at $carry (SOURCE, linux-x64/libvcs_native.so, vcs-emulator, vcs)"
  elif ! commit=$(tr -d '[:space:]' <"$carry/SOURCE") || [[ -z $commit ]]; then
    CARRY_WHY="$carry/SOURCE names no commit"
  elif ! git -C "$root" cat-file -e "$commit^{commit}" 2>/dev/null; then
    CARRY_WHY="the carry's commit $commit (carry/SOURCE) is not in this clone (shallow clone? git fetch --unshallow)"
  elif ! git -C "$root" diff --quiet "$commit" HEAD -- "${carry_rust_sources[@]}"; then
    changed=$(git -C "$root" diff --name-only "$commit" HEAD -- "${carry_rust_sources[@]}" | head -n 20 | xargs)
    CARRY_WHY="the Rust sources at HEAD differ from those of the carry's commit ${commit:0:12}: $changed"
  # Uncommitted edits would be tested against binaries that do not contain them.
  elif changed=$({ git -C "$root" diff --name-only HEAD -- "${carry_rust_sources[@]}" &&
    git -C "$root" ls-files --others --exclude-standard -- "${carry_rust_sources[@]}"; } | head -n 20 | xargs) &&
    [[ -n $changed ]]; then
    CARRY_WHY="uncommitted changes to the Rust sources, which the carry does not contain: $changed"
  else
    export VCS_NATIVE_LIB=$bin/libvcs_native.so VCS_EMULATOR=$bin/vcs-emulator VCS_CLI=$bin/vcs
    CARRY_COMMIT=$commit
    return 0
  fi
  return 1
}
