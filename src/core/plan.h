/* The static memory planner: places buffers with known sizes and lifetimes (first and last node that
 * touches them) in one arena so that buffers alive at the same time never overlap. Greedy by size, as
 * TFLite Micro's greedy_memory_planner: largest first, each at the lowest offset that fits. */
#ifndef EDGERT_CORE_PLAN_H
#define EDGERT_CORE_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "edgert.h"

typedef struct {
  size_t size;
  int32_t first, last; /* inclusive node indices */
  size_t offset;       /* result */
} er_plan_buffer;

/* Sets each buffer's offset (aligned to `alignment`, a power of two) and *arena_bytes to the end of the
 * highest buffer. Returns EDGERT_ERR_NO_MEMORY if its working memory cannot be allocated,
 * EDGERT_ERR_LIMIT on size overflow. */
edgert_status er_plan_greedy(er_plan_buffer *buffers, int32_t count, size_t alignment, size_t *arena_bytes);

#endif
