/* Pool blocks: each allocation is its own calloc'ed (or, when large, mapped) block with a link in front. */
#if defined(__linux__) && !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE /* madvise under -std=c11 */
#endif
#include "core/pool.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#if defined(__linux__)
#include <sys/mman.h>
#endif

/* Blocks of at least this many bytes (a model's copied or packed weights) are mapped on their own,
 * starting on a 2 MiB boundary, and ask for huge pages where the kernel gives them only on request:
 * filling them takes one page fault per 2 MiB instead of 512 (page faults were a third of loading a 47 MB
 * model). The mapping is zeroed and its unused slack is never touched, so it costs no resident memory. */
#define ER_POOL_HUGE_BYTES ((size_t)2 << 20)
#define ER_HUGE_PAGE ((size_t)2 << 20)

struct er_pool_block {
  er_pool_block *next;
  void *mapping; /* huge blocks: what to unmap (mapping_bytes long); NULL for calloc'ed blocks */
  size_t mapping_bytes;
  max_align_t data[];
};

#if defined(__linux__) && defined(MADV_HUGEPAGE) && defined(MAP_ANONYMOUS)
static er_pool_block *map_huge_block(size_t bytes) {
  size_t header = offsetof(er_pool_block, data);
  if (bytes < ER_POOL_HUGE_BYTES || bytes > SIZE_MAX - header - ER_HUGE_PAGE) return NULL;
  size_t len = header + bytes + ER_HUGE_PAGE;
  void *base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) return NULL;
  uintptr_t data = ((uintptr_t)base + header + ER_HUGE_PAGE - 1) & ~(uintptr_t)(ER_HUGE_PAGE - 1);
  er_pool_block *b = (er_pool_block *)(data - header);
  (void)madvise((void *)data, bytes, MADV_HUGEPAGE); /* advice: without it the block still works */
  b->mapping = base;
  b->mapping_bytes = len;
  return b;
}

static void free_block(er_pool_block *b) {
  if (b->mapping)
    munmap(b->mapping, b->mapping_bytes);
  else
    free(b);
}
#else
static er_pool_block *map_huge_block(size_t bytes) {
  (void)bytes;
  return NULL;
}

static void free_block(er_pool_block *b) { free(b); }
#endif

void *er_pool_alloc(er_pool_block **pool, size_t bytes) {
  if (bytes > SIZE_MAX - sizeof(er_pool_block)) return NULL;
  er_pool_block *b = map_huge_block(bytes);
  if (!b) b = calloc(1, sizeof(er_pool_block) + (bytes ? bytes : 1)); /* also when mapping failed */
  if (!b) return NULL;
  b->next = *pool;
  *pool = b;
  return b->data;
}

void er_pool_free(er_pool_block **pool) {
  er_pool_block *b = *pool;
  while (b) {
    er_pool_block *next = b->next;
    free_block(b);
    b = next;
  }
  *pool = NULL;
}

bool er_pool_owns(const er_pool_block *pool, const void *p) {
  for (const er_pool_block *b = pool; b; b = b->next)
    if ((const void *)b->data == p) return true;
  return false;
}

/* Index of the first entry of sorted ptrs not below p. */
static size_t lower_bound(const void *const *ptrs, size_t n, uintptr_t p) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if ((uintptr_t)ptrs[mid] < p)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

void er_pool_release_sorted(er_pool_block **pool, const void *const *ptrs, size_t n, unsigned char *freed) {
  if (n == 0) return;
  for (er_pool_block **link = pool; *link;) {
    er_pool_block *b = *link;
    uintptr_t data = (uintptr_t)b->data;
    size_t i = lower_bound(ptrs, n, data);
    if (i == n || (uintptr_t)ptrs[i] != data) {
      link = &b->next;
      continue;
    }
    for (; i < n && (uintptr_t)ptrs[i] == data; i++)
      freed[i] = 1;
    *link = b->next;
    free_block(b);
  }
}
