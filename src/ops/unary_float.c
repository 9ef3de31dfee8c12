/* Elementwise unary functions of ONNX models on float32, float64 and float16 (and bfloat16): inverse and
 * hyperbolic trigonometry, ERF, RECIPROCAL, the parametric activations CELU, SELU, HARD_SIGMOID,
 * THRESHOLDED_RELU, SHRINK, SOFTPLUS, SOFTSIGN, MISH (formulas of the ONNX operator spec), and the
 * tests IS_NAN and IS_INF with a bool output.
 *
 * Every value is computed in double and rounded once to the output's dtype: that is at least as accurate
 * as float arithmetic and lets one function serve every float dtype. */
#include <math.h>

#include "core/cpu.h"
#include "ops/activation_common.h"
#include "ops/elementwise_f32.h"
#include "ops/elementwise_types.h"

/* HARD_SIGMOID on float32 (squeeze-excite gates of MobileNetV3) also has a vectorized kernel, computing
 * the same double expression. */
typedef struct {
  er_unary_params_attrs params;
  er_f32_vunary_fn f32; /* NULL: the generic loop below */
  er_f32_elementwise_params f32_params;
} unary_float_data;

typedef double (*unary_fn)(double x, const er_unary_params_attrs *a);

static double reciprocal(double x, const er_unary_params_attrs *a) {
  (void)a;
  return 1.0 / x;
}
static double erf_fn(double x, const er_unary_params_attrs *a) {
  (void)a;
  return erf(x);
}
static double tan_fn(double x, const er_unary_params_attrs *a) {
  (void)a;
  return tan(x);
}
static double asin_fn(double x, const er_unary_params_attrs *a) {
  (void)a;
  return asin(x);
}
static double acos_fn(double x, const er_unary_params_attrs *a) {
  (void)a;
  return acos(x);
}
static double atan_fn(double x, const er_unary_params_attrs *a) {
  (void)a;
  return atan(x);
}
static double sinh_fn(double x, const er_unary_params_attrs *a) {
  (void)a;
  return sinh(x);
}
static double cosh_fn(double x, const er_unary_params_attrs *a) {
  (void)a;
  return cosh(x);
}
static double asinh_fn(double x, const er_unary_params_attrs *a) {
  (void)a;
  return asinh(x);
}
static double acosh_fn(double x, const er_unary_params_attrs *a) {
  (void)a;
  return acosh(x);
}
static double atanh_fn(double x, const er_unary_params_attrs *a) {
  (void)a;
  return atanh(x);
}

/* log(1 + e^x) without overflow for large x. */
static double softplus_of(double x) { return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x)); }
static double softplus(double x, const er_unary_params_attrs *a) {
  (void)a;
  return softplus_of(x);
}
static double softsign(double x, const er_unary_params_attrs *a) {
  (void)a;
  return x / (1.0 + fabs(x));
}
static double mish(double x, const er_unary_params_attrs *a) {
  (void)a;
  return x * tanh(softplus_of(x));
}

static double celu(double x, const er_unary_params_attrs *a) {
  const double alpha = a->alpha;
  return fmax(0.0, x) + fmin(0.0, alpha * expm1(x / alpha));
}
static double selu(double x, const er_unary_params_attrs *a) {
  return x > 0 ? a->gamma * x : a->gamma * (a->alpha * exp(x) - a->alpha);
}
static double hard_sigmoid(double x, const er_unary_params_attrs *a) {
  return fmax(0.0, fmin(1.0, a->alpha * x + a->beta));
}
static double thresholded_relu(double x, const er_unary_params_attrs *a) { return x > a->alpha ? x : 0.0; }
/* alpha holds ONNX's lambd, beta its bias. */
static double shrink(double x, const er_unary_params_attrs *a) {
  return x < -a->alpha ? x + a->beta : x > a->alpha ? x - a->beta : 0.0;
}

static unary_fn function_of(er_op op) {
  switch (op) {
  case ER_OP_RECIPROCAL: return reciprocal;
  case ER_OP_ERF: return erf_fn;
  case ER_OP_TAN: return tan_fn;
  case ER_OP_ASIN: return asin_fn;
  case ER_OP_ACOS: return acos_fn;
  case ER_OP_ATAN: return atan_fn;
  case ER_OP_SINH: return sinh_fn;
  case ER_OP_COSH: return cosh_fn;
  case ER_OP_ASINH: return asinh_fn;
  case ER_OP_ACOSH: return acosh_fn;
  case ER_OP_ATANH: return atanh_fn;
  case ER_OP_SOFTPLUS: return softplus;
  case ER_OP_SOFTSIGN: return softsign;
  case ER_OP_MISH: return mish;
  case ER_OP_CELU: return celu;
  case ER_OP_SELU: return selu;
  case ER_OP_HARD_SIGMOID: return hard_sigmoid;
  case ER_OP_THRESHOLDED_RELU: return thresholded_relu;
  case ER_OP_SHRINK: return shrink;
  default: return NULL;
  }
}

/* The ONNX defaults, for a node built without attrs. */
static er_unary_params_attrs default_params(er_op op) {
  switch (op) {
  case ER_OP_SELU:
    return (er_unary_params_attrs){1.67326319217681884765625f, 0.0f, 1.05070102214813232421875f};
  case ER_OP_HARD_SIGMOID: return (er_unary_params_attrs){0.2f, 0.5f, 0.0f};
  case ER_OP_SHRINK: return (er_unary_params_attrs){0.5f, 0.0f, 0.0f};
  default: return (er_unary_params_attrs){1.0f, 0.0f, 0.0f};
  }
}

static bool is_test(er_op op) { return op == ER_OP_IS_NAN || op == ER_OP_IS_INF; }

static edgert_status unary_float_prepare(er_op_ctx *ctx) {
  er_tensor *in, *out;
  edgert_status st = act_unary_io(ctx, &in, &out);
  if (st != EDGERT_OK) return st;
  const er_op op = ctx->node->op;
  if (!er_is_float(in->dtype)) return act_unsupported_dtype(ctx, in, "float32, float64, float16, bfloat16");
  if (is_test(op)) return er_check_dtype(ctx, out, EDGERT_BOOL, "output");
  if (!function_of(op)) return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "is not a float unary op");
  if ((st = act_same_dtype(ctx, in, out)) != EDGERT_OK) return st;
  unary_float_data *d = ACT_ALLOC_OP_DATA(ctx, unary_float_data);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  const er_unary_params_attrs *attrs = er_attrs(ctx);
  d->params = attrs ? *attrs : default_params(op);
  if (op == ER_OP_CELU && d->params.alpha == 0.0f)
    return er_fail(ctx, EDGERT_ERR_ARGUMENT, "CELU alpha is 0");
  if (op == ER_OP_HARD_SIGMOID && in->dtype == EDGERT_FLOAT32) {
    d->f32 = er_f32_elementwise_select(er_cpu_detect())->unary[ER_F32_VHARD_SIGMOID];
    d->f32_params.alpha = d->params.alpha;
    d->f32_params.beta = d->params.beta;
  }
  ctx->op_data = d;
  er_output_may_overwrite(ctx, 0); /* y[i] from x[i] alone, in every dtype's loop */
  return EDGERT_OK;
}

static bool test_value(er_op op, const er_is_inf_attrs *inf, double x) {
  if (op == ER_OP_IS_NAN) return isnan(x);
  const bool detect_negative = inf ? inf->detect_negative : true,
             detect_positive = inf ? inf->detect_positive : true;
  return isinf(x) && (x > 0 ? detect_positive : detect_negative);
}

static edgert_status unary_float_eval(er_op_ctx *ctx) {
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  const er_op op = ctx->node->op;
  const int64_t n = er_tensor_elements(in);
  if (is_test(op)) {
    const er_is_inf_attrs *inf = op == ER_OP_IS_INF ? er_attrs(ctx) : NULL;
    bool *y = out->data;
    for (int64_t i = 0; i < n; i++)
      y[i] = test_value(op, inf, er_load_float(in->data, in->dtype, i));
    return EDGERT_OK;
  }
  const unary_float_data *d = ctx->op_data;
  if (d->f32) {
    er_f32_vunary_run(ctx, d->f32, n, in->data, out->data, &d->f32_params);
    return EDGERT_OK;
  }
  const er_unary_params_attrs *params = &d->params;
  const unary_fn fn = function_of(op);
  if (in->dtype == EDGERT_FLOAT32) {
    const float *x = in->data;
    float *y = out->data;
    for (int64_t i = 0; i < n; i++)
      y[i] = (float)fn(x[i], params);
  } else {
    for (int64_t i = 0; i < n; i++)
      er_store_float(out->data, out->dtype, i, fn(er_load_float(in->data, in->dtype, i), params));
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_unary_float = {.prepare = unary_float_prepare, .eval = unary_float_eval};
