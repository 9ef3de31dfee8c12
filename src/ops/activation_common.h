/* Prepare-time checks shared by the one-input, one-output kernels of the activation family
 * (activations, logistic, tanh, unary math, softmax, l2norm, quantize, dequantize, cast): node arity,
 * output shape equal to the input's, matching dtypes and usable quantization parameters. */
#ifndef EDGERT_OPS_ACTIVATION_COMMON_H
#define EDGERT_OPS_ACTIVATION_COMMON_H

#include <math.h>

#include "core/kernel.h"
#include "ops/elementwise_types.h"

static inline const char *act_tensor_name(const er_tensor *t) { return t->name ? t->name : ""; }

/* One input, one output; the output takes the input's shape. */
static inline edgert_status act_unary_io(er_op_ctx *ctx, er_tensor **in, er_tensor **out) {
  edgert_status st = er_check_io(ctx, 1, 1, 1);
  if (st != EDGERT_OK) return st;
  *in = er_input(ctx, 0);
  *out = er_output(ctx, 0);
  if (!*out) return er_fail(ctx, EDGERT_ERR_MALFORMED, "output 0 is missing");
  return er_set_output_shape(ctx, *out, (*in)->ndim, (*in)->dims);
}

static inline edgert_status act_same_dtype(er_op_ctx *ctx, const er_tensor *in, const er_tensor *out) {
  if (in->dtype == out->dtype) return EDGERT_OK;
  return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "input is %s but output is %s; they must match",
                 edgert_dtype_name(in->dtype), edgert_dtype_name(out->dtype));
}

/* act_unary_io, then act_same_dtype: the start of most activations' prepare. */
static inline edgert_status act_unary_same_dtype(er_op_ctx *ctx, er_tensor **in, er_tensor **out) {
  edgert_status st = act_unary_io(ctx, in, out);
  if (st != EDGERT_OK) return st;
  return act_same_dtype(ctx, *in, *out);
}

/* A quantized tensor needs a positive, finite per-tensor scale. */
static inline edgert_status act_require_scale(er_op_ctx *ctx, const er_tensor *t, const char *what) {
  if (t->q.scale > 0.0f && isfinite(t->q.scale)) return EDGERT_OK;
  return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "%s '%s' (%s) needs a positive quantization scale, has %g",
                 what, act_tensor_name(t), edgert_dtype_name(t->dtype), (double)t->q.scale);
}

/* act_require_scale on the input, then on the output. */
static inline edgert_status act_require_scales(er_op_ctx *ctx, const er_tensor *in, const er_tensor *out) {
  edgert_status st = act_require_scale(ctx, in, "input");
  if (st != EDGERT_OK) return st;
  return act_require_scale(ctx, out, "output");
}

static inline edgert_status act_unsupported_dtype(er_op_ctx *ctx, const er_tensor *t, const char *supported) {
  return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "input '%s' is %s; supported: %s", act_tensor_name(t),
                 edgert_dtype_name(t->dtype), supported);
}

/* float64, float16 and bfloat16 (ONNX models) run through one function on doubles: maps fn over input 0
 * into output 0 and returns true when the input is one of them, returns false otherwise. */
static inline bool act_map_extra_float(er_op_ctx *ctx, er_double_fn fn, const void *arg) {
  const er_tensor *in = er_input(ctx, 0);
  if (!er_is_extra_float(in->dtype)) return false;
  er_map_extra_float(in, er_output(ctx, 0), fn, arg);
  return true;
}

/* The persistent op data of a kernel, or NULL after recording an out-of-memory error. */
#define ACT_ALLOC_OP_DATA(ctx, type) ((type *)er_persist_alloc((ctx), sizeof(type)))

#endif
