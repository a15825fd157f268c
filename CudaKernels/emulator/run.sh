#!/usr/bin/env bash
# Builds and runs the CPU emulation checks of every kernel: emulator/run.sh [embedding|rmsnorm|elementwise|
# swiglu|rotary|kv|convert|quant|logits|sampling|cp_async|attention]. Needs g++ 12 or newer.
set -euo pipefail
dir="$(cd "$(dirname "$0")" && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
g++ -std=c++20 -O2 -fno-strict-aliasing -w -I "$dir" -I "$dir/.." -o "$out/kernel_checks" "$dir/kernel_checks.cpp"
"$out/kernel_checks" "$@"
