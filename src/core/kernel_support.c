/* Services the interpreter offers kernels during prepare: errors that name the node, output shapes
 * checked against what the model declares, persistent memory, and common argument checks. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/interp.h"
#include "core/thread_pool.h"

edgert_status er_interp_fail(er_interp *it, edgert_status st, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(it->error, sizeof it->error, fmt, ap);
  va_end(ap);
  it->status = st;
  return st;
}

edgert_status er_fail(er_op_ctx *ctx, edgert_status st, const char *fmt, ...) {
  char msg[ER_ERROR_LEN - 64];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return er_interp_fail(ctx->interp, st, "%s node %d: %s", er_op_name(ctx->node->op), (int)ctx->node->index,
                        msg);
}

/* A computed shape fits what the model declares when ranks agree and every dim the model does not mark
 * dynamic is equal. */
static bool fits_declared(const er_tensor *declared, int32_t ndim, const int64_t *dims) {
  if (declared->ndim != ndim) return false;
  for (int32_t i = 0; i < ndim; i++)
    if (declared->dims[i] != dims[i] && !(declared->dynamic_dims & (1u << i))) return false;
  return true;
}

edgert_status er_set_output_shape(er_op_ctx *ctx, er_tensor *t, int32_t ndim, const int64_t *dims) {
  er_interp *it = ctx->interp;
  ptrdiff_t id = t - it->tensors;
  if (id < 0 || id >= it->graph->n_tensors)
    return er_fail(ctx, EDGERT_ERR_ARGUMENT, "output is not a graph tensor");
  if (ndim < 0 || ndim > ER_MAX_DIMS)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "output rank %d is beyond %d", ndim, ER_MAX_DIMS);
  size_t bytes;
  int64_t elements = er_shape_elements(ndim, dims);
  if (!er_bytes_for(t->dtype, elements, &bytes))
    return er_fail(ctx, EDGERT_ERR_LIMIT, "output '%s' shape is negative or too large",
                   t->name ? t->name : "");
  if (!er_limits_elements_ok(&it->limits, elements))
    return er_fail(ctx, EDGERT_ERR_LIMIT,
                   "output '%s' would hold %lld elements, beyond the limit of %lld (edgert_limits)",
                   t->name ? t->name : "", (long long)elements, (long long)it->limits.max_tensor_elements);
  const er_tensor *declared = &it->graph->tensors[id];
  if (declared->ndim > 0 && !fits_declared(declared, ndim, dims)) {
    char want[128], got[128];
    er_shape_str(declared->ndim, declared->dims, want, sizeof want);
    er_shape_str(ndim, dims, got, sizeof got);
    return er_fail(ctx, EDGERT_ERR_SHAPE, "output '%s' computed shape %s but the model declares %s",
                   t->name ? t->name : "", got, want);
  }
  t->ndim = ndim;
  if (ndim) memcpy(t->dims, dims, sizeof(int64_t) * (size_t)ndim);
  t->bytes = bytes;
  it->shaped[id] = 1;
  return EDGERT_OK;
}

edgert_status er_kernel_data_reserve(er_op_ctx *ctx, size_t bytes) {
  er_interp *it = ctx->interp;
  size_t limit = it->limits.max_arena_bytes;
  if (bytes > limit || it->kernel_bytes > limit - bytes)
    return er_fail(ctx, EDGERT_ERR_LIMIT,
                   "kernel data would reach %zu + %zu bytes, beyond the limit of %zu (edgert_limits)",
                   it->kernel_bytes, bytes, limit);
  it->kernel_bytes += bytes;
  return EDGERT_OK;
}

void *er_persist_alloc(er_op_ctx *ctx, size_t bytes) {
  if (er_kernel_data_reserve(ctx, bytes) != EDGERT_OK) return NULL;
  void *p = er_pool_alloc(&ctx->interp->pool, bytes);
  if (!p) {
    er_fail(ctx, EDGERT_ERR_NO_MEMORY, "out of memory for %zu bytes of kernel data", bytes);
    return NULL;
  }
  return p;
}

edgert_status er_keep_input(er_op_ctx *ctx, int i) {
  er_tensor *t = er_input(ctx, i);
  return t ? er_interp_keep_copy(ctx, t) : EDGERT_OK;
}

edgert_status er_copy_input(er_op_ctx *ctx, int i) {
  er_tensor *t = er_input(ctx, i);
  return t ? er_interp_copy_file_input(ctx, t) : EDGERT_OK;
}

const edgert_limits *er_limits(const er_op_ctx *ctx) { return &ctx->interp->limits; }

edgert_status er_loop_iteration(er_op_ctx *ctx) {
  er_interp *root = ctx->interp->root;
  if (root->loop_iterations_left <= 0)
    return er_fail(ctx, EDGERT_ERR_LIMIT,
                   "loops ran more than %lld iterations in one invoke without ending (edgert_limits)",
                   (long long)root->limits.max_loop_iterations);
  root->loop_iterations_left--;
  return EDGERT_OK;
}

void er_input_packed(er_op_ctx *ctx, int i) {
  if (i >= 0 && i < 32 && er_input(ctx, i)) ctx->packed_inputs |= (uint32_t)1 << i;
}

void er_output_may_overwrite(er_op_ctx *ctx, int i) {
  const er_tensor *in = er_input(ctx, i), *out = ctx->node->n_outputs > 0 ? er_output(ctx, 0) : NULL;
  if (i < 32 && in && out && in->dtype == out->dtype && in->bytes == out->bytes)
    ctx->overwritable_inputs |= (uint32_t)1 << i;
}

edgert_status er_check_io(er_op_ctx *ctx, int min_inputs, int max_inputs, int outputs) {
  const er_node *n = ctx->node;
  if (n->n_inputs < min_inputs || n->n_inputs > max_inputs)
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "has %d inputs, expected %d to %d", n->n_inputs, min_inputs,
                   max_inputs);
  for (int i = 0; i < min_inputs; i++)
    if (!er_input(ctx, i)) return er_fail(ctx, EDGERT_ERR_MALFORMED, "required input %d is missing", i);
  if (n->n_outputs != outputs)
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "has %d outputs, expected %d", n->n_outputs, outputs);
  return EDGERT_OK;
}

edgert_status er_check_dtype(er_op_ctx *ctx, const er_tensor *t, edgert_dtype dtype, const char *what) {
  if (t->dtype == dtype) return EDGERT_OK;
  return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "%s '%s' is %s, expected %s", what, t->name ? t->name : "",
                 edgert_dtype_name(t->dtype), edgert_dtype_name(dtype));
}

edgert_status er_need_value(er_op_ctx *ctx, const er_tensor *t, const char *what) {
  ctx->interp->needed_value = (int32_t)(t - ctx->interp->tensors);
  return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "%s decides the output shape but is only known at run time",
                 what);
}

int32_t er_num_threads(const er_op_ctx *ctx) { return ctx->interp ? ctx->interp->n_threads : 1; }

/* One thread (or nothing worth splitting) is a direct call: no pool, no atomics, no locks. */
void er_parallel_for(er_op_ctx *ctx, int64_t n, int64_t grain, er_task_fn fn, void *arg) {
  if (n <= 0) return;
  er_thread_pool *pool = ctx->interp ? ctx->interp->thread_pool : NULL;
  if (!pool || n <= grain) {
    fn(arg, 0, 0, n);
    return;
  }
  er_thread_pool_run(pool, n, grain, fn, arg);
}
