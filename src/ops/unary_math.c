/* Elementwise unary math: EXP, LOG, SQRT, RSQRT, SQUARE, SIN, COS, FLOOR, CEIL, ROUND on float32; ABS and
 * NEG on float32, int32 and int64; LOGICAL_NOT on bool. One prepare and one eval serve every op, choosing
 * the function from the node's op kind. ROUND rounds half to even, as TFLite's RoundToNearest. */
#include <math.h>

#include "ops/activation_common.h"

/* TFLite ROUND: ties go to the even neighbour (banker's rounding), unlike roundf. */
static float round_half_to_even(float v) {
  float floor_v = floorf(v);
  float diff = v - floor_v;
  if (diff < 0.5f || (diff == 0.5f && fmodf(floor_v, 2.0f) == 0.0f)) return floor_v;
  return floor_v + 1.0f;
}

static float rsqrt_f(float v) { return 1.0f / sqrtf(v); }
static float square_f(float v) { return v * v; }
static float neg_f(float v) { return -v; }

typedef float (*float_fn)(float);

static float_fn float_function(er_op op) {
  switch (op) {
  case ER_OP_EXP: return expf;
  case ER_OP_LOG: return logf;
  case ER_OP_SQRT: return sqrtf;
  case ER_OP_RSQRT: return rsqrt_f;
  case ER_OP_SQUARE: return square_f;
  case ER_OP_SIN: return sinf;
  case ER_OP_COS: return cosf;
  case ER_OP_FLOOR: return floorf;
  case ER_OP_CEIL: return ceilf;
  case ER_OP_ROUND: return round_half_to_even;
  case ER_OP_ABS: return fabsf;
  case ER_OP_NEG: return neg_f;
  default: return NULL;
  }
}

static edgert_status unary_math_prepare(er_op_ctx *ctx) {
  er_tensor *in, *out;
  edgert_status st = act_unary_io(ctx, &in, &out);
  if (st == EDGERT_OK) st = act_same_dtype(ctx, in, out);
  if (st != EDGERT_OK) return st;
  er_op op = ctx->node->op;
  if (op == ER_OP_LOGICAL_NOT)
    return in->dtype == EDGERT_BOOL ? EDGERT_OK : act_unsupported_dtype(ctx, in, "bool");
  if (!float_function(op)) return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "is not a unary math op");
  if (in->dtype == EDGERT_FLOAT32) return EDGERT_OK;
  if ((op == ER_OP_ABS || op == ER_OP_NEG) && (in->dtype == EDGERT_INT32 || in->dtype == EDGERT_INT64))
    return EDGERT_OK;
  return act_unsupported_dtype(ctx, in,
                               op == ER_OP_ABS || op == ER_OP_NEG ? "float32, int32, int64" : "float32");
}

/* Integer ABS and NEG wrap at the most negative value, as two's-complement hardware does. */
static void integer_abs_neg(er_op op, const er_tensor *in, er_tensor *out, int64_t n) {
  if (in->dtype == EDGERT_INT32) {
    const int32_t *x = in->data;
    int32_t *y = out->data;
    for (int64_t i = 0; i < n; i++) {
      uint32_t negated = 0u - (uint32_t)x[i];
      y[i] = (op == ER_OP_NEG || x[i] < 0) ? (int32_t)negated : x[i];
    }
  } else {
    const int64_t *x = in->data;
    int64_t *y = out->data;
    for (int64_t i = 0; i < n; i++) {
      uint64_t negated = 0u - (uint64_t)x[i];
      y[i] = (op == ER_OP_NEG || x[i] < 0) ? (int64_t)negated : x[i];
    }
  }
}

static edgert_status unary_math_eval(er_op_ctx *ctx) {
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  int64_t n = er_tensor_elements(in);
  er_op op = ctx->node->op;
  if (in->dtype == EDGERT_BOOL) {
    const uint8_t *x = in->data;
    uint8_t *y = out->data;
    for (int64_t i = 0; i < n; i++)
      y[i] = !x[i];
  } else if (in->dtype == EDGERT_FLOAT32) {
    float_fn fn = float_function(op);
    const float *x = in->data;
    float *y = out->data;
    for (int64_t i = 0; i < n; i++)
      y[i] = fn(x[i]);
  } else {
    integer_abs_neg(op, in, out, n);
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_unary_math = {unary_math_prepare, unary_math_eval};
