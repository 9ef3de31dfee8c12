/* Elementwise unary math: EXP, LOG, SQRT, RSQRT, SQUARE, SIN, COS, FLOOR, CEIL, ROUND on float32; ABS and
 * NEG on float32, int32 and int64; LOGICAL_NOT on bool. One prepare and one eval serve every op, choosing
 * the function from the node's op kind. ROUND rounds half to even, as TFLite's RoundToNearest.
 * Quantized paths, in TFLite's integer arithmetic (elementwise.cc): ABS on int8 and int16 (AbsEvalQuantized:
 * |q - input zero point| requantized to the output's scale; int16 without quantization is a plain
 * abs) and RSQRT on int8 (RsqrtEvalQuantizedInt8: a fixed-point 1/sqrt of q - zero point, then one
 * multiplier 1 / (sqrt(input scale) * output scale)). For ONNX models the float functions also run on
 * float64, float16 and bfloat16, computed in double and rounded once. */
#include <math.h>
#include <stdbool.h>

#include "core/quant.h"
#include "ops/activation_common.h"
#include "ops/elementwise_types.h"
#include "ops/fixedpoint_math.h"

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

static double round_half_to_even_d(double v) {
  double floor_v = floor(v);
  double diff = v - floor_v;
  if (diff < 0.5 || (diff == 0.5 && fmod(floor_v, 2.0) == 0.0)) return floor_v;
  return floor_v + 1.0;
}
static double rsqrt_d(double v) { return 1.0 / sqrt(v); }
static double square_d(double v) { return v * v; }
static double neg_d(double v) { return -v; }

typedef double (*double_fn)(double);

/* The same functions in double, for the float dtypes other than float32. */
static double_fn double_function(er_op op) {
  switch (op) {
  case ER_OP_EXP: return exp;
  case ER_OP_LOG: return log;
  case ER_OP_SQRT: return sqrt;
  case ER_OP_RSQRT: return rsqrt_d;
  case ER_OP_SQUARE: return square_d;
  case ER_OP_SIN: return sin;
  case ER_OP_COS: return cos;
  case ER_OP_FLOOR: return floor;
  case ER_OP_CEIL: return ceil;
  case ER_OP_ROUND: return round_half_to_even_d;
  case ER_OP_ABS: return fabs;
  case ER_OP_NEG: return neg_d;
  default: return NULL;
  }
}

/* Requantization of the int8 / int16 ABS and RSQRT paths, fixed at prepare. */
typedef struct {
  int32_t input_zero_point, output_zero_point;
  int32_t multiplier; /* ABS: input scale / output scale; RSQRT: 1 / (sqrt(input scale) * output scale) */
  int shift;
  bool rescale;   /* ABS: the scales differ (equal scales only move the zero point) */
  bool quantized; /* int16 ABS also runs unquantized, as a plain abs */
} unary_quant_data;

static edgert_status unary_quant_prepare(er_op_ctx *ctx, const er_tensor *in, const er_tensor *out) {
  er_op op = ctx->node->op;
  unary_quant_data *d = ACT_ALLOC_OP_DATA(ctx, unary_quant_data);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  ctx->op_data = d;
  /* TFLite: int16 ABS without quantization parameters is an integer abs; anything quantized needs both. */
  if (op == ER_OP_ABS && in->dtype == EDGERT_INT16 && in->q.scale == 0.0f && out->q.scale == 0.0f)
    return EDGERT_OK;
  edgert_status st = act_require_scale(ctx, in, "input");
  if (st == EDGERT_OK) st = act_require_scale(ctx, out, "output");
  if (st != EDGERT_OK) return st;
  if (in->dtype == EDGERT_INT16 && (in->q.zero_point != 0 || out->q.zero_point != 0))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "int16 needs zero points of 0, has %d and %d",
                   (int)in->q.zero_point, (int)out->q.zero_point);
  d->quantized = true;
  d->input_zero_point = in->q.zero_point;
  d->output_zero_point = out->q.zero_point;
  if (op == ER_OP_ABS) {
    /* The ratio is a float division, as TFLite's SetAbsOutputMultiplier takes float scales. */
    d->rescale = in->q.scale != out->q.scale;
    er_quantize_multiplier((double)(in->q.scale / out->q.scale), &d->multiplier, &d->shift);
  } else {
    /* SetRsqrtOutputMultiplier: the square root and product in float, the reciprocal in double. */
    er_quantize_multiplier(1.0 / (double)(sqrtf(in->q.scale) * out->q.scale), &d->multiplier, &d->shift);
  }
  return EDGERT_OK;
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
  if (er_is_float(in->dtype)) return EDGERT_OK;
  if ((op == ER_OP_ABS || op == ER_OP_NEG) && (in->dtype == EDGERT_INT32 || in->dtype == EDGERT_INT64))
    return EDGERT_OK;
  if ((op == ER_OP_ABS && (in->dtype == EDGERT_INT8 || in->dtype == EDGERT_INT16)) ||
      (op == ER_OP_RSQRT && in->dtype == EDGERT_INT8))
    return unary_quant_prepare(ctx, in, out);
  const char *supported = op == ER_OP_ABS     ? "float32, float64, float16, int8, int16, int32, int64"
                          : op == ER_OP_NEG   ? "float32, float64, float16, int32, int64"
                          : op == ER_OP_RSQRT ? "float32, float64, float16, int8"
                                              : "float32, float64, float16";
  return act_unsupported_dtype(ctx, in, supported);
}

static int32_t clamp_to_dtype(int64_t v, edgert_dtype t) {
  int32_t lo, hi;
  er_dtype_range(t, &lo, &hi);
  return v < lo ? lo : (v > hi ? hi : (int32_t)v);
}

static int32_t load_small_int(const void *p, int64_t i, edgert_dtype t) {
  return t == EDGERT_INT8 ? ((const int8_t *)p)[i] : ((const int16_t *)p)[i];
}

static void store_small_int(void *p, int64_t i, edgert_dtype t, int32_t v) {
  if (t == EDGERT_INT8)
    ((int8_t *)p)[i] = (int8_t)v;
  else
    ((int16_t *)p)[i] = (int16_t)v;
}

/* AbsEvalQuantized; unquantized int16 takes abs in int32 and wraps -32768 back to itself as TFLite does. */
static void quantized_abs(const unary_quant_data *d, const er_tensor *in, er_tensor *out, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    int32_t q = load_small_int(in->data, i, in->dtype);
    if (!d->quantized) {
      store_small_int(out->data, i, in->dtype, q < 0 ? -q : q);
      continue;
    }
    int32_t value = q - d->input_zero_point;
    value = value < 0 ? -value : value;
    int64_t scaled = d->rescale ? er_multiply_by_quantized_multiplier(value, d->multiplier, d->shift) : value;
    store_small_int(out->data, i, in->dtype, clamp_to_dtype(scaled + d->output_zero_point, in->dtype));
  }
}

/* 1/sqrt(input) as multiplier * 2^shift, shift counted to the left (TFLite's
 * GetInvSqrtQuantizedMultiplierExp with reverse_shift -1). The input is brought into [2^27, 2^29) by an
 * even shift so its square root shifts exactly; five Newton-Raphson steps on Q3.28 refine x = 1/sqrt(input)
 * from 1. Inputs 0 and 1 give the largest multiplier. (l2norm.c holds the same routine.) */
static void inv_sqrt_multiplier(int32_t input, int32_t *multiplier, int *shift) {
  if (input <= 1) {
    *multiplier = INT32_MAX;
    *shift = 0;
    return;
  }
  int right_shift = 11;
  while (input >= (1 << 29)) {
    input /= 4;
    ++right_shift;
  }
  const int left_shift_bit_pairs = (fx_count_leading_zeros((uint32_t)input) - 1) / 2 - 1;
  right_shift -= left_shift_bit_pairs;
  input <<= 2 * left_shift_bit_pairs;
  const int32_t half_input = er_rounding_divide_by_pot(input >> 1, 1); /* Q3.28 */
  const int32_t three_halves = (1 << 28) + (1 << 27);
  int32_t x = 1 << 28; /* 1.0 in Q3.28 */
  for (int i = 0; i < 5; i++) {
    int32_t x3 = fx_rescale(fx_mul(fx_mul(x, x), x), 9, 3);
    x = fx_rescale(fx_sub(fx_mul(three_halves, x), fx_mul(half_input, x3)), 6, 3);
  }
  const int32_t half_sqrt_2 = 1518500250; /* sqrt(2) / 2 in Q0.31 */
  x = fx_mul(x, half_sqrt_2);
  if (right_shift < 0) {
    x = (int32_t)((uint32_t)x << -right_shift);
    right_shift = 0;
  }
  *multiplier = x;
  *shift = -right_shift;
}

/* RsqrtEvalQuantizedInt8. 1/sqrt(q - zero point) is carried with 20 extra fraction bits between its own
 * multiplier and the output multiplier; q at the zero point stands for the largest output. Inputs below
 * the zero point (negative reals) fail, as in TFLite. */
static edgert_status quantized_rsqrt(er_op_ctx *ctx, const unary_quant_data *d, const er_tensor *in,
                                     er_tensor *out, int64_t n) {
  const int extra_bits = 20;
  const int8_t *x = in->data;
  int8_t *y = out->data;
  for (int64_t i = 0; i < n; i++) {
    int32_t value = x[i] - d->input_zero_point;
    if (value < 0)
      return er_fail(ctx, EDGERT_ERR_RUNTIME, "RSQRT of a negative value (input %lld is %d, zero point %d)",
                     (long long)i, (int)x[i], (int)d->input_zero_point);
    if (value == 0) {
      y[i] = INT8_MAX;
      continue;
    }
    int32_t inv_multiplier;
    int inv_shift;
    inv_sqrt_multiplier(value, &inv_multiplier, &inv_shift);
    int32_t inv_sqrt = er_multiply_by_quantized_multiplier(1, inv_multiplier, inv_shift + extra_bits);
    int64_t q = (int64_t)er_multiply_by_quantized_multiplier(inv_sqrt, d->multiplier, d->shift - extra_bits) +
                d->output_zero_point;
    y[i] = (int8_t)clamp_to_dtype(q, EDGERT_INT8);
  }
  return EDGERT_OK;
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
  } else if (er_is_float(in->dtype)) {
    double_fn fn = double_function(op);
    for (int64_t i = 0; i < n; i++)
      er_store_float(out->data, out->dtype, i, fn(er_load_float(in->data, in->dtype, i)));
  } else if (in->dtype == EDGERT_INT32 || in->dtype == EDGERT_INT64) {
    integer_abs_neg(op, in, out, n);
  } else if (op == ER_OP_ABS) {
    quantized_abs(ctx->op_data, in, out, n);
  } else {
    return quantized_rsqrt(ctx, ctx->op_data, in, out, n);
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_unary_math = {.prepare = unary_math_prepare, .eval = unary_math_eval};
