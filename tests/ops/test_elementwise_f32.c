/* The float32 elementwise micro-kernels (src/ops/elementwise_f32.h) against the reference kernels'
 * scalar expressions, for every variant this CPU runs: lengths 1..67 (vector tails), values including
 * NaN, +-inf, signed zeros, subnormals and the extremes of exp (+-88, +-100). add/sub/mul/div, clamp,
 * hard sigmoid, hard swish, leaky relu and the row max are bit-exact; exp-based results (sigmoid, SiLU,
 * softmax's exp) are within 2 ulp of the C library's expf-based reference. Then whole ops through the
 * interpreter under each EDGERT_ISA cap: ADD, SUB, MUL, DIV over broadcast patterns (same shape, scalar
 * either side, per-channel NCHW blocks, a trailing vector, both inputs broadcast) against an index-by-index
 * reference, and the unary ops LOGISTIC, HARD_SIGMOID, HARD_SWISH, RELU, RELU6, CLIP, and SOFTMAX /
 * SOFTMAX_AXIS (within 1e-6 relative of a double computation, plus the rounding of float's x - max). */
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "binary_test.h"

#include "core/cpu.h"
#include "core/quant.h"
#include "ops/elementwise_f32.h"
#include "ops/vector_math.h"

typedef struct {
  uint64_t s;
} rng;

static uint32_t rng_next(rng *r) {
  r->s ^= r->s << 13;
  r->s ^= r->s >> 7;
  r->s ^= r->s << 17;
  return (uint32_t)(r->s >> 16);
}

static float rng_float(rng *r, float lo, float hi) {
  return lo + (hi - lo) * (float)(rng_next(r) & 0xFFFFFF) / (float)0xFFFFFF;
}

static int variants_of_this_cpu(const er_f32_elementwise_isa **v) {
  int n = 0;
  v[n++] = &er_f32_elementwise__scalar;
  er_cpu_features cpu = er_cpu_detect();
  (void)cpu;
#if defined(ER_SIMD_X86)
  if (cpu.avx2_fma) v[n++] = &er_f32_elementwise__avx2;
  if (cpu.avx512) v[n++] = &er_f32_elementwise__avx512;
#endif
#if defined(ER_SIMD_ARM)
  if (cpu.neon) v[n++] = &er_f32_elementwise__neon;
#endif
  return n;
}

/* Values that stress each kernel: specials, then random magnitudes from tiny to huge. */
static const float special_values[] = {
    NAN,     INFINITY, -INFINITY, 0.0f,    -0.0f,   1.0f,   -1.0f, 88.0f,   -88.0f, 100.0f, -100.0f, 88.72f,
    -87.4f,  -103.0f,  -104.5f,   89.5f,   16.61f,  16.62f, -9.0f, -9.001f, 3.0f,   -3.0f,  6.0f,    -2.5f,
    FLT_MAX, -FLT_MAX, 1e-40f,    -1e-40f, FLT_MIN, 0.5f,   -0.5f, 1e-8f,   -1e-8f, 40.0f,  -40.0f};
#define N_SPECIAL ((int)(sizeof special_values / sizeof special_values[0]))

static void fill_values(rng *r, float *x, int n, int salt) {
  for (int i = 0; i < n; i++) {
    const uint32_t pick = rng_next(r) % 8;
    if (pick == 0)
      x[i] = special_values[(i + salt) % N_SPECIAL];
    else if (pick < 4)
      x[i] = rng_float(r, -10.0f, 10.0f);
    else if (pick < 6)
      x[i] = rng_float(r, -110.0f, 110.0f);
    else
      x[i] = ldexpf(rng_float(r, -1.0f, 1.0f), (int)(rng_next(r) % 60) - 30);
  }
}

static bool same_float(float a, float b) {
  if (isnan(a) || isnan(b)) return isnan(a) && isnan(b);
  return memcmp(&a, &b, sizeof a) == 0;
}

/* Distance in units in the last place (0 for equal values, both NaN, or equal infinities). */
static double ulp_distance(float a, float b) {
  if (isnan(a) || isnan(b)) return isnan(a) && isnan(b) ? 0.0 : INFINITY;
  if (a == b) return 0.0;
  if (isinf(a) || isinf(b)) return INFINITY;
  /* map to a monotonic integer line */
  int32_t ia, ib;
  memcpy(&ia, &a, sizeof ia);
  memcpy(&ib, &b, sizeof ib);
  const int64_t la = ia < 0 ? (int64_t)INT32_MIN - ia : ia, lb = ib < 0 ? (int64_t)INT32_MIN - ib : ib;
  return (double)(la > lb ? la - lb : lb - la);
}

/* --- micro-kernels --- */

static float ref_binary(er_f32_vbinary_kind kind, float x, float y, float lo, float hi) {
  switch (kind) {
  case ER_F32_VADD: return er_clamp_f(x + y, lo, hi);
  case ER_F32_VSUB: return er_clamp_f(x - y, lo, hi);
  case ER_F32_VMUL: return er_clamp_f(x * y, lo, hi);
  default: return er_clamp_f(x / y, lo, hi);
  }
}

static void binary_micro_kernels_are_exact(void) {
  static const char *const names[] = {"add", "sub", "mul", "div"};
  static const float bounds[][2] = {{-FLT_MAX, FLT_MAX}, {0.0f, FLT_MAX}, {0.0f, 6.0f}, {-1.0f, 1.0f}};
  const er_f32_elementwise_isa *v[4];
  const int nv = variants_of_this_cpu(v);
  rng r = {0x9E3779B97F4A7C15ull};
  float a[67], b[67], y[67 + 1];
  for (int iv = 0; iv < nv; iv++)
    for (int kind = 0; kind < ER_F32_VBINARY_COUNT; kind++)
      for (int ib = 0; ib < 4; ib++)
        for (int n = 1; n <= 67; n++) {
          fill_values(&r, a, n, n);
          fill_values(&r, b, n, 3 * n + 1);
          const er_f32_elementwise_params p = {bounds[ib][0], bounds[ib][1], 0.0f, 0.0f};
          const er_f32_vbinary_ukernels *uk = &v[iv]->binary[kind];
          for (int form = 0; form < 3; form++) {
            y[n] = 12345.0f; /* a guard past the end */
            (form == 0 ? uk->op : form == 1 ? uk->opc : uk->ropc)((size_t)n, a, b, y, &p);
            CHECK_MSG(y[n] == 12345.0f, "%s %s wrote past n=%d", v[iv]->isa, names[kind], n);
            for (int i = 0; i < n; i++) {
              const float want = form == 0   ? ref_binary(kind, a[i], b[i], p.min, p.max)
                                 : form == 1 ? ref_binary(kind, a[i], b[0], p.min, p.max)
                                             : ref_binary(kind, b[0], a[i], p.min, p.max);
              if (!same_float(y[i], want)) {
                CHECK_MSG(false, "%s %s form %d n=%d i=%d: %a vs %a", v[iv]->isa, names[kind], form, n, i,
                          (double)y[i], (double)want);
                break;
              }
            }
          }
        }
}

/* The reference kernels' element functions. */
static float ref_clamp(float x, float lo, float hi) {
  float v = x < lo ? lo : x;
  return v > hi ? hi : v;
}
static float ref_logistic(float x) {
  if (x > 16.619047164916992188f) return 1.0f;
  if (x < -9.0f) return expf(x);
  return 1.0f / (1.0f + expf(-x));
}
static float ref_hard_sigmoid(float x, float alpha, float beta) {
  return (float)fmax(0.0, fmin(1.0, (double)alpha * x + (double)beta));
}
static float ref_hard_swish(float x) { return x * er_clamp_f(x + 3.0f, 0.0f, 6.0f) / 6.0f; }

static void unary_micro_kernels_match_reference(void) {
  static const float bounds[][2] = {
      {0.0f, INFINITY}, {0.0f, 6.0f}, {-1.0f, 1.0f}, {2.0f, -2.0f}, {-INFINITY, 0.5f}};
  const er_f32_elementwise_isa *v[4];
  const int nv = variants_of_this_cpu(v);
  rng r = {0x2545F4914F6CDD1Dull};
  float x[67], y[68];
  for (int iv = 0; iv < nv; iv++)
    for (int n = 1; n <= 67; n++)
      for (int rep = 0; rep < 4; rep++) {
        fill_values(&r, x, n, n + rep);
        er_f32_elementwise_params p = {bounds[rep][0], bounds[rep][1], 0.2f, 0.5f};
        if (rep == 3) p.alpha = 1.0f / 6.0f, p.beta = 0.5f;
        if (rep == 2) p.alpha = -1.5f; /* LEAKY_RELU with a negative alpha */
        for (int kind = 0; kind < ER_F32_VUNARY_COUNT; kind++) {
          y[n] = 12345.0f;
          v[iv]->unary[kind]((size_t)n, x, y, &p);
          CHECK_MSG(y[n] == 12345.0f, "%s unary %d wrote past n=%d", v[iv]->isa, kind, n);
          for (int i = 0; i < n; i++) {
            float want;
            double tolerance_ulp = 0.0;
            switch (kind) {
            case ER_F32_VCLAMP: want = ref_clamp(x[i], p.min, p.max); break;
            case ER_F32_VSIGMOID: want = ref_logistic(x[i]), tolerance_ulp = 2.0; break;
            case ER_F32_VHARD_SIGMOID: want = ref_hard_sigmoid(x[i], p.alpha, p.beta); break;
            case ER_F32_VLEAKY_RELU: want = x[i] > 0.0f ? x[i] : x[i] * p.alpha; break;
            case ER_F32_VSILU: want = x[i] / (1.0f + expf(-x[i])), tolerance_ulp = 2.0; break;
            case ER_F32_VHARD_SWISH: want = ref_hard_swish(x[i]); break;
            default: want = NAN; break;
            }
            const double d = ulp_distance(y[i], want);
            if (tolerance_ulp == 0.0 ? !same_float(y[i], want) : !(d <= tolerance_ulp)) {
              CHECK_MSG(false, "%s unary %d n=%d x=%a: %a vs %a (%g ulp)", v[iv]->isa, kind, n, (double)x[i],
                        (double)y[i], (double)want, d);
              break;
            }
          }
        }
      }
}

/* exp through the softmax row kernel (max 0, beta 1), and the row max, on every float class. */
static void exp_and_row_max_match_reference(void) {
  const er_f32_elementwise_isa *v[4];
  const int nv = variants_of_this_cpu(v);
  rng r = {0x853C49E6748FEA9Bull};
  float x[67], y[67];
  for (int iv = 0; iv < nv; iv++) {
    double worst = 0.0;
    for (int n = 1; n <= 67; n++)
      for (int rep = 0; rep < 6; rep++) {
        fill_values(&r, x, n, n * 7 + rep);
        const er_f32_elementwise_params p = {0.0f, 0.0f, 0.0f, 1.0f};
        const float sum = v[iv]->raddstoreexpminusmax((size_t)n, x, 0.0f, y, &p);
        double want_sum = 0.0;
        for (int i = 0; i < n; i++) {
          const float want = expf(x[i]);
          want_sum += want;
          const double d = ulp_distance(y[i], want);
          worst = d > worst ? d : worst;
          CHECK_MSG(d <= 2.0, "%s exp(%a) = %a, expf gives %a", v[iv]->isa, (double)x[i], (double)y[i],
                    (double)want);
        }
        if (want_sum <= FLT_MAX)
          CHECK_MSG(fabs(sum - want_sum) <= 1e-5 * want_sum, "%s exp sum %g vs %g", v[iv]->isa, (double)sum,
                    want_sum);
        float want_max = -FLT_MAX;
        for (int i = 0; i < n; i++)
          want_max = x[i] > want_max ? x[i] : want_max;
        CHECK_MSG(same_float(v[iv]->rmax((size_t)n, x), want_max), "%s row max n=%d", v[iv]->isa, n);
      }
    printf("  %s: exp within %.0f ulp of expf\n", v[iv]->isa, worst);
  }
}

/* --- whole ops under each ISA cap --- */

static const char *const isa_caps[] = {"scalar", "avx2", "avx512", "neon", NULL};

typedef struct {
  char saved[32];
  bool had;
} isa_env;

static void isa_env_save(isa_env *e) {
  const char *s = getenv("EDGERT_ISA");
  e->had = s != NULL;
  if (s) snprintf(e->saved, sizeof e->saved, "%s", s);
}
static void isa_env_restore(const isa_env *e) {
  if (e->had)
    setenv("EDGERT_ISA", e->saved, 1);
  else
    unsetenv("EDGERT_ISA");
}

/* Row-major offset in a broadcast input of output index `flat`. */
static int64_t broadcast_offset(int out_ndim, const int64_t *out_dims, int in_ndim, const int64_t *in_dims,
                                int64_t flat) {
  int64_t offset = 0, stride = 1;
  for (int d = out_ndim - 1; d >= 0; d--) {
    const int64_t coord = flat % out_dims[d];
    flat /= out_dims[d];
    const int k = d - (out_ndim - in_ndim);
    if (k < 0) continue;
    if (in_dims[k] != 1) offset += coord * stride;
    stride *= in_dims[k];
  }
  return offset;
}

typedef struct {
  int a_ndim;
  int64_t a_dims[4];
  int b_ndim;
  int64_t b_dims[4];
  int out_ndim;
  int64_t out_dims[4];
} bcast_case;

static void binary_ops_over_broadcast_patterns(void) {
  static const bcast_case cases[] = {
      {4, {2, 3, 5, 7}, 4, {2, 3, 5, 7}, 4, {2, 3, 5, 7}},    /* same shape */
      {4, {1, 37, 3, 3}, 4, {1, 37, 1, 1}, 4, {1, 37, 3, 3}}, /* squeeze-excite per channel */
      {4, {1, 5, 1, 1}, 4, {2, 5, 9, 9}, 4, {2, 5, 9, 9}},    /* per channel on the left */
      {3, {4, 6, 19}, 1, {19}, 3, {4, 6, 19}},                /* trailing vector */
      {0, {0}, 2, {3, 67}, 2, {3, 67}},                       /* scalar on the left */
      {2, {6000, 3}, 0, {0}, 2, {6000, 3}},                   /* scalar on the right, long */
      {3, {2, 1, 5}, 3, {1, 3, 1}, 3, {2, 3, 5}},             /* both broadcast */
      {1, {1}, 1, {1}, 1, {1}},                               /* one element */
      {1, {20001}, 1, {20001}, 1, {20001}},                   /* one long row, split in chunks */
  };
  static const er_op ops[] = {ER_OP_ADD, ER_OP_SUB, ER_OP_MUL, ER_OP_DIV};
  static const er_f32_vbinary_kind kinds[] = {ER_F32_VADD, ER_F32_VSUB, ER_F32_VMUL, ER_F32_VDIV};
  static float a[20001], b[20001], got[20001];
  rng r = {0xDA942042E4DD58B5ull};
  isa_env env;
  isa_env_save(&env);
  for (int c = 0; c < (int)(sizeof cases / sizeof cases[0]); c++) {
    const bcast_case *k = &cases[c];
    int64_t na = 1, nb = 1, nout = 1;
    for (int d = 0; d < k->a_ndim; d++)
      na *= k->a_dims[d];
    for (int d = 0; d < k->b_ndim; d++)
      nb *= k->b_dims[d];
    for (int d = 0; d < k->out_ndim; d++)
      nout *= k->out_dims[d];
    fill_values(&r, a, (int)na, c);
    fill_values(&r, b, (int)nb, c + 5);
    for (int o = 0; o < 4; o++)
      for (int act = 0; act < 2; act++)
        for (int cap = 0; isa_caps[cap]; cap++) {
          setenv("EDGERT_ISA", isa_caps[cap], 1);
          const er_binary_attrs attrs = {act ? ER_ACT_RELU6 : ER_ACT_NONE, false};
          bt_tensor in[2] = {{.dtype = EDGERT_FLOAT32, .ndim = k->a_ndim},
                             {.dtype = EDGERT_FLOAT32, .ndim = k->b_ndim}};
          memcpy(in[0].dims, k->a_dims, sizeof k->a_dims);
          memcpy(in[1].dims, k->b_dims, sizeof k->b_dims);
          bt_tensor out = {.dtype = EDGERT_FLOAT32, .ndim = -1};
          CHECK_OK(bt_run_ex(ops[o], &attrs, sizeof attrs, 2, in, (const void *[]){a, b}, out, got,
                             (size_t)nout * sizeof(float), false));
          const float lo = act ? 0.0f : -FLT_MAX, hi = act ? 6.0f : FLT_MAX;
          for (int64_t i = 0; i < nout; i++) {
            const float x = a[broadcast_offset(k->out_ndim, k->out_dims, k->a_ndim, k->a_dims, i)];
            const float y = b[broadcast_offset(k->out_ndim, k->out_dims, k->b_ndim, k->b_dims, i)];
            const float want = ref_binary(kinds[o], x, y, lo, hi);
            if (!same_float(got[i], want)) {
              CHECK_MSG(false, "case %d op %d isa %s element %lld: %a vs %a", c, o, isa_caps[cap],
                        (long long)i, (double)got[i], (double)want);
              break;
            }
          }
        }
  }
  isa_env_restore(&env);
}

static void unary_ops_match_reference_under_each_isa(void) {
  static float x[4099], got[4099];
  rng r = {0x5851F42D4C957F2Dull};
  const int n = 4099;
  fill_values(&r, x, n, 0);
  isa_env env;
  isa_env_save(&env);
  const int64_t dims[1] = {n};
  for (int cap = 0; isa_caps[cap]; cap++) {
    setenv("EDGERT_ISA", isa_caps[cap], 1);
    bt_tensor in = {.dtype = EDGERT_FLOAT32, .ndim = 1, .dims = {n}};
    bt_tensor out = {.dtype = EDGERT_FLOAT32, .ndim = -1};
    (void)dims;
    /* LOGISTIC */
    CHECK_OK(bt_run_ex(ER_OP_LOGISTIC, NULL, 0, 1, &in, (const void *[]){x}, out, got, sizeof got, false));
    for (int i = 0; i < n; i++)
      if (!(ulp_distance(got[i], ref_logistic(x[i])) <= 2.0)) {
        CHECK_MSG(false, "%s LOGISTIC(%a) = %a", isa_caps[cap], (double)x[i], (double)got[i]);
        break;
      }
    /* HARD_SIGMOID with MobileNetV3's parameters */
    const er_unary_params_attrs hs = {1.0f / 6.0f, 0.5f, 0.0f};
    CHECK_OK(bt_run_ex(ER_OP_HARD_SIGMOID, &hs, sizeof hs, 1, &in, (const void *[]){x}, out, got, sizeof got,
                       false));
    for (int i = 0; i < n; i++)
      if (!same_float(got[i], ref_hard_sigmoid(x[i], hs.alpha, hs.beta))) {
        CHECK_MSG(false, "%s HARD_SIGMOID(%a) = %a", isa_caps[cap], (double)x[i], (double)got[i]);
        break;
      }
    CHECK_OK(bt_run_ex(ER_OP_HARD_SWISH, NULL, 0, 1, &in, (const void *[]){x}, out, got, sizeof got, false));
    for (int i = 0; i < n; i++)
      if (!same_float(got[i], ref_hard_swish(x[i]))) {
        CHECK_MSG(false, "%s HARD_SWISH(%a) = %a", isa_caps[cap], (double)x[i], (double)got[i]);
        break;
      }
    CHECK_OK(bt_run_ex(ER_OP_RELU, NULL, 0, 1, &in, (const void *[]){x}, out, got, sizeof got, false));
    for (int i = 0; i < n; i++)
      if (!same_float(got[i], ref_clamp(x[i], 0.0f, INFINITY))) {
        CHECK_MSG(false, "%s RELU(%a) = %a", isa_caps[cap], (double)x[i], (double)got[i]);
        break;
      }
    CHECK_OK(bt_run_ex(ER_OP_RELU6, NULL, 0, 1, &in, (const void *[]){x}, out, got, sizeof got, false));
    for (int i = 0; i < n; i++)
      if (!same_float(got[i], ref_clamp(x[i], 0.0f, 6.0f))) {
        CHECK_MSG(false, "%s RELU6(%a) = %a", isa_caps[cap], (double)x[i], (double)got[i]);
        break;
      }
    /* CLIP with both bounds (min > max gives max, as numpy), then with only a lower one */
    static const float clip_bounds[][2] = {{-1.5f, 2.5f}, {3.0f, -3.0f}};
    for (int c = 0; c < 2; c++) {
      bt_tensor clip_in[3] = {in,
                              {.dtype = EDGERT_FLOAT32, .ndim = 0, .const_data = &clip_bounds[c][0]},
                              {.dtype = EDGERT_FLOAT32, .ndim = 0, .const_data = &clip_bounds[c][1]}};
      CHECK_OK(bt_run_ex(ER_OP_CLIP, NULL, 0, 3, clip_in, (const void *[]){x, NULL, NULL}, out, got,
                         sizeof got, false));
      for (int i = 0; i < n; i++)
        if (!same_float(got[i], ref_clamp(x[i], clip_bounds[c][0], clip_bounds[c][1]))) {
          CHECK_MSG(false, "%s CLIP(%a) = %a", isa_caps[cap], (double)x[i], (double)got[i]);
          break;
        }
    }
    bt_tensor clip_lo[2] = {in, {.dtype = EDGERT_FLOAT32, .ndim = 0, .const_data = &clip_bounds[0][0]}};
    CHECK_OK(
        bt_run_ex(ER_OP_CLIP, NULL, 0, 2, clip_lo, (const void *[]){x, NULL}, out, got, sizeof got, false));
    for (int i = 0; i < n; i++)
      if (!same_float(got[i], ref_clamp(x[i], clip_bounds[0][0], INFINITY))) {
        CHECK_MSG(false, "%s CLIP(%a) min only = %a", isa_caps[cap], (double)x[i], (double)got[i]);
        break;
      }
  }
  isa_env_restore(&env);
}

/* Softmax of rows of `depth` in double, the reference of SOFTMAX_AXIS (SOFTMAX's float reference rounds
 * a little on the way; double is the truth both are held to). */
static void ref_softmax(const float *x, double *want, double *tolerance, int64_t rows, int64_t depth,
                        float beta) {
  for (int64_t row = 0; row < rows; row++, x += depth, want += depth, tolerance += depth) {
    double max = -INFINITY, sum = 0.0;
    for (int64_t i = 0; i < depth; i++)
      max = x[i] > max ? x[i] : max;
    for (int64_t i = 0; i < depth; i++)
      sum += want[i] = exp(((double)x[i] - max) * beta);
    /* 1e-6 for exp, the sum and the division; and float's x - max rounds by up to half an ulp of the
     * difference, which exp turns into a relative error of |x - max| * beta * 2^-24. */
    for (int64_t i = 0; i < depth; i++) {
      want[i] /= sum;
      tolerance[i] = want[i] * (1e-6 + fabs((double)x[i] - max) * beta * 0x1p-24) + 0x1p-149;
    }
  }
}

/* SOFTMAX (TFLite, with beta) and SOFTMAX_AXIS (ONNX, last axis and the 2-D coercion) on odd depths;
 * each probability within 1e-6 relative of the double computation, plus what float's x - max costs. */
static void softmax_ops_match_reference_under_each_isa(void) {
  static const int64_t shapes[][2] = {{1, 1}, {3, 7}, {2, 16}, {5, 33}, {1, 67}, {4, 1000}, {7, 5}};
  static float x[4000], got[4000];
  static double want[4000], tolerance[4000];
  rng r = {0x94D049BB133111EBull};
  isa_env env;
  isa_env_save(&env);
  for (int s = 0; s < (int)(sizeof shapes / sizeof shapes[0]); s++) {
    const int64_t rows = shapes[s][0], depth = shapes[s][1], n = rows * depth;
    for (int64_t i = 0; i < n; i++)
      x[i] = s == 6 ? rng_float(&r, -100.0f, 100.0f) : rng_float(&r, -12.0f, 12.0f);
    const float beta = s % 2 ? 1.0f : 0.75f;
    for (int cap = 0; isa_caps[cap]; cap++) {
      setenv("EDGERT_ISA", isa_caps[cap], 1);
      bt_tensor in = {.dtype = EDGERT_FLOAT32, .ndim = 2, .dims = {rows, depth}};
      bt_tensor out = {.dtype = EDGERT_FLOAT32, .ndim = -1};
      for (int op = 0; op < 3; op++) {
        float b = beta;
        if (op == 0) {
          const er_softmax_attrs attrs = {beta};
          CHECK_OK(bt_run_ex(ER_OP_SOFTMAX, &attrs, sizeof attrs, 1, &in, (const void *[]){x}, out, got,
                             (size_t)n * sizeof(float), false));
        } else {
          const er_softmax_axis_attrs attrs = {ER_SOFTMAX_PLAIN, op == 1 ? -1 : 1, op == 2};
          b = 1.0f;
          CHECK_OK(bt_run_ex(ER_OP_SOFTMAX_AXIS, &attrs, sizeof attrs, 1, &in, (const void *[]){x}, out, got,
                             (size_t)n * sizeof(float), false));
        }
        ref_softmax(x, want, tolerance, rows, depth, b);
        for (int64_t i = 0; i < n; i++)
          if (!(fabs(got[i] - want[i]) <= tolerance[i])) {
            CHECK_MSG(false, "%s op %d shape %lldx%lld element %lld: %.9g vs %.9g", isa_caps[cap], op,
                      (long long)rows, (long long)depth, (long long)i, (double)got[i], want[i]);
            break;
          }
      }
    }
  }
  isa_env_restore(&env);
}

/* er_bcast_seek(row) lands where er_bcast_begin and row calls of er_bcast_next do (threads start their
 * chunks of rows with it). */
static void bcast_seek_matches_walking(void) {
  static const int64_t shapes[][2][4] = {{{2, 3, 5, 7}, {1, 3, 1, 7}},
                                         {{4, 1, 6, 1}, {1, 5, 1, 3}},
                                         {{3, 4, 5, 1}, {3, 1, 5, 6}},
                                         {{2, 2, 2, 2}, {2, 2, 2, 2}}};
  for (int s = 0; s < (int)(sizeof shapes / sizeof shapes[0]); s++) {
    er_tensor a = {.ndim = 4}, b = {.ndim = 4};
    memcpy(a.dims, shapes[s][0], sizeof shapes[s][0]);
    memcpy(b.dims, shapes[s][1], sizeof shapes[s][1]);
    int32_t ndim;
    int64_t dims[ER_MAX_DIMS];
    const er_tensor *const inputs[2] = {&a, &b};
    CHECK(er_broadcast_shape(2, inputs, &ndim, dims));
    er_bcast plan;
    er_bcast_plan(&plan, ndim, dims, 2, inputs);
    const int64_t rows = plan.elements / er_bcast_row_len(&plan);
    er_bcast_iter walk;
    bool more = er_bcast_begin(&walk, &plan);
    for (int64_t row = 0; row < rows; row++) {
      CHECK(more);
      er_bcast_iter seek;
      er_bcast_seek(&seek, &plan, row);
      for (int k = 0; k < plan.n_operands; k++)
        CHECK_MSG(seek.offset[k] == walk.offset[k], "shape %d row %lld operand %d", s, (long long)row, k);
      CHECK_EQ_INT(seek.rows_left, walk.rows_left);
      /* and walking on from the sought row stays in step */
      if (row + 1 < rows) {
        er_bcast_next(&seek);
        er_bcast_iter ahead = walk;
        er_bcast_next(&ahead);
        for (int k = 0; k < plan.n_operands; k++)
          CHECK(seek.offset[k] == ahead.offset[k]);
      }
      more = er_bcast_next(&walk);
    }
    CHECK(!more);
  }
}

void run_tests(void) {
  RUN(bcast_seek_matches_walking);
  RUN(binary_micro_kernels_are_exact);
  RUN(unary_micro_kernels_match_reference);
  RUN(exp_and_row_max_match_reference);
  RUN(binary_ops_over_broadcast_patterns);
  RUN(unary_ops_match_reference_under_each_isa);
  RUN(softmax_ops_match_reference_under_each_isa);
}
