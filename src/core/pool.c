/* Pool blocks: each allocation is its own calloc'ed block with a link in front. */
#include "core/pool.h"

#include <stdint.h>
#include <stdlib.h>

struct er_pool_block {
  er_pool_block *next;
  max_align_t data[];
};

void *er_pool_alloc(er_pool_block **pool, size_t bytes) {
  if (bytes > SIZE_MAX - sizeof(er_pool_block)) return NULL;
  er_pool_block *b = calloc(1, sizeof(er_pool_block) + (bytes ? bytes : 1));
  if (!b) return NULL;
  b->next = *pool;
  *pool = b;
  return b->data;
}

void er_pool_free(er_pool_block **pool) {
  er_pool_block *b = *pool;
  while (b) {
    er_pool_block *next = b->next;
    free(b);
    b = next;
  }
  *pool = NULL;
}
