/* The arena planner: buffers alive at the same time never share bytes, offsets are aligned, buffers
 * with disjoint lifetimes reuse memory, and the reported size is exactly the end of the highest buffer. */
#include <stdbool.h>
#include <stdlib.h>

#include "core/plan.h"
#include "test.h"

static bool overlap(const er_plan_buffer *a, const er_plan_buffer *b) {
  bool time = a->first <= b->last && b->first <= a->last;
  bool space = a->offset < b->offset + b->size && b->offset < a->offset + a->size;
  return time && space && a->size && b->size;
}

static void chain_reuses_memory(void) {
  /* a -> b -> c -> d: each lives two steps; a and c never meet, so they can share. */
  er_plan_buffer b[4] = {{100, 0, 1, 0}, {100, 1, 2, 0}, {100, 2, 3, 0}, {100, 3, 4, 0}};
  size_t total = 0;
  CHECK_OK(er_plan_greedy(b, 4, 16, &total));
  CHECK_EQ_INT(total, 2 * 112);
  for (int i = 0; i < 4; i++)
    for (int j = i + 1; j < 4; j++)
      CHECK(!overlap(&b[i], &b[j]));
}

static void random_plans_never_overlap(void) {
  srand(12345);
  for (int trial = 0; trial < 200; trial++) {
    er_plan_buffer b[40];
    int n = 1 + rand() % 40;
    size_t sum = 0;
    for (int i = 0; i < n; i++) {
      int first = rand() % 20;
      b[i] = (er_plan_buffer){(size_t)(rand() % 5000), first, first + rand() % 6, 0};
      sum += (b[i].size + 15) & ~(size_t)15;
    }
    size_t total = 0;
    CHECK_OK(er_plan_greedy(b, n, 16, &total));
    size_t highest = 0;
    for (int i = 0; i < n; i++) {
      CHECK(b[i].offset % 16 == 0);
      size_t end = (b[i].offset + b[i].size + 15) & ~(size_t)15;
      if (end > highest) highest = end;
      for (int j = i + 1; j < n; j++)
        CHECK(!overlap(&b[i], &b[j]));
    }
    CHECK_EQ_INT(total, highest);
    CHECK(total <= sum);
  }
}

static void empty_plan(void) {
  size_t total = 99;
  CHECK_OK(er_plan_greedy(NULL, 0, 16, &total));
  CHECK_EQ_INT(total, 0);
}

void run_tests(void) {
  RUN(chain_reuses_memory);
  RUN(random_plans_never_overlap);
  RUN(empty_plan);
}
