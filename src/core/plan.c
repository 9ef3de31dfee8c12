/* Greedy-by-size arena planning. For each buffer, largest first, the placed buffers whose lifetimes
 * overlap it are visited in offset order and it goes into the first gap large enough. */
#include "core/plan.h"

#include <stdbool.h>
#include <stdlib.h>

static size_t align_up(size_t v, size_t a) { return (v + a - 1) & ~(a - 1); }

static int32_t *sort_by_size_desc(const er_plan_buffer *b, int32_t n) {
  int32_t *idx = malloc(sizeof(int32_t) * (size_t)(n > 0 ? n : 1));
  if (!idx) return NULL;
  for (int32_t i = 0; i < n; i++) idx[i] = i;
  /* insertion sort keeps equal sizes in first-use order, so plans are deterministic */
  for (int32_t i = 1; i < n; i++) {
    int32_t cur = idx[i], j = i - 1;
    while (j >= 0 && (b[idx[j]].size < b[cur].size ||
                      (b[idx[j]].size == b[cur].size && b[idx[j]].first > b[cur].first))) {
      idx[j + 1] = idx[j];
      j--;
    }
    idx[j + 1] = cur;
  }
  return idx;
}

static bool lifetimes_overlap(const er_plan_buffer *a, const er_plan_buffer *b) {
  return a->first <= b->last && b->first <= a->last;
}

/* Lowest aligned offset where `buf` fits between the placed buffers that live at the same time.
 * `live` receives those buffers' indices, sorted by offset. */
static size_t first_fit(const er_plan_buffer *b, const int32_t *placed, int32_t n_placed, int32_t cur,
                        int32_t *live, size_t alignment) {
  int32_t n_live = 0;
  for (int32_t i = 0; i < n_placed; i++) {
    int32_t p = placed[i];
    if (!lifetimes_overlap(&b[p], &b[cur])) continue;
    int32_t j = n_live++;
    while (j > 0 && b[live[j - 1]].offset > b[p].offset) {
      live[j] = live[j - 1];
      j--;
    }
    live[j] = p;
  }
  size_t offset = 0;
  for (int32_t i = 0; i < n_live; i++) {
    const er_plan_buffer *o = &b[live[i]];
    if (o->offset >= offset && o->offset - offset >= b[cur].size) break;
    size_t end = align_up(o->offset + o->size, alignment);
    if (end > offset) offset = end;
  }
  return offset;
}

edgert_status er_plan_greedy(er_plan_buffer *b, int32_t n, size_t alignment, size_t *arena_bytes) {
  *arena_bytes = 0;
  if (n < 0) return EDGERT_ERR_LIMIT;
  for (int32_t i = 0; i < n; i++)
    if (b[i].size > SIZE_MAX / 4) return EDGERT_ERR_LIMIT;
  int32_t *order = sort_by_size_desc(b, n);
  int32_t *placed = malloc(sizeof(int32_t) * (size_t)(n > 0 ? n : 1));
  int32_t *live = malloc(sizeof(int32_t) * (size_t)(n > 0 ? n : 1));
  if (!order || !placed || !live) {
    free(order);
    free(placed);
    free(live);
    return EDGERT_ERR_NO_MEMORY;
  }
  size_t total = 0;
  for (int32_t k = 0; k < n; k++) {
    int32_t cur = order[k];
    b[cur].offset = first_fit(b, placed, k, cur, live, alignment);
    placed[k] = cur;
    size_t end = align_up(b[cur].offset + b[cur].size, alignment);
    if (end > total) total = end;
  }
  free(order);
  free(placed);
  free(live);
  *arena_bytes = total;
  return EDGERT_OK;
}
