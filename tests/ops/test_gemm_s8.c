/* The int8 GEMM (src/ops/gemm_s8.c and its SIMD micro-kernels): every variant this CPU runs gives, bit for
 * bit, what the reference kernels compute (int64 sum of w * (x + input offset) plus bias, wrapped to int32,
 * then er_requantize_i32), on odd M/N/K with tails, extreme values, zero points, per-channel multipliers
 * with left and right shifts, and sums that wrap past int32. */
#include <stdlib.h>
#include <string.h>

#include "ops/conv_common.h"
#include "ops/gemm_s8.h"
#include "test.h"
#include "test_random.h"

static uint32_t rng_state = 12345u;
static uint32_t next_random(void) { return test_random_next(&rng_state); }
static int8_t random_i8(void) { return (int8_t)(int32_t)(next_random() % 256u - 128u); }

typedef struct {
  int64_t m, n, k;
  int8_t *a, *w, *want, *got;
  int32_t *bias, *multipliers, *shifts;
  int32_t input_offset, output_offset, act_min, act_max;
} gemm_case;

/* fill: 0 random, 1 all -128, 2 all 127, 3 activations -128 with weights 127 */
static void make_case(gemm_case *c, int64_t m, int64_t n, int64_t k, int fill) {
  memset(c, 0, sizeof *c);
  c->m = m;
  c->n = n;
  c->k = k;
  c->a = malloc((size_t)(m * k));
  c->w = malloc((size_t)(n * k));
  c->want = malloc((size_t)(m * n));
  c->got = malloc((size_t)(m * n));
  c->bias = malloc(sizeof(int32_t) * (size_t)n);
  c->multipliers = malloc(sizeof(int32_t) * (size_t)n);
  c->shifts = malloc(sizeof(int32_t) * (size_t)n);
  for (int64_t i = 0; i < m * k; i++)
    c->a[i] = fill == 0 ? random_i8() : fill == 2 ? 127 : -128;
  for (int64_t i = 0; i < n * k; i++)
    c->w[i] = fill == 0 ? random_i8() : fill == 1 ? -128 : 127;
  for (int64_t i = 0; i < n; i++) {
    c->bias[i] = (int32_t)(next_random() % 200001u) - 100000;
    /* Q31 multipliers in [2^30, 2^31), shifts from -12 to +3: left shifts that wrap and right ones. */
    c->multipliers[i] = (int32_t)((1u << 30) + next_random() % (1u << 24) * 64u);
    c->shifts[i] = (int32_t)(next_random() % 16u) - 12;
  }
  c->input_offset = (int32_t)(next_random() % 256u) - 127; /* minus a zero point in [-128, 127] */
  c->output_offset = (int32_t)(next_random() % 256u) - 128;
  c->act_min = -128;
  c->act_max = 127;
}

static void free_case(gemm_case *c) {
  free(c->a);
  free(c->w);
  free(c->want);
  free(c->got);
  free(c->bias);
  free(c->multipliers);
  free(c->shifts);
}

static void reference(gemm_case *c) {
  for (int64_t i = 0; i < c->m; i++)
    for (int64_t j = 0; j < c->n; j++) {
      int64_t sum = c->bias[j];
      for (int64_t d = 0; d < c->k; d++)
        sum += (int64_t)c->w[j * c->k + d] * ((int64_t)c->a[i * c->k + d] + c->input_offset);
      c->want[i * c->n + j] = (int8_t)er_requantize_i32(er_wrap_i32(sum), c->multipliers[j], c->shifts[j],
                                                        c->output_offset, c->act_min, c->act_max);
    }
}

/* Runs c on arch through er_s8_gemm_rows, split in two row ranges as threads would (and, for one tile of
 * rows, through er_s8_gemm_tile_panels split in two panel ranges); true if equal. */
static bool run_arch(const er_s8_gemm_arch *arch, gemm_case *c) {
  void *memory = malloc(er_s8_gemm_packed_bytes(arch, c->n, c->k));
  er_s8_gemm g;
  er_s8_gemm_pack(arch, c->w, c->n, c->k, c->bias, c->input_offset, c->multipliers, c->shifts,
                  c->output_offset, c->act_min, c->act_max, memory, &g);
  void *tile = malloc(er_s8_gemm_tile_bytes(&g));
  memset(c->got, 0x55, (size_t)(c->m * c->n));
  const int64_t split = c->m / 2;
  er_s8_gemm_rows(&g, c->a, c->k, 0, split, c->got, tile);
  er_s8_gemm_rows(&g, c->a, c->k, split, c->m, c->got, tile);
  bool same = memcmp(c->got, c->want, (size_t)(c->m * c->n)) == 0;
  /* A single tile of rows split by weight panels, as FULLY_CONNECTED splits few rows over threads. */
  if (same && c->m <= arch->mr) {
    const int8_t *rows[64];
    for (int64_t r = 0; r < c->m; r++)
      rows[r] = c->a + r * c->k;
    const int64_t panels = er_s8_gemm_panels(&g), half = panels / 2;
    memset(c->got, 0x55, (size_t)(c->m * c->n));
    er_s8_gemm_tile_panels(&g, (int32_t)c->m, rows, half, panels, c->got, tile);
    er_s8_gemm_tile_panels(&g, (int32_t)c->m, rows, 0, half, c->got, tile);
    same = memcmp(c->got, c->want, (size_t)(c->m * c->n)) == 0;
  }
  if (!same) {
    for (int64_t i = 0; i < c->m * c->n; i++)
      if (c->got[i] != c->want[i]) {
        fprintf(stderr, "%s: %s M=%lld N=%lld K=%lld: out[%lld][%lld] = %d, expected %d\n", test_current,
                arch->name, (long long)c->m, (long long)c->n, (long long)c->k, (long long)(i / c->n),
                (long long)(i % c->n), c->got[i], c->want[i]);
        break;
      }
  }
  free(tile);
  free(memory);
  return same;
}

static void check_all_archs(gemm_case *c) {
  const er_s8_gemm_arch *archs[8];
  int count = er_s8_gemm_available(archs, 8);
  reference(c);
  for (int i = 0; i < count; i++)
    CHECK(run_arch(archs[i], c));
}

static void every_variant_matches_reference_on_odd_shapes(void) {
  static const int64_t ms[] = {1, 2, 3, 4, 5, 7, 9, 13, 37};
  static const int64_t ns[] = {1, 3, 8, 15, 16, 17, 31, 33, 37};
  static const int64_t ks[] = {1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 31, 37, 67};
  for (size_t mi = 0; mi < sizeof ms / sizeof ms[0]; mi++)
    for (size_t ni = 0; ni < sizeof ns / sizeof ns[0]; ni++)
      for (size_t ki = 0; ki < sizeof ks / sizeof ks[0]; ki++) {
        gemm_case c;
        make_case(&c, ms[mi], ns[ni], ks[ki], 0);
        check_all_archs(&c);
        free_case(&c);
      }
}

static void extreme_values_and_zero_points(void) {
  static const int32_t offsets[] = {-127, 0, 128};
  for (int fill = 1; fill <= 3; fill++)
    for (int oi = 0; oi < 3; oi++) {
      gemm_case c;
      make_case(&c, 7, 19, 35, fill);
      c.input_offset = offsets[oi];
      check_all_archs(&c);
      free_case(&c);
    }
}

/* K large enough that the int32 sum wraps (TFLite's accumulator does, and so must every variant). */
static void sums_wrap_like_int32(void) {
  gemm_case c;
  make_case(&c, 5, 17, 140001, 1);
  c.input_offset = 0;
  check_all_archs(&c);
  free_case(&c);
}

/* Fused clamps (ReLU-like ranges, and min > max where TFLite gives max). */
static void activation_ranges(void) {
  static const int32_t ranges[][2] = {{-128, 127}, {-5, 127}, {0, 6}, {10, -10}};
  for (int i = 0; i < 4; i++) {
    gemm_case c;
    make_case(&c, 6, 21, 13, 0);
    c.act_min = ranges[i][0];
    c.act_max = ranges[i][1];
    check_all_archs(&c);
    free_case(&c);
  }
}

/* The requantization alone over the whole int32 range: random sums and column constants, multipliers
 * including 0 and INT32_MAX, shifts from -40 to +40 (left shifts past 31 give 0, right ones clamp at 31). */
static void requantization_matches_reference_over_int32(void) {
  const er_s8_gemm_arch *archs[8];
  int count = er_s8_gemm_available(archs, 8);
  enum { N = 48 };
  int32_t c[N], add[N], mult[N], shift[N], left[N], right[N];
  int8_t want[N], got[N];
  for (int round = 0; round < 2000; round++) {
    for (int j = 0; j < N; j++) {
      c[j] = (int32_t)(next_random() ^ (next_random() << 8));
      add[j] = round % 3 == 0 ? 0 : (int32_t)(next_random() ^ (next_random() << 8));
      uint32_t pick = next_random() % 8u;
      mult[j] = pick == 0   ? 0
                : pick == 1 ? INT32_MAX
                            : (int32_t)((1u << 30) + next_random() % (1u << 24) * 64u);
      shift[j] = (int32_t)(next_random() % 81u) - 40;
      if (round % 2) shift[j] = (int32_t)(next_random() % 8u) - 6; /* the common range */
      left[j] = shift[j] > 0 ? (shift[j] < 32 ? shift[j] : 32) : 0;
      right[j] = shift[j] < 0 ? (shift[j] > -31 ? -shift[j] : 31) : 0;
    }
    const int32_t out_offset = (int32_t)(next_random() % 256u) - 128;
    const int32_t lo = round % 5 == 4 ? 3 : -128, hi = round % 5 == 4 ? -3 : 127;
    er_s8_requant rq = {add, mult, shift, left, right, out_offset, lo, hi};
    for (int j = 0; j < N; j++)
      want[j] = (int8_t)er_requantize_i32((int32_t)((uint32_t)c[j] + (uint32_t)add[j]), mult[j], shift[j],
                                          out_offset, lo, hi);
    for (int a = 0; a < count; a++) {
      /* A row of the arch's width at column 0, then one at column nr with a tail (parameters are read in
       * whole vectors); then two rows at once, the second written out_stride further. */
      const int32_t nr = archs[a]->nr;
      memset(got, 0x55, sizeof got);
      archs[a]->requant(c, nr, 1, &rq, 0, nr, got, 0);
      archs[a]->requant(c + nr, nr, 1, &rq, nr, nr - 3, got + nr, 0);
      bool same = memcmp(got, want, (size_t)(2 * nr - 3)) == 0 && got[2 * nr - 3] == 0x55;
      /* Rows of the same columns: row 1 of sums c[nr..] with the parameters of columns 0.. */
      int8_t two[2 * N], want_two[2 * N];
      for (int j = 0; j < nr; j++) {
        want_two[j] = want[j];
        want_two[N + j] = (int8_t)er_requantize_i32((int32_t)((uint32_t)c[nr + j] + (uint32_t)add[j]),
                                                    mult[j], shift[j], out_offset, lo, hi);
      }
      memset(two, 0x55, sizeof two);
      archs[a]->requant(c, nr, 2, &rq, 0, nr - 1, two, N);
      same = same && memcmp(two, want_two, (size_t)(nr - 1)) == 0 &&
             memcmp(two + N, want_two + N, (size_t)(nr - 1)) == 0 && two[nr - 1] == 0x55 &&
             two[N + nr - 1] == 0x55;
      CHECK_MSG(same, "%s requantization differs (round %d)", archs[a]->name, round);
      if (!same) return;
    }
  }
}

static void selected_variant_is_available(void) {
  const er_s8_gemm_arch *archs[8];
  int count = er_s8_gemm_available(archs, 8);
  CHECK(count >= 1);
  CHECK(archs[0] == er_s8_gemm_scalar());
  CHECK(er_s8_gemm_select() == archs[count - 1]);
  printf("int8 GEMM variants here:");
  for (int i = 0; i < count; i++)
    printf(" %s", archs[i]->name);
  printf("\n");
}

void run_tests(void) {
  RUN(selected_variant_is_available);
  RUN(every_variant_matches_reference_on_odd_shapes);
  RUN(extreme_values_and_zero_points);
  RUN(sums_wrap_like_int32);
  RUN(activation_ranges);
  RUN(requantization_matches_reference_over_int32);
}
