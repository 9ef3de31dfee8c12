/* Shrinking outputs whose size depends on the data; see dynamic_output.h. */
#include "core/dynamic_output.h"

#include "core/interp.h"

bool er_output_is_terminal(const er_op_ctx *ctx, const er_tensor *t) {
  const er_interp *it = ctx->interp;
  if (!it || !it->model || it->graph != &it->model->graph) return false; /* a subgraph's interpreter */
  const er_graph *g = it->graph;
  int32_t id = (int32_t)(t - ctx->tensors);
  if (id < 0 || id >= g->n_tensors) return false;
  bool is_output = false;
  for (int32_t i = 0; i < g->n_outputs; i++)
    is_output |= g->outputs[i] == id;
  for (int32_t n = 0; n < g->n_nodes && is_output; n++)
    for (int32_t i = 0; i < g->nodes[n].n_inputs; i++)
      if (g->nodes[n].inputs[i] == id) return false;
  return is_output;
}

edgert_status er_shrink_leading_dim(er_op_ctx *ctx, er_tensor *t, int64_t rows, int64_t planned_rows) {
  if (t->ndim < 1 || rows < 0 || rows > planned_rows)
    return er_fail(ctx, EDGERT_ERR_RUNTIME, "cannot shrink an output of %lld planned rows to %lld rows",
                   (long long)planned_rows, (long long)rows);
  int64_t row_elements = 1;
  for (int32_t i = 1; i < t->ndim; i++)
    row_elements *= t->dims[i]; /* planned by er_set_output_shape, so the product fits */
  size_t bytes;
  if (!er_bytes_for(t->dtype, rows * row_elements, &bytes))
    return er_fail(ctx, EDGERT_ERR_RUNTIME, "output size overflows");
  t->dims[0] = rows;
  t->bytes = bytes;
  return EDGERT_OK;
}
