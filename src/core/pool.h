/* A list of heap blocks released together: the owner of a graph or an interpreter allocates freely
 * while building and frees everything in one call. */
#ifndef EDGERT_CORE_POOL_H
#define EDGERT_CORE_POOL_H

#include <stdbool.h>
#include <stddef.h>

typedef struct er_pool_block er_pool_block;

/* Zeroed block of `bytes` chained onto *pool; NULL when out of memory. Freed by er_pool_free. The caller
 * is taken to fill it soon (packed weights, copies): in a pool that takes small pages (see
 * er_pool_small_pages) a large block's pages are faulted in by one call, which cost a third less than a
 * fault per page as it is written. */
void *er_pool_alloc(er_pool_block **pool, size_t bytes);
/* The same for a block whose pages are written later, maybe in part (an arena): never faulted in ahead. */
void *er_pool_alloc_lazy(er_pool_block **pool, size_t bytes);
void er_pool_free(er_pool_block **pool);

/* Whether the pool found huge pages slow to fault in (pool.c: a host backing freed memory afresh), so that
 * its later blocks take small pages. */
bool er_pool_small_pages(const er_pool_block *pool);
/* Makes the later blocks of *pool take small pages without timing a huge page of their own: for a pool
 * whose work follows one that found them slow (an interpreter's after its model's), as each such timing
 * costs a slow huge page (about 5 ms). Only a hint: a pool that cannot record it stays as it was. */
void er_pool_use_small_pages(er_pool_block **pool);

/* Whether p is the start of an allocation of pool (a walk of the pool). */
bool er_pool_owns(const er_pool_block *pool, const void *p);

/* Frees the blocks among ptrs (sorted ascending; duplicates allowed) that are allocations of *pool, in
 * one walk of the pool, and sets freed[i] to 1 for each entry freed; pointers the pool does not own stay
 * (freed[i] untouched). */
void er_pool_release_sorted(er_pool_block **pool, const void *const *ptrs, size_t n, unsigned char *freed);

#endif
