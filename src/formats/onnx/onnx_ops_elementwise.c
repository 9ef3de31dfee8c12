/* ONNX op mappers of the elementwise family (see onnx_families.def): arithmetic, comparisons and logic,
 * unary math, activations, Clip, Cast, CastLike and Where. Each maps one ONNX op, for a range of opsets,
 * to an IR op and its attrs; inputs and outputs keep ONNX's order.
 *
 * Opsets before 7 broadcast the second input of binary ops only when asked (broadcast = 1), aligned at
 * `axis`; those models are accepted when that alignment is numpy's (the second input's dims end where
 * the first's do), which is what exporters write. Opset 1's consumed_inputs attribute is an old
 * in-place hint and is ignored. */
#include <math.h>
#include <string.h>

#include "formats/onnx/onnx_map.h"
#include "formats/onnx/onnx_proto.h"

static bool string_is(const char *s, size_t len, const char *want) {
  return len == strlen(want) && memcmp(s, want, len) == 0;
}

/* The common end of a mapper: the op with no attrs. */
static edgert_status set_plain_op(er_onnx_node *n, er_op op) {
  er_onnx_ignore_attr(n, "consumed_inputs");
  er_onnx_set_op(n, op);
  return EDGERT_OK;
}

/* Opset < 7 binary ops: broadcast (0 or 1) and axis. */
static edgert_status check_legacy_broadcast(er_onnx_node *n) {
  if (er_onnx_opset(n) >= 7) return EDGERT_OK;
  int64_t broadcast = 0, axis = 0;
  if (!er_onnx_attr_int_or(n, "broadcast", 0, &broadcast)) return EDGERT_ERR_MALFORMED;
  const bool has_axis = er_onnx_attr_int(n, "axis", &axis);
  if (er_onnx_failed(n)) return EDGERT_ERR_MALFORMED;
  if (!broadcast || !has_axis) return EDGERT_OK; /* equal shapes, or numpy's trailing alignment */
  const er_tensor *a = er_onnx_input(n, 0), *b = er_onnx_input(n, 1);
  if (!a || !b) return er_onnx_fail(n, EDGERT_ERR_MALFORMED, "expects two inputs");
  if (axis < 0) axis += a->ndim;
  if (axis + b->ndim != a->ndim)
    return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED,
                        "legacy broadcast at axis %lld of a rank-%d input by a rank-%d input is not numpy's",
                        (long long)axis, (int)a->ndim, (int)b->ndim);
  return EDGERT_OK;
}

static edgert_status map_binary(er_onnx_node *n, er_op op) {
  edgert_status st = check_legacy_broadcast(n);
  if (st != EDGERT_OK) return st;
  return set_plain_op(n, op);
}

static edgert_status map_add(er_onnx_node *n) { return map_binary(n, ER_OP_ADD); }
static edgert_status map_sub(er_onnx_node *n) { return map_binary(n, ER_OP_SUB); }
static edgert_status map_mul(er_onnx_node *n) { return map_binary(n, ER_OP_MUL); }
static edgert_status map_div(er_onnx_node *n) { return map_binary(n, ER_OP_DIV); }
static edgert_status map_pow(er_onnx_node *n) { return map_binary(n, ER_OP_POW); }
static edgert_status map_and(er_onnx_node *n) { return map_binary(n, ER_OP_LOGICAL_AND); }
static edgert_status map_or(er_onnx_node *n) { return map_binary(n, ER_OP_LOGICAL_OR); }
static edgert_status map_xor(er_onnx_node *n) { return map_binary(n, ER_OP_LOGICAL_XOR); }

/* Comparisons answer bool whatever their inputs. */
static edgert_status map_compare(er_onnx_node *n, er_op op) {
  er_onnx_set_output_dtype(n, 0, EDGERT_BOOL);
  return map_binary(n, op);
}
static edgert_status map_equal(er_onnx_node *n) { return map_compare(n, ER_OP_EQUAL); }
static edgert_status map_less(er_onnx_node *n) { return map_compare(n, ER_OP_LESS); }
static edgert_status map_greater(er_onnx_node *n) { return map_compare(n, ER_OP_GREATER); }
static edgert_status map_less_equal(er_onnx_node *n) { return map_compare(n, ER_OP_LESS_EQUAL); }
static edgert_status map_greater_equal(er_onnx_node *n) { return map_compare(n, ER_OP_GREATER_EQUAL); }

/* Mod: fmod = 0 is the remainder with the divisor's sign (integers only in ONNX), fmod = 1 C's fmod. */
static edgert_status map_mod(er_onnx_node *n) {
  int64_t fmod_flag = 0;
  if (!er_onnx_attr_int_or(n, "fmod", 0, &fmod_flag)) return EDGERT_ERR_MALFORMED;
  if (fmod_flag != 0 && fmod_flag != 1)
    return er_onnx_fail(n, EDGERT_ERR_MALFORMED, "fmod %lld is not 0 or 1", (long long)fmod_flag);
  return set_plain_op(n, fmod_flag ? ER_OP_FMOD : ER_OP_FLOOR_MOD);
}

static edgert_status map_bit_shift(er_onnx_node *n) {
  const char *s;
  size_t len;
  if (!er_onnx_attr_string(n, "direction", &s, &len))
    return er_onnx_failed(n) ? EDGERT_ERR_MALFORMED
                             : er_onnx_fail(n, EDGERT_ERR_MALFORMED, "the direction attribute is missing");
  const bool left = string_is(s, len, "LEFT");
  if (!left && !string_is(s, len, "RIGHT"))
    return er_onnx_fail(n, EDGERT_ERR_MALFORMED, "direction '%.*s' is not LEFT or RIGHT",
                        (int)(len > 32 ? 32 : len), s);
  er_bit_shift_attrs *a = er_onnx_new_attrs(n, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  a->left = left;
  er_onnx_set_op(n, ER_OP_BIT_SHIFT);
  return EDGERT_OK;
}

static edgert_status map_variadic(er_onnx_node *n, er_op op) {
  if (er_onnx_input_count(n) < 1) return er_onnx_fail(n, EDGERT_ERR_MALFORMED, "needs at least one input");
  return set_plain_op(n, op);
}
static edgert_status map_max(er_onnx_node *n) { return map_variadic(n, ER_OP_VARIADIC_MAX); }
static edgert_status map_min(er_onnx_node *n) { return map_variadic(n, ER_OP_VARIADIC_MIN); }
static edgert_status map_sum(er_onnx_node *n) { return map_variadic(n, ER_OP_VARIADIC_SUM); }
static edgert_status map_mean(er_onnx_node *n) { return map_variadic(n, ER_OP_VARIADIC_MEAN); }

/* Unary ops without attributes. */
#define UNARY_MAPPER(name, op)                                                                               \
  static edgert_status name(er_onnx_node *n) { return set_plain_op(n, op); }
UNARY_MAPPER(map_abs, ER_OP_ABS)
UNARY_MAPPER(map_neg, ER_OP_NEG)
UNARY_MAPPER(map_floor, ER_OP_FLOOR)
UNARY_MAPPER(map_ceil, ER_OP_CEIL)
UNARY_MAPPER(map_round, ER_OP_ROUND)
UNARY_MAPPER(map_sqrt, ER_OP_SQRT)
UNARY_MAPPER(map_exp, ER_OP_EXP)
UNARY_MAPPER(map_log, ER_OP_LOG)
UNARY_MAPPER(map_sin, ER_OP_SIN)
UNARY_MAPPER(map_cos, ER_OP_COS)
UNARY_MAPPER(map_sign, ER_OP_SIGN)
UNARY_MAPPER(map_not, ER_OP_LOGICAL_NOT)
UNARY_MAPPER(map_relu, ER_OP_RELU)
UNARY_MAPPER(map_sigmoid, ER_OP_LOGISTIC)
UNARY_MAPPER(map_tanh, ER_OP_TANH)
UNARY_MAPPER(map_hard_swish, ER_OP_HARD_SWISH)
UNARY_MAPPER(map_reciprocal, ER_OP_RECIPROCAL)
UNARY_MAPPER(map_erf, ER_OP_ERF)
UNARY_MAPPER(map_tan, ER_OP_TAN)
UNARY_MAPPER(map_asin, ER_OP_ASIN)
UNARY_MAPPER(map_acos, ER_OP_ACOS)
UNARY_MAPPER(map_atan, ER_OP_ATAN)
UNARY_MAPPER(map_sinh, ER_OP_SINH)
UNARY_MAPPER(map_cosh, ER_OP_COSH)
UNARY_MAPPER(map_asinh, ER_OP_ASINH)
UNARY_MAPPER(map_acosh, ER_OP_ACOSH)
UNARY_MAPPER(map_atanh, ER_OP_ATANH)
UNARY_MAPPER(map_softplus, ER_OP_SOFTPLUS)
UNARY_MAPPER(map_softsign, ER_OP_SOFTSIGN)
UNARY_MAPPER(map_mish, ER_OP_MISH)
#undef UNARY_MAPPER

static edgert_status map_is_nan(er_onnx_node *n) {
  er_onnx_set_output_dtype(n, 0, EDGERT_BOOL);
  return set_plain_op(n, ER_OP_IS_NAN);
}

static edgert_status map_is_inf(er_onnx_node *n) {
  int64_t negative = 1, positive = 1;
  if (!er_onnx_attr_int_or(n, "detect_negative", 1, &negative) ||
      !er_onnx_attr_int_or(n, "detect_positive", 1, &positive))
    return EDGERT_ERR_MALFORMED;
  er_is_inf_attrs *a = er_onnx_new_attrs(n, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  a->detect_negative = negative != 0;
  a->detect_positive = positive != 0;
  er_onnx_set_output_dtype(n, 0, EDGERT_BOOL);
  er_onnx_set_op(n, ER_OP_IS_INF);
  return EDGERT_OK;
}

/* Parametric activations: attribute names and ONNX defaults; "" for an unused slot. */
typedef struct {
  const char *name;
  float fallback;
} param_spec;

static edgert_status map_params(er_onnx_node *n, er_op op, param_spec alpha, param_spec beta,
                                param_spec gamma) {
  er_unary_params_attrs *a = er_onnx_new_attrs(n, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  const param_spec specs[3] = {alpha, beta, gamma};
  float *slots[3] = {&a->alpha, &a->beta, &a->gamma};
  for (int i = 0; i < 3; i++) {
    *slots[i] = specs[i].fallback;
    if (specs[i].name[0] && !er_onnx_attr_float_or(n, specs[i].name, specs[i].fallback, slots[i]))
      return EDGERT_ERR_MALFORMED;
  }
  return set_plain_op(n, op);
}

static const param_spec none = {"", 0.0f};

static edgert_status map_elu(er_onnx_node *n) {
  return map_params(n, ER_OP_ELU, (param_spec){"alpha", 1.0f}, none, none);
}
static edgert_status map_celu(er_onnx_node *n) {
  return map_params(n, ER_OP_CELU, (param_spec){"alpha", 1.0f}, none, none);
}
static edgert_status map_selu(er_onnx_node *n) {
  return map_params(n, ER_OP_SELU, (param_spec){"alpha", 1.67326319217681884765625f}, none,
                    (param_spec){"gamma", 1.05070102214813232421875f});
}
static edgert_status map_hard_sigmoid(er_onnx_node *n) {
  return map_params(n, ER_OP_HARD_SIGMOID, (param_spec){"alpha", 0.2f}, (param_spec){"beta", 0.5f}, none);
}
static edgert_status map_thresholded_relu(er_onnx_node *n) {
  return map_params(n, ER_OP_THRESHOLDED_RELU, (param_spec){"alpha", 1.0f}, none, none);
}
static edgert_status map_shrink(er_onnx_node *n) {
  return map_params(n, ER_OP_SHRINK, (param_spec){"lambd", 0.5f}, (param_spec){"bias", 0.0f}, none);
}

static edgert_status map_leaky_relu(er_onnx_node *n) {
  er_leaky_relu_attrs *a = er_onnx_new_attrs(n, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  if (!er_onnx_attr_float_or(n, "alpha", 0.01f, &a->alpha)) return EDGERT_ERR_MALFORMED;
  return set_plain_op(n, ER_OP_LEAKY_RELU);
}

static edgert_status map_gelu(er_onnx_node *n) {
  er_gelu_attrs *a = er_onnx_new_attrs(n, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  const char *s;
  size_t len;
  if (er_onnx_attr_string(n, "approximate", &s, &len)) {
    a->approximate = string_is(s, len, "tanh");
    if (!a->approximate && !string_is(s, len, "none"))
      return er_onnx_fail(n, EDGERT_ERR_MALFORMED, "approximate '%.*s' is not none or tanh",
                          (int)(len > 32 ? 32 : len), s);
  } else if (er_onnx_failed(n)) {
    return EDGERT_ERR_MALFORMED;
  }
  er_onnx_set_op(n, ER_OP_GELU);
  return EDGERT_OK;
}

/* PRelu before opset 7 applies a one-dimensional slope of C values along dim 1 of an N-d input; numpy
 * broadcasting needs it shaped [C, 1, ..., 1], which a constant slope can be given. */
static edgert_status map_prelu(er_onnx_node *n) {
  const er_tensor *x = er_onnx_input(n, 0), *slope = er_onnx_const_input(n, 1);
  if (er_onnx_opset(n) < 7 && x && slope && slope->ndim == 1 && x->ndim > 2 && slope->dims[0] > 1) {
    int64_t dims[ER_MAX_DIMS];
    dims[0] = slope->dims[0];
    for (int d = 1; d < x->ndim - 1; d++)
      dims[d] = 1;
    void *data;
    int32_t id = er_onnx_add_const(n, slope->dtype, x->ndim - 1, dims, &data);
    if (id < 0) return EDGERT_ERR_NO_MEMORY;
    memcpy(data, er_const_bytes(slope), slope->bytes);
    edgert_status st = er_onnx_set_input_tensor(n, 1, id);
    if (st != EDGERT_OK) return st;
  }
  return set_plain_op(n, ER_OP_PRELU);
}

/* A one-element constant of x's float dtype holding v, as input k of the node. */
static edgert_status set_float_bound(er_onnx_node *n, int k, edgert_dtype dtype, float v) {
  void *data;
  int32_t id = er_onnx_add_const(n, dtype, 0, NULL, &data);
  if (id < 0) return EDGERT_ERR_NO_MEMORY;
  switch (dtype) {
  case EDGERT_FLOAT32: *(float *)data = v; break;
  case EDGERT_FLOAT64: *(double *)data = v; break;
  case EDGERT_FLOAT16: *(uint16_t *)data = er_float_to_half(v); break;
  case EDGERT_BFLOAT16: *(uint16_t *)data = er_float_to_bfloat16(v); break;
  default:
    return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "Clip with attributes on %s", edgert_dtype_name(dtype));
  }
  return er_onnx_set_input_tensor(n, k, id);
}

/* Clip before opset 11: min and max are float attributes; they become constant inputs 1 and 2. */
static edgert_status map_clip_attrs(er_onnx_node *n) {
  const er_tensor *x = er_onnx_input(n, 0);
  if (!x) return er_onnx_fail(n, EDGERT_ERR_MALFORMED, "input 0 is missing");
  float lo = 0.0f, hi = 0.0f;
  const bool has_lo = er_onnx_attr_float(n, "min", &lo), has_hi = er_onnx_attr_float(n, "max", &hi);
  if (er_onnx_failed(n)) return EDGERT_ERR_MALFORMED;
  er_onnx_ignore_attr(n, "consumed_inputs");
  edgert_status st = er_onnx_set_inputs(n, 3, (const int[]){0, -1, -1});
  er_onnx_set_op(n, ER_OP_CLIP);
  if (st == EDGERT_OK) st = set_float_bound(n, 1, x->dtype, has_lo ? lo : -INFINITY);
  if (st == EDGERT_OK) st = set_float_bound(n, 2, x->dtype, has_hi ? hi : INFINITY);
  return st;
}

static edgert_status map_clip(er_onnx_node *n) { return set_plain_op(n, ER_OP_CLIP); }

/* Where's output has the dtype of its values (input 1), not of its bool condition. */
static edgert_status map_where(er_onnx_node *n) {
  const er_tensor *x = er_onnx_input(n, 1);
  if (!x) return er_onnx_fail(n, EDGERT_ERR_MALFORMED, "input 1 is missing");
  er_onnx_set_output_dtype(n, 0, x->dtype);
  return set_plain_op(n, ER_OP_SELECT);
}

static edgert_status set_cast(er_onnx_node *n, edgert_dtype to) {
  er_cast_attrs *a = er_onnx_new_attrs(n, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  a->out_type = to;
  er_onnx_set_output_dtype(n, 0, to);
  er_onnx_set_op(n, ER_OP_CAST);
  return EDGERT_OK;
}

static edgert_status map_cast(er_onnx_node *n) {
  int64_t to = 0;
  if (!er_onnx_attr_int(n, "to", &to))
    return er_onnx_failed(n) ? EDGERT_ERR_MALFORMED
                             : er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "needs an integer 'to' attribute");
  er_onnx_ignore_attr(n, "saturate");
  edgert_dtype dtype;
  if (!er_onnx_dtype(to, &dtype))
    return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "cast to %s is not supported", er_onnx_dtype_name(to));
  return set_cast(n, dtype);
}

/* CastLike: cast input 0 to the dtype of input 1, which is otherwise unused. */
static edgert_status map_cast_like(er_onnx_node *n) {
  const er_tensor *like = er_onnx_input(n, 1);
  if (!like || !er_onnx_input(n, 0)) return er_onnx_fail(n, EDGERT_ERR_MALFORMED, "expects two inputs");
  edgert_status st = er_onnx_set_inputs(n, 1, (const int[]){0});
  if (st != EDGERT_OK) return st;
  return set_cast(n, like->dtype);
}

const er_onnx_op_mapping er_onnx_ops_elementwise[] = {
    {"", "Add", 1, map_add},
    {"", "Sub", 1, map_sub},
    {"", "Mul", 1, map_mul},
    {"", "Div", 1, map_div},
    {"", "Pow", 1, map_pow},
    {"", "Mod", 10, map_mod},
    {"", "BitShift", 11, map_bit_shift},
    {"", "Max", 1, map_max},
    {"", "Min", 1, map_min},
    {"", "Sum", 1, map_sum},
    {"", "Mean", 1, map_mean},
    {"", "Equal", 1, map_equal},
    {"", "Less", 1, map_less},
    {"", "Greater", 1, map_greater},
    {"", "LessOrEqual", 12, map_less_equal},
    {"", "GreaterOrEqual", 12, map_greater_equal},
    {"", "And", 1, map_and},
    {"", "Or", 1, map_or},
    {"", "Xor", 1, map_xor},
    {"", "Not", 1, map_not},
    {"", "Abs", 1, map_abs},
    {"", "Neg", 1, map_neg},
    {"", "Sign", 9, map_sign},
    {"", "Reciprocal", 1, map_reciprocal},
    {"", "Floor", 1, map_floor},
    {"", "Ceil", 1, map_ceil},
    {"", "Round", 11, map_round},
    {"", "Sqrt", 1, map_sqrt},
    {"", "Exp", 1, map_exp},
    {"", "Log", 1, map_log},
    {"", "Erf", 9, map_erf},
    {"", "Sin", 7, map_sin},
    {"", "Cos", 7, map_cos},
    {"", "Tan", 7, map_tan},
    {"", "Asin", 7, map_asin},
    {"", "Acos", 7, map_acos},
    {"", "Atan", 7, map_atan},
    {"", "Sinh", 9, map_sinh},
    {"", "Cosh", 9, map_cosh},
    {"", "Asinh", 9, map_asinh},
    {"", "Acosh", 9, map_acosh},
    {"", "Atanh", 9, map_atanh},
    {"", "IsNaN", 9, map_is_nan},
    {"", "IsInf", 10, map_is_inf},
    {"", "Relu", 1, map_relu},
    {"", "LeakyRelu", 1, map_leaky_relu},
    {"", "PRelu", 1, map_prelu},
    {"", "Elu", 1, map_elu},
    {"", "Selu", 1, map_selu},
    {"", "Celu", 12, map_celu},
    {"", "HardSigmoid", 1, map_hard_sigmoid},
    {"", "HardSwish", 14, map_hard_swish},
    {"", "Sigmoid", 1, map_sigmoid},
    {"", "Tanh", 1, map_tanh},
    {"", "Softplus", 1, map_softplus},
    {"", "Softsign", 1, map_softsign},
    {"", "ThresholdedRelu", 10, map_thresholded_relu},
    {"", "Shrink", 9, map_shrink},
    {"", "Mish", 18, map_mish},
    {"", "Gelu", 20, map_gelu},
    {"", "Clip", 1, map_clip_attrs},
    {"", "Clip", 11, map_clip},
    {"", "Cast", 6, map_cast},
    {"", "CastLike", 15, map_cast_like},
    {"", "Where", 9, map_where},
};
const size_t er_onnx_ops_elementwise_count =
    sizeof er_onnx_ops_elementwise / sizeof er_onnx_ops_elementwise[0];
