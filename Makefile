# Top-level entry points. CMake does the building; this file names the commands people type.
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all build test test-asan deps demo conformance clean format

all: build

build:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j$(JOBS)

deps:
	bash scripts/install-deps.sh

test: deps build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

# The whole suite under AddressSanitizer and UndefinedBehaviorSanitizer, in its own build tree.
test-asan: deps
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DEDGERT_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	cmake --build build-asan -j$(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j$(JOBS)

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

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) build-asan
