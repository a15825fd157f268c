#!/usr/bin/env bash
# build.sh OUT_DIR: builds the host emulation of a GPU into OUT_DIR: libcuda.so.1 (fakecuda.cpp: device memory is host
# memory, the real NVRTC's CUBINs name the kernels, launches run the same .cu files compiled as C++ over ../emu.h) and
# libcublas.so.12 (fakecublas.cpp). Point GRID_CUDA_LIB_DIR at OUT_DIR to run Grid.Cuda on it. Needs g++ 12+, x86-64.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:?usage: build.sh OUT_DIR}"
mkdir -p "$out"
g++ -O2 -shared -fPIC -std=c++17 -w -I "$here/.." -I "$here/../.." "$here/fakecuda.cpp" -o "$out/libcuda.so.1"
g++ -O2 -shared -fPIC -std=c++17 -w "$here/fakecublas.cpp" -o "$out/libcublas.so.12"
