/* EMBEDDING_LOOKUP: output row i is row lookup[i] of the value table (TFLite embedding_lookup.cc).
 * Lookups are int32 and come at run time, so each one is checked against the table's rows at eval.
 * Paths: a float32, int8 or uint8 table copied into an output of its own dtype, and TFLite's hybrid path,
 * an int8 or uint8 table dequantized into a float32 output as value * scale (one scale per tensor, or
 * one per row when the table is quantized along dim 0). As TFLite does, the hybrid path reads the table
 * bytes as signed int8 for uint8 tables too and ignores the zero point. */
#include <string.h>

#include "core/kernel.h"

typedef struct {
  int64_t rows;     /* of the table */
  int64_t row_len;  /* elements per row */
  size_t row_bytes; /* of a table row */
  bool dequantize;  /* hybrid: int8/uint8 table, float32 output */
} lookup_data;

static edgert_status check_hybrid_scales(er_op_ctx *ctx, const er_tensor *value) {
  const er_quant *q = &value->q;
  if (q->channels > 1) {
    if (q->axis != 0 || q->channels != value->dims[0] || !q->scales)
      return er_fail(ctx, EDGERT_ERR_SHAPE, "per-channel scales must be along dim 0, one per row");
    return EDGERT_OK;
  }
  return EDGERT_OK;
}

static edgert_status lookup_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 2, 2, 1);
  if (st != EDGERT_OK) return st;
  const er_tensor *lookup = er_input(ctx, 0), *value = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  if ((st = er_check_dtype(ctx, lookup, EDGERT_INT32, "lookup")) != EDGERT_OK) return st;
  if (lookup->ndim != 1)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "lookup must be 1-D, is %d-D", (int)lookup->ndim);
  if (value->ndim < 2)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "value must be at least 2-D, is %d-D", (int)value->ndim);
  bool quantized_table = value->dtype == EDGERT_INT8 || value->dtype == EDGERT_UINT8;
  bool dequantize = quantized_table && out->dtype == EDGERT_FLOAT32;
  if (!dequantize && (out->dtype != value->dtype || (!quantized_table && value->dtype != EDGERT_FLOAT32)))
    return er_fail(
        ctx, EDGERT_ERR_UNSUPPORTED,
        "table %s with output %s; supported: float32, int8 or uint8 into the same dtype, or int8/uint8 "
        "into float32",
        edgert_dtype_name(value->dtype), edgert_dtype_name(out->dtype));
  if (dequantize && (st = check_hybrid_scales(ctx, value)) != EDGERT_OK) return st;
  int64_t dims[ER_MAX_DIMS];
  memcpy(dims, value->dims, sizeof(int64_t) * (size_t)value->ndim);
  dims[0] = lookup->dims[0];
  if ((st = er_set_output_shape(ctx, out, value->ndim, dims)) != EDGERT_OK) return st;
  lookup_data *d = er_persist_alloc(ctx, sizeof *d);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  d->rows = value->dims[0];
  d->row_len = er_shape_elements(value->ndim - 1, value->dims + 1);
  d->row_bytes = (size_t)d->row_len * edgert_dtype_size(value->dtype);
  d->dequantize = dequantize;
  ctx->op_data = d;
  return EDGERT_OK;
}

static float row_scale(const er_tensor *value, int64_t row) {
  const er_quant *q = &value->q;
  if (q->channels > 1) return q->scales[row];
  if (q->channels == 1 && q->scales) return q->scales[0];
  return q->scale;
}

static edgert_status lookup_eval(er_op_ctx *ctx) {
  const lookup_data *d = ctx->op_data;
  const er_tensor *lookup = er_input(ctx, 0), *value = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  const int32_t *rows = lookup->data;
  for (int64_t i = 0; i < lookup->dims[0]; i++) {
    int64_t row = rows[i];
    if (row < 0 || row >= d->rows)
      return er_fail(ctx, EDGERT_ERR_RUNTIME, "lookup %lld is outside [0, %lld)", (long long)row,
                     (long long)d->rows);
    if (d->dequantize) {
      const int8_t *src = (const int8_t *)value->data + row * d->row_len;
      float *dst = (float *)out->data + i * d->row_len;
      float scale = row_scale(value, row);
      for (int64_t j = 0; j < d->row_len; j++)
        dst[j] = (float)src[j] * scale;
    } else if (d->row_bytes) {
      memcpy((unsigned char *)out->data + (size_t)i * d->row_bytes,
             (const unsigned char *)value->data + (size_t)row * d->row_bytes, d->row_bytes);
    }
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_embedding_lookup = {.prepare = lookup_prepare, .eval = lookup_eval};
