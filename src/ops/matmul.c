/* ONNX matrix products with numpy's matmul shapes: a 1-D first operand is a row [1, K] and a 1-D second
 * operand a column [K, 1], the added dim dropped from the result; leading batch dims broadcast.
 *  MATMUL: float32 on the packed GEMM core (gemm_f32.h; a constant B is packed once at prepare, and when
 *   it has no batch dims every batch of A joins one product); float64, float16, bfloat16 (products summed
 *   in double, rounded once), and 32/64-bit integers (wrapping, as numpy's).
 *  MATMUL_INTEGER: int8/uint8 operands minus their zero points (inputs 2 and 3: a scalar, or one per row
 *   of A / per column of B), exact int32 sums.
 *  QLINEAR_MATMUL: int8/uint8 with scale and zero point inputs (a, a_scale, a_zp, b, b_scale, b_zp,
 *   y_scale, y_zp); the exact integer sum is scaled by a_scale * b_scale / y_scale, rounded half to even
 *   (numpy's rint, as ONNX's reference), offset by y_zp and saturated. Scales and zero points are read
 *   at eval, so they may be graph inputs. */
#include <math.h>
#include <string.h>

#include "core/kernel.h"
#include "ops/broadcast.h"
#include "ops/gemm_f32.h"
#include "ops/linalg_values.h"

typedef enum { MM_PLAIN, MM_INTEGER, MM_QLINEAR } mm_kind;

typedef struct {
  mm_kind kind;
  edgert_dtype a_dtype, b_dtype, out_dtype;
  int64_t m, k, n;
  er_batch_bcast batch;
  /* float32 MATMUL on the GEMM core */
  const er_f32_gemm_ukernels *uk;
  const float *b_packed; /* constant B: each of its K x N matrices packed, b_packed_stride floats apart */
  int64_t b_packed_stride;
  bool fold_batches; /* B is one matrix for every batch: the batches of A are rows of one product */
} mm_data;

/* Shapes of A [..., M, K] and B [..., K, N] after numpy's 1-D promotion; sets the output shape. */
static edgert_status plan_shapes(er_op_ctx *ctx, mm_data *d, const er_tensor *a, const er_tensor *b,
                                 er_tensor *out) {
  if (a->ndim < 1 || b->ndim < 1)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "operands must have at least one dim");
  int32_t a_batch = a->ndim >= 2 ? a->ndim - 2 : 0, b_batch = b->ndim >= 2 ? b->ndim - 2 : 0;
  d->m = a->ndim >= 2 ? er_dim(a, -2) : 1;
  d->k = er_dim(a, -1);
  int64_t b_k = b->ndim >= 2 ? er_dim(b, -2) : b->dims[0];
  d->n = b->ndim >= 2 ? er_dim(b, -1) : 1;
  if (b_k != d->k)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "A has %lld columns but B has %lld rows", (long long)d->k,
                   (long long)b_k);
  if (er_tensor_elements(a) < 0 || er_tensor_elements(b) < 0)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "bad shape");
  edgert_status st =
      er_batch_bcast_plan(ctx, &d->batch, a_batch, a->dims, d->m * d->k, b_batch, b->dims, d->k * d->n);
  if (st != EDGERT_OK) return st;
  int64_t dims[ER_MAX_DIMS];
  int32_t nd = 0;
  for (int32_t i = 0; i < d->batch.ndim; i++)
    dims[nd++] = d->batch.dims[i];
  if (a->ndim >= 2) dims[nd++] = d->m;
  if (b->ndim >= 2) dims[nd++] = d->n;
  return er_set_output_shape(ctx, out, nd, dims);
}

static bool plain_dtype(edgert_dtype dt) {
  return lv_is_float(dt) || dt == EDGERT_INT32 || dt == EDGERT_INT64 || dt == EDGERT_UINT32 ||
         dt == EDGERT_UINT64;
}

static bool is_8bit(edgert_dtype dt) { return dt == EDGERT_INT8 || dt == EDGERT_UINT8; }

/* A zero point or scale input: absent, one value, or `per` values (one per row of A or column of B). */
static edgert_status check_param(er_op_ctx *ctx, int index, int64_t per, const char *what) {
  const er_tensor *t = er_input(ctx, index);
  if (!t) return EDGERT_OK;
  int64_t n = er_tensor_elements(t);
  if (n != 1 && n != per)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "%s has %lld values; need 1 or %lld", what, (long long)n,
                   (long long)per);
  if (t->ndim > 1 && n != 1)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "%s must be a scalar or a vector", what);
  return EDGERT_OK;
}

/* float32: packs a constant B (every matrix of its batch dims) and states the GEMM's scratch. */
static edgert_status plan_f32(er_op_ctx *ctx, mm_data *d, const er_tensor *b) {
  d->uk = er_f32_gemm_select(er_cpu_detect());
  d->fold_batches = b->ndim <= 2;
  int64_t rows = d->fold_batches ? er_batch_bcast_count(&d->batch) * d->m : d->m;
  bool b_const = b->kind == ER_TENSOR_CONST && b->data;
  size_t bytes;
  if (!er_f32_gemm_scratch_bytes(d->uk, rows, d->n, d->k, false, b_const, er_num_threads(ctx),
                                 &ctx->scratch_bytes) ||
      !er_f32_gemm_packed_b_bytes(d->uk, d->k, d->n, &bytes))
    return er_fail(ctx, EDGERT_ERR_LIMIT, "product [%lld x %lld x %lld] is too large", (long long)rows,
                   (long long)d->n, (long long)d->k);
  if (!b_const) return EDGERT_OK;
  int64_t matrices = d->k * d->n > 0 ? er_tensor_elements(b) / (d->k * d->n) : 0;
  d->b_packed_stride = (int64_t)(bytes / sizeof(float));
  if (matrices > 0 && bytes > SIZE_MAX / (size_t)matrices)
    return er_fail(ctx, EDGERT_ERR_LIMIT, "packed B is too large");
  float *packed = er_persist_alloc(ctx, bytes * (size_t)matrices + 1);
  if (!packed) return EDGERT_ERR_NO_MEMORY;
  for (int64_t i = 0; i < matrices; i++)
    er_f32_gemm_pack_b(ctx, d->uk, d->k, d->n,
                       (er_f32_matrix){(const float *)b->data + i * d->k * d->n, d->n, false}, 1.0f,
                       packed + i * d->b_packed_stride);
  er_input_packed(ctx, 1);
  d->b_packed = packed;
  return EDGERT_OK;
}

static edgert_status mm_prepare_kind(er_op_ctx *ctx, mm_kind kind) {
  int max_in = kind == MM_PLAIN ? 2 : (kind == MM_INTEGER ? 4 : 8);
  int min_in = kind == MM_QLINEAR ? 8 : 2;
  edgert_status st = er_check_io(ctx, min_in, max_in, 1);
  if (st) return st;
  int b_index = kind == MM_QLINEAR ? 3 : 1;
  const er_tensor *a = er_input(ctx, 0), *b = er_input(ctx, b_index);
  er_tensor *out = er_output(ctx, 0);
  if (!b) return er_fail(ctx, EDGERT_ERR_MALFORMED, "B is missing");
  mm_data *d = er_persist_alloc(ctx, sizeof *d);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  d->kind = kind;
  d->a_dtype = a->dtype, d->b_dtype = b->dtype, d->out_dtype = out->dtype;
  if (kind == MM_PLAIN) {
    if (!plain_dtype(a->dtype) || b->dtype != a->dtype || out->dtype != a->dtype)
      return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "types %s x %s -> %s are not supported",
                     edgert_dtype_name(a->dtype), edgert_dtype_name(b->dtype), edgert_dtype_name(out->dtype));
  } else if (!is_8bit(a->dtype) || !is_8bit(b->dtype) ||
             (kind == MM_INTEGER ? out->dtype != EDGERT_INT32 : !is_8bit(out->dtype))) {
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "types %s x %s -> %s are not supported",
                   edgert_dtype_name(a->dtype), edgert_dtype_name(b->dtype), edgert_dtype_name(out->dtype));
  }
  if ((st = plan_shapes(ctx, d, a, b, out))) return st;
  ctx->op_data = d;
  if (kind == MM_PLAIN && a->dtype == EDGERT_FLOAT32 && (st = plan_f32(ctx, d, b))) return st;
  if (kind == MM_INTEGER) {
    if ((st = check_param(ctx, 2, d->m, "a_zero_point")) || (st = check_param(ctx, 3, d->n, "b_zero_point")))
      return st;
    for (int i = 2; i < 4; i++)
      if (er_input(ctx, i) && er_input(ctx, i)->dtype != (i == 2 ? a->dtype : b->dtype))
        return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "zero point %d has another dtype than its operand", i);
  } else if (kind == MM_QLINEAR) {
    static const char *const names[] = {"",        "a_scale",      "a_zero_point", "",
                                        "b_scale", "b_zero_point", "y_scale",      "y_zero_point"};
    for (int i = 1; i < 8; i++) {
      if (i == 3) continue;
      int64_t per = i <= 2 ? d->m : (i <= 5 ? d->n : 1);
      if ((st = check_param(ctx, i, per, names[i]))) return st;
      const er_tensor *t = er_input(ctx, i);
      edgert_dtype want = i == 2 ? a->dtype : (i == 5 ? b->dtype : (i == 7 ? out->dtype : EDGERT_FLOAT32));
      if (t->dtype != want)
        return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "%s is %s, expected %s", names[i],
                       edgert_dtype_name(t->dtype), edgert_dtype_name(want));
    }
  }
  return EDGERT_OK;
}

static edgert_status matmul_prepare(er_op_ctx *ctx) { return mm_prepare_kind(ctx, MM_PLAIN); }
static edgert_status matmul_integer_prepare(er_op_ctx *ctx) { return mm_prepare_kind(ctx, MM_INTEGER); }
static edgert_status qlinear_matmul_prepare(er_op_ctx *ctx) { return mm_prepare_kind(ctx, MM_QLINEAR); }

/* Value of a per-tensor or per-row/column parameter; 0 (or 1.0 for scales) when absent. */
static double param_at(const er_tensor *t, int64_t i, double absent) {
  if (!t) return absent;
  return lv_load(t->data, t->dtype, er_tensor_elements(t) == 1 ? 0 : i);
}

/* float32 on the GEMM core: one product per batch, or one for all batches when B has none. */
static void eval_f32(er_op_ctx *ctx, const mm_data *d, const float *a, const float *b, float *out) {
  int64_t batches = er_batch_bcast_count(&d->batch);
  er_f32_gemm_args g = {.m = d->fold_batches ? batches * d->m : d->m,
                        .n = d->n,
                        .k = d->k,
                        .ldc = d->n,
                        .a = {a, d->k, false},
                        .b = {b, d->n, false},
                        .b_packed = d->b_packed};
  for (int64_t bi = 0; bi < (d->fold_batches ? 1 : batches); bi++) {
    int64_t la = 0, lb = 0;
    if (!d->fold_batches) er_batch_bcast_starts(&d->batch, bi, &la, &lb);
    g.a.data = a + la, g.b.data = b + lb, g.c = out + bi * d->m * d->n;
    if (d->b_packed)
      g.b_packed = d->b_packed + (d->k * d->n > 0 ? lb / (d->k * d->n) : 0) * d->b_packed_stride;
    er_f32_gemm_run(ctx, d->uk, &g, ctx->scratch);
  }
}

static void eval_plain(const mm_data *d, const void *a, const void *b, void *out) {
  bool ints = lv_is_integer(d->a_dtype);
  int64_t batches = er_batch_bcast_count(&d->batch), o = 0;
  for (int64_t bi = 0; bi < batches; bi++) {
    int64_t la, lb;
    er_batch_bcast_starts(&d->batch, bi, &la, &lb);
    for (int64_t m = 0; m < d->m; m++)
      for (int64_t n = 0; n < d->n; n++, o++) {
        if (ints) {
          uint64_t acc = 0;
          for (int64_t k = 0; k < d->k; k++)
            acc += (uint64_t)lv_load_i64(a, d->a_dtype, la + m * d->k + k) *
                   (uint64_t)lv_load_i64(b, d->b_dtype, lb + k * d->n + n);
          lv_store_i64(out, d->out_dtype, o, (int64_t)acc);
        } else {
          double acc = 0;
          for (int64_t k = 0; k < d->k; k++)
            acc += lv_load(a, d->a_dtype, la + m * d->k + k) * lv_load(b, d->b_dtype, lb + k * d->n + n);
          lv_store(out, d->out_dtype, o, acc);
        }
      }
  }
}

/* Exact sums of (a - a_zp) * (b - b_zp); MATMUL_INTEGER stores them, QLINEAR_MATMUL requantizes. */
static void eval_integer(er_op_ctx *ctx, const mm_data *d) {
  bool q = d->kind == MM_QLINEAR;
  const er_tensor *a = er_input(ctx, 0), *b = er_input(ctx, q ? 3 : 1);
  const er_tensor *a_zp = er_input(ctx, 2), *b_zp = er_input(ctx, q ? 5 : 3);
  void *out = er_output(ctx, 0)->data;
  int64_t batches = er_batch_bcast_count(&d->batch), o = 0;
  int32_t qmin = d->out_dtype == EDGERT_INT8 ? -128 : 0, qmax = d->out_dtype == EDGERT_INT8 ? 127 : 255;
  for (int64_t bi = 0; bi < batches; bi++) {
    int64_t la, lb;
    er_batch_bcast_starts(&d->batch, bi, &la, &lb);
    for (int64_t m = 0; m < d->m; m++) {
      int64_t azp = (int64_t)param_at(a_zp, m, 0);
      for (int64_t n = 0; n < d->n; n++, o++) {
        int64_t bzp = (int64_t)param_at(b_zp, n, 0), acc = 0;
        for (int64_t k = 0; k < d->k; k++)
          acc += (lv_load_i64(a->data, d->a_dtype, la + m * d->k + k) - azp) *
                 (lv_load_i64(b->data, d->b_dtype, lb + k * d->n + n) - bzp);
        if (d->kind == MM_INTEGER) {
          ((int32_t *)out)[o] = (int32_t)(uint32_t)(uint64_t)acc;
          continue;
        }
        double scale = param_at(er_input(ctx, 1), m, 1.0) * param_at(er_input(ctx, 4), n, 1.0) /
                       param_at(er_input(ctx, 6), 0, 1.0);
        double product = (double)acc * scale; /* NaN from a NaN scale: the zero point, as QuantizeLinear */
        double y = (isnan(product) ? 0.0 : nearbyint(product)) + param_at(er_input(ctx, 7), 0, 0);
        y = y < qmin ? qmin : (y > qmax ? qmax : y);
        lv_store_i64(out, d->out_dtype, o, (int64_t)y);
      }
    }
  }
}

static edgert_status matmul_eval(er_op_ctx *ctx) {
  const mm_data *d = ctx->op_data;
  if (d->kind == MM_PLAIN && d->a_dtype == EDGERT_FLOAT32)
    eval_f32(ctx, d, er_input(ctx, 0)->data, er_input(ctx, 1)->data, er_output(ctx, 0)->data);
  else if (d->kind == MM_PLAIN)
    eval_plain(d, er_input(ctx, 0)->data, er_input(ctx, 1)->data, er_output(ctx, 0)->data);
  else
    eval_integer(ctx, d);
  return EDGERT_OK;
}

const er_kernel er_kernel_matmul = {.prepare = matmul_prepare, .eval = matmul_eval};
const er_kernel er_kernel_matmul_integer = {.prepare = matmul_integer_prepare, .eval = matmul_eval};
const er_kernel er_kernel_qlinear_matmul = {.prepare = qlinear_matmul_prepare, .eval = matmul_eval};
