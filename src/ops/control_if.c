/* IF (ONNX If, all opsets): runs then_branch or else_branch by a boolean scalar and copies the branch's
 * outputs out. A constant condition prepares only the branch it picks; otherwise both are prepared and
 * must agree on output shapes (or the model declares them). */
#include <string.h>

#include "core/subgraph.h"

typedef struct {
  er_subgraph *branch[2]; /* [0] else, [1] then; NULL when the constant condition never picks it */
} if_plan;

/* Shape of output i from the prepared branches: their agreed shape, else the model's declared one. */
static edgert_status output_shape(er_op_ctx *ctx, const if_plan *p, int i, int32_t *ndim, int64_t *dims) {
  edgert_tensor_info info[2];
  int known = 0;
  for (int b = 0; b < 2; b++) {
    const void *data;
    if (!p->branch[b] || !p->branch[b]->planned) continue;
    if (!er_subgraph_output(p->branch[b], i, &info[known], &data))
      return er_fail(ctx, EDGERT_ERR_RUNTIME, "branch output %d is missing", i);
    known++;
  }
  int need = (p->branch[0] != NULL) + (p->branch[1] != NULL);
  bool agree =
      known == need &&
      (known == 1 || (info[0].ndim == info[1].ndim &&
                      memcmp(info[0].dims, info[1].dims, sizeof(int64_t) * (size_t)info[0].ndim) == 0));
  if (agree) {
    *ndim = info[0].ndim;
    memcpy(dims, info[0].dims, sizeof(int64_t) * (size_t)info[0].ndim);
    return EDGERT_OK;
  }
  const er_tensor *declared = er_declared_output(ctx, i);
  if (declared->ndim > 0 && declared->dynamic_dims == 0) {
    *ndim = declared->ndim;
    memcpy(dims, declared->dims, sizeof(int64_t) * (size_t)declared->ndim);
    return EDGERT_OK;
  }
  return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                 "output %d: the branches give different or run-time shapes and the model declares none", i);
}

static edgert_status if_prepare(er_op_ctx *ctx) {
  const er_if_attrs *a = er_attrs(ctx);
  const er_tensor *cond = er_input(ctx, 0);
  if (!a || !cond) return er_fail(ctx, EDGERT_ERR_MALFORMED, "needs attrs and a condition");
  if (er_tensor_elements(cond) != 1)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "condition has %lld elements, expected 1",
                   (long long)er_tensor_elements(cond));
  if (cond->dtype != EDGERT_BOOL) return er_check_dtype(ctx, cond, EDGERT_BOOL, "condition");
  if_plan *p = er_persist_alloc(ctx, sizeof *p);
  if (!p) return EDGERT_ERR_NO_MEMORY;
  ctx->op_data = p;
  int32_t first_capture[2];
  first_capture[1] = 1;
  first_capture[0] = 1 + er_subgraph_capture_count(ctx, a->then_branch);
  int32_t index[2] = {a->else_branch, a->then_branch};
  bool known = cond->kind == ER_TENSOR_CONST && cond->data;
  for (int b = 0; b < 2; b++) {
    if (known && (*(const uint8_t *)cond->data != 0) != (b == 1)) continue;
    if (er_subgraph_output_count(ctx, index[b]) != ctx->node->n_outputs)
      return er_fail(ctx, EDGERT_ERR_MALFORMED, "a branch does not give %d outputs",
                     (int)ctx->node->n_outputs);
    edgert_status st = er_subgraph_prepare(ctx, index[b], NULL, 0, first_capture[b], &p->branch[b]);
    if (st != EDGERT_OK) return st;
  }
  for (int i = 0; i < ctx->node->n_outputs; i++) {
    if (!er_output(ctx, i)) return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "output %d is absent", i);
    int32_t ndim;
    int64_t dims[ER_MAX_DIMS];
    edgert_status st = output_shape(ctx, p, i, &ndim, dims);
    if (st == EDGERT_OK) st = er_set_output_shape(ctx, er_output(ctx, i), ndim, dims);
    if (st != EDGERT_OK) return st;
  }
  return EDGERT_OK;
}

static edgert_status if_eval(er_op_ctx *ctx) {
  const if_plan *p = ctx->op_data;
  int b = *(const uint8_t *)er_input(ctx, 0)->data != 0;
  er_subgraph *branch = p->branch[b];
  if (!branch) return er_fail(ctx, EDGERT_ERR_RUNTIME, "the branch taken was not prepared");
  edgert_status st = er_subgraph_run(ctx, branch, NULL);
  if (st != EDGERT_OK) return st;
  for (int i = 0; i < ctx->node->n_outputs; i++) {
    er_tensor *out = er_output(ctx, i);
    edgert_tensor_info info;
    const void *data;
    if (!er_subgraph_output(branch, i, &info, &data))
      return er_fail(ctx, EDGERT_ERR_RUNTIME, "branch output %d is missing", i);
    if (info.dtype != out->dtype || info.bytes != out->bytes || (info.bytes && !data))
      return er_fail(ctx, EDGERT_ERR_SHAPE, "branch output %d is %s of %zu bytes, expected %s of %zu", i,
                     edgert_dtype_name(info.dtype), info.bytes, edgert_dtype_name(out->dtype), out->bytes);
    if (info.bytes) memcpy(out->data, data, info.bytes);
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_if = {.prepare = if_prepare, .eval = if_eval};
