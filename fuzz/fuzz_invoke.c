/* libFuzzer harness: a fuzzed model (TFLite or ONNX, the loader picks) through everything a caller does
 * with it: load and prepare under tight limits, resize open input dims to small sizes, fill every input
 * with bytes derived from the model bytes (NaN and Inf included: hostile inputs are legitimate), invoke
 * twice (the second run must cope with state and staged values left by the first), read every output
 * byte, free. Any status is fine; a crash, sanitizer report, leak or hang is a bug. */
#include <stdint.h>
#include <string.h>

#include "edgert.h"
#include "fuzz_common.h"

/* The same model bytes always give the same input values, so a crash replays. */
static uint64_t hash_bytes(const uint8_t *data, size_t size) {
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  for (size_t i = 0; i < size; i++)
    h = (h ^ data[i]) * 1099511628211ull;
  return h;
}

static uint8_t next_byte(uint64_t *state) {
  *state ^= *state << 13;
  *state ^= *state >> 7;
  *state ^= *state << 17;
  return (uint8_t)(*state >> 24);
}

/* Gives each dim the model leaves open a size of 1 to 3; a failure only means invoke will refuse. */
static void resize_open_dims(edgert_interpreter *it, int index, uint64_t *state) {
  edgert_tensor_info info;
  if (edgert_interpreter_input_info(it, index, &info) != EDGERT_OK || info.dynamic_dims == 0) return;
  int64_t dims[EDGERT_MAX_DIMS];
  for (int d = 0; d < info.ndim && d < EDGERT_MAX_DIMS; d++)
    dims[d] = (info.dynamic_dims >> d) & 1 ? 1 + next_byte(state) % 3 : info.dims[d];
  edgert_interpreter_resize_input(it, index, info.ndim, dims);
}

static void fill_input(edgert_interpreter *it, int index, uint64_t *state) {
  edgert_tensor_info info;
  if (edgert_interpreter_input_info(it, index, &info) != EDGERT_OK) return;
  uint8_t *p = edgert_interpreter_input_data(it, index);
  if (!p) return;
  for (size_t i = 0; i < info.bytes; i++)
    p[i] = next_byte(state);
}

/* Reads every output byte, so an output shorter than its info says shows up under ASan. */
static void read_outputs(const edgert_interpreter *it, int n_outputs) {
  volatile uint8_t sink = 0;
  for (int k = 0; k < n_outputs; k++) {
    edgert_tensor_info info;
    if (edgert_interpreter_output_info(it, k, &info) != EDGERT_OK) continue;
    const uint8_t *p = edgert_interpreter_output_data(it, k);
    if (!p) continue;
    for (size_t i = 0; i < info.bytes; i++)
      sink ^= p[i];
  }
  (void)sink;
}

static void run_model(const edgert_model *model, const edgert_limits *limits, uint64_t seed) {
  edgert_options opts;
  memset(&opts, 0, sizeof opts);
  opts.num_threads = 1;
  opts.limits = limits;
  edgert_interpreter *it = NULL;
  if (edgert_interpreter_create(model, &opts, &it) == EDGERT_OK) {
    int n_inputs = edgert_model_input_count(model);
    for (int k = 0; k < n_inputs; k++)
      resize_open_dims(it, k, &seed);
    for (int run = 0; run < 2; run++) {
      for (int k = 0; k < n_inputs; k++)
        fill_input(it, k, &seed);
      if (edgert_interpreter_invoke(it) != EDGERT_OK) break;
      read_outputs(it, edgert_model_output_count(model));
    }
  }
  if (it) (void)strlen(edgert_interpreter_error(it));
  edgert_interpreter_free(it);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  edgert_limits limits = fuzz_limits();
  edgert_model *model = NULL;
  if (edgert_model_load_buffer_limited(data, size, &limits, &model) == EDGERT_OK)
    run_model(model, &limits, hash_bytes(data, size) | 1);
  edgert_model_free(model);
  return 0;
}
