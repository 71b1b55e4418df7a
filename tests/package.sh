#!/usr/bin/env bash
# The module as a package (issue #27), as a user without a clone meets it: `dotnet pack
# powershell -c Release`, the package's layout and nuspec, then in a temporary HOME (so nothing of
# the user's is touched) a folder repository, Install-PSResource, a `#Requires -Modules VcsNative`
# script against an emulator with no path anywhere, and Uninstall-PSResource.
#
# Needs dotnet, pwsh with Microsoft.PowerShell.PSResourceGet (pwsh on PATH, or target/tools/pwsh as
# .ci/run installs it), unzip and file. The native library: $VCS_NATIVE_LIB, else scripts/native-lib;
# the emulator: $VCS_EMULATOR, else scripts/vcs-emulator.
# Each check prints "ok: ..." or "FAILED: ..."; the last line is "package: N passed, N failed".
# Exit status: 0 all passed, 1 a check failed, 3 not run (a tool is missing: "PACKAGE-SKIPPED: why").
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD

skip() { echo "PACKAGE-SKIPPED: $1"; exit 3; }
pwsh=$(command -v pwsh || echo "$root/target/tools/pwsh")
[[ -x $pwsh ]] || skip "pwsh not found (on PATH or in target/tools)"
command -v dotnet >/dev/null || skip "dotnet not found"
for tool in unzip file; do command -v "$tool" >/dev/null || skip "$tool not found"; done

tmp=$(mktemp -d)
emulator_pid=""
cleanup() {
  [[ -z $emulator_pid ]] || { kill "$emulator_pid" 2>/dev/null; wait "$emulator_pid" 2>/dev/null; }
  rm -rf "$tmp"
}
trap cleanup EXIT

passed=0 failed=0
ok() { echo "ok: $1"; passed=$((passed + 1)); }
bad() { echo "FAILED: $1"; failed=$((failed + 1)); }
# check NAME CMD...: ok when CMD succeeds.
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }
finish() { echo "package: $passed passed, $failed failed"; ((failed == 0)) && exit 0 || exit 1; }

# pwsh in the temporary home: its own module path, repository list and installed modules, nothing
# inherited that could point at the checkout.
home=$tmp/home work=$tmp/work
mkdir -p "$home" "$work"
ps_home() {
  (cd "$work" && env -u PSModulePath -u XDG_DATA_HOME -u XDG_CONFIG_HOME -u XDG_CACHE_HOME -u LD_LIBRARY_PATH \
    HOME="$home" POWERSHELL_TELEMETRY_OPTOUT=1 POWERSHELL_UPDATECHECK=Off "$pwsh" -NoProfile -NonInteractive "$@")
}
ps_home -Command 'if (-not (Get-Module -ListAvailable Microsoft.PowerShell.PSResourceGet)) { exit 3 }' >/dev/null 2>&1
case $? in
  0) ;;
  3) skip "pwsh has no Microsoft.PowerShell.PSResourceGet module" ;;
  *) skip "pwsh ($pwsh) does not start" ;;
esac

export DOTNET_NOLOGO=1 MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0 UseSharedCompilation=false
if [[ -z ${VCS_NATIVE_LIB:-} ]]; then
  VCS_NATIVE_LIB=$("$root/scripts/native-lib") || { bad "scripts/native-lib gave no native library"; finish; }
  export VCS_NATIVE_LIB
fi
version=$("$pwsh" -NoProfile -NonInteractive -Command '(Import-PowerShellDataFile powershell/VcsNative.psd1).ModuleVersion')
packages=$root/target/powershell/packages
nupkg=$packages/VcsNative.$version.nupkg

# --- dotnet pack -------------------------------------------------------------------------------

# A project page given at pack time lands in the packaged manifest and the nuspec; a bad one is refused.
if dotnet pack powershell -c Release -p:VcsProjectUri=not-a-uri >"$tmp/pack-bad.log" 2>&1; then
  bad "dotnet pack -p:VcsProjectUri=not-a-uri is refused"
else
  check "dotnet pack -p:VcsProjectUri=not-a-uri is refused, naming VcsProjectUri" grep -q "VcsProjectUri 'not-a-uri' is not an absolute http(s) URI" "$tmp/pack-bad.log"
fi
rm -rf "$packages"
if dotnet pack powershell -c Release --no-build -p:VcsProjectUri=https://example.org/vcs-native >"$tmp/pack-uri.log" 2>&1 && [[ -f $nupkg ]]; then
  mkdir -p "$tmp/uri" && unzip -q -o "$nupkg" -d "$tmp/uri"
  check "-p:VcsProjectUri: the nuspec's projectUrl" grep -q '<projectUrl>https://example.org/vcs-native</projectUrl>' "$tmp/uri/VcsNative.nuspec"
  uri=$("$pwsh" -NoProfile -NonInteractive -Command "(Test-ModuleManifest '$tmp/uri/VcsNative.psd1' -ErrorAction Stop).ProjectUri.AbsoluteUri" 2>&1)
  check "-p:VcsProjectUri: the packaged manifest's ProjectUri (Test-ModuleManifest: $uri)" test "$uri" = https://example.org/vcs-native
else
  cat "$tmp/pack-uri.log"
  bad "dotnet pack -p:VcsProjectUri=https://example.org/vcs-native writes $nupkg"
fi

# Libraries other machines built join the package in their platform folders (a copy of this one
# stands in for linux-arm64); a file outside such a folder is refused.
mkdir -p "$tmp/dist/linux-arm64" && cp "$VCS_NATIVE_LIB" "$tmp/dist/linux-arm64/"
if dotnet pack powershell -c Release --no-build -p:VcsNativeLibs="$tmp/dist" >"$tmp/pack-libs.log" 2>&1; then
  check "-p:VcsNativeLibs: linux-arm64/libvcs_native.so joins linux-x64 in the package" \
    bash -c 'unzip -Z1 "$1" | grep -qx linux-arm64/libvcs_native.so && unzip -Z1 "$1" | grep -qx linux-x64/libvcs_native.so' _ "$nupkg"
else
  cat "$tmp/pack-libs.log"; bad "dotnet pack -p:VcsNativeLibs=DIR (DIR/linux-arm64/libvcs_native.so)"
fi
mkdir -p "$tmp/dist/arm64" && cp "$VCS_NATIVE_LIB" "$tmp/dist/arm64/"
if dotnet pack powershell -c Release --no-build -p:VcsNativeLibs="$tmp/dist" >"$tmp/pack-libs-bad.log" 2>&1; then
  bad "-p:VcsNativeLibs: a library in arm64/ (no platform folder) is refused"
else
  check "-p:VcsNativeLibs: a library in arm64/ (no platform folder) is refused, naming it" grep -q "arm64/libvcs_native.so is not in a platform folder" "$tmp/pack-libs-bad.log"
fi

# The package as CI and a release make it.
rm -rf "$packages"
if dotnet pack powershell -c Release >"$tmp/pack.log" 2>&1 && [[ -f $nupkg ]]; then
  ok "dotnet pack powershell -c Release writes target/powershell/packages/VcsNative.$version.nupkg (ModuleVersion $version)"
else
  tail -n 30 "$tmp/pack.log"
  bad "dotnet pack powershell -c Release writes target/powershell/packages/VcsNative.$version.nupkg"
  finish
fi
check "the packages folder holds that one package" test "$(ls "$packages")" = "VcsNative.$version.nupkg"

# Layout and nuspec, read by PowerShell against the source manifest.
cat >"$tmp/inspect.ps1" <<'EOF'
param([string] $Nupkg, [string] $Manifest, [string] $ModuleDir)
Add-Type -AssemblyName System.IO.Compression.FileSystem
$zip = [IO.Compression.ZipFile]::OpenRead($Nupkg)
$entries = $zip.Entries.FullName | Sort-Object
$zip.Dispose()
function Check([string] $Name, [bool] $Ok) { if ($Ok) { "ok: $Name" } else { "FAILED: $Name" } }
$m = Import-PowerShellDataFile $Manifest
$module = 'VcsNative.nuspec', 'VcsNative.psd1', 'VcsNative.Commands.dll', 'VcsNative.Format.ps1xml', 'LICENSE',
    'en-US/VcsNative.Commands.dll-Help.xml', 'linux-x64/libvcs_native.so'
$nuget = $entries | Where-Object { $_ -in '[Content_Types].xml', '_rels/.rels' -or $_ -like 'package/services/metadata/core-properties/*.psmdcp' }
$missing = $module | Where-Object { $_ -notin $entries }
$extra = $entries | Where-Object { $_ -notin $module -and $_ -notin $nuget }
Check "the module's files at the package root (missing: $missing; unexpected: $extra)" (-not $missing -and -not $extra)

$ns = @{ n = 'http://schemas.microsoft.com/packaging/2011/08/nuspec.xsd' }
[xml] $nuspec = & { Add-Type -AssemblyName System.IO.Compression.FileSystem
    $z = [IO.Compression.ZipFile]::OpenRead($Nupkg)
    try { (New-Object IO.StreamReader ($z.GetEntry('VcsNative.nuspec').Open())).ReadToEnd() } finally { $z.Dispose() } }
$md = $nuspec.package.metadata
Check "nuspec id VcsNative" ($md.id -ceq 'VcsNative')
Check "nuspec version $($md.version) = ModuleVersion $($m.ModuleVersion)" ($md.version -eq $m.ModuleVersion)
Check "nuspec authors = Author" ($md.authors -eq $m.Author)
Check "nuspec description = Description" ($md.description -eq $m.Description)
Check "nuspec licenseUrl = LicenseUri ($($md.licenseUrl))" ($md.licenseUrl -eq $m.PrivateData.PSData.LicenseUri)
Check "nuspec releaseNotes = ReleaseNotes" ($md.releaseNotes -eq $m.PrivateData.PSData.ReleaseNotes.Trim())
$tags = -split $md.tags
$want = @('PSModule', 'PSEdition_Core', 'Linux', 'MacOS', 'Windows') + $m.PrivateData.PSData.Tags +
    ($m.CmdletsToExport | ForEach-Object { "PSCmdlet_$_"; "PSCommand_$_" })
$absent = $want | Where-Object { $_ -cnotin $tags }
Check "nuspec tags: PSModule, editions, platforms, the manifest's, PSCmdlet_/PSCommand_ per cmdlet (absent: $absent)" (-not $absent)
$stray = $tags | Where-Object { $_ -match '^PS(Cmdlet|Command)_(.*)$' -and $Matches[2] -notin $m.CmdletsToExport }
Check "no PSCmdlet_/PSCommand_ tag for a command the module does not export ($stray)" (-not $stray)
$notes = $m.PrivateData.PSData.ReleaseNotes
$unnamed = 'linux-x64', 'linux-arm64', 'osx-x64', 'osx-arm64', 'win-x64' | Where-Object { $notes -notmatch [regex]::Escape($_) }
Check "ReleaseNotes name every platform folder a release carries (not named: $unnamed)" (-not $unnamed)
Check "manifest: PowerShellVersion 7.4, CompatiblePSEditions Core" ($m.PowerShellVersion -eq '7.4' -and "$($m.CompatiblePSEditions)" -eq 'Core')
EOF
"$pwsh" -NoProfile -NonInteractive -File "$tmp/inspect.ps1" -Nupkg "$nupkg" -Manifest "$root/powershell/VcsNative.psd1" >"$tmp/inspect.out" 2>&1
cat "$tmp/inspect.out"
passed=$((passed + $(grep -c '^ok: ' "$tmp/inspect.out"))) failed=$((failed + $(grep -c '^FAILED: ' "$tmp/inspect.out")))
grep -qE '^(ok|FAILED): ' "$tmp/inspect.out" || bad "the package inspection ran"

mkdir -p "$tmp/pkg" && unzip -q -o "$nupkg" -d "$tmp/pkg"
module_dir=$root/target/powershell/VcsNative
check "the packaged manifest is the built module's" cmp -s "$tmp/pkg/VcsNative.psd1" "$module_dir/VcsNative.psd1"
check "the packaged assembly is the built module's" cmp -s "$tmp/pkg/VcsNative.Commands.dll" "$module_dir/VcsNative.Commands.dll"
so=$tmp/pkg/linux-x64/libvcs_native.so
what=$(file -b "$so")
check "file says the packaged native library is stripped ($what)" bash -c '[[ $1 == *", stripped"* ]]' _ "$what"
check "the module folder's library is untouched (the copy was stripped)" cmp -s "$module_dir/linux-x64/libvcs_native.so" "$VCS_NATIVE_LIB"

# --- install by name from a folder repository, in a temporary home -----------------------------

real_repos=$HOME/.local/share/PSResourceGet/PSResourceRepository.xml
real_before=$(cat "$real_repos" 2>/dev/null | md5sum)
if ps_home -Command "Register-PSResourceRepository -Name VcsLocal -Uri '$packages' -Trusted -ErrorAction Stop" >"$tmp/register.log" 2>&1; then
  ok "Register-PSResourceRepository -Name VcsLocal -Uri target/powershell/packages -Trusted"
else
  cat "$tmp/register.log"; bad "Register-PSResourceRepository -Name VcsLocal"
fi
check "the repository list is in the temporary home" grep -q VcsLocal "$home/.local/share/PSResourceGet/PSResourceRepository.xml"
check "the user's own repository list is untouched" test "$(cat "$real_repos" 2>/dev/null | md5sum)" = "$real_before"

# The emulator, and a script that names the module and nothing else.
emulator=${VCS_EMULATOR:-$root/scripts/vcs-emulator}
"$emulator" --listen 127.0.0.1:0 --users 20 >"$tmp/emulator.out" 2>"$tmp/emulator.err" </dev/null &
emulator_pid=$!
for ((i = 0; i < 300; i++)); do
  [[ $(wc -l <"$tmp/emulator.out") -ge 1 ]] && break
  kill -0 "$emulator_pid" 2>/dev/null || break
  sleep 0.1
done
line=$(head -n 1 "$tmp/emulator.out")
url=$(sed -n 's/.*"url":"\([^"]*\)".*/\1/p' <<<"$line") token=$(sed -n 's/.*"apiToken":"\([^"]*\)".*/\1/p' <<<"$line")
if [[ -z $url || -z $token ]]; then
  cat "$tmp/emulator.err"; bad "the emulator ($emulator) started"; finish
fi
cat >"$work/users.ps1" <<'EOF'
#Requires -Modules VcsNative
Import-Module VcsNative
$module = Get-Module VcsNative
"module: $($module.Version) $($module.ModuleBase)"
Connect-Vcs -Server $env:VCS_SERVER -ApiToken $env:VCS_API_TOKEN | Out-Null
Get-VcsUser -Name 'A*' | ForEach-Object { "user: $($_.Id) $($_.Username)" }
EOF
run_script() { VCS_SERVER=$url VCS_API_TOKEN=$token ps_home -File users.ps1 >"$tmp/$1.log" 2>&1; }

if run_script before; then
  bad "before the install, the #Requires script fails: it ran"
else
  check "before the install, the #Requires script fails, naming VcsNative ($(grep -m1 -o "[^|]*VcsNative[^|]*" "$tmp/before.log" | cut -c1-150))" grep -q "VcsNative" "$tmp/before.log"
fi

if ps_home -Command "Install-PSResource VcsNative -Repository VcsLocal -Scope CurrentUser -ErrorAction Stop" >"$tmp/install.log" 2>&1; then
  ok "Install-PSResource VcsNative -Repository VcsLocal -Scope CurrentUser"
else
  cat "$tmp/install.log"; bad "Install-PSResource VcsNative -Repository VcsLocal -Scope CurrentUser"
fi
installed=$home/.local/share/powershell/Modules/VcsNative/$version
check "installed under the temporary home: ~/.local/share/powershell/Modules/VcsNative/$version" test -f "$installed/VcsNative.psd1" -a -f "$installed/linux-x64/libvcs_native.so"
check "the installed native library is the stripped one" cmp -s "$installed/linux-x64/libvcs_native.so" "$so"
ps_home -Command '(Get-InstalledPSResource VcsNative -ErrorAction Stop | ForEach-Object { "$($_.Name) $($_.Version) $($_.Repository)" })' >"$tmp/installed.log" 2>&1
check "Get-InstalledPSResource: VcsNative $version from VcsLocal ($(head -n 1 "$tmp/installed.log"))" test "$(cat "$tmp/installed.log")" = "VcsNative $version VcsLocal"

# What the emulator holds: the users whose username, email or full name matches A*.
ps_home -Command "(Invoke-RestMethod '$url/_emulator/state').users | Where-Object { \$_.username -like 'A*' -or \$_.email -like 'A*' -or \"\$(\$_.firstName) \$(\$_.lastName)\" -like 'A*' } | ForEach-Object { 'user: ' + \$_.userId + ' ' + \$_.username } | Sort-Object" >"$tmp/expected.log" 2>&1
if run_script after; then
  ok "the #Requires -Modules VcsNative script runs (Import-Module VcsNative; Connect-Vcs; Get-VcsUser -Name 'A*')"
else
  cat "$tmp/after.log"; bad "the #Requires -Modules VcsNative script runs"
fi
check "the module was loaded from the install: $(grep '^module: ' "$tmp/after.log")" grep -qxF "module: $version $installed" "$tmp/after.log"
got=$(grep '^user: ' "$tmp/after.log" | sort) want=$(grep '^user: ' "$tmp/expected.log" | sort)
check "Get-VcsUser -Name 'A*' gives the emulator's users matching A* ($(grep -c . <<<"$want") users)" test -n "$want" -a "$got" = "$want"

# --- uninstall ---------------------------------------------------------------------------------

if ps_home -Command "Uninstall-PSResource VcsNative -Scope CurrentUser -ErrorAction Stop" >"$tmp/uninstall.log" 2>&1; then
  ok "Uninstall-PSResource VcsNative"
else
  cat "$tmp/uninstall.log"; bad "Uninstall-PSResource VcsNative"
fi
check "the module folder is gone" test ! -e "$installed" -a -z "$(find "$home/.local/share/powershell/Modules" -name 'VcsNative*' -type f 2>/dev/null)"
listed=$(ps_home -Command '@(Get-Module -ListAvailable VcsNative).Count' 2>&1)
check "Get-Module -ListAvailable VcsNative finds nothing ($listed)" test "$listed" = 0
if run_script removed; then
  bad "after the uninstall, the #Requires script fails: it ran"
else
  check "after the uninstall, the #Requires script fails again" grep -q "VcsNative" "$tmp/removed.log"
fi
finish
