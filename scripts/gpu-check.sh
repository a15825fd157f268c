#!/usr/bin/env bash
# Every GPU check and benchmark as one command.
#   Here (dotnet, no GPU):  bash scripts/gpu-check.sh build
#     publishes bench/Grid.Cuda.Bench self-contained and trimmed for linux-x64 into publish/gpu, with the
#     kernel sources (CudaKernels/*.cu) and stories260K beside it (the GPU machine has no dotnet).
#   On the GPU machine:     bash scripts/gpu-check.sh run      (device tool: carry publish/gpu)
#     kernel checks against scalar references, CUDA forward against the CPU backend, stories260K's greedy
#     references, the Llama-3-8B-shaped benchmark, then the transformers peer; JSON and a log under $OUT.
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
build)
  dotnet publish bench/Grid.Cuda.Bench -c Release -r linux-x64 --self-contained -p:PublishTrimmed=true -o publish/gpu
  models="${GRID_MODELS_DIR:-../shared/models}"
  mkdir -p publish/gpu/models/stories260K
  cp "$models/stories260K/stories260K-f32.gguf" "$models/stories260K/reference.json" publish/gpu/models/stories260K/
  du -sh publish/gpu
  ;;
run)
  out="${OUT:-gpu-out}"
  mkdir -p "$out/check" "$out/bench"
  {
    nvidia-smi
    echo "--- CUDA libraries"
    ls /usr/local/cuda/lib64 2>/dev/null | grep -E '^lib(nvrtc|cublas|cublasLt)\.so\.[0-9]+$' || echo "none in /usr/local/cuda/lib64"
  } > "$out/machine.txt" 2>&1 || true
  # Where the toolkit folder lacks cuBLAS or NVRTC (pip wheels only), point the resolver at the wheels' folders.
  if [ ! -e /usr/local/cuda/lib64/libcublas.so.13 ] && [ ! -e /usr/local/cuda/lib64/libcublas.so.12 ]; then
    extra=$(find /usr /opt -name 'libcublas.so.1[23]' -o -name 'libnvrtc.so.1[23]' 2>/dev/null | xargs -r -n1 dirname | sort -u | paste -sd: -)
    export GRID_CUDA_LIB_DIR="$extra"
    echo "GRID_CUDA_LIB_DIR=$extra" | tee -a "$out/machine.txt"
  fi
  status=0
  # Each stage has its own limit so a hang in one still leaves the others' figures.
  timeout 150 publish/gpu/Grid.Cuda.Bench check --out "$out/check" 2>&1 | tee "$out/log.txt" || status=$?
  timeout 270 publish/gpu/Grid.Cuda.Bench bench --out "$out/bench" 2>&1 | tee -a "$out/log.txt" || status=$?
  if python3 -c "import torch, transformers" 2>/dev/null; then
    PYTHONUNBUFFERED=1 timeout 150 python3 bench/peer/transformers_peer.py --out "$out/peer.json" 2>&1 | tee -a "$out/log.txt" || true
  else
    echo "peer: torch/transformers are not installed on this machine" | tee -a "$out/log.txt"
  fi
  exit "$status"
  ;;
*)
  echo "usage: bash scripts/gpu-check.sh build|run" >&2
  exit 2
  ;;
esac
