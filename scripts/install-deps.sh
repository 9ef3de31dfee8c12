#!/usr/bin/env bash
# Installs what building and testing edgert needs on Debian, only when missing (idempotent).
# The library itself needs only a C11 compiler and libm; tests use Python with numpy and Pillow to decode
# the fixture images and compare outputs; the Arm tests (make test-aarch64) need a cross compiler and qemu.
# With --build-only, just what building needs (for `make demo`); with --fuzz, what `make fuzz` needs.
set -euo pipefail

install() {
  echo "install-deps: installing $*"
  local sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq --no-install-recommends "$@"
}

need=()
command -v cmake >/dev/null 2>&1 || need+=(cmake)
command -v cc >/dev/null 2>&1 || need+=(gcc libc6-dev)
command -v make >/dev/null 2>&1 || need+=(make)
if [ "${1:-}" = "--build-only" ]; then
  if [ ${#need[@]} -gt 0 ]; then install "${need[@]}"; fi
  exit 0
fi
# `make fuzz`: clang and its libFuzzer runtime (the sanitizer and fuzzer libraries of clang 14).
need_fuzz() {
  command -v clang >/dev/null 2>&1 || need+=(clang)
  compgen -G '/usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-*.a' >/dev/null || need+=(libclang-rt-14-dev)
}
if [ "${1:-}" = "--fuzz" ]; then
  need_fuzz
  if [ ${#need[@]} -gt 0 ]; then install "${need[@]}"; fi
  exit 0
fi
need_fuzz
/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1 || need+=(python3-numpy)
/usr/bin/python3 -c 'import PIL' >/dev/null 2>&1 || need+=(python3-pil)
/usr/bin/python3 -c 'import flatbuffers' >/dev/null 2>&1 || need+=(python3-flatbuffers)
# PyTorch and torchvision: tests export torchvision's classifiers to ONNX and compare with PyTorch.
/usr/bin/python3 -c 'import torch, torchvision' >/dev/null 2>&1 || need+=(python3-torch python3-torchvision)
# The ONNX backend test data (model.onnx + TensorProto inputs/outputs) for the conformance runner.
[ -d /usr/share/libonnx-testdata/data ] || need+=(libonnx-testdata)
# `make test-aarch64`: the Arm cross compiler and C library, and qemu-user to run the tests it builds.
command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || need+=(gcc-aarch64-linux-gnu)
[ -f /usr/aarch64-linux-gnu/include/stdio.h ] || need+=(libc6-dev-arm64-cross)
command -v qemu-aarch64 >/dev/null 2>&1 || need+=(qemu-user)

if [ ${#need[@]} -gt 0 ]; then install "${need[@]}"; fi

# TensorFlow Lite itself (compiled to WebAssembly, npm @tensorflow/tfjs-tflite) is the outside reference
# that tests/models/test_tflite_reference.py compares edgert with. It lands in .deps/ (git-ignored).
here="$(cd "$(dirname "$0")/.." && pwd)"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  install nodejs npm
fi
if [ ! -f "$here/.deps/node_modules/@tensorflow/tfjs-tflite/wasm/tflite_web_api_cc_simd.wasm" ]; then
  echo "install-deps: installing @tensorflow/tfjs-tflite into .deps/"
  mkdir -p "$here/.deps"
  npm install --silent --no-audit --no-fund --ignore-scripts --prefix "$here/.deps" @tensorflow/tfjs-tflite@0.0.1-alpha.10
fi
