/* NLL_LOSS and SOFTMAX_CROSS_ENTROPY: ONNX NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss, as ONNX's
 * reference (onnx/backend/test/case/node/negativeloglikelihoodloss.py, softmaxcrossentropy.py) computes them.
 * Input [N, C, d1..dk] (log-probabilities for NLL, scores for cross entropy, which takes their log-softmax
 * over C first), target [N, d1..dk] of int32/int64 class indices, optional weight [C]. Each position's loss
 * is -input[n][target][d] * weight[target], and 0 where target == ignore_index. Reductions: none (shape of
 * target), sum, or mean = sum / (sum of the weights of the positions not ignored). Cross entropy's optional
 * second output is the log-softmax itself. Sums run in double. */
#include <math.h>

#include "core/kernel.h"
#include "ops/linalg_values.h"

typedef struct {
  bool softmax;
  er_loss_reduction reduction;
  bool has_ignore;
  int64_t ignore_index;
  edgert_dtype dtype, target_dtype;
  int64_t n, c, d; /* input as [N, C, D] */
} loss_data;

static edgert_status loss_prepare(er_op_ctx *ctx, bool softmax) {
  const er_loss_attrs *a = er_attrs(ctx);
  if (!a) return er_fail(ctx, EDGERT_ERR_MALFORMED, "has no attributes");
  const er_node *node = ctx->node;
  if (node->n_inputs < 2 || node->n_inputs > 3 || node->n_outputs < 1 || node->n_outputs > (softmax ? 2 : 1))
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "has %d inputs and %d outputs", node->n_inputs,
                   node->n_outputs);
  const er_tensor *x = er_input(ctx, 0), *t = er_input(ctx, 1), *w = er_input(ctx, 2);
  er_tensor *y = er_output(ctx, 0), *log_prob = er_output(ctx, 1);
  if (!x || !t || !y) return er_fail(ctx, EDGERT_ERR_MALFORMED, "an input or output is missing");
  if (!lv_is_float(x->dtype))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "input dtype %s is not a float type",
                   edgert_dtype_name(x->dtype));
  if (t->dtype != EDGERT_INT64 && t->dtype != EDGERT_INT32)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "target dtype %s is not int32 or int64",
                   edgert_dtype_name(t->dtype));
  edgert_status st = er_check_dtype(ctx, y, x->dtype, "output");
  if (!st && w) st = er_check_dtype(ctx, w, x->dtype, "weight");
  if (!st && log_prob) st = er_check_dtype(ctx, log_prob, x->dtype, "log_prob");
  if (st) return st;
  if (x->ndim < 2 || t->ndim != x->ndim - 1 || t->dims[0] != x->dims[0])
    return er_fail(ctx, EDGERT_ERR_SHAPE, "input must be [N, C, ...] and target [N, ...]");
  for (int32_t i = 2; i < x->ndim; i++)
    if (t->dims[i - 1] != x->dims[i])
      return er_fail(ctx, EDGERT_ERR_SHAPE, "target dim %d differs from input's", (int)i - 1);
  loss_data *d = er_persist_alloc(ctx, sizeof *d);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  d->softmax = softmax;
  d->reduction = a->reduction;
  d->has_ignore = a->has_ignore_index;
  d->ignore_index = a->ignore_index;
  d->dtype = x->dtype;
  d->target_dtype = t->dtype;
  d->n = x->dims[0];
  d->c = x->dims[1];
  d->d = er_shape_elements(x->ndim - 2, x->dims + 2);
  if (d->d < 0 || er_tensor_elements(x) < 0) return er_fail(ctx, EDGERT_ERR_SHAPE, "input shape is invalid");
  if (w && er_tensor_elements(w) != d->c)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "weight has %lld values; expected %lld",
                   (long long)er_tensor_elements(w), (long long)d->c);
  ctx->op_data = d;
  if (log_prob && (st = er_set_output_shape(ctx, log_prob, x->ndim, x->dims))) return st;
  /* cross entropy keeps its log-softmax in scratch when the caller does not ask for it */
  if (softmax && !log_prob && !er_bytes_for(EDGERT_FLOAT64, er_tensor_elements(x), &ctx->scratch_bytes))
    return er_fail(ctx, EDGERT_ERR_LIMIT, "input is too large");
  if (a->reduction == ER_LOSS_NONE) return er_set_output_shape(ctx, y, t->ndim, t->dims);
  return er_set_output_shape(ctx, y, 0, NULL);
}

/* log-softmax over C of each (n, d), into log_prob (dtype) or scratch doubles */
static void log_softmax(const loss_data *d, const void *x, void *dst, edgert_dtype dst_dtype) {
  for (int64_t n = 0; n < d->n; n++)
    for (int64_t j = 0; j < d->d; j++) {
      int64_t first = n * d->c * d->d + j;
      double max = -INFINITY, sum = 0;
      for (int64_t c = 0; c < d->c; c++) {
        double v = lv_load(x, d->dtype, first + c * d->d);
        if (v > max) max = v;
      }
      for (int64_t c = 0; c < d->c; c++)
        sum += exp(lv_load(x, d->dtype, first + c * d->d) - max);
      double log_sum = log(sum);
      for (int64_t c = 0; c < d->c; c++)
        lv_store(dst, dst_dtype, first + c * d->d, lv_load(x, d->dtype, first + c * d->d) - max - log_sum);
    }
}

static edgert_status loss_eval(er_op_ctx *ctx) {
  const loss_data *d = ctx->op_data;
  const er_tensor *x = er_input(ctx, 0), *t = er_input(ctx, 1), *w = er_input(ctx, 2);
  er_tensor *y = er_output(ctx, 0), *log_prob = er_output(ctx, 1);
  const void *probs = x->data;
  edgert_dtype probs_dtype = d->dtype;
  if (d->softmax) {
    probs = log_prob ? log_prob->data : ctx->scratch;
    probs_dtype = log_prob ? d->dtype : EDGERT_FLOAT64;
    log_softmax(d, x->data, log_prob ? log_prob->data : ctx->scratch, probs_dtype);
  }
  double total = 0, weight_total = 0;
  for (int64_t n = 0; n < d->n; n++)
    for (int64_t j = 0; j < d->d; j++) {
      int64_t pos = n * d->d + j, target = lv_load_i64(t->data, d->target_dtype, pos);
      double loss = 0, weight = 0;
      if (!(d->has_ignore && target == d->ignore_index)) {
        if (target < 0 || target >= d->c)
          return er_fail(ctx, EDGERT_ERR_RUNTIME, "target %lld is outside [0, %lld)", (long long)target,
                         (long long)d->c);
        weight = w ? lv_load(w->data, d->dtype, target) : 1.0;
        loss = -lv_load(probs, probs_dtype, (n * d->c + target) * d->d + j) * weight;
      }
      if (d->reduction == ER_LOSS_NONE) lv_store(y->data, d->dtype, pos, loss);
      total += loss;
      weight_total += weight;
    }
  if (d->reduction == ER_LOSS_SUM) lv_store(y->data, d->dtype, 0, total);
  if (d->reduction == ER_LOSS_MEAN) lv_store(y->data, d->dtype, 0, total / weight_total);
  return EDGERT_OK;
}

static edgert_status nll_prepare(er_op_ctx *ctx) { return loss_prepare(ctx, false); }
static edgert_status sce_prepare(er_op_ctx *ctx) { return loss_prepare(ctx, true); }

const er_kernel er_kernel_nll_loss = {.prepare = nll_prepare, .eval = loss_eval};
const er_kernel er_kernel_softmax_cross_entropy = {.prepare = sce_prepare, .eval = loss_eval};
