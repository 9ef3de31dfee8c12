/* A list of heap blocks released together: the owner of a graph or an interpreter allocates freely
 * while building and frees everything in one call. */
#ifndef EDGERT_CORE_POOL_H
#define EDGERT_CORE_POOL_H

#include <stddef.h>

typedef struct er_pool_block er_pool_block;

/* Zeroed block of `bytes` chained onto *pool; NULL when out of memory. Freed by er_pool_free. */
void *er_pool_alloc(er_pool_block **pool, size_t bytes);
void er_pool_free(er_pool_block **pool);

#endif
