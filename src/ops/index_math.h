/* Small integer helpers for blocking and tiling loops (non-negative sizes; m and b positive). */
#ifndef EDGERT_OPS_INDEX_MATH_H
#define EDGERT_OPS_INDEX_MATH_H

#include <stdint.h>

static inline int64_t er_min_i64(int64_t a, int64_t b) { return a < b ? a : b; }
static inline int64_t er_max_i64(int64_t a, int64_t b) { return a > b ? a : b; }
/* a / b rounded up. */
static inline int64_t er_div_up_i64(int64_t a, int64_t b) { return (a + b - 1) / b; }
/* v rounded up to a multiple of m. */
static inline int64_t er_round_up_i64(int64_t v, int64_t m) { return (v + m - 1) / m * m; }

#endif
