/* Input quantization and int8 matrix products of TFLite's hybrid kernels; see hybrid.h. */
#include "ops/hybrid.h"

#include <math.h>
#include <string.h>

#include "core/quant.h"

/* round(v) clamped to [lo, hi] as an integer. The clamp comes first, in float, so that NaN or huge values
 * (hostile inputs) never reach an out-of-range float-to-int conversion; for finite values in range this
 * is TFLite's cast-then-clamp, since both bounds are integers. NaN becomes 0. */
static int32_t round_clamped(float v, float lo, float hi) {
  if (v != v) return 0;
  float r = er_round_f(v);
  return (int32_t)(r < lo ? lo : (r > hi ? hi : r));
}

/* min and max as std::minmax_element finds them (NaN compares false, so it is skipped unless first). */
static void min_max(const float *x, int64_t n, float *lo, float *hi) {
  *lo = *hi = n > 0 ? x[0] : 0.0f;
  for (int64_t i = 1; i < n; i++) {
    if (x[i] < *lo) *lo = x[i];
    if (!(x[i] < *hi)) *hi = x[i];
  }
}

void er_hybrid_quantize_symmetric(const float *x, int64_t n, int8_t *q, float *scale) {
  float lo, hi;
  min_max(x, n, &lo, &hi);
  const float a = fabsf(lo), b = fabsf(hi);
  const float range = a < b ? b : a; /* std::max(|min|, |max|) */
  if (range == 0.0f) {
    memset(q, 0, (size_t)n);
    *scale = 1.0f;
    return;
  }
  *scale = range / 127.0f;
  const float inverse = 127.0f / range;
  for (int64_t i = 0; i < n; i++)
    q[i] = (int8_t)round_clamped(x[i] * inverse, -127.0f, 127.0f);
}

void er_hybrid_quantize_asymmetric(const float *x, int64_t n, int8_t *q, float *scale, int32_t *zero_point) {
  float lo, hi;
  min_max(x, n, &lo, &hi);
  /* The range always holds 0 so that 0 is exact; TFLite works it out in double. */
  const double rmin = fmin(0.0, (double)lo), rmax = fmax(0.0, (double)hi);
  if (rmin == rmax || !(rmax - rmin < INFINITY)) {
    memset(q, 0, (size_t)n);
    *scale = 1.0f;
    *zero_point = 0;
    return;
  }
  const double qmin = -128.0, qmax = 127.0;
  const double s = (rmax - rmin) / (qmax - qmin);
  const double zp_from_min = qmin - rmin / s, zp_from_max = qmax - rmax / s;
  const double error_from_min = fabs(qmin) + fabs(rmin / s), error_from_max = fabs(qmax) + fabs(rmax / s);
  const double zp = error_from_min < error_from_max ? zp_from_min : zp_from_max;
  int32_t nudged;
  if (zp <= qmin)
    nudged = -128;
  else if (zp >= qmax)
    nudged = 127;
  else
    nudged = (int32_t)round(zp);
  *scale = (float)s;
  *zero_point = nudged;
  const float inverse = (float)(1.0 / (double)*scale);
  const float offset = (float)nudged;
  for (int64_t i = 0; i < n; i++)
    q[i] = (int8_t)round_clamped(offset + x[i] * inverse, -128.0f, 127.0f);
}

void er_hybrid_quantize_rows(const float *x, int64_t rows, int64_t n, bool asymmetric, int8_t *q,
                             float *scales, int32_t *zero_points) {
  for (int64_t r = 0; r < rows; r++) {
    if (asymmetric)
      er_hybrid_quantize_asymmetric(x + r * n, n, q + r * n, &scales[r], &zero_points[r]);
    else
      er_hybrid_quantize_symmetric(x + r * n, n, q + r * n, &scales[r]);
  }
}

void er_hybrid_matmul_accumulate(const int8_t *w, int64_t rows, int64_t cols, const int8_t *q,
                                 const float *scales, const int32_t *zero_points, const float *per_channel,
                                 int64_t batches, float *result) {
  for (int64_t b = 0; b < batches; b++) {
    const int8_t *x = q + b * cols;
    const int64_t zp = zero_points ? zero_points[b] : 0;
    for (int64_t r = 0; r < rows; r++) {
      const int8_t *row = w + r * cols;
      int64_t dot = 0, row_sum = 0;
      for (int64_t c = 0; c < cols; c++) {
        dot += (int32_t)row[c] * (int32_t)x[c];
        row_sum += row[c];
      }
      /* TFLite's int32 sum wraps; the int64 one reduced mod 2^32 has the same bits. */
      const int32_t sum = (int32_t)(uint32_t)(uint64_t)(dot - row_sum * zp);
      float scale = scales[b];
      if (per_channel) scale *= per_channel[r];
      result[b * rows + r] += (float)sum * scale;
    }
  }
}

/* Rounds n up to a multiple of 16 so each part of the scratch stays aligned. */
static bool align16(size_t n, size_t *out) {
  if (n > SIZE_MAX - 15) return false;
  *out = (n + 15) & ~(size_t)15;
  return true;
}

bool er_hybrid_scratch_plan(size_t base, int64_t elements, int64_t rows, er_hybrid_scratch *plan) {
  size_t q_bytes, scale_bytes, zp_bytes, at;
  if (elements < 0 || rows < 0 || !align16(base, &at)) return false;
  if (!er_bytes_for(EDGERT_INT8, elements, &q_bytes) || !er_bytes_for(EDGERT_FLOAT32, rows, &scale_bytes) ||
      !er_bytes_for(EDGERT_INT32, rows, &zp_bytes))
    return false;
  plan->q_offset = at;
  if (q_bytes > SIZE_MAX - at || !align16(at + q_bytes, &at)) return false;
  plan->scales_offset = at;
  if (scale_bytes > SIZE_MAX - at || !align16(at + scale_bytes, &at)) return false;
  plan->zero_points_offset = at;
  if (zp_bytes > SIZE_MAX - at || !align16(at + zp_bytes, &at)) return false;
  plan->bytes = at;
  return true;
}

edgert_status er_hybrid_prepare_scratch(er_op_ctx *ctx, int64_t elements, int64_t rows,
                                        er_hybrid_scratch *plan) {
  if (!er_hybrid_scratch_plan(0, elements, rows, plan))
    return er_fail(ctx, EDGERT_ERR_LIMIT, "hybrid scratch is too large");
  ctx->scratch_bytes = plan->bytes;
  return EDGERT_OK;
}

float er_hybrid_weight_scale(const er_tensor *w) {
  if (w->q.scale == 0.0f && w->q.channels >= 1 && w->q.scales) return w->q.scales[0];
  return w->q.scale;
}

edgert_status er_hybrid_check_weights(er_op_ctx *ctx, const er_tensor *w, const char *what,
                                      bool per_channel_ok, int32_t axis, int64_t channels) {
  if (w->dtype != EDGERT_INT8)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "hybrid %s '%s' is %s; only int8 weights are supported", what,
                   w->name ? w->name : "", edgert_dtype_name(w->dtype));
  if (w->q.channels > 1) {
    if (!per_channel_ok)
      return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                     "hybrid %s '%s' must be quantized per tensor, not per channel", what,
                     w->name ? w->name : "");
    if (!w->q.scales || w->q.axis != axis || w->q.channels != channels)
      return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                     "hybrid %s has %d scales on axis %d; expected %lld on axis %d", what, (int)w->q.channels,
                     (int)w->q.axis, (long long)channels, (int)axis);
    for (int32_t c = 0; c < w->q.channels; c++)
      if (!isfinite(w->q.scales[c]) || w->q.scales[c] < 0.0f)
        return er_fail(ctx, EDGERT_ERR_MALFORMED, "hybrid %s scale %g of channel %d is invalid", what,
                       (double)w->q.scales[c], (int)c);
    return EDGERT_OK;
  }
  const float scale = er_hybrid_weight_scale(w);
  if (!isfinite(scale) || !(scale > 0.0f))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "hybrid %s '%s' needs a positive finite quantization scale",
                   what, w->name ? w->name : "");
  return EDGERT_OK;
}

float er_hybrid_activate(er_activation act, float x) {
  switch (act) {
  case ER_ACT_RELU: return x < 0.0f ? 0.0f : x;
  case ER_ACT_RELU_N1_TO_1: return er_clamp_f(x, -1.0f, 1.0f);
  case ER_ACT_RELU6: return er_clamp_f(x, 0.0f, 6.0f);
  case ER_ACT_TANH: return tanhf(x);
  case ER_ACT_SIGMOID: return 1.0f / (1.0f + expf(-x));
  default: return x;
  }
}
