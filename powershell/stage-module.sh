#!/usr/bin/env bash
# Builds the native library in release mode and copies it into this module's folder for the
# machine's platform (linux-x64, linux-arm64, osx-x64, osx-arm64), where VcsNative.psm1 loads it.
# On Windows: cargo build --release, then copy target\release\vcs_native.dll to powershell\win-x64\.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."
cargo build --release --lib
case "$(uname -s)" in
  Linux) os=linux; file=libvcs_native.so ;;
  Darwin) os=osx; file=libvcs_native.dylib ;;
  *) echo "stage-module.sh: unsupported OS $(uname -s)" >&2; exit 1 ;;
esac
case "$(uname -m)" in
  x86_64|amd64) arch=x64 ;;
  aarch64|arm64) arch=arm64 ;;
  *) echo "stage-module.sh: unsupported CPU $(uname -m)" >&2; exit 1 ;;
esac
mkdir -p "$here/$os-$arch"
cp "target/release/$file" "$here/$os-$arch/$file"
echo "staged $here/$os-$arch/$file"
