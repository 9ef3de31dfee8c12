/* er_pool: blocks of every size class (heap, carved from a shared slab, mapped on their own) come back
 * zeroed, aligned for any type and disjoint; er_pool_owns knows each; er_pool_release_sorted frees exactly
 * the blocks it is given (of every class, duplicates included, foreign pointers left alone) while the
 * others keep their bytes; and allocating after a release still works. Sizes cross the slab's minimum,
 * a slab's capacity (so several slabs are needed) and the size that gets a mapping of its own. */
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/pool.h"
#include "test.h"

static const size_t kSizes[] = {0,       1,       100,     4096,    16383,           16384,           20000,
                                300000,  1000000, 1500000, 2097151, (size_t)2 << 20, (size_t)3 << 20, 700000,
                                700000,  700000,  700000,  50,      900000,          65536,           1,
                                1900000, 123457};
enum { N = sizeof kSizes / sizeof kSizes[0] };

static unsigned char pattern(size_t block, size_t i) { return (unsigned char)(block * 131u + i * 7u + 1u); }

static bool zeroed(const unsigned char *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i]) return false;
  return true;
}

static bool holds_pattern(const unsigned char *p, size_t n, size_t block) {
  for (size_t i = 0; i < n; i++)
    if (p[i] != pattern(block, i)) return false;
  return true;
}

static int compare_ptr(const void *a, const void *b) {
  uintptr_t x = (uintptr_t) * (void *const *)a, y = (uintptr_t) * (void *const *)b;
  return x < y ? -1 : x > y;
}

/* Every block is fresh, aligned and zeroed; written with its own pattern it does not disturb another. */
static void blocks_are_zeroed_aligned_and_disjoint(void) {
  er_pool_block *pool = NULL;
  unsigned char *blocks[N];
  for (size_t b = 0; b < N; b++) {
    blocks[b] = er_pool_alloc(&pool, kSizes[b]);
    CHECK_MSG(blocks[b] != NULL, "block %zu (%zu bytes) not allocated", b, kSizes[b]);
    if (!blocks[b]) continue;
    CHECK_MSG((uintptr_t)blocks[b] % alignof(max_align_t) == 0, "block %zu misaligned", b);
    CHECK_MSG(zeroed(blocks[b], kSizes[b]), "block %zu (%zu bytes) not zeroed", b, kSizes[b]);
    for (size_t i = 0; i < kSizes[b]; i++)
      blocks[b][i] = pattern(b, i);
  }
  for (size_t b = 0; b < N; b++) {
    if (!blocks[b]) continue;
    CHECK_MSG(holds_pattern(blocks[b], kSizes[b], b), "block %zu (%zu bytes) overwritten", b, kSizes[b]);
    CHECK(er_pool_owns(pool, blocks[b]));
  }
  int local = 0;
  CHECK(!er_pool_owns(pool, &local));
  er_pool_free(&pool);
  CHECK(pool == NULL);
}

/* Releasing every other block (and a pointer the pool never gave out) frees just those. */
static void release_frees_exactly_the_given_blocks(void) {
  er_pool_block *pool = NULL;
  unsigned char *blocks[N];
  for (size_t b = 0; b < N; b++) {
    blocks[b] = er_pool_alloc(&pool, kSizes[b]);
    CHECK(blocks[b] != NULL);
    for (size_t i = 0; blocks[b] && i < kSizes[b]; i++)
      blocks[b][i] = pattern(b, i);
  }
  int foreign = 0;
  const void *ptrs[N + 2];
  size_t n = 0;
  for (size_t b = 0; b < N; b += 2)
    ptrs[n++] = blocks[b];
  ptrs[n++] = blocks[2]; /* a duplicate */
  ptrs[n++] = &foreign;
  qsort(ptrs, n, sizeof ptrs[0], compare_ptr);
  unsigned char freed[N + 2] = {0};
  er_pool_release_sorted(&pool, ptrs, n, freed);
  for (size_t i = 0; i < n; i++) {
    bool ours = ptrs[i] != (const void *)&foreign;
    CHECK_MSG(freed[i] == (ours ? 1 : 0), "entry %zu: freed %d", i, freed[i]);
  }
  for (size_t b = 0; b < N; b++) {
    if (!blocks[b]) continue;
    bool released = b % 2 == 0;
    CHECK_MSG(er_pool_owns(pool, blocks[b]) == !released, "block %zu: owned after release", b);
    if (!released)
      CHECK_MSG(holds_pattern(blocks[b], kSizes[b], b), "kept block %zu (%zu bytes) changed", b, kSizes[b]);
  }
  /* the pool goes on: new blocks of each class are zeroed and the kept ones stay intact */
  for (size_t b = 0; b < N; b++) {
    unsigned char *p = er_pool_alloc(&pool, kSizes[b]);
    CHECK(p != NULL);
    if (p) CHECK_MSG(zeroed(p, kSizes[b]), "block of %zu bytes after a release not zeroed", kSizes[b]);
  }
  for (size_t b = 1; b < N; b += 2)
    CHECK(holds_pattern(blocks[b], kSizes[b], b));
  er_pool_free(&pool);
  er_pool_free(&pool); /* an empty pool frees nothing */
}

/* A pool told to take small pages says so, keeps saying so as blocks of every class are added, and its
 * blocks are as usable as any pool's; a fresh pool has found nothing. */
static void small_pages_hint_is_kept(void) {
  er_pool_block *fresh = NULL;
  CHECK(!er_pool_small_pages(fresh));
  CHECK(er_pool_alloc(&fresh, 100) != NULL);
  for (int start_empty = 0; start_empty < 2; start_empty++) {
    er_pool_block *pool = NULL;
    if (!start_empty) CHECK(er_pool_alloc(&pool, 50) != NULL);
    er_pool_use_small_pages(&pool);
    CHECK(er_pool_small_pages(pool));
    for (size_t b = 0; b < N; b++) {
      unsigned char *p = er_pool_alloc(&pool, kSizes[b]);
      CHECK(p != NULL);
      if (!p) continue;
      CHECK_MSG(zeroed(p, kSizes[b]), "block of %zu bytes not zeroed", kSizes[b]);
      memset(p, 0xab, kSizes[b]);
      CHECK(er_pool_owns(pool, p));
      CHECK(er_pool_small_pages(pool));
    }
    er_pool_free(&pool);
    CHECK(!er_pool_small_pages(pool));
  }
  er_pool_free(&fresh);
}

void run_tests(void) {
  RUN(blocks_are_zeroed_aligned_and_disjoint);
  RUN(small_pages_hint_is_kept);
  RUN(release_frees_exactly_the_given_blocks);
}
