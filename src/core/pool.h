/* A list of heap blocks released together: the owner of a graph or an interpreter allocates freely
 * while building and frees everything in one call. */
#ifndef EDGERT_CORE_POOL_H
#define EDGERT_CORE_POOL_H

#include <stdbool.h>
#include <stddef.h>

typedef struct er_pool_block er_pool_block;

/* Zeroed block of `bytes` chained onto *pool; NULL when out of memory. Freed by er_pool_free. */
void *er_pool_alloc(er_pool_block **pool, size_t bytes);
void er_pool_free(er_pool_block **pool);

/* Whether p is the start of an allocation of pool (a walk of the pool). */
bool er_pool_owns(const er_pool_block *pool, const void *p);

/* Frees the blocks among ptrs (sorted ascending; duplicates allowed) that are allocations of *pool, in
 * one walk of the pool, and sets freed[i] to 1 for each entry freed; pointers the pool does not own stay
 * (freed[i] untouched). */
void er_pool_release_sorted(er_pool_block **pool, const void *const *ptrs, size_t n, unsigned char *freed);

#endif
