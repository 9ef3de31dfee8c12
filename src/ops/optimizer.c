/* OPTIMIZER: one step of ONNX's preview training optimizers, as ONNX's reference computes them
 * (onnx/backend/test/case/node/adagrad.py, adam.py, momentum.py), elementwise in double on float32/float64
 * tensors. With g = norm_coefficient * x + grad:
 *  Adagrad: h' = h + g^2; x' = x - r / (1 + t * decay_factor) * g / (sqrt(h') + epsilon).
 *  Adam: v' = alpha * v + (1 - alpha) * g; h' = beta * h + (1 - beta) * g^2; the rate is bias-corrected,
 *   r * sqrt(1 - beta^t) / (1 - alpha^t), once t > 0; x' = (1 - norm_coefficient_post) *
 *   (x - rate * v' / (sqrt(h') + epsilon)).
 *  Momentum: v' = alpha * v + (t > 0 ? beta : 1) * g; x' = x - r * v' (standard) or
 *   x - r * (g + alpha * v') (Nesterov).
 * Inputs: R and T (scalars), then X1..Xn, G1..Gn and the state groups; outputs X'1..X'n and the new state
 * groups, in the same order. */
#include <math.h>

#include "core/kernel.h"
#include "ops/linalg_values.h"

typedef struct {
  er_optimizer_attrs a;
  int32_t n;      /* tensors optimized together */
  int32_t states; /* state tensors per X: Adagrad 1 (H), Adam 2 (V, H), Momentum 1 (V) */
} optimizer_data;

static edgert_status optimizer_prepare(er_op_ctx *ctx) {
  const er_optimizer_attrs *a = er_attrs(ctx);
  if (!a) return er_fail(ctx, EDGERT_ERR_MALFORMED, "has no attributes");
  int32_t states = a->kind == ER_OPTIMIZER_ADAM ? 2 : 1;
  int32_t groups = 2 + states, n_in = ctx->node->n_inputs, n_out = ctx->node->n_outputs;
  if (n_in < 2 + groups || (n_in - 2) % groups || n_out != (n_in - 2) / groups * (1 + states))
    return er_fail(ctx, EDGERT_ERR_MALFORMED,
                   "has %d inputs and %d outputs; expected R, T, then %d groups of n", n_in, n_out,
                   (int)groups);
  int32_t n = (n_in - 2) / groups;
  const er_tensor *r = er_input(ctx, 0), *t = er_input(ctx, 1);
  if (!r || !t || er_tensor_elements(r) != 1 || er_tensor_elements(t) != 1 || !lv_is_float(r->dtype) ||
      t->dtype != EDGERT_INT64)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "R must be one float and T one int64");
  for (int32_t i = 0; i < n; i++) {
    const er_tensor *x = er_input(ctx, 2 + i);
    if (!x || !lv_is_float(x->dtype) || er_tensor_elements(x) < 0)
      return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "X%d must be a float tensor", (int)i + 1);
    for (int32_t g = 1; g < groups; g++) {
      const er_tensor *other = er_input(ctx, 2 + g * n + i);
      if (!other || other->dtype != x->dtype || !er_same_shape(other, x))
        return er_fail(ctx, EDGERT_ERR_SHAPE, "input %d must have X%d's dtype and shape",
                       (int)(2 + g * n + i), (int)i + 1);
    }
    for (int32_t k = 0; k < 1 + states; k++) {
      er_tensor *out = er_output(ctx, k * n + i);
      if (!out) continue;
      edgert_status st = er_check_dtype(ctx, out, x->dtype, "output");
      if (!st) st = er_set_output_shape(ctx, out, x->ndim, x->dims);
      if (st) return st;
    }
  }
  optimizer_data *d = er_persist_alloc(ctx, sizeof *d);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  d->a = *a;
  d->n = n;
  d->states = states;
  ctx->op_data = d;
  return EDGERT_OK;
}

static void store_if(er_tensor *t, int64_t i, double v) {
  if (t) lv_store(t->data, t->dtype, i, v);
}

static edgert_status optimizer_eval(er_op_ctx *ctx) {
  const optimizer_data *d = ctx->op_data;
  const er_optimizer_attrs *a = &d->a;
  const er_tensor *rt = er_input(ctx, 0);
  const double r = lv_load(rt->data, rt->dtype, 0);
  const int64_t t = *(const int64_t *)er_input(ctx, 1)->data;
  const int32_t n = d->n;
  double adam_rate = r;
  if (a->kind == ER_OPTIMIZER_ADAM && t > 0)
    adam_rate = r * sqrt(1 - pow(a->beta, (double)t)) / (1 - pow(a->alpha, (double)t));
  for (int32_t i = 0; i < n; i++) {
    const er_tensor *x = er_input(ctx, 2 + i), *g = er_input(ctx, 2 + n + i),
                    *s1 = er_input(ctx, 2 + 2 * n + i);
    const er_tensor *s2 = d->states == 2 ? er_input(ctx, 2 + 3 * n + i) : NULL;
    er_tensor *x_out = er_output(ctx, i), *s1_out = er_output(ctx, n + i);
    er_tensor *s2_out = d->states == 2 ? er_output(ctx, 2 * n + i) : NULL;
    int64_t count = er_tensor_elements(x);
    for (int64_t e = 0; e < count; e++) {
      const double xv = lv_load(x->data, x->dtype, e);
      const double gv = a->norm_coefficient * xv + lv_load(g->data, g->dtype, e);
      const double s1v = lv_load(s1->data, s1->dtype, e);
      if (a->kind == ER_OPTIMIZER_ADAGRAD) {
        double h = s1v + gv * gv;
        double rate = r / (1 + (double)t * a->decay_factor);
        store_if(x_out, e, xv - rate * gv / (sqrt(h) + a->epsilon));
        store_if(s1_out, e, h);
      } else if (a->kind == ER_OPTIMIZER_ADAM) {
        double v = a->alpha * s1v + (1 - a->alpha) * gv;
        double h = a->beta * lv_load(s2->data, s2->dtype, e) + (1 - a->beta) * gv * gv;
        double x_new = xv - adam_rate * (v / (sqrt(h) + a->epsilon));
        store_if(x_out, e, (1 - a->norm_coefficient_post) * x_new);
        store_if(s1_out, e, v);
        store_if(s2_out, e, h);
      } else {
        double v = a->alpha * s1v + (t > 0 ? a->beta : 1.0) * gv;
        store_if(x_out, e, a->nesterov ? xv - r * (gv + a->alpha * v) : xv - r * v);
        store_if(s1_out, e, v);
      }
    }
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_optimizer = {.prepare = optimizer_prepare, .eval = optimizer_eval};
