/* BATCH_MATMUL: out[..., m, n] = sum_k A[..., m, k] * B[..., k, n], where A is lhs (transposed in its last
 * two dims when adj_x) and B is rhs (transposed when adj_y). Batch dims broadcast as numpy does (a dim of
 * 1 repeats). Follows TFLite's batch_matmul.cc and reference/batch_matmul.h: float32; int8 with per-tensor
 * scales, both zero points applied, int32 accumulator; int16 with int64 accumulator. The output multiplier
 * is lhs_scale * rhs_scale / output_scale; there is no fused activation. Hybrid (float lhs, int8 rhs with
 * one scale, float output; TFLite EvalHybrid): each row of A quantized at every invoke, symmetric or
 * asymmetric (asymmetric_quantize_inputs). float32 runs on the GEMM core (gemm_f32.h), one product per
 * batch with both operands read as stored. */
#include "core/kernel.h"
#include "core/quant.h"
#include "ops/broadcast.h"
#include "ops/conv_common.h"
#include "ops/gemm_f32.h"
#include "ops/hybrid.h"

typedef struct {
  er_batch_bcast batch; /* A is lhs, B is rhs */
  int64_t m, n, k;
  /* element strides of A[m][k] and B[k][n] inside one matrix, folding in adj_x / adj_y */
  int64_t a_m, a_k, b_k, b_n;
  int32_t lhs_offset, rhs_offset, output_offset, multiplier, shift, act_min, act_max;
  /* Hybrid (float lhs, int8 rhs): every row of A quantized at each invoke (asymmetric or symmetric);
   * scratch holds the int8 rows, their scales and zero points, and one float row for gathering A's row
   * when adj_x stores it strided. */
  bool hybrid, asymmetric;
  float rhs_scale;
  int64_t lhs_rows; /* rows of A in all of lhs: lhs batches * m */
  er_hybrid_scratch scratch;
  size_t gather_offset;
  const er_f32_gemm_ukernels *uk; /* float32 (not hybrid) */
  bool adj_x, adj_y;
} bmm_data;

static edgert_status check_shapes(er_op_ctx *ctx, const er_matmul_attrs *a, bmm_data *d, const er_tensor *lhs,
                                  const er_tensor *rhs) {
  if (lhs->ndim < 2 || rhs->ndim < 2)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "inputs need rank >= 2 (have %d and %d)", (int)lhs->ndim,
                   (int)rhs->ndim);
  if (er_tensor_elements(lhs) < 1 || er_tensor_elements(rhs) < 1)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "inputs must be non-empty");
  int64_t lr = er_dim(lhs, -2), lc = er_dim(lhs, -1), rr = er_dim(rhs, -2), rc = er_dim(rhs, -1);
  d->m = a->adj_x ? lc : lr;
  d->k = a->adj_x ? lr : lc;
  int64_t rhs_k = a->adj_y ? rc : rr;
  d->n = a->adj_y ? rr : rc;
  if (rhs_k != d->k)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "lhs depth %lld differs from rhs depth %lld", (long long)d->k,
                   (long long)rhs_k);
  d->a_m = a->adj_x ? 1 : d->k;
  d->a_k = a->adj_x ? d->m : 1;
  d->b_k = a->adj_y ? 1 : d->n;
  d->b_n = a->adj_y ? d->k : 1;
  return er_batch_bcast_plan(ctx, &d->batch, lhs->ndim - 2, lhs->dims, d->m * d->k, rhs->ndim - 2, rhs->dims,
                             d->k * d->n);
}

static edgert_status prepare_quant(er_op_ctx *ctx, bmm_data *d, const er_tensor *lhs, const er_tensor *rhs,
                                   const er_tensor *out) {
  bool is_16 = lhs->dtype == EDGERT_INT16;
  edgert_status st = er_conv_check_act_quant(ctx, lhs, "lhs", is_16);
  if (st == EDGERT_OK) st = er_conv_check_act_quant(ctx, rhs, "rhs", is_16);
  if (st == EDGERT_OK) st = er_conv_check_act_quant(ctx, out, "output", is_16);
  if (st != EDGERT_OK) return st;
  double real = (double)er_conv_tensor_scale(lhs) * (double)er_conv_tensor_scale(rhs) /
                (double)er_conv_tensor_scale(out);
  int shift;
  er_quantize_multiplier(real, &d->multiplier, &shift);
  d->shift = shift;
  d->lhs_offset = -lhs->q.zero_point;
  d->rhs_offset = -rhs->q.zero_point;
  d->output_offset = out->q.zero_point;
  er_conv_output_range(out, ER_ACT_NONE, &d->act_min, &d->act_max);
  return EDGERT_OK;
}

static edgert_status prepare_hybrid(er_op_ctx *ctx, bmm_data *d, const er_matmul_attrs *a,
                                    const er_tensor *lhs, const er_tensor *rhs) {
  edgert_status st = er_hybrid_check_weights(ctx, rhs, "rhs", false, 0, 0);
  if (st != EDGERT_OK) return st;
  d->hybrid = true;
  d->asymmetric = a->asymmetric_quantize_inputs;
  d->rhs_scale = er_hybrid_weight_scale(rhs);
  d->lhs_rows = er_tensor_elements(lhs) / d->k;
  size_t gather_bytes;
  if (!er_hybrid_scratch_plan(0, d->lhs_rows * d->k, d->lhs_rows, &d->scratch) ||
      !er_bytes_for(EDGERT_FLOAT32, d->k, &gather_bytes) || gather_bytes > SIZE_MAX - d->scratch.bytes)
    return er_fail(ctx, EDGERT_ERR_LIMIT, "hybrid scratch is too large");
  d->gather_offset = d->scratch.bytes;
  ctx->scratch_bytes = d->scratch.bytes + gather_bytes;
  return EDGERT_OK;
}

static edgert_status bmm_prepare(er_op_ctx *ctx) {
  const er_matmul_attrs *a = er_attrs(ctx);
  const er_matmul_attrs none = {.adj_x = false, .adj_y = false};
  if (!a) a = &none;
  edgert_status st = er_check_io(ctx, 2, 2, 1);
  if (st != EDGERT_OK) return st;
  const er_tensor *lhs = er_input(ctx, 0), *rhs = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  bool same = lhs->dtype == rhs->dtype && lhs->dtype == out->dtype;
  bool hybrid = lhs->dtype == EDGERT_FLOAT32 && rhs->dtype == EDGERT_INT8 && out->dtype == EDGERT_FLOAT32;
  if (!hybrid &&
      (!same || (lhs->dtype != EDGERT_FLOAT32 && lhs->dtype != EDGERT_INT8 && lhs->dtype != EDGERT_INT16)))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                   "types %s x %s -> %s are not supported (need float32, int8 or int16 "
                   "throughout, or float32 x int8 -> float32)",
                   edgert_dtype_name(lhs->dtype), edgert_dtype_name(rhs->dtype),
                   edgert_dtype_name(out->dtype));
  bmm_data *d = er_persist_alloc(ctx, sizeof *d);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  if ((st = check_shapes(ctx, a, d, lhs, rhs)) != EDGERT_OK) return st;
  int64_t dims[ER_MAX_DIMS];
  for (int32_t i = 0; i < d->batch.ndim; i++)
    dims[i] = d->batch.dims[i];
  dims[d->batch.ndim] = d->m;
  dims[d->batch.ndim + 1] = d->n;
  if ((st = er_set_output_shape(ctx, out, d->batch.ndim + 2, dims)) != EDGERT_OK) return st;
  if (hybrid && (st = prepare_hybrid(ctx, d, a, lhs, rhs)) != EDGERT_OK) return st;
  if (lhs->dtype != EDGERT_FLOAT32 && (st = prepare_quant(ctx, d, lhs, rhs, out)) != EDGERT_OK) return st;
  if (lhs->dtype == EDGERT_FLOAT32 && !hybrid) {
    d->uk = er_f32_gemm_select(er_cpu_detect());
    d->adj_x = a->adj_x, d->adj_y = a->adj_y;
    if (!er_f32_gemm_scratch_bytes(d->uk, d->m, d->n, d->k, false, false, er_num_threads(ctx),
                                   &ctx->scratch_bytes))
      return er_fail(ctx, EDGERT_ERR_LIMIT, "product [%lld x %lld x %lld] is too large", (long long)d->m,
                     (long long)d->n, (long long)d->k);
  }
  ctx->op_data = d;
  return EDGERT_OK;
}

/* For every batch and output (m, n): SUM over k of A[m][k] * B[k][n] with ACC_T, then STORE at out[o]. */
#define MATMUL_LOOPS(ACC_T, TERM, STORE)                                                                     \
  int64_t batches = er_batch_bcast_count(&d->batch), o = 0;                                                                   \
  for (int64_t bi = 0; bi < batches; bi++) {                                                                 \
    int64_t la, ra;                                                                                          \
    er_batch_bcast_starts(&d->batch, bi, &la, &ra);                                                                           \
    for (int64_t m = 0; m < d->m; m++)                                                                       \
      for (int64_t n = 0; n < d->n; n++, o++) {                                                              \
        ACC_T acc = 0;                                                                                       \
        for (int64_t k = 0; k < d->k; k++) {                                                                 \
          const int64_t ai = la + m * d->a_m + k * d->a_k, bj = ra + k * d->b_k + n * d->b_n;                \
          acc += TERM;                                                                                       \
        }                                                                                                    \
        STORE;                                                                                               \
      }                                                                                                      \
  }

/* One GEMM per batch; A and B as stored (transposed when adj_x / adj_y). */
static void bmm_f32(er_op_ctx *ctx, const bmm_data *d, const float *lhs, const float *rhs, float *out) {
  int64_t batches = er_batch_bcast_count(&d->batch);
  er_f32_gemm_args g = {.m = d->m, .n = d->n, .k = d->k, .ldc = d->n};
  for (int64_t bi = 0; bi < batches; bi++) {
    int64_t la, ra;
    er_batch_bcast_starts(&d->batch, bi, &la, &ra);
    g.a = (er_f32_matrix){lhs + la, d->adj_x ? d->m : d->k, d->adj_x};
    g.b = (er_f32_matrix){rhs + ra, d->adj_y ? d->k : d->n, d->adj_y};
    g.c = out + bi * d->m * d->n;
    er_f32_gemm_run(ctx, d->uk, &g, ctx->scratch);
  }
}

static void bmm_i8(const bmm_data *d, const int8_t *lhs, const int8_t *rhs, int8_t *out) {
  MATMUL_LOOPS(int64_t, ((int32_t)lhs[ai] + d->lhs_offset) * ((int32_t)rhs[bj] + d->rhs_offset),
               out[o] = (int8_t)er_requantize_i32(er_wrap_i32(acc), d->multiplier, d->shift, d->output_offset,
                                                  d->act_min, d->act_max))
}

static void bmm_i16(const bmm_data *d, const int16_t *lhs, const int16_t *rhs, int16_t *out) {
  MATMUL_LOOPS(int64_t, (int64_t)((int32_t)lhs[ai] + d->lhs_offset) * ((int32_t)rhs[bj] + d->rhs_offset),
               out[o] = (int16_t)er_clamp_i32(
                   er_multiply_by_quantized_multiplier_64(acc, d->multiplier, d->shift) + d->output_offset,
                   d->act_min, d->act_max))
}

/* Quantizes every row of A (m rows of k per lhs batch), gathering it first when adj_x strides it. */
static void quantize_lhs_rows(const bmm_data *d, const float *lhs, unsigned char *scratch) {
  er_hybrid_buffers buf = er_hybrid_buffers_at(&d->scratch, scratch);
  float *row = (float *)(void *)(scratch + d->gather_offset);
  for (int64_t r = 0; r < d->lhs_rows; r++) {
    const float *matrix = lhs + (r / d->m) * d->m * d->k;
    const int64_t m = r % d->m;
    for (int64_t k = 0; k < d->k; k++)
      row[k] = matrix[m * d->a_m + k * d->a_k];
    er_hybrid_quantize_rows(row, 1, d->k, d->asymmetric, buf.q + r * d->k, &buf.scales[r],
                            &buf.zero_points[r]);
    buf.scales[r] *= d->rhs_scale;
  }
}

/* Hybrid (TFLite batch_matmul.cc EvalHybrid, reference_ops::BatchMatMul with scaling factors):
 * out[m][n] = scale[m] * (sum_k qA[m][k] * B[k][n] - zero_point[m] * sum_k B[k][n]). */
static void bmm_hybrid(const bmm_data *d, const float *lhs, const int8_t *rhs, float *out,
                       unsigned char *scratch) {
  quantize_lhs_rows(d, lhs, scratch);
  const er_hybrid_buffers buf = er_hybrid_buffers_at(&d->scratch, scratch);
  int64_t batches = er_batch_bcast_count(&d->batch), o = 0;
  for (int64_t bi = 0; bi < batches; bi++) {
    int64_t la, ra;
    er_batch_bcast_starts(&d->batch, bi, &la, &ra);
    const int64_t first_row = la / d->k; /* la counts elements of whole m x k matrices */
    for (int64_t m = 0; m < d->m; m++) {
      const int64_t r = first_row + m;
      const int8_t *x = buf.q + r * d->k;
      for (int64_t n = 0; n < d->n; n++, o++) {
        int64_t dot = 0, column_sum = 0;
        for (int64_t k = 0; k < d->k; k++) {
          const int32_t b = rhs[ra + k * d->b_k + n * d->b_n];
          dot += (int32_t)x[k] * b;
          column_sum += b;
        }
        int32_t total = er_wrap_i32(dot - column_sum * (d->asymmetric ? buf.zero_points[r] : 0));
        out[o] = buf.scales[r] * (float)total;
      }
    }
  }
}

static edgert_status bmm_eval(er_op_ctx *ctx) {
  const bmm_data *d = ctx->op_data;
  const er_tensor *lhs = er_input(ctx, 0), *rhs = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  switch (lhs->dtype) {
  case EDGERT_FLOAT32:
    if (d->hybrid)
      bmm_hybrid(d, lhs->data, rhs->data, out->data, ctx->scratch);
    else
      bmm_f32(ctx, d, lhs->data, rhs->data, out->data);
    break;
  case EDGERT_INT8: bmm_i8(d, lhs->data, rhs->data, out->data); break;
  case EDGERT_INT16: bmm_i16(d, lhs->data, rhs->data, out->data); break;
  default: return er_fail(ctx, EDGERT_ERR_RUNTIME, "unexpected input type");
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_batch_matmul = {.prepare = bmm_prepare, .eval = bmm_eval};
