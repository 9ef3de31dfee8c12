/* What the model harnesses share. The resource limits every model-loading harness uses. Tight, so that a
 * fuzzed model which is legitimately huge (a 2^28-element tensor, a million-iteration Loop) is refused with
 * EDGERT_ERR_LIMIT instead of running libFuzzer out of memory (-rss_limit_mb) or time (-timeout): only
 * crashes, sanitizer reports, leaks and hangs within these bounds are findings. */
#ifndef EDGERT_FUZZ_COMMON_H
#define EDGERT_FUZZ_COMMON_H

#include <string.h>

#include "edgert.h"

static inline edgert_limits fuzz_limits(void) {
  edgert_limits limits = edgert_limits_default();
  limits.max_tensor_elements = (int64_t)1 << 20;
  limits.max_arena_bytes = (size_t)64 << 20;
  limits.max_nodes = 4096;
  limits.max_loop_iterations = 1000;
  return limits;
}

/* Asks a loaded model what a caller would (its inputs, outputs and op names, so their tables are read
 * too), or reads a failed load's message. */
static inline void fuzz_walk_model(const edgert_model *model, edgert_status loaded) {
  if (!model) return;
  if (loaded != EDGERT_OK) {
    (void)strlen(edgert_model_error(model));
    return;
  }
  edgert_tensor_info info;
  for (int i = 0; i < edgert_model_input_count(model); i++)
    edgert_model_input_info(model, i, &info);
  for (int i = 0; i < edgert_model_output_count(model); i++)
    edgert_model_output_info(model, i, &info);
  for (int i = 0; i < edgert_model_op_count(model); i++)
    (void)edgert_model_op_name(model, i);
}

#endif
