# Top-level entry points. CMake does the building; this file names the commands people type.
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

AARCH64_BUILD ?= build-aarch64

.PHONY: all build test test-aarch64 test-asan deps demo conformance bench fuzz clean format

all: build

build:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j$(JOBS)

deps:
	bash scripts/install-deps.sh

test: deps build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)
	$(MAKE) test-aarch64

# The library and its C tests cross-built for 64-bit Arm (Debian's gcc-aarch64-linux-gnu) and run under
# qemu-user, so the NEON kernels in src/ops/arm/ are tested on every x86 machine too. qemu's "max" CPU has
# the dot-product extension; EDGERT_ISA=neon caps a second pass of the kernel tests at plain NEON (float
# kernels do not depend on dotprod: their tests, the slowest under qemu, run once). The Python tests drive
# the host CLI and are not part of the cross build (tests/CMakeLists.txt). 2 to 4 minutes of tests after
# the build on 2 cores.
test-aarch64: deps
	cmake -S . -B $(AARCH64_BUILD) -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	cmake --build $(AARCH64_BUILD) -j$(JOBS)
	cd $(AARCH64_BUILD) && ctest --output-on-failure -j$(JOBS)
	cd $(AARCH64_BUILD) && EDGERT_ISA=neon ctest --output-on-failure -j$(JOBS) -R '^ops/' -E f32

# The whole suite under AddressSanitizer and UndefinedBehaviorSanitizer, in its own build tree.
test-asan: deps
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DEDGERT_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	cmake --build build-asan -j$(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j$(JOBS)

# libFuzzer on the TFLite and ONNX importers, the .npy reader and load-prepare-invoke (fuzz/), FUZZ_SECONDS
# each, in build-fuzz/ (clang, ASan + UBSan). New crashes land in build-fuzz/artifacts/HARNESS/ and fail
# the run; fuzz/regressions/ holds the fixed ones, which `make test` replays.
FUZZ_SECONDS ?= 60
fuzz:
	bash scripts/install-deps.sh --fuzz
	bash fuzz/run.sh $(FUZZ_SECONDS)

# The ONNX backend test data (Debian's libonnx-testdata) through edgert: one line per failing test, pass
# counts per group. Regenerate the checked-in list of passing tests with
#   $(BUILD)/tests/onnx_conformance --quiet --list-passing tests/onnx/expected_pass.txt
conformance: build
	$(BUILD)/tests/onnx_conformance --expect tests/onnx/expected_pass.txt

# The main job on the models edgert ships: anomaly detection on a sensor stream, digit classification.
demo:
	bash scripts/install-deps.sh --build-only
	$(MAKE) build
	$(BUILD)/edgert-demo .

# edgert next to ONNX Runtime (npm onnxruntime-node, installed into .deps/bench) on torchvision's
# classifiers, the shipped models and the int8 TFLite fixtures; writes bench/RESULTS.md (~6 min).
bench: deps build
	bash bench/run.sh $(BUILD)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) build-asan $(AARCH64_BUILD)
