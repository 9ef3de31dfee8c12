/* Default resource limits: generous for any model an edge device runs (a 1 GiB float32 tensor, a 2 GiB
 * arena, a million operators), small enough that a forged header cannot make the library ask for
 * terabytes or spin for hours. */
#include "core/limits.h"

#include <stdint.h>

#define DEFAULT_TENSOR_ELEMENTS ((int64_t)1 << 28)
#define DEFAULT_NODES (1 << 20)
#define DEFAULT_LOOP_ITERATIONS 1000000

static size_t default_arena_bytes(void) { return SIZE_MAX > UINT32_MAX ? (size_t)1 << 31 : (size_t)1 << 28; }

edgert_limits edgert_limits_default(void) {
  edgert_limits l = {.max_tensor_elements = DEFAULT_TENSOR_ELEMENTS,
                     .max_arena_bytes = default_arena_bytes(),
                     .max_nodes = DEFAULT_NODES,
                     .max_loop_iterations = DEFAULT_LOOP_ITERATIONS};
  return l;
}

edgert_limits er_limits_resolve(const edgert_limits *given) {
  edgert_limits l = edgert_limits_default();
  if (!given) return l;
  if (given->max_tensor_elements > 0) l.max_tensor_elements = given->max_tensor_elements;
  if (given->max_arena_bytes > 0) l.max_arena_bytes = given->max_arena_bytes;
  if (given->max_nodes > 0) l.max_nodes = given->max_nodes;
  if (given->max_loop_iterations > 0) l.max_loop_iterations = given->max_loop_iterations;
  return l;
}
