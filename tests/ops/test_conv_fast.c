/* CONV_2D's fast paths (int8 GEMM with im2col or direct 1x1 rows; float GEMM) against a plain loop with
 * the reference arithmetic, on odd shapes: strides, dilation, SAME/VALID padding, input channels that are
 * not a multiple of 4, output-channel tails, batch 2, per-channel scales with left and right shifts, under
 * every ISA cap (EDGERT_ISA=scalar, avx2, avx512, neon and none). int8 must match bit for bit. */
#include <stdlib.h>
#include <string.h>

#include "conv_test.h"
#include "core/quant.h"
#include "ops/conv_common.h"
#include "test_random.h"

static uint32_t rng_state = 777u;
static uint32_t next_random(void) { return test_random_next(&rng_state); }

typedef struct {
  int64_t batches, in_h, in_w, in_c, out_c, filter_h, filter_w;
  int stride_h, stride_w, dil_h, dil_w;
  er_padding padding;
  er_activation act;
} conv_shape;

static const conv_shape shapes[] = {
    {2, 7, 9, 3, 5, 3, 3, 1, 1, 1, 1, ER_PAD_SAME, ER_ACT_NONE},
    {1, 8, 8, 5, 17, 1, 1, 1, 1, 1, 1, ER_PAD_VALID, ER_ACT_RELU},
    {2, 5, 6, 7, 33, 1, 1, 2, 2, 1, 1, ER_PAD_SAME, ER_ACT_NONE},
    {1, 11, 10, 1, 8, 3, 3, 2, 2, 1, 1, ER_PAD_SAME, ER_ACT_RELU6},
    {1, 9, 9, 6, 19, 3, 2, 1, 2, 2, 1, ER_PAD_VALID, ER_ACT_NONE},
    {2, 10, 7, 4, 16, 5, 3, 3, 1, 1, 2, ER_PAD_SAME, ER_ACT_NONE},
    {1, 4, 4, 37, 37, 2, 2, 1, 1, 1, 1, ER_PAD_SAME, ER_ACT_NONE},
    {1, 3, 5, 64, 40, 3, 3, 1, 1, 1, 1, ER_PAD_SAME, ER_ACT_RELU},
    {2, 1, 1, 13, 3, 1, 1, 1, 1, 1, 1, ER_PAD_VALID, ER_ACT_NONE},
};

static const char *const isa_caps[] = {"scalar", "avx2", "avx512", "neon", NULL};

static void set_isa(const char *cap) {
  if (cap)
    setenv("EDGERT_ISA", cap, 1);
  else
    unsetenv("EDGERT_ISA");
}

static er_conv_attrs shape_attrs(const conv_shape *s) {
  er_conv_attrs a = ct_conv_attrs(s->padding, s->stride_w, s->stride_h, s->act);
  a.dilation_h = s->dil_h;
  a.dilation_w = s->dil_w;
  return a;
}

static void output_size(const conv_shape *s, int64_t *out_h, int64_t *out_w, int64_t *pad_h, int64_t *pad_w) {
  const int64_t span_h = (s->filter_h - 1) * s->dil_h + 1, span_w = (s->filter_w - 1) * s->dil_w + 1;
  if (s->padding == ER_PAD_VALID) {
    *out_h = (s->in_h - span_h) / s->stride_h + 1;
    *out_w = (s->in_w - span_w) / s->stride_w + 1;
    *pad_h = *pad_w = 0;
    return;
  }
  *out_h = (s->in_h + s->stride_h - 1) / s->stride_h;
  *out_w = (s->in_w + s->stride_w - 1) / s->stride_w;
  int64_t total_h = (*out_h - 1) * s->stride_h + span_h - s->in_h,
          total_w = (*out_w - 1) * s->stride_w + span_w - s->in_w;
  *pad_h = total_h > 0 ? total_h / 2 : 0;
  *pad_w = total_w > 0 ? total_w / 2 : 0;
}

/* The reference arithmetic (conv.c conv_i8): int64 sum of w * (x - zero point) over taps inside the image,
 * plus bias, wrapped to int32 and requantized per channel. */
static void reference_i8(const conv_shape *s, const int8_t *in, int32_t in_zp, const int8_t *filter,
                         const int32_t *bias, const int32_t *mult, const int32_t *shift, int32_t out_zp,
                         int32_t lo, int32_t hi, int8_t *out) {
  int64_t out_h, out_w, pad_h, pad_w, o = 0;
  output_size(s, &out_h, &out_w, &pad_h, &pad_w);
  for (int64_t b = 0; b < s->batches; b++)
    for (int64_t oy = 0; oy < out_h; oy++)
      for (int64_t ox = 0; ox < out_w; ox++)
        for (int64_t oc = 0; oc < s->out_c; oc++) {
          int64_t sum = bias[oc];
          for (int64_t fy = 0; fy < s->filter_h; fy++)
            for (int64_t fx = 0; fx < s->filter_w; fx++) {
              int64_t iy = oy * s->stride_h - pad_h + fy * s->dil_h,
                      ix = ox * s->stride_w - pad_w + fx * s->dil_w;
              if (iy < 0 || iy >= s->in_h || ix < 0 || ix >= s->in_w) continue;
              for (int64_t ic = 0; ic < s->in_c; ic++)
                sum += (int64_t)filter[((oc * s->filter_h + fy) * s->filter_w + fx) * s->in_c + ic] *
                       ((int64_t)in[((b * s->in_h + iy) * s->in_w + ix) * s->in_c + ic] - in_zp);
            }
          out[o++] = (int8_t)er_requantize_i32(er_wrap_i32(sum), mult[oc], shift[oc], out_zp, lo, hi);
        }
}

static void conv_int8_fast_matches_reference(void) {
  for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
    const conv_shape *s = &shapes[si];
    int64_t out_h, out_w, pad_h, pad_w;
    output_size(s, &out_h, &out_w, &pad_h, &pad_w);
    const int64_t n_in = s->batches * s->in_h * s->in_w * s->in_c,
                  n_filter = s->out_c * s->filter_h * s->filter_w * s->in_c,
                  n_out = s->batches * out_h * out_w * s->out_c;
    int8_t *in = malloc((size_t)n_in), *filter = malloc((size_t)n_filter), *want = malloc((size_t)n_out),
           *got = malloc((size_t)n_out);
    int32_t *bias = malloc(sizeof(int32_t) * (size_t)s->out_c),
            *mult = malloc(sizeof(int32_t) * (size_t)s->out_c),
            *shift = malloc(sizeof(int32_t) * (size_t)s->out_c);
    float *scales = malloc(sizeof(float) * (size_t)s->out_c);
    /* Some windows all -128 / all 127 (extremes), the rest random. */
    for (int64_t i = 0; i < n_in; i++)
      in[i] = (int8_t)(i % 97 < 10 ? -128 : i % 97 < 20 ? 127 : (int32_t)(next_random() % 256u) - 128);
    for (int64_t i = 0; i < n_filter; i++)
      filter[i] = (int8_t)(i % 50 < 3 ? -128 : (int32_t)(next_random() % 256u) - 128);
    const float in_scale = 0.05f, out_scale = 0.5f;
    const int32_t in_zp = (int32_t)(si * 37 % 256) - 128, out_zp = (int32_t)(si * 53 % 200) - 100;
    for (int64_t c = 0; c < s->out_c; c++) {
      bias[c] = (int32_t)(next_random() % 40001u) - 20000;
      /* Effective scales from 2^-14 to about 4: right shifts and, for a few channels, left ones. */
      scales[c] = c % 7 == 3 ? 30.0f + (float)c : 0.0001f * (float)(1 + next_random() % 500u);
      int sh;
      er_quantize_multiplier((double)in_scale * (double)scales[c] / (double)out_scale, &mult[c], &sh);
      shift[c] = sh;
    }
    int32_t lo, hi;
    er_activation_range_quantized(s->act, out_scale, out_zp, -128, 127, &lo, &hi);
    reference_i8(s, in, in_zp, filter, bias, mult, shift, out_zp, lo, hi, want);
    er_conv_attrs a = shape_attrs(s);
    ct_tensor inputs[3] = {
        {.dtype = EDGERT_INT8,
         .ndim = 4,
         .dims = {s->batches, s->in_h, s->in_w, s->in_c},
         .scale = in_scale,
         .zero_point = in_zp},
        {.dtype = EDGERT_INT8,
         .ndim = 4,
         .dims = {s->out_c, s->filter_h, s->filter_w, s->in_c},
         .data = filter,
         .channels = (int)s->out_c,
         .axis = 0,
         .scales = scales},
        {.dtype = EDGERT_INT32, .ndim = 1, .dims = {s->out_c}, .data = bias},
    };
    ct_tensor out = {.dtype = EDGERT_INT8, .ndim = -1, .scale = out_scale, .zero_point = out_zp};
    for (size_t ci = 0; ci < sizeof isa_caps / sizeof isa_caps[0]; ci++) {
      set_isa(isa_caps[ci]);
      memset(got, 0, (size_t)n_out);
      CHECK_OK(ct_run(ER_OP_CONV_2D, &a, sizeof a, 3, inputs, (const void *[]){in}, &out, got, (size_t)n_out,
                      NULL, false));
      bool same = memcmp(got, want, (size_t)n_out) == 0;
      CHECK_MSG(same, "shape %zu, EDGERT_ISA=%s", si, isa_caps[ci] ? isa_caps[ci] : "(none)");
    }
    set_isa(NULL);
    free(in);
    free(filter);
    free(want);
    free(got);
    free(bias);
    free(mult);
    free(shift);
    free(scales);
  }
}

/* Float: the GEMM path against a double-precision loop, within 1e-5 * (1 + sum |w * x|). */
static void conv_float_fast_matches_reference(void) {
  for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
    const conv_shape *s = &shapes[si];
    int64_t out_h, out_w, pad_h, pad_w;
    output_size(s, &out_h, &out_w, &pad_h, &pad_w);
    const int64_t n_in = s->batches * s->in_h * s->in_w * s->in_c,
                  n_filter = s->out_c * s->filter_h * s->filter_w * s->in_c,
                  n_out = s->batches * out_h * out_w * s->out_c;
    float *in = malloc(sizeof(float) * (size_t)n_in), *filter = malloc(sizeof(float) * (size_t)n_filter),
          *bias = malloc(sizeof(float) * (size_t)s->out_c), *got = malloc(sizeof(float) * (size_t)n_out);
    double *want = malloc(sizeof(double) * (size_t)n_out), *mag = malloc(sizeof(double) * (size_t)n_out);
    for (int64_t i = 0; i < n_in; i++)
      in[i] = (float)((int32_t)(next_random() % 2001u) - 1000) / 250.0f;
    for (int64_t i = 0; i < n_filter; i++)
      filter[i] = (float)((int32_t)(next_random() % 2001u) - 1000) / 900.0f;
    for (int64_t c = 0; c < s->out_c; c++)
      bias[c] = (float)((int32_t)(next_random() % 201u) - 100) / 50.0f;
    float lo, hi;
    er_activation_range_float(s->act, &lo, &hi);
    int64_t o = 0;
    for (int64_t b = 0; b < s->batches; b++)
      for (int64_t oy = 0; oy < out_h; oy++)
        for (int64_t ox = 0; ox < out_w; ox++)
          for (int64_t oc = 0; oc < s->out_c; oc++, o++) {
            double sum = bias[oc], m = fabs(bias[oc]);
            for (int64_t fy = 0; fy < s->filter_h; fy++)
              for (int64_t fx = 0; fx < s->filter_w; fx++) {
                int64_t iy = oy * s->stride_h - pad_h + fy * s->dil_h,
                        ix = ox * s->stride_w - pad_w + fx * s->dil_w;
                if (iy < 0 || iy >= s->in_h || ix < 0 || ix >= s->in_w) continue;
                for (int64_t ic = 0; ic < s->in_c; ic++) {
                  double p = (double)filter[((oc * s->filter_h + fy) * s->filter_w + fx) * s->in_c + ic] *
                             (double)in[((b * s->in_h + iy) * s->in_w + ix) * s->in_c + ic];
                  sum += p;
                  m += fabs(p);
                }
              }
            want[o] = sum < lo ? lo : (sum > hi ? hi : sum);
            mag[o] = m;
          }
    er_conv_attrs a = shape_attrs(s);
    ct_tensor inputs[3] = {
        {.dtype = EDGERT_FLOAT32, .ndim = 4, .dims = {s->batches, s->in_h, s->in_w, s->in_c}},
        {.dtype = EDGERT_FLOAT32,
         .ndim = 4,
         .dims = {s->out_c, s->filter_h, s->filter_w, s->in_c},
         .data = filter},
        {.dtype = EDGERT_FLOAT32, .ndim = 1, .dims = {s->out_c}, .data = bias},
    };
    ct_tensor out = {.dtype = EDGERT_FLOAT32, .ndim = -1};
    for (size_t ci = 0; ci < sizeof isa_caps / sizeof isa_caps[0]; ci++) {
      set_isa(isa_caps[ci]);
      CHECK_OK(ct_run(ER_OP_CONV_2D, &a, sizeof a, 3, inputs, (const void *[]){in}, &out, got,
                      sizeof(float) * (size_t)n_out, NULL, false));
      int bad = 0;
      for (int64_t i = 0; i < n_out && bad < 3; i++)
        if (!(fabs((double)got[i] - want[i]) <= 1e-5 * (1.0 + mag[i]))) {
          fprintf(stderr, "shape %zu ISA %s: out[%lld] = %.9g, expected %.9g\n", si,
                  isa_caps[ci] ? isa_caps[ci] : "(none)", (long long)i, (double)got[i], want[i]);
          bad++;
        }
      CHECK(bad == 0);
    }
    set_isa(NULL);
    free(in);
    free(filter);
    free(bias);
    free(got);
    free(want);
    free(mag);
  }
}

void run_tests(void) {
  RUN(conv_int8_fast_matches_reference);
  RUN(conv_float_fast_matches_reference);
}
