/* FULLY_CONNECTED's fast paths (int8 GEMM; float GEMM) against a plain loop with the reference arithmetic
 * on odd batch/depth/unit counts, per-tensor and per-channel weights, zero points and fused activations,
 * under every ISA cap (EDGERT_ISA=scalar, avx2, avx512, neon and none). int8 must match bit for bit. */
#include <stdlib.h>
#include <string.h>

#include "conv_test.h"
#include "core/quant.h"
#include "ops/conv_common.h"
#include "test_random.h"

static uint32_t rng_state = 4242u;
static uint32_t next_random(void) { return test_random_next(&rng_state); }

typedef struct {
  int64_t batches, depth, units;
  bool per_channel;
  er_activation act;
} fc_shape;

static const fc_shape shapes[] = {
    {1, 1, 1, false, ER_ACT_NONE},   {1, 37, 17, true, ER_ACT_NONE},  {2, 16, 33, true, ER_ACT_RELU},
    {3, 67, 5, false, ER_ACT_RELU6}, {5, 31, 40, true, ER_ACT_NONE},  {9, 256, 2, true, ER_ACT_NONE},
    {13, 9, 16, false, ER_ACT_NONE}, {4, 128, 31, true, ER_ACT_RELU}, {1, 300, 257, true, ER_ACT_NONE},
};

static const char *const isa_caps[] = {"scalar", "avx2", "avx512", "neon", NULL};

static void set_isa(const char *cap) {
  if (cap)
    setenv("EDGERT_ISA", cap, 1);
  else
    unsetenv("EDGERT_ISA");
}

static er_fc_attrs fc_attrs(er_activation act) {
  er_fc_attrs a;
  memset(&a, 0, sizeof a);
  a.activation = act;
  return a;
}

static void fc_int8_fast_matches_reference(void) {
  for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
    const fc_shape *s = &shapes[si];
    const int64_t n_in = s->batches * s->depth, n_w = s->units * s->depth, n_out = s->batches * s->units;
    int8_t *in = malloc((size_t)n_in), *w = malloc((size_t)n_w), *want = malloc((size_t)n_out),
           *got = malloc((size_t)n_out);
    int32_t *bias = malloc(sizeof(int32_t) * (size_t)s->units);
    float *scales = malloc(sizeof(float) * (size_t)s->units);
    for (int64_t i = 0; i < n_in; i++)
      in[i] = (int8_t)(i % 41 < 4 ? -128 : i % 41 < 8 ? 127 : (int32_t)(next_random() % 256u) - 128);
    for (int64_t i = 0; i < n_w; i++)
      w[i] = (int8_t)(i % 29 < 2 ? -128 : (int32_t)(next_random() % 256u) - 128);
    const float in_scale = 0.03f, out_scale = 0.25f;
    const int32_t in_zp = (int32_t)(si * 71 % 256) - 128, out_zp = (int32_t)(si * 29 % 180) - 90;
    for (int64_t u = 0; u < s->units; u++) {
      bias[u] = (int32_t)(next_random() % 60001u) - 30000;
      scales[u] = u % 5 == 2 ? 40.0f : 0.0002f * (float)(1 + next_random() % 300u);
    }
    int32_t lo, hi;
    er_activation_range_quantized(s->act, out_scale, out_zp, -128, 127, &lo, &hi);
    for (int64_t b = 0; b < s->batches; b++)
      for (int64_t u = 0; u < s->units; u++) {
        int64_t sum = bias[u];
        for (int64_t k = 0; k < s->depth; k++)
          sum += (int64_t)w[u * s->depth + k] * ((int64_t)in[b * s->depth + k] - in_zp);
        int32_t mult;
        int shift;
        er_quantize_multiplier((double)in_scale * (double)scales[s->per_channel ? u : 0] / (double)out_scale,
                               &mult, &shift);
        want[b * s->units + u] = (int8_t)er_requantize_i32(er_wrap_i32(sum), mult, shift, out_zp, lo, hi);
      }
    er_fc_attrs a = fc_attrs(s->act);
    ct_tensor inputs[3] = {
        {.dtype = EDGERT_INT8,
         .ndim = 2,
         .dims = {s->batches, s->depth},
         .scale = in_scale,
         .zero_point = in_zp},
        {.dtype = EDGERT_INT8,
         .ndim = 2,
         .dims = {s->units, s->depth},
         .data = w,
         .scale = s->per_channel ? 0.0f : scales[0],
         .channels = s->per_channel ? (int)s->units : 0,
         .axis = 0,
         .scales = scales},
        {.dtype = EDGERT_INT32, .ndim = 1, .dims = {s->units}, .data = bias},
    };
    ct_tensor out = {.dtype = EDGERT_INT8, .ndim = -1, .scale = out_scale, .zero_point = out_zp};
    for (size_t ci = 0; ci < sizeof isa_caps / sizeof isa_caps[0]; ci++) {
      set_isa(isa_caps[ci]);
      memset(got, 0, (size_t)n_out);
      CHECK_OK(ct_run(ER_OP_FULLY_CONNECTED, &a, sizeof a, 3, inputs, (const void *[]){in}, &out, got,
                      (size_t)n_out, NULL, false));
      CHECK_MSG(memcmp(got, want, (size_t)n_out) == 0, "shape %zu, EDGERT_ISA=%s", si,
                isa_caps[ci] ? isa_caps[ci] : "(none)");
    }
    set_isa(NULL);
    free(in);
    free(w);
    free(want);
    free(got);
    free(bias);
    free(scales);
  }
}

/* Float: within 1e-5 * (1 + sum |w * x|) of a double-precision loop. */
static void fc_float_fast_matches_reference(void) {
  for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
    const fc_shape *s = &shapes[si];
    const int64_t n_in = s->batches * s->depth, n_w = s->units * s->depth, n_out = s->batches * s->units;
    float *in = malloc(sizeof(float) * (size_t)n_in), *w = malloc(sizeof(float) * (size_t)n_w),
          *bias = malloc(sizeof(float) * (size_t)s->units), *got = malloc(sizeof(float) * (size_t)n_out);
    for (int64_t i = 0; i < n_in; i++)
      in[i] = (float)((int32_t)(next_random() % 2001u) - 1000) / 300.0f;
    for (int64_t i = 0; i < n_w; i++)
      w[i] = (float)((int32_t)(next_random() % 2001u) - 1000) / 700.0f;
    for (int64_t u = 0; u < s->units; u++)
      bias[u] = (float)((int32_t)(next_random() % 201u) - 100) / 40.0f;
    float lo, hi;
    er_activation_range_float(s->act, &lo, &hi);
    er_fc_attrs a = fc_attrs(s->act);
    ct_tensor inputs[3] = {
        {.dtype = EDGERT_FLOAT32, .ndim = 2, .dims = {s->batches, s->depth}},
        {.dtype = EDGERT_FLOAT32, .ndim = 2, .dims = {s->units, s->depth}, .data = w},
        {.dtype = EDGERT_FLOAT32, .ndim = 1, .dims = {s->units}, .data = bias},
    };
    ct_tensor out = {.dtype = EDGERT_FLOAT32, .ndim = -1};
    for (size_t ci = 0; ci < sizeof isa_caps / sizeof isa_caps[0]; ci++) {
      set_isa(isa_caps[ci]);
      CHECK_OK(ct_run(ER_OP_FULLY_CONNECTED, &a, sizeof a, 3, inputs, (const void *[]){in}, &out, got,
                      sizeof(float) * (size_t)n_out, NULL, false));
      int bad = 0;
      for (int64_t b = 0; b < s->batches; b++)
        for (int64_t u = 0; u < s->units && bad < 3; u++) {
          double sum = bias[u], mag = fabs(bias[u]);
          for (int64_t k = 0; k < s->depth; k++) {
            double p = (double)w[u * s->depth + k] * (double)in[b * s->depth + k];
            sum += p;
            mag += fabs(p);
          }
          double want = sum < lo ? lo : (sum > hi ? hi : sum), v = got[b * s->units + u];
          if (!(fabs(v - want) <= 1e-5 * (1.0 + mag))) {
            fprintf(stderr, "shape %zu ISA %s: out[%lld][%lld] = %.9g, expected %.9g\n", si,
                    isa_caps[ci] ? isa_caps[ci] : "(none)", (long long)b, (long long)u, v, want);
            bad++;
          }
        }
      CHECK(bad == 0);
    }
    set_isa(NULL);
    free(in);
    free(w);
    free(bias);
    free(got);
  }
}

void run_tests(void) {
  RUN(fc_int8_fast_matches_reference);
  RUN(fc_float_fast_matches_reference);
}
