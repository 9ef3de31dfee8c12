/* TOPK_V2: the k largest values of each row (last dim) and their int32 positions, largest first (TFLite
 * topk_v2.cc) for float32, int8, uint8, int32 and int64. Equal values keep their order in the row: the
 * earlier position comes first, as TFLite's TopContainer orders ties. k is input 1, a constant int32 with
 * one value in [0, row length], so the output shapes are known at prepare. Each row is built in its
 * output index row by insertion (binary search for the place, then a shift), so eval needs no memory. */
#include <string.h>

#include "core/kernel.h"

typedef struct {
  int64_t rows, row_len;
  int32_t k;
} topk_data;

static edgert_status topk_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 2, 2, 2);
  if (st != EDGERT_OK) return st;
  const er_tensor *in = er_input(ctx, 0), *k = er_input(ctx, 1);
  er_tensor *values = er_output(ctx, 0), *indices = er_output(ctx, 1);
  if (!values || !indices) return er_fail(ctx, EDGERT_ERR_MALFORMED, "both outputs must be present");
  switch (in->dtype) {
  case EDGERT_FLOAT32:
  case EDGERT_INT8:
  case EDGERT_UINT8:
  case EDGERT_INT32:
  case EDGERT_INT64: break;
  default:
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "input is %s; supported: float32, int8, uint8, int32, int64",
                   edgert_dtype_name(in->dtype));
  }
  if (values->dtype != in->dtype)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "values output dtype differs from input");
  if ((st = er_check_dtype(ctx, indices, EDGERT_INT32, "indices output")) != EDGERT_OK) return st;
  if ((st = er_check_dtype(ctx, k, EDGERT_INT32, "k")) != EDGERT_OK) return st;
  if (k->kind != ER_TENSOR_CONST || !k->data || er_tensor_elements(k) != 1)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "k must be a constant with one value");
  if (in->ndim < 1) return er_fail(ctx, EDGERT_ERR_SHAPE, "input must have at least one dim");
  int32_t kv;
  memcpy(&kv, k->data, sizeof kv);
  int64_t row_len = in->dims[in->ndim - 1];
  if (row_len > INT32_MAX)
    return er_fail(ctx, EDGERT_ERR_LIMIT, "rows of %lld values are beyond int32 positions",
                   (long long)row_len);
  if (kv < 0 || kv > row_len)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "k = %d is outside [0, %lld]", (int)kv, (long long)row_len);
  int64_t dims[ER_MAX_DIMS];
  memcpy(dims, in->dims, sizeof(int64_t) * (size_t)in->ndim);
  dims[in->ndim - 1] = kv;
  if ((st = er_set_output_shape(ctx, values, in->ndim, dims)) != EDGERT_OK) return st;
  if ((st = er_set_output_shape(ctx, indices, in->ndim, dims)) != EDGERT_OK) return st;
  topk_data *d = er_persist_alloc(ctx, sizeof *d);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  d->row_len = row_len;
  d->rows = row_len ? er_tensor_elements(in) / row_len : 0;
  d->k = kv;
  ctx->op_data = d;
  return EDGERT_OK;
}

/* For each row: top[0..count) holds positions sorted best first. A new position c (positions arrive in
 * increasing order) goes after every kept position whose value is >= v[c], which keeps ties in row order;
 * when the list is full and c would land past its end, it is dropped. */
#define TOPK_ROWS(T, d, in_data, out_values, out_indices)                                                    \
  do {                                                                                                       \
    for (int64_t r_ = 0; r_ < (d)->rows; r_++) {                                                             \
      const T *v_ = (const T *)(in_data) + r_ * (d)->row_len;                                                \
      int32_t *top_ = (out_indices) + r_ * (d)->k;                                                           \
      int32_t count_ = 0;                                                                                    \
      for (int32_t c_ = 0; c_ < (int32_t)(d)->row_len && (d)->k > 0; c_++) {                                 \
        int32_t lo_ = 0, hi_ = count_;                                                                       \
        while (lo_ < hi_) {                                                                                  \
          int32_t mid_ = lo_ + (hi_ - lo_) / 2;                                                              \
          if (v_[top_[mid_]] >= v_[c_])                                                                      \
            lo_ = mid_ + 1;                                                                                  \
          else                                                                                               \
            hi_ = mid_;                                                                                      \
        }                                                                                                    \
        if (lo_ >= (d)->k) continue;                                                                         \
        int32_t keep_ = count_ < (d)->k ? count_ : (d)->k - 1;                                               \
        memmove(top_ + lo_ + 1, top_ + lo_, sizeof(int32_t) * (size_t)(keep_ - lo_));                        \
        top_[lo_] = c_;                                                                                      \
        if (count_ < (d)->k) count_++;                                                                       \
      }                                                                                                      \
      T *vals_ = (T *)(out_values) + r_ * (d)->k;                                                            \
      for (int32_t j_ = 0; j_ < (d)->k; j_++)                                                                \
        vals_[j_] = v_[top_[j_]];                                                                            \
    }                                                                                                        \
  } while (0)

static edgert_status topk_eval(er_op_ctx *ctx) {
  const topk_data *d = ctx->op_data;
  const er_tensor *in = er_input(ctx, 0);
  void *values = er_output(ctx, 0)->data;
  int32_t *indices = er_output(ctx, 1)->data;
  switch (in->dtype) {
  case EDGERT_FLOAT32: TOPK_ROWS(float, d, in->data, values, indices); break;
  case EDGERT_INT8: TOPK_ROWS(int8_t, d, in->data, values, indices); break;
  case EDGERT_UINT8: TOPK_ROWS(uint8_t, d, in->data, values, indices); break;
  case EDGERT_INT32: TOPK_ROWS(int32_t, d, in->data, values, indices); break;
  default: TOPK_ROWS(int64_t, d, in->data, values, indices); break;
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_topk_v2 = {.prepare = topk_prepare, .eval = topk_eval};
