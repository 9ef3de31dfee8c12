/* NHWC AVERAGE_POOL_2D and MAX_POOL_2D: the vectorized kernels (pooling_nhwc.h) must give the reference
 * kernel's bits, int8 and float alike. Each case runs the op through the interpreter twice, under
 * EDGERT_ISA=scalar (the reference loops) and under the CPU's default choice, on odd shapes: channels
 * 1..70 (vector tails), sizes 1..17, filters up to the whole image, strides 1..3, SAME and VALID padding,
 * batch 1..2, fused activations, extreme values and zero points. */
#include <stdlib.h>
#include <string.h>

#include "op_harness.h"

#include "core/attrs.h"

typedef struct {
  uint64_t s;
} rng;

static uint32_t rng_next(rng *r) {
  r->s ^= r->s << 13;
  r->s ^= r->s >> 7;
  r->s ^= r->s << 17;
  return (uint32_t)(r->s >> 16);
}

static int32_t rng_int(rng *r, int32_t lo, int32_t hi) {
  return lo + (int32_t)(rng_next(r) % (uint32_t)((int64_t)hi - lo + 1));
}

typedef struct {
  er_op op;
  edgert_dtype dtype;
  int64_t dims[4];
  float scale;
  int32_t zero_point;
  er_pool_attrs attrs;
} pool_case;

/* Runs the case under EDGERT_ISA=isa (NULL: unset); the output goes to out, its byte size to *bytes. */
static edgert_status run_under(const char *isa, const pool_case *c, const void *input, void *out, size_t cap,
                               size_t *bytes) {
  if (isa)
    setenv("EDGERT_ISA", isa, 1);
  else
    unsetenv("EDGERT_ISA");
  th_graph *g = th_new();
  int in = th_tensor(g, c->dtype, 4, c->dims, NULL);
  int res = th_tensor(g, c->dtype, -1, NULL, NULL);
  if (c->dtype == EDGERT_INT8) {
    th_quant(g, in, c->scale, c->zero_point);
    th_quant(g, res, c->scale, c->zero_point);
  }
  th_node(g, c->op, &c->attrs, sizeof c->attrs, 1, (int[]){in}, 1, (int[]){res});
  th_io(g, 1, (int[]){in}, 1, (int[]){res});
  edgert_status st = th_run(g, (const void *[]){input});
  *bytes = 0;
  if (st == EDGERT_OK) {
    edgert_tensor_info info = th_output_info(g, 0);
    *bytes = info.bytes;
    CHECK(info.bytes <= cap);
    if (info.bytes <= cap) memcpy(out, th_output(g, 0), info.bytes);
  }
  th_free(g);
  return st;
}

static void random_case(rng *r, pool_case *c, edgert_dtype dtype) {
  memset(c, 0, sizeof *c);
  c->op = rng_int(r, 0, 1) ? ER_OP_AVERAGE_POOL_2D : ER_OP_MAX_POOL_2D;
  c->dtype = dtype;
  c->dims[0] = rng_int(r, 1, 2);
  c->dims[1] = rng_int(r, 1, 17);
  c->dims[2] = rng_int(r, 1, 17);
  c->dims[3] = rng_int(r, 1, 70);
  c->scale = (float)rng_int(r, 1, 200) / 1000.0f;
  c->zero_point = rng_int(r, 0, 3) == 0 ? (rng_int(r, 0, 1) ? -128 : 127) : rng_int(r, -128, 127);
  er_pool_attrs *a = &c->attrs;
  a->layout = ER_LAYOUT_NHWC;
  a->padding = rng_int(r, 0, 1) ? ER_PAD_SAME : ER_PAD_VALID;
  const bool global = rng_int(r, 0, 7) == 0;
  a->filter_h = global ? (int32_t)c->dims[1] : rng_int(r, 1, 5);
  a->filter_w = global ? (int32_t)c->dims[2] : rng_int(r, 1, 5);
  if (a->padding == ER_PAD_VALID) {
    if (a->filter_h > c->dims[1]) a->filter_h = (int32_t)c->dims[1];
    if (a->filter_w > c->dims[2]) a->filter_w = (int32_t)c->dims[2];
  }
  a->stride_h = rng_int(r, 1, 3);
  a->stride_w = rng_int(r, 1, 3);
  static const er_activation acts[4] = {ER_ACT_NONE, ER_ACT_RELU, ER_ACT_RELU6, ER_ACT_RELU_N1_TO_1};
  a->activation = acts[rng_int(r, 0, 3)];
}

static void fill_input(rng *r, const pool_case *c, void *input) {
  const int64_t n = c->dims[0] * c->dims[1] * c->dims[2] * c->dims[3];
  const int mode = rng_int(r, 0, 2);
  for (int64_t i = 0; i < n; i++) {
    if (c->dtype == EDGERT_INT8) {
      int32_t v = mode == 1 ? (rng_int(r, 0, 1) ? -128 : 127) : rng_int(r, -128, 127);
      ((int8_t *)input)[i] = (int8_t)v;
    } else {
      ((float *)input)[i] = mode == 1 ? (float)rng_int(r, -3, 3) : (float)rng_int(r, -80000, 80000) / 9999.0f;
    }
  }
}

static void fast_pool_matches_reference(edgert_dtype dtype, uint64_t seed) {
  enum { MAX_ELEMENTS = 2 * 17 * 17 * 70 };
  static float input[MAX_ELEMENTS], want[MAX_ELEMENTS], got[MAX_ELEMENTS];
  const char *saved = getenv("EDGERT_ISA");
  char saved_copy[32] = "";
  if (saved) snprintf(saved_copy, sizeof saved_copy, "%s", saved);
  rng r = {seed};
  for (int i = 0; i < 300; i++) {
    pool_case c;
    random_case(&r, &c, dtype);
    fill_input(&r, &c, input);
    size_t want_bytes, got_bytes;
    edgert_status st = run_under("scalar", &c, input, want, sizeof want, &want_bytes);
    if (st != EDGERT_OK) continue; /* a geometry the op refuses (a window with no pixel) */
    CHECK_OK(run_under(saved ? saved_copy : NULL, &c, input, got, sizeof got, &got_bytes));
    CHECK_EQ_INT(got_bytes, want_bytes);
    CHECK_MSG(got_bytes == want_bytes && memcmp(got, want, want_bytes) == 0,
              "case %d (%s %s, %lldx%lldx%lldx%lld, filter %dx%d, stride %dx%d, %s) differs", i,
              c.op == ER_OP_AVERAGE_POOL_2D ? "average" : "max", dtype == EDGERT_INT8 ? "int8" : "float",
              (long long)c.dims[0], (long long)c.dims[1], (long long)c.dims[2], (long long)c.dims[3],
              c.attrs.filter_h, c.attrs.filter_w, c.attrs.stride_h, c.attrs.stride_w,
              c.attrs.padding == ER_PAD_SAME ? "SAME" : "VALID");
  }
  if (saved)
    setenv("EDGERT_ISA", saved_copy, 1);
  else
    unsetenv("EDGERT_ISA");
}

static void int8_fast_pool_is_bit_exact(void) {
  fast_pool_matches_reference(EDGERT_INT8, 0x9E3779B97F4A7C15ull);
}
static void float_fast_pool_is_bit_exact(void) {
  fast_pool_matches_reference(EDGERT_FLOAT32, 0xD1B54A32D192ED03ull);
}

void run_tests(void) {
  RUN(int8_fast_pool_is_bit_exact);
  RUN(float_fast_pool_is_bit_exact);
}
