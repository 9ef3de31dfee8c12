#!/usr/bin/env bash
# edgert next to ONNX Runtime: installs ONNX Runtime (npm onnxruntime-node, into .deps/bench, git-ignored)
# when missing, then runs bench/bench.py, which writes bench/RESULTS.md.
#   bash bench/run.sh [BUILD_DIR] [bench.py options...]     (BUILD_DIR defaults to build; see --help)
# The binary must exist (`make bench` builds it first). A few minutes on a 2-core machine (--budget sets
# the seconds of timed runs per measurement).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-build}"
if [ $# -gt 0 ]; then shift; fi
ort_version=1.30.0
deps="$here/.deps/bench"
if ! grep -qs "\"version\": \"$ort_version\"" "$deps/node_modules/onnxruntime-node/package.json"; then
  echo "bench: installing onnxruntime-node@$ort_version into .deps/bench" >&2
  mkdir -p "$deps"
  npm install --silent --no-audit --no-fund --ignore-scripts --prefix "$deps" "onnxruntime-node@$ort_version"
fi
case "$build" in /*) ;; *) build="$here/$build" ;; esac
exec /usr/bin/python3 "$here/bench/bench.py" --edgert "$build/edgert" --node-path "$deps/node_modules" "$@"
