/* Pool blocks: each allocation is a block with a link in front, calloc'ed or, when large, mapped on its own
 * or carved from a shared slab. */
#if defined(__linux__) && !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE /* madvise under -std=c11 */
#endif
#include "core/pool.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "core/file_map.h"

/* Large blocks (a model's copied or packed weights, an arena) live in memory mapped on 2 MiB boundaries
 * that asks for huge pages where the kernel gives them only on request: filling it takes one page fault
 * per 2 MiB instead of 512 (page faults were a third of loading a model in a fresh process). Blocks of
 * ER_POOL_OWN_BYTES or more get a mapping of their own, advised up to their last byte (a partly covered
 * 2 MiB region keeps small pages, so nothing is wasted). Blocks of ER_POOL_SLAB_MIN bytes or more are
 * carved one after another from shared slabs: a pool's first slab is ER_POOL_FIRST_SLAB_BYTES of small
 * pages, so a small model keeps its small footprint; later ones are ER_POOL_SLAB_BYTES of huge pages
 * (each may leave part of its last huge page unused). Mapped memory is zeroed and never reused, and its
 * untouched slack costs no resident memory. When a block's first huge page is slow to fault in (a VM
 * whose host takes freed memory back, see HUGE_FAULT_SLOW_NS), the rest of it and the pool's later
 * blocks take small pages, and so do a later pool's that er_pool_use_small_pages tells (an interpreter's
 * after its model's: each timing of a slow huge page costs one). Sanitizer builds keep every block on the
 * heap, where overflows show. */
#define ER_HUGE_PAGE ((size_t)2 << 20)
#define ER_POOL_OWN_BYTES ER_HUGE_PAGE
#define ER_POOL_FIRST_SLAB_BYTES ((size_t)1 << 20)
#define ER_POOL_SLAB_BYTES ((size_t)4 << 20)
#define ER_POOL_SLAB_MIN ((size_t)16 << 10)

#if defined(__SANITIZE_ADDRESS__)
#define ER_POOL_ON_HEAP_ONLY 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define ER_POOL_ON_HEAP_ONLY 1
#endif
#endif

typedef enum {
  BLOCK_HEAP,    /* calloc'ed */
  BLOCK_MAPPED,  /* owns mapping (a large block, or a slab whose data holds a slab_state) */
  BLOCK_IN_SLAB, /* carved from the slab block `slab`; bytes long */
} block_kind;

struct er_pool_block {
  er_pool_block *next;
  bool small_pages; /* huge pages were slow for this pool (see map_block): the newest block tells */
  void *mapping;    /* BLOCK_MAPPED: what to unmap (mapping_bytes long) */
  size_t mapping_bytes;
  er_pool_block *slab; /* BLOCK_IN_SLAB: the slab it was carved from; a slab: itself */
  size_t bytes;        /* BLOCK_IN_SLAB: data bytes */
  int kind;
  max_align_t data[];
};

typedef struct {
  size_t used, capacity; /* bytes of the slab's data carved so far, after this header */
} slab_state;

#if defined(__linux__) && defined(MADV_HUGEPAGE) && defined(MAP_ANONYMOUS) && !defined(ER_POOL_ON_HEAP_ONLY)
/* A huge page's first touch taking longer than this means the hypervisor is backing it afresh: on a VM
 * that hands freed memory back to the host (free page reporting works on whole 2 MiB blocks), the huge
 * pages a process gets right after another one exited took about 5 ms each against 0.2, so resnet18's
 * load ran 80-190 ms instead of 20. Small pages are not reported that way: 0.6 ms per MiB, stall or not. */
#define HUGE_FAULT_SLOW_NS 1500000L

/* Touches the first huge page of a block advised for them (the memory is zeroed: a zero written changes
 * nothing) and says whether that took long; if so the rest of the block takes small pages. */
static bool huge_pages_slow(void *data, size_t bytes) {
  struct timespec t0, t1;
  if (clock_gettime(CLOCK_MONOTONIC, &t0) != 0) return false;
  *(volatile unsigned char *)data = 0;
  if (clock_gettime(CLOCK_MONOTONIC, &t1) != 0) return false;
  long ns = (long)(t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec);
  if (ns <= HUGE_FAULT_SLOW_NS) return false;
  (void)madvise(data, bytes, MADV_NOHUGEPAGE);
  return true;
}

/* A block with `bytes` of data on a 2 MiB boundary, in memory of its own, asking for huge pages or not;
 * *small_pages says the pool found them slow before, and becomes true when this block does. */
static er_pool_block *map_block(size_t bytes, bool huge, bool *small_pages) {
  size_t header = offsetof(er_pool_block, data);
  if (bytes > SIZE_MAX - header - ER_HUGE_PAGE) return NULL;
  size_t len = header + bytes + ER_HUGE_PAGE;
  void *base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) return NULL;
  uintptr_t data = ((uintptr_t)base + header + ER_HUGE_PAGE - 1) & ~(uintptr_t)(ER_HUGE_PAGE - 1);
  er_pool_block *b = (er_pool_block *)(data - header);
  if (huge && !*small_pages && madvise((void *)data, bytes, MADV_HUGEPAGE) == 0) /* advice: works without */
    *small_pages = huge_pages_slow((void *)data, bytes);
  b->mapping = base;
  b->mapping_bytes = len;
  b->kind = BLOCK_MAPPED;
  return b;
}

/* The slab the pool carves from now: the one of the newest block that came from a slab (the walk passes
 * only the heap blocks allocated since). NULL when there is none. */
static er_pool_block *current_slab(er_pool_block *pool) {
  for (er_pool_block *b = pool; b; b = b->next)
    if (b->slab) return b->slab;
  return NULL;
}

static er_pool_block *carve(er_pool_block *slab, size_t bytes) {
  slab_state *s = (slab_state *)slab->data;
  size_t header = offsetof(er_pool_block, data), align = sizeof(max_align_t) > 64 ? sizeof(max_align_t) : 64;
  size_t at = (s->used + header + align - 1) / align * align; /* data on a cache line */
  if (at > s->capacity || bytes > s->capacity - at) return NULL;
  er_pool_block *b = (er_pool_block *)((unsigned char *)slab->data + at - header);
  b->kind = BLOCK_IN_SLAB;
  b->slab = slab;
  b->bytes = bytes;
  s->used = at + bytes;
  return b;
}

/* A block in mapped memory for a large request; NULL for a small one, or when mapping fails (the caller
 * then falls back to the heap). The slab is chained onto *pool before the block carved from it. */
static er_pool_block *mapped_block(er_pool_block **pool, size_t bytes, bool *small_pages) {
  if (bytes >= ER_POOL_OWN_BYTES) return map_block(bytes, true, small_pages);
  if (bytes < ER_POOL_SLAB_MIN) return NULL;
  er_pool_block *slab = current_slab(*pool), *b = slab ? carve(slab, bytes) : NULL;
  if (b) return b;
  /* the first slab only while the block fits it with room to spare */
  bool first = !slab && bytes <= ER_POOL_FIRST_SLAB_BYTES / 2;
  size_t slab_bytes = first ? ER_POOL_FIRST_SLAB_BYTES : ER_POOL_SLAB_BYTES;
  slab = map_block(slab_bytes, !first, small_pages);
  if (!slab) return NULL;
  slab->slab = slab;
  slab->small_pages = *small_pages;
  slab_state *s = (slab_state *)slab->data;
  s->used = sizeof(slab_state);
  s->capacity = slab_bytes;
  slab->next = *pool;
  *pool = slab;
  return carve(slab, bytes);
}

/* A freed slab block gives its whole pages back to the system; the slab itself stays mapped. */
static void free_block(er_pool_block *b) {
  if (b->kind == BLOCK_MAPPED)
    munmap(b->mapping, b->mapping_bytes);
  else if (b->kind == BLOCK_IN_SLAB)
    er_release_whole_pages(b->data, b->bytes);
  else
    free(b);
}
#else
static er_pool_block *mapped_block(er_pool_block **pool, size_t bytes, bool *small_pages) {
  (void)pool;
  (void)bytes;
  (void)small_pages;
  return NULL;
}

static void free_block(er_pool_block *b) { free(b); }
#endif

/* Small pages of a block about to be filled are faulted in by one call (er_populate_whole_pages): on the VM
 * that needs small pages, filling 24 MiB of blocks took 0.32-0.37 ms per MiB so and 0.54-0.59 with a fault
 * per page as it was written. Blocks under this size are left to fault as they are written. */
#define POPULATE_MIN_BYTES ((size_t)64 << 10)

static void *alloc(er_pool_block **pool, size_t bytes, bool fill_soon) {
  if (bytes > SIZE_MAX - sizeof(er_pool_block)) return NULL;
  bool small_pages = *pool && (*pool)->small_pages;
  er_pool_block *b = mapped_block(pool, bytes, &small_pages);
  if (b && fill_soon && small_pages && bytes >= POPULATE_MIN_BYTES) er_populate_whole_pages(b->data, bytes);
  if (!b) b = calloc(1, sizeof(er_pool_block) + (bytes ? bytes : 1)); /* also when mapping failed */
  if (!b) return NULL;
  b->small_pages = small_pages;
  b->next = *pool;
  *pool = b;
  return b->data;
}

void *er_pool_alloc(er_pool_block **pool, size_t bytes) { return alloc(pool, bytes, true); }

void *er_pool_alloc_lazy(er_pool_block **pool, size_t bytes) { return alloc(pool, bytes, false); }

bool er_pool_small_pages(const er_pool_block *pool) { return pool && pool->small_pages; }

void er_pool_use_small_pages(er_pool_block **pool) {
  if (!*pool) { /* the newest block tells: an empty pool gets a heap block of its own to tell it */
    er_pool_block *b = calloc(1, sizeof(er_pool_block) + 1);
    if (!b) return;
    b->kind = BLOCK_HEAP;
    *pool = b;
  }
  (*pool)->small_pages = true;
}

void er_pool_free(er_pool_block **pool) {
  er_pool_block *b = *pool;
  while (b) {
    er_pool_block *next = b->next; /* read first: the slab a block came from is further down the list */
    if (b->kind != BLOCK_IN_SLAB) free_block(b);
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
