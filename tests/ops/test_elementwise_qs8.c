/* The int8 ADD / SUB / MUL micro-kernels (src/ops/elementwise_qs8.h) against the reference arithmetic of
 * add_sub.c and mul.c (quant.h's primitives), for every variant this CPU runs: lengths 1..67 (vector tails),
 * random offsets, multipliers, shifts and clamp ranges; bit-exact. The whole ops run over broadcast patterns
 * in tests/ops/test_add_sub.c, test_mul.c and the TFLite differential tests. */
#include "test.h"

#include "core/cpu.h"
#include "core/quant.h"
#include "ops/elementwise_qs8.h"

typedef struct {
  uint64_t s;
} rng;

static uint32_t rng_next(rng *r) {
  r->s ^= r->s << 13;
  r->s ^= r->s >> 7;
  r->s ^= r->s << 17;
  return (uint32_t)(r->s >> 16);
}

static int32_t rng_range(rng *r, int32_t lo, int32_t hi) {
  return lo + (int32_t)(rng_next(r) % (uint32_t)((int64_t)hi - lo + 1));
}

/* The reference arithmetic of add_sub.c and mul.c, written out here from quant.h's primitives. */
static int8_t ref_qs8_add(int8_t x, int8_t y, const er_qs8_add_params *p) {
  const int32_t s1 = er_multiply_by_quantized_multiplier_smaller_than_one(
      (x + p->a.offset) * (1 << p->left_shift), p->a.multiplier, p->a.shift);
  const int32_t s2 = er_multiply_by_quantized_multiplier_smaller_than_one(
      (y + p->b.offset) * (1 << p->left_shift), p->b.multiplier, p->b.shift);
  const int32_t out = er_multiply_by_quantized_multiplier_smaller_than_one(s1 + p->b_sign * s2,
                                                                           p->out_multiplier, p->out_shift) +
                      p->out_offset;
  return (int8_t)er_clamp_i32(out, p->min, p->max);
}

static int8_t ref_qs8_mul(int8_t x, int8_t y, const er_qs8_mul_params *p) {
  const int32_t out =
      er_multiply_by_quantized_multiplier((x + p->a_offset) * (y + p->b_offset), p->multiplier, p->shift) +
      p->out_offset;
  return (int8_t)er_clamp_i32(out, p->min, p->max);
}

static void random_range(rng *r, int32_t *min, int32_t *max) {
  *min = rng_next(r) % 2 ? -128 : rng_range(r, -128, 0);
  *max = rng_next(r) % 2 ? 127 : rng_range(r, *min, 127);
}

/* Every variant against the reference on lengths 1..67, vector-vector and with either input broadcast,
 * over random offsets, multipliers across [2^30, 2^31), shifts from 0 to past 31 and clamp ranges;
 * bit-exact. */
static void qs8_micro_kernels_are_exact(void) {
  const er_qs8_elementwise_isa *v[2];
  int nv = 0;
  v[nv++] = &er_qs8_elementwise__scalar;
#if defined(ER_SIMD_X86)
  if (er_cpu_detect().avx2_fma) v[nv++] = &er_qs8_elementwise__avx2;
#endif
#if defined(ER_SIMD_ARM)
  if (er_cpu_detect().neon) v[nv++] = &er_qs8_elementwise__neon;
#endif
  rng r = {0xBF58476D1CE4E5B9ull};
  int8_t a[67], b[67], y[68];
  for (int iv = 0; iv < nv; iv++)
    for (int trial = 0; trial < 400; trial++) {
      const int n = 1 + trial % 67;
      for (int i = 0; i < n; i++) {
        a[i] = (int8_t)rng_range(&r, -128, 127);
        b[i] = (int8_t)rng_range(&r, -128, 127);
      }
      if (trial % 13 == 0) a[0] = -128, b[0] = 127;
      er_qs8_add_params ap = {
          {rng_range(&r, -127, 128), rng_range(&r, 1 << 30, INT32_MAX), -rng_range(&r, 0, 12)},
          {rng_range(&r, -127, 128), rng_range(&r, 1 << 30, INT32_MAX), -rng_range(&r, 0, 12)},
          trial % 2 ? -1 : 1,
          20,
          rng_range(&r, 1 << 30, INT32_MAX),
          -rng_range(&r, 0, 35),
          rng_range(&r, -128, 127),
          0,
          0};
      random_range(&r, &ap.min, &ap.max);
      er_qs8_mul_params mp = {rng_range(&r, -127, 128),
                              rng_range(&r, -127, 128),
                              rng_range(&r, 1 << 30, INT32_MAX),
                              rng_range(&r, -35, 20),
                              rng_range(&r, -128, 127),
                              0,
                              0};
      random_range(&r, &mp.min, &mp.max);
      CHECK(er_qs8_add_params_vectorizable(&ap) && er_qs8_mul_params_vectorizable(&mp));
      for (int form = 0; form < 6; form++) {
        y[n] = 77;
        switch (form) {
        case 0: v[iv]->vadd((size_t)n, a, b, y, &ap); break;
        case 1:
          v[iv]->vaddc((size_t)n, a, &ap.a, 1, ap.b_sign * er_qs8_add_rescale(b[0], &ap.b, 20), y, &ap);
          break;
        case 2:
          v[iv]->vaddc((size_t)n, b, &ap.b, ap.b_sign, er_qs8_add_rescale(a[0], &ap.a, 20), y, &ap);
          break;
        case 3: v[iv]->vmul((size_t)n, a, b, y, &mp); break;
        case 4: v[iv]->vmulc((size_t)n, a, mp.a_offset, b[0] + mp.b_offset, y, &mp); break;
        default: v[iv]->vmulc((size_t)n, b, mp.b_offset, a[0] + mp.a_offset, y, &mp); break;
        }
        CHECK_MSG(y[n] == 77, "%s form %d wrote past n=%d", v[iv]->isa, form, n);
        for (int i = 0; i < n; i++) {
          const int8_t want = form == 0   ? ref_qs8_add(a[i], b[i], &ap)
                              : form == 1 ? ref_qs8_add(a[i], b[0], &ap)
                              : form == 2 ? ref_qs8_add(a[0], b[i], &ap)
                              : form == 3 ? ref_qs8_mul(a[i], b[i], &mp)
                              : form == 4 ? ref_qs8_mul(a[i], b[0], &mp)
                                          : ref_qs8_mul(a[0], b[i], &mp);
          if (y[i] != want) {
            CHECK_MSG(false, "%s form %d trial %d i=%d: %d vs %d", v[iv]->isa, form, trial, i, y[i], want);
            break;
          }
        }
      }
    }
}

void run_tests(void) { RUN(qs8_micro_kernels_are_exact); }
