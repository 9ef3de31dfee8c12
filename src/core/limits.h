/* Resource limits (edgert_limits in edgert.h): their defaults, and filling a caller's zero fields with
 * them. Importers, the graph checks and the interpreter read a resolved copy. */
#ifndef EDGERT_CORE_LIMITS_H
#define EDGERT_CORE_LIMITS_H

#include <stdbool.h>

#include "edgert.h"

/* given with each field that is 0 (or negative) replaced by its default; NULL: all defaults. */
edgert_limits er_limits_resolve(const edgert_limits *given);

/* True when a tensor of `elements` elements is within the limit (negative counts are not). */
static inline bool er_limits_elements_ok(const edgert_limits *l, int64_t elements) {
  return elements >= 0 && elements <= l->max_tensor_elements;
}

#endif
