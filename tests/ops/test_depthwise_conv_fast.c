/* The NHWC depthwise micro-kernels (src/ops/depthwise_conv_nhwc.h) against a plain reference on odd
 * shapes: channels 1..35 (vector tails) with depth multiplier 1, 2 or 3 or a single input channel,
 * sizes 1..17, strides 1..3, dilation 1..2, padding from none to windows wholly outside the image,
 * batch 1..2, extreme inputs, weights, zero points, biases that wrap the int32 accumulator, and
 * requantization shifts far outside TFLite's usual range. qs8 results must be bit-exact; f32 within 1e-5 * (1
 * + sum |x * w|). Every variant this CPU runs is checked, each also on a split of the rows (as threads would
 * split them). Then the whole op through the interpreter: EDGERT_ISA=scalar against the default choice,
 * bit-exact for int8 and with depth multiplier 2. */
#include <stdlib.h>
#include <string.h>

#include "conv_test.h"

#include "core/cpu.h"
#include "ops/depthwise_conv_nhwc.h"

typedef struct {
  uint64_t s;
} rng;

static uint32_t rng_next(rng *r) {
  r->s ^= r->s << 13;
  r->s ^= r->s >> 7;
  r->s ^= r->s << 17;
  return (uint32_t)(r->s >> 16);
}

/* uniform in [lo, hi] */
static int32_t rng_int(rng *r, int32_t lo, int32_t hi) {
  return lo + (int32_t)(rng_next(r) % (uint32_t)((int64_t)hi - lo + 1));
}

typedef struct {
  const char *name;
  er_qs8_dwconv_fn qs8;
  er_f32_dwconv_fn f32;
} variant;

static int variants_of_this_cpu(variant *v) {
  int n = 0;
  v[n++] = (variant){"scalar", er_qs8_dwconv_nhwc__scalar, er_f32_dwconv_nhwc__scalar};
  er_cpu_features cpu = er_cpu_detect();
  (void)cpu;
#if defined(ER_SIMD_X86)
  if (cpu.avx2_fma) v[n++] = (variant){"avx2", er_qs8_dwconv_nhwc__avx2, er_f32_dwconv_nhwc__avx2};
  if (cpu.avx512) v[n++] = (variant){"avx512", er_qs8_dwconv_nhwc__avx512, er_f32_dwconv_nhwc__avx512};
#endif
#if defined(ER_SIMD_ARM)
  if (cpu.neon) v[n++] = (variant){"neon", er_qs8_dwconv_nhwc__neon, er_f32_dwconv_nhwc__neon};
#endif
  return n;
}

/* A random geometry; false when the window does not give one output. */
static bool random_geometry(rng *r, er_conv_geometry *g) {
  g->batches = rng_int(r, 1, 2);
  g->in_h = rng_int(r, 1, 17);
  g->in_w = rng_int(r, 1, 17);
  /* mostly multiplier 1; then one input channel (broadcast), a multiplier of 2 or 3, or exactly 8 or 16
   * channels (the AVX2 kernel's two-pixel path, the AVX-512 kernel's pixel groups) */
  const int shape = rng_int(r, 0, 7);
  g->in_c = shape == 4 || shape == 7 ? 1 : shape == 6 ? 8 * rng_int(r, 1, 2) : rng_int(r, 1, 35);
  g->out_c = shape == 4   ? rng_int(r, 1, 35)
             : shape == 5 ? g->in_c * rng_int(r, 2, 3)
             : shape == 7 ? 8
                          : g->in_c;
  g->filter_h = rng_int(r, 1, 4);
  g->filter_w = rng_int(r, 1, 4);
  g->stride_h = rng_int(r, 1, 3);
  g->stride_w = rng_int(r, 1, 3);
  g->dil_h = rng_int(r, 1, 2);
  g->dil_w = rng_int(r, 1, 2);
  const int64_t span_h = (g->filter_h - 1) * g->dil_h + 1, span_w = (g->filter_w - 1) * g->dil_w + 1;
  /* up to a whole window of padding, so some windows lie wholly outside the image */
  g->pad_h = rng_int(r, 0, (int32_t)span_h);
  g->pad_w = rng_int(r, 0, (int32_t)span_w);
  int64_t h = g->in_h + 2 * g->pad_h - span_h, w = g->in_w + 2 * g->pad_w - span_w;
  if (h < 0 || w < 0) return false;
  g->out_h = h / g->stride_h + 1;
  g->out_w = w / g->stride_w + 1;
  return true;
}

static int64_t elements_in(const er_conv_geometry *g) { return g->batches * g->in_h * g->in_w * g->in_c; }
static int64_t elements_out(const er_conv_geometry *g) { return g->batches * g->out_h * g->out_w * g->out_c; }
static int64_t filter_elements(const er_conv_geometry *g) { return g->filter_h * g->filter_w * g->out_c; }

/* For every output element o (channel c, reading input channel ic): PIXEL_BEGIN, then TAP for every tap
 * inside the image (input index ip, filter index fp), then PIXEL_END. */
#define FOR_EACH_TAP(g, PIXEL_BEGIN, TAP, PIXEL_END)                                                         \
  for (int64_t b = 0; b < (g)->batches; b++)                                                                 \
    for (int64_t oy = 0; oy < (g)->out_h; oy++)                                                              \
      for (int64_t ox = 0; ox < (g)->out_w; ox++)                                                            \
        for (int64_t c = 0; c < (g)->out_c; c++) {                                                           \
          const int64_t o = ((b * (g)->out_h + oy) * (g)->out_w + ox) * (g)->out_c + c;                      \
          const int64_t ic = c / ((g)->out_c / (g)->in_c);                                                   \
          PIXEL_BEGIN;                                                                                       \
          for (int64_t fy = 0; fy < (g)->filter_h; fy++) {                                                   \
            const int64_t iy = oy * (g)->stride_h - (g)->pad_h + fy * (g)->dil_h;                            \
            if (iy < 0 || iy >= (g)->in_h) continue;                                                         \
            for (int64_t fx = 0; fx < (g)->filter_w; fx++) {                                                 \
              const int64_t ix = ox * (g)->stride_w - (g)->pad_w + fx * (g)->dil_w;                          \
              if (ix < 0 || ix >= (g)->in_w) continue;                                                       \
              const int64_t ip = ((b * (g)->in_h + iy) * (g)->in_w + ix) * (g)->in_c + ic;                   \
              const int64_t fp = (fy * (g)->filter_w + fx) * (g)->out_c + c;                                 \
              TAP;                                                                                           \
            }                                                                                                \
          }                                                                                                  \
          PIXEL_END;                                                                                         \
        }

static void qs8_reference(const er_qs8_dwconv_args *a, int8_t *out) {
  int64_t acc = 0;
  FOR_EACH_TAP(&a->g, acc = a->bias ? a->bias[c] : 0,
               acc += ((int64_t)a->input[ip] + a->input_offset) * a->filter[fp],
               out[o] = (int8_t)er_requantize_i32((int32_t)(uint32_t)(uint64_t)acc, a->multipliers[c],
                                                  a->shifts[c], a->output_offset, a->act_min, a->act_max))
}

static int8_t random_i8(rng *r, int mode) {
  switch (mode) {
  case 0: return (int8_t)rng_int(r, -128, 127);
  case 1: return (int8_t)(rng_int(r, 0, 1) ? -128 : 127); /* extremes only */
  default: return (int8_t)rng_int(r, -3, 3);
  }
}

static void fill_qs8_case(rng *r, er_qs8_dwconv_args *a, int8_t *input, int8_t *filter, int32_t *bias,
                          int32_t *multipliers, int32_t *shifts) {
  const er_conv_geometry *g = &a->g;
  const int mode = rng_int(r, 0, 2);
  for (int64_t i = 0; i < elements_in(g); i++)
    input[i] = random_i8(r, mode);
  for (int64_t i = 0; i < filter_elements(g); i++)
    filter[i] = random_i8(r, mode);
  const bool wide_shifts = rng_int(r, 0, 3) == 0, wrapping_bias = rng_int(r, 0, 3) == 0;
  for (int64_t c = 0; c < g->out_c; c++) {
    bias[c] = wrapping_bias ? INT32_MAX - rng_int(r, 0, 1000) : rng_int(r, -100000, 100000);
    multipliers[c] = rng_int(r, 1 << 30, INT32_MAX);
    shifts[c] = wide_shifts ? rng_int(r, -40, 40) : rng_int(r, -12, 2);
  }
  if (rng_int(r, 0, 7) == 0) multipliers[0] = INT32_MIN; /* the saturating corner of the high multiply */
  /* input zero point -128 .. 127 gives offsets -127 .. 128; output zero points anywhere in int8 */
  a->input_offset = mode == 1 ? (rng_int(r, 0, 1) ? 128 : -127) : rng_int(r, -127, 128);
  a->output_offset = rng_int(r, -128, 127);
  a->act_min = -128;
  a->act_max = 127;
  if (rng_int(r, 0, 2) == 0) {
    a->act_min = rng_int(r, -128, 0);
    a->act_max = rng_int(r, a->act_min, 127);
  }
  a->input = input;
  a->filter = filter;
  a->bias = rng_int(r, 0, 4) == 0 ? NULL : bias;
  a->multipliers = multipliers;
  a->shifts = shifts;
}

enum { MAX_IN = 2 * 17 * 17 * 35, MAX_OUT = 2 * 25 * 25 * 105, MAX_FILTER = 4 * 4 * 105 };

/* Runs every variant on case a (rows split at a random row) against the reference; false on a mismatch. */
static bool check_qs8_case(const variant *v, int n_variants, rng *r, er_qs8_dwconv_args *a, int id) {
  static int8_t want[MAX_OUT], got[MAX_OUT];
  const int64_t n = elements_out(&a->g), rows = a->g.batches * a->g.out_h;
  qs8_reference(a, want);
  for (int k = 0; k < n_variants; k++) {
    memset(got, 0x5A, (size_t)n);
    a->output = got;
    const int64_t split = rng_int(r, 0, (int32_t)rows);
    v[k].qs8(a, 0, split);
    v[k].qs8(a, split, rows);
    int64_t bad = -1;
    for (int64_t i = 0; i < n && bad < 0; i++)
      if (got[i] != want[i]) bad = i;
    CHECK_MSG(bad < 0,
              "%s case %d: n=%lld h=%lld w=%lld c=%lld filter %lldx%lld stride %lldx%lld dil %lldx%lld "
              "pad %lldx%lld: output %lld is %d, expected %d",
              v[k].name, id, (long long)a->g.batches, (long long)a->g.in_h, (long long)a->g.in_w,
              (long long)a->g.in_c, (long long)a->g.filter_h, (long long)a->g.filter_w,
              (long long)a->g.stride_h, (long long)a->g.stride_w, (long long)a->g.dil_h,
              (long long)a->g.dil_w, (long long)a->g.pad_h, (long long)a->g.pad_w, (long long)bad,
              bad >= 0 ? got[bad] : 0, bad >= 0 ? want[bad] : 0);
    if (bad >= 0) return false;
  }
  return true;
}

static void qs8_micro_kernels_match_reference(void) {
  static int8_t input[MAX_IN], filter[MAX_FILTER];
  static int32_t bias[105], multipliers[105], shifts[105];
  variant v[4];
  const int n_variants = variants_of_this_cpu(v);
  rng r = {0x9E3779B97F4A7C15ull};
  int cases = 0;
  while (cases < 600) {
    er_qs8_dwconv_args a;
    memset(&a, 0, sizeof a);
    if (!random_geometry(&r, &a.g)) continue;
    cases++;
    fill_qs8_case(&r, &a, input, filter, bias, multipliers, shifts);
    if (!check_qs8_case(v, n_variants, &r, &a, cases)) return;
  }
}

/* 8 and 16 output channels, of as many inputs or of one, at strides 1 to 3 across (the AVX-512 kernel's
 * groups of 4 or 2 pixels): every width from 1 to 40, so that groups meet the right border at each offset,
 * 3x3 and 5x5 windows, pads 0 to 2, both vertical strides. */
static void qs8_pixel_groups_match_reference(void) {
  static int8_t input[MAX_IN], filter[MAX_FILTER];
  static int32_t bias[105], multipliers[105], shifts[105];
  variant v[4];
  const int n_variants = variants_of_this_cpu(v);
  rng r = {0x2545F4914F6CDD1Dull};
  int cases = 0;
  for (int64_t ch = 8; ch <= 16; ch += 8)
    for (int64_t mode = 0; mode < 6; mode++) /* 0-2: ch inputs, 3-5: one; stride 1 + mode % 3 */
      for (int64_t k = 3; k <= 5; k += 2)
        for (int64_t w = 1; w <= 40; w++) {
          er_qs8_dwconv_args a;
          memset(&a, 0, sizeof a);
          er_conv_geometry *g = &a.g;
          g->batches = 1 + w % 2, g->in_h = 1 + w % 6, g->in_w = w, g->in_c = mode < 3 ? ch : 1,
          g->out_c = ch;
          g->filter_h = g->filter_w = k, g->stride_h = 1 + w % 2, g->stride_w = 1 + mode % 3;
          g->dil_h = g->dil_w = 1, g->pad_h = w % 3, g->pad_w = (w / 3) % 3;
          const int64_t h = g->in_h + 2 * g->pad_h - k, wide = g->in_w + 2 * g->pad_w - k;
          if (h < 0 || wide < 0) continue;
          g->out_h = h / g->stride_h + 1, g->out_w = wide / g->stride_w + 1;
          fill_qs8_case(&r, &a, input, filter, bias, multipliers, shifts);
          if (!check_qs8_case(v, n_variants, &r, &a, ++cases)) return;
        }
}

static float random_f32(rng *r) { return (float)rng_int(r, -100000, 100000) / 25000.0f; }

static void f32_micro_kernels_match_reference(void) {
  static float input[MAX_IN], filter[MAX_FILTER], want[MAX_OUT], got[MAX_OUT], magnitude[MAX_OUT];
  static float bias[105];
  variant v[4];
  const int n_variants = variants_of_this_cpu(v);
  rng r = {0xD1B54A32D192ED03ull};
  int cases = 0;
  while (cases < 400) {
    er_f32_dwconv_args a;
    memset(&a, 0, sizeof a);
    if (!random_geometry(&r, &a.g)) continue;
    cases++;
    for (int64_t i = 0; i < elements_in(&a.g); i++)
      input[i] = random_f32(&r);
    for (int64_t i = 0; i < filter_elements(&a.g); i++)
      filter[i] = random_f32(&r);
    for (int64_t c = 0; c < a.g.out_c; c++)
      bias[c] = random_f32(&r);
    a.input = input;
    a.filter = filter;
    a.bias = rng_int(&r, 0, 4) == 0 ? NULL : bias;
    a.act_min = rng_int(&r, 0, 1) ? -INFINITY : -1.5f;
    a.act_max = rng_int(&r, 0, 1) ? INFINITY : 2.0f;
    double acc = 0, mag = 0;
    FOR_EACH_TAP(&a.g, (acc = 0, mag = 0),
                 (acc += (double)input[ip] * filter[fp], mag += fabs((double)input[ip] * filter[fp])), {
                   double v_ = acc + (a.bias ? a.bias[c] : 0.0);
                   want[o] = er_clamp_f((float)v_, a.act_min, a.act_max);
                   magnitude[o] = (float)(mag + (a.bias ? fabs(a.bias[c]) : 0.0));
                 })
    const int64_t n = elements_out(&a.g), rows = a.g.batches * a.g.out_h;
    for (int k = 0; k < n_variants; k++) {
      a.output = got;
      const int64_t split = rng_int(&r, 0, (int32_t)rows);
      v[k].f32(&a, 0, split);
      v[k].f32(&a, split, rows);
      int64_t bad = -1;
      for (int64_t i = 0; i < n && bad < 0; i++)
        if (!(fabs((double)got[i] - want[i]) <= 1e-5 * (1.0 + magnitude[i]))) bad = i;
      CHECK_MSG(bad < 0, "%s case %d: output %lld is %.9g, expected %.9g", v[k].name, cases, (long long)bad,
                bad >= 0 ? got[bad] : 0.0, bad >= 0 ? want[bad] : 0.0);
    }
  }
}

/* The tap range helper agrees with testing each tap. */
static void tap_range_matches_bounds_checks(void) {
  for (int64_t start = -9; start <= 12; start++)
    for (int64_t dilation = 1; dilation <= 3; dilation++)
      for (int64_t taps = 1; taps <= 4; taps++)
        for (int64_t size = 1; size <= 6; size++) {
          int64_t begin, end, want_begin = -1, want_end = -1;
          er_dwconv_tap_range(start, dilation, taps, size, &begin, &end);
          for (int64_t t = 0; t < taps; t++) {
            const int64_t at = start + t * dilation;
            if (at < 0 || at >= size) continue;
            if (want_begin < 0) want_begin = t;
            want_end = t + 1;
          }
          if (want_begin < 0) {
            CHECK_EQ_INT(end - begin, 0);
          } else {
            CHECK_EQ_INT(begin, want_begin);
            CHECK_EQ_INT(end, want_end);
          }
        }
}

/* One int8 DEPTHWISE_CONV_2D node run through the interpreter with a per-channel filter. */
static edgert_status run_int8_op(const er_conv_attrs *attrs, const int64_t in_dims[4], const int8_t *input,
                                 const int64_t f_dims[4], const int8_t *filter, const int32_t *bias,
                                 const float *filter_scales, int32_t input_zp, int32_t output_zp, int8_t *out,
                                 size_t out_bytes) {
  ct_tensor in[3] = {
      {.dtype = EDGERT_INT8,
       .ndim = 4,
       .dims = {in_dims[0], in_dims[1], in_dims[2], in_dims[3]},
       .scale = 0.05f,
       .zero_point = input_zp},
      {.dtype = EDGERT_INT8,
       .ndim = 4,
       .dims = {f_dims[0], f_dims[1], f_dims[2], f_dims[3]},
       .data = filter,
       .channels = (int)f_dims[3],
       .axis = 3,
       .scales = filter_scales},
      {.dtype = EDGERT_INT32, .ndim = 1, .dims = {f_dims[3]}, .data = bias},
  };
  ct_tensor o = {.dtype = EDGERT_INT8, .ndim = -1, .scale = 0.1f, .zero_point = output_zp};
  return ct_run(ER_OP_DEPTHWISE_CONV_2D, attrs, sizeof *attrs, 3, in, (const void *[]){input}, &o, out,
                out_bytes, NULL, false);
}

static void int8_op_scalar_matches_default_isa(void) {
  static int8_t input[2 * 17 * 17 * 35], filter[3 * 3 * 70], scalar_out[2 * 17 * 17 * 70],
      default_out[2 * 17 * 17 * 70];
  static int32_t bias[70];
  static float scales[70];
  rng r = {0x243F6A8885A308D3ull};
  const char *saved = getenv("EDGERT_ISA");
  char saved_copy[32] = "";
  if (saved) snprintf(saved_copy, sizeof saved_copy, "%s", saved);
  for (int i = 0; i < 60; i++) {
    /* every fifth case multiplier 2, every seventh one input channel read by up to 70 outputs */
    const int64_t channels = i % 7 == 6 ? 1 : rng_int(&r, 1, 35);
    const int64_t multiplier = i % 7 == 6 ? rng_int(&r, 1, 70) : i % 5 == 4 ? 2 : 1;
    const int64_t in_dims[4] = {rng_int(&r, 1, 2), rng_int(&r, 1, 17), rng_int(&r, 1, 17), channels};
    const int64_t f_dims[4] = {1, rng_int(&r, 1, 3), rng_int(&r, 1, 3), channels * multiplier};
    er_conv_attrs attrs = ct_conv_attrs(rng_int(&r, 0, 1) ? ER_PAD_SAME : ER_PAD_VALID, rng_int(&r, 1, 3),
                                        rng_int(&r, 1, 3), i % 3 == 0 ? ER_ACT_RELU6 : ER_ACT_NONE);
    attrs.depth_multiplier = (int32_t)multiplier;
    attrs.dilation_h = attrs.dilation_w = i % 4 == 3 ? 2 : 1;
    for (int64_t k = 0; k < in_dims[0] * in_dims[1] * in_dims[2] * channels; k++)
      input[k] = (int8_t)rng_int(&r, -128, 127);
    for (int64_t k = 0; k < f_dims[1] * f_dims[2] * f_dims[3]; k++)
      filter[k] = (int8_t)rng_int(&r, -127, 127);
    for (int64_t c = 0; c < f_dims[3]; c++) {
      bias[c] = rng_int(&r, -5000, 5000);
      scales[c] = (float)rng_int(&r, 1, 100) / 4000.0f;
    }
    const int32_t input_zp = rng_int(&r, -128, 127), output_zp = rng_int(&r, -128, 127);
    /* output size: VALID windows may not fit; then the op is refused either way, so skip */
    const int64_t eff_h = (f_dims[1] - 1) * attrs.dilation_h + 1,
                  eff_w = (f_dims[2] - 1) * attrs.dilation_w + 1;
    int64_t out_h, out_w;
    if (attrs.padding == ER_PAD_SAME) {
      out_h = (in_dims[1] + attrs.stride_h - 1) / attrs.stride_h;
      out_w = (in_dims[2] + attrs.stride_w - 1) / attrs.stride_w;
    } else {
      if (in_dims[1] < eff_h || in_dims[2] < eff_w) continue;
      out_h = (in_dims[1] - eff_h) / attrs.stride_h + 1;
      out_w = (in_dims[2] - eff_w) / attrs.stride_w + 1;
    }
    const size_t bytes = (size_t)(in_dims[0] * out_h * out_w * f_dims[3]);
    setenv("EDGERT_ISA", "scalar", 1);
    CHECK_OK(run_int8_op(&attrs, in_dims, input, f_dims, filter, bias, scales, input_zp, output_zp,
                         scalar_out, bytes));
    if (saved)
      setenv("EDGERT_ISA", saved_copy, 1);
    else
      unsetenv("EDGERT_ISA");
    CHECK_OK(run_int8_op(&attrs, in_dims, input, f_dims, filter, bias, scales, input_zp, output_zp,
                         default_out, bytes));
    CHECK_MSG(memcmp(scalar_out, default_out, bytes) == 0, "case %d differs between ISAs", i);
  }
}

void run_tests(void) {
  RUN(tap_range_matches_bounds_checks);
  RUN(qs8_micro_kernels_match_reference);
  RUN(qs8_pixel_groups_match_reference);
  RUN(f32_micro_kernels_match_reference);
  RUN(int8_op_scalar_matches_default_isa);
}
