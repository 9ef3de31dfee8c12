/* The tests' pseudo-random numbers: a 32-bit linear congruential generator (Numerical Recipes'
 * constants) whose top 24 bits are the output. Each test keeps its own state and seed, so its data is
 * fixed from run to run. */
#ifndef EDGERT_TEST_RANDOM_H
#define EDGERT_TEST_RANDOM_H

#include <stdint.h>

/* The next 24 random bits. */
static inline uint32_t test_random_next(uint32_t *state) {
  *state = *state * 1664525u + 1013904223u;
  return *state >> 8;
}

/* Uniform in [-1, 1), on a grid of 2^-23. */
static inline double test_random_unit(uint32_t *state) {
  return (double)test_random_next(state) / (double)(1u << 24) * 2.0 - 1.0;
}

/* In [lo, hi] (hi - lo below 2^24). */
static inline int64_t test_random_in(uint32_t *state, int64_t lo, int64_t hi) {
  return lo + (int64_t)(test_random_next(state) % (uint32_t)(hi - lo + 1));
}

#endif
