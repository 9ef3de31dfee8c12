/* LOOP (ONNX Loop, opsets 1-16 for tensors): runs the body while the iteration number is below the trip
 * count M and the condition holds. Loop-carried values live in the node's outputs between iterations
 * (each iteration's body outputs are copied back over them), scan outputs are stacked along a new first
 * axis. Scan outputs need the iteration count at prepare: computed when M and the condition are constants
 * and the body passes the condition through unchanged, else the model's declared output shape, which eval
 * then checks. An absent M with a condition that never turns false would run forever: loops stop with an
 * error once an invoke's loops have run edgert_limits.max_loop_iterations iterations (er_loop_iteration). */
#include <string.h>

#include "core/subgraph.h"

typedef struct {
  er_subgraph *body;
  int32_t carried, scans;
  int64_t scan_count; /* iterations the scan outputs hold */
  size_t scan_slice_bytes[ER_SCAN_MAX_VALUES];
} loop_plan;

static bool is_const(const er_tensor *t) { return t && t->kind == ER_TENSOR_CONST && t->data; }

/* The body gives back its condition input unchanged (cond_out = Identity(cond_in)) or a constant true. */
static bool body_keeps_condition(const er_op_ctx *ctx, int32_t body_index) {
  const er_graph *body = er_subgraph_graph(ctx, body_index);
  if (!body || body->n_outputs < 1 || body->n_inputs < 2) return false;
  int32_t out = body->outputs[0];
  if (out == body->inputs[1]) return true;
  const er_tensor *t = &body->tensors[out];
  return is_const(t) && t->dtype == EDGERT_BOOL && *(const uint8_t *)t->data != 0;
}

/* Iterations the scan outputs hold: -1 when unknown at prepare. */
static int64_t known_iterations(const er_op_ctx *ctx, const er_loop_attrs *a) {
  const er_tensor *m = er_input(ctx, 0), *cond = er_input(ctx, 1);
  if ((m && !is_const(m)) || (cond && !is_const(cond))) return -1;
  if (cond && *(const uint8_t *)cond->data == 0) return 0;
  if (!body_keeps_condition(ctx, a->body) || !m) return -1;
  int64_t trips = *(const int64_t *)m->data;
  return trips < 0 ? 0 : trips;
}

static edgert_status check_scalar(er_op_ctx *ctx, const er_tensor *t, edgert_dtype dtype, const char *what) {
  if (!t) return EDGERT_OK;
  if (er_tensor_elements(t) != 1)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "%s has %lld elements, expected 1", what,
                   (long long)er_tensor_elements(t));
  return er_check_dtype(ctx, t, dtype, what);
}

static edgert_status prepare_body(er_op_ctx *ctx, const er_loop_attrs *a, loop_plan *p) {
  er_tensor formal[2 + ER_SCAN_MAX_VALUES * 4];
  if (p->carried > (int32_t)(sizeof formal / sizeof formal[0]) - 2)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "%d loop-carried values are more than supported",
                   (int)p->carried);
  memset(formal, 0, sizeof formal);
  formal[0].dtype = EDGERT_INT64;
  formal[1].dtype = EDGERT_BOOL;
  for (int32_t i = 0; i < p->carried; i++) {
    const er_tensor *init = er_input(ctx, 2 + i);
    if (!init)
      return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "loop-carried value %d has no initial value", (int)i);
    formal[2 + i] = *init;
  }
  return er_subgraph_prepare(ctx, a->body, formal, 2 + p->carried, a->n_onnx_inputs, &p->body);
}

/* Shape of one iteration's scan output j: the body's when known at prepare, else the declared one less
 * its first dim. */
static edgert_status scan_slice_shape(er_op_ctx *ctx, loop_plan *p, int32_t j, int32_t *ndim, int64_t *dims) {
  edgert_tensor_info info;
  const void *data;
  if (p->body->planned && er_subgraph_output(p->body, 1 + p->carried + j, &info, &data)) {
    *ndim = info.ndim;
    memcpy(dims, info.dims, sizeof(int64_t) * (size_t)info.ndim);
    return EDGERT_OK;
  }
  const er_tensor *declared = er_declared_output(ctx, p->carried + j);
  if (declared->ndim < 1 || declared->dynamic_dims > 1)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "scan output %d: its shape is only known at run time",
                   (int)j);
  *ndim = declared->ndim - 1;
  memcpy(dims, declared->dims + 1, sizeof(int64_t) * (size_t)*ndim);
  return EDGERT_OK;
}

static edgert_status scan_count(er_op_ctx *ctx, const er_loop_attrs *a, loop_plan *p) {
  p->scan_count = known_iterations(ctx, a);
  const int64_t max_iterations = er_limits(ctx)->max_loop_iterations;
  if (p->scan_count > max_iterations)
    return er_fail(ctx, EDGERT_ERR_LIMIT,
                   "trip count %lld is beyond the limit of %lld iterations (edgert_limits)",
                   (long long)p->scan_count, (long long)max_iterations);
  if (p->scan_count >= 0 || p->scans == 0) return EDGERT_OK;
  const er_tensor *declared = er_declared_output(ctx, p->carried);
  if (declared->ndim >= 1 && !(declared->dynamic_dims & 1u)) {
    p->scan_count = declared->dims[0];
    return EDGERT_OK;
  }
  const er_tensor *m = er_input(ctx, 0), *cond = er_input(ctx, 1);
  if (m && !is_const(m)) return er_need_value(ctx, m, "trip count M");
  if (cond && !is_const(cond)) return er_need_value(ctx, cond, "condition");
  return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                 "scan outputs need the iteration count, which the body's condition decides at run time");
}

static edgert_status loop_prepare(er_op_ctx *ctx) {
  const er_loop_attrs *a = er_attrs(ctx);
  if (!a) return er_fail(ctx, EDGERT_ERR_MALFORMED, "needs attrs");
  loop_plan *p = er_persist_alloc(ctx, sizeof *p);
  if (!p) return EDGERT_ERR_NO_MEMORY;
  ctx->op_data = p;
  p->carried = a->n_onnx_inputs - 2;
  p->scans = ctx->node->n_outputs - p->carried;
  if (p->carried < 0 || p->scans < 0 || p->scans > ER_SCAN_MAX_VALUES)
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "%d inputs and %d outputs do not fit a loop",
                   (int)a->n_onnx_inputs, (int)ctx->node->n_outputs);
  for (int32_t i = 0; i < ctx->node->n_outputs; i++)
    if (!er_output(ctx, i)) return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "output %d is absent", (int)i);
  edgert_status st;
  if ((st = check_scalar(ctx, er_input(ctx, 0), EDGERT_INT64, "trip count M")) != EDGERT_OK ||
      (st = check_scalar(ctx, er_input(ctx, 1), EDGERT_BOOL, "condition")) != EDGERT_OK ||
      (st = scan_count(ctx, a, p)) != EDGERT_OK || (st = prepare_body(ctx, a, p)) != EDGERT_OK)
    return st;
  for (int32_t i = 0; i < p->carried; i++) {
    const er_tensor *init = er_input(ctx, 2 + i);
    er_tensor *out = er_output(ctx, i);
    if ((st = er_check_dtype(ctx, out, init->dtype, "loop-carried output")) != EDGERT_OK) return st;
    if ((st = er_set_output_shape(ctx, out, init->ndim, init->dims)) != EDGERT_OK) return st;
    edgert_tensor_info info;
    const void *data;
    if (p->body->planned && er_subgraph_output(p->body, 1 + i, &info, &data) &&
        (info.dtype != init->dtype || info.bytes != out->bytes))
      return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                     "loop-carried value %d changes dtype or size in the body, which is not supported",
                     (int)i);
  }
  for (int32_t j = 0; j < p->scans; j++) {
    int32_t ndim;
    int64_t dims[ER_MAX_DIMS + 1];
    if ((st = scan_slice_shape(ctx, p, j, &ndim, dims + 1)) != EDGERT_OK) return st;
    if (ndim + 1 > ER_MAX_DIMS)
      return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "scan output %d has too many dims", (int)j);
    dims[0] = 1;
    er_tensor *out = er_output(ctx, p->carried + j);
    if (!out) return er_fail(ctx, EDGERT_ERR_MALFORMED, "scan output %d is missing", (int)j);
    if (!er_bytes_for(out->dtype, er_shape_elements(ndim + 1, dims), &p->scan_slice_bytes[j]))
      return er_fail(ctx, EDGERT_ERR_LIMIT, "scan output %d is too large", (int)j);
    dims[0] = p->scan_count;
    if ((st = er_set_output_shape(ctx, out, ndim + 1, dims)) != EDGERT_OK) return st;
  }
  return EDGERT_OK;
}

/* Copies body output `i` (checked against `bytes`) to dst. */
static edgert_status take_output(er_op_ctx *ctx, const loop_plan *p, int32_t i, void *dst, size_t bytes) {
  edgert_tensor_info info;
  const void *data;
  if (!er_subgraph_output(p->body, i, &info, &data) || info.bytes != bytes || (bytes && !data))
    return er_fail(ctx, EDGERT_ERR_SHAPE, "body output %d does not have the %zu bytes prepared for it",
                   (int)i, bytes);
  if (bytes && dst != data) memmove(dst, data, bytes);
  return EDGERT_OK;
}

static edgert_status run_iteration(er_op_ctx *ctx, const loop_plan *p, int64_t iteration, uint8_t *cond) {
  const void *formal[2 + ER_SCAN_MAX_VALUES * 4];
  formal[0] = &iteration;
  formal[1] = cond;
  for (int32_t i = 0; i < p->carried; i++)
    formal[2 + i] = er_output(ctx, i)->data;
  edgert_status st = er_subgraph_run(ctx, p->body, formal);
  if (st == EDGERT_OK) st = take_output(ctx, p, 0, cond, 1);
  for (int32_t i = 0; i < p->carried && st == EDGERT_OK; i++) {
    er_tensor *out = er_output(ctx, i);
    st = take_output(ctx, p, 1 + i, out->data, out->bytes);
  }
  for (int32_t j = 0; j < p->scans && st == EDGERT_OK; j++) {
    unsigned char *out = er_output(ctx, p->carried + j)->data;
    st = take_output(ctx, p, 1 + p->carried + j, out + (size_t)iteration * p->scan_slice_bytes[j],
                     p->scan_slice_bytes[j]);
  }
  return st;
}

static edgert_status loop_eval(er_op_ctx *ctx) {
  const loop_plan *p = ctx->op_data;
  const er_tensor *m = er_input(ctx, 0), *cond_in = er_input(ctx, 1);
  int64_t trips = m ? *(const int64_t *)m->data : INT64_MAX;
  uint8_t cond = cond_in ? *(const uint8_t *)cond_in->data != 0 : 1;
  for (int32_t i = 0; i < p->carried; i++) {
    er_tensor *out = er_output(ctx, i);
    if (out->bytes) memcpy(out->data, er_input(ctx, 2 + i)->data, out->bytes);
  }
  int64_t iteration = 0;
  for (; iteration < trips && cond; iteration++) {
    edgert_status st = er_loop_iteration(ctx);
    if (st != EDGERT_OK) return st;
    if (p->scans && iteration >= p->scan_count)
      return er_fail(ctx, EDGERT_ERR_SHAPE,
                     "the loop runs more than the %lld iterations its scan outputs hold",
                     (long long)p->scan_count);
    st = run_iteration(ctx, p, iteration, &cond);
    if (st != EDGERT_OK) return st;
  }
  if (p->scans && iteration != p->scan_count)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "the loop ran %lld iterations, its scan outputs hold %lld",
                   (long long)iteration, (long long)p->scan_count);
  return EDGERT_OK;
}

const er_kernel er_kernel_loop = {.prepare = loop_prepare, .eval = loop_eval};
