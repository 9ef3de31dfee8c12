#!/usr/bin/env bash
# Runs every libFuzzer harness for a while: `make fuzz FUZZ_SECONDS=N` (or fuzz/run.sh N [HARNESS...]).
# Builds build-fuzz/ with clang and EDGERT_FUZZ=ON, puts seed corpora together under build-fuzz/corpus/
# from ../shared/fixtures, Debian's libonnx-testdata, models/ and a few generated .npy files (copied into
# the build tree, never into the repository), then runs each harness for N seconds with the checked-in
# fuzz/regressions/<harness>/ as a second corpus. New crash-, leak-, timeout- and oom- files land in
# build-fuzz/artifacts/<harness>/; the script prints executions, speed, coverage and findings per harness
# and exits non-zero when any harness found something.
# Environment: FUZZ_BUILD (default build-fuzz), FUZZ_JOBS (build jobs, default 2), FUZZ_KEEP_GOING=1 (go on
# past the first finding, libFuzzer's fork mode, to collect several in one run).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-${FUZZ_SECONDS:-60}}"
shift || true
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(fuzz_tflite_import fuzz_onnx_import fuzz_npy fuzz_invoke)
build="${FUZZ_BUILD:-build-fuzz}"
shared="$(cd .. && pwd)/shared"
onnx_data=/usr/share/libonnx-testdata/data
tflite_fixtures="$shared/fixtures/tflite-micro"

if ! command -v clang >/dev/null 2>&1; then
  echo "fuzz: clang not found (scripts/install-deps.sh --fuzz installs clang and libclang-rt-14-dev)" >&2
  exit 1
fi

# Per harness: the largest input libFuzzer makes (the seeds must fit: the TFLite fixtures are up to 53 KB,
# person_detect's 300 KB is left out) and the seconds one input may take before it counts as a hang.
max_len() {
  case "$1" in
    fuzz_npy) echo 4096 ;;
    fuzz_onnx_import) echo 16384 ;;
    *) echo 65536 ;;
  esac
}
timeout_s() {
  case "$1" in
    fuzz_invoke) echo 30 ;;
    *) echo 10 ;;
  esac
}

build_harnesses() {
  cmake -S . -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEDGERT_FUZZ=ON >/dev/null
  nice -n 19 cmake --build "$build" -j"${FUZZ_JOBS:-2}" --target "${harnesses[@]}"
}

# Copies each file of stdin's list no larger than $2 bytes into dir $1, named after its path (every ONNX
# test's model is model.onnx), so seeds from different tests do not overwrite each other.
add_seeds() {
  local dir="$1" limit="$2" path name
  mkdir -p "$dir"
  while IFS= read -r path; do
    [ -f "$path" ] && [ "$(stat -c %s "$path")" -le "$limit" ] || continue
    name="seed-$(printf '%s' "$path" | sed 's|^/||; s|[^A-Za-z0-9._-]|_|g' | tail -c 200)"
    [ -e "$dir/$name" ] || cp "$path" "$dir/$name"
  done
}

tflite_models() { find "$tflite_fixtures" -name '*.tflite' 2>/dev/null | sort; }
onnx_models() {
  find "$onnx_data/node" "$onnx_data/simple" -name model.onnx 2>/dev/null | sort
  find models -name '*.onnx' 2>/dev/null | sort
}
# One input of each ONNX test (TensorProto), for the tensor reader.
onnx_tensors() { find "$onnx_data" -path '*/test_data_set_0/input_0.pb' 2>/dev/null | sort; }

# A few small .npy files of each dtype and header version numpy writes, and ones the reader must refuse.
make_npy_seeds() {
  local dir="$1"
  mkdir -p "$dir"
  /usr/bin/python3 - "$dir" <<'PY' || echo "fuzz: python3 with numpy not found: fuzz_npy starts from no seeds" >&2
import sys, numpy as np
from numpy.lib import format as npf
d = sys.argv[1]
arrays = {
    "f32_2x3": np.arange(6, dtype=np.float32).reshape(2, 3),
    "f16_4": np.array([0.5, -1, np.inf, np.nan], np.float16),
    "f64_scalar": np.array(3.25, np.float64),
    "i8_3x1x2": np.arange(-3, 3, dtype=np.int8).reshape(3, 1, 2),
    "u8_empty": np.zeros((0, 4), np.uint8),
    "i16_5": np.arange(5, dtype=np.int16),
    "i32_2x2": np.arange(4, dtype=np.int32).reshape(2, 2),
    "i64_8dims": np.zeros((1,) * 8, np.int64),
    "u16_u32_u64": np.arange(3, dtype=np.uint64),
    "bool_3": np.array([True, False, True]),
    "big_endian_f4": np.arange(3, dtype=">f4"),
    "fortran_2x3": np.asfortranarray(np.ones((2, 3), np.float32)),
}
for name, a in arrays.items():
    with open(f"{d}/seed-{name}.npy", "wb") as f:
        npf.write_array(f, a, version=(1, 0))
a = np.arange(4, dtype=np.float32)
for v in [(2, 0), (3, 0)]:
    with open(f"{d}/seed-f32_v{v[0]}.npy", "wb") as f:
        npf.write_array(f, a, version=v)
PY
}

make_seeds() {
  local h="$1" dir="$build/corpus/$1" limit
  limit="$(max_len "$h")"
  case "$h" in
    fuzz_tflite_import) tflite_models | add_seeds "$dir" "$limit" ;;
    fuzz_onnx_import) { onnx_models; onnx_tensors; } | add_seeds "$dir" "$limit" ;;
    fuzz_npy) make_npy_seeds "$dir" ;;
    fuzz_invoke) { tflite_models; onnx_models; } | add_seeds "$dir" "$limit" ;;
  esac
  mkdir -p "$dir"
  echo "fuzz: $h: $(find "$dir" -type f | wc -l) inputs in $dir"
}

# Findings written since the stamp file $2 (libFuzzer names them by content hash: one found again is
# rewritten, and counts again).
findings() {
  find "$build/artifacts/$1" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) \
    -newer "$2" 2>/dev/null | sort
}

# Runs one harness; prints its summary line into $build/fuzz-summary.txt.
run_harness() {
  local h="$1" log="$build/logs/$1.log" stamp="$build/logs/$1.start" new start wall
  mkdir -p "$build/artifacts/$h" "$build/logs"
  touch "$stamp"
  local mode=()
  if [ "${FUZZ_KEEP_GOING:-0}" = 1 ]; then mode=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1); fi
  echo "fuzz: running $h for ${seconds}s (log: $log)"
  start=$(date +%s)
  # Finding something makes libFuzzer exit non-zero; that is reported below from the artifacts.
  ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1" UBSAN_OPTIONS="print_stacktrace=1" \
    nice -n 19 "$build/fuzz/$h" "${mode[@]}" -max_total_time="$seconds" -max_len="$(max_len "$h")" \
    -timeout="$(timeout_s "$h")" -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$build/artifacts/$h/" "$build/corpus/$h" "fuzz/regressions/$h" >"$log" 2>&1 || true
  wall=$(($(date +%s) - start))
  new="$(findings "$h" "$stamp")"
  local execs speed cov
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  speed="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
  cov="$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2 || true)"
  if [ -z "$execs" ]; then # fork mode prints no final stats; its last status line has the count
    execs="$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#' || true)"
    [ -n "$execs" ] && [ "$wall" -gt 0 ] && speed=$((execs / wall))
  fi
  printf '%-20s %10s execs %7s/s %5ss  cov %6s  findings %d\n' "$h" "${execs:-?}" "${speed:-?}" "$wall" \
    "${cov:-?}" "$(printf '%s' "$new" | grep -c . || true)" >>"$build/fuzz-summary.txt"
  if [ -n "$new" ]; then
    printf '%s\n' "$new" | sed 's/^/  new: /' >>"$build/fuzz-summary.txt"
    grep -m1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' "$log" \
      | sed 's/^/  first report: /' >>"$build/fuzz-summary.txt" || true
  fi
}

build_harnesses
mkdir -p "$build/corpus"
: >"$build/fuzz-summary.txt"
for h in "${harnesses[@]}"; do make_seeds "$h"; done
for h in "${harnesses[@]}"; do run_harness "$h"; done

echo
echo "fuzz: ${seconds}s per harness"
cat "$build/fuzz-summary.txt"
if grep -q '^  new: ' "$build/fuzz-summary.txt"; then
  echo "fuzz: new findings: reproduce one with $build/fuzz/HARNESS FILE, minimize it with" \
    "$build/fuzz/HARNESS -minimize_crash=1 -runs=10000 FILE, and see fuzz/regressions/HARNESS/README.md" >&2
  exit 1
fi
