/* SOFTMAX and LOG_SOFTMAX over the last axis, computed as TensorFlow Lite's default (optimized) kernels
 * compute them, checked value for value against TFLite itself:
 * SOFTMAX: float32 (vectorized row kernels with a polynomial exp, within a few ulp of TFLite's); int8 ->
 * int8 (output scale 1/256, zero point -128), int8 -> int16 (1/65536, -32768) and uint8 -> uint8 (1/256, 0)
 * through optimized_ops::Softmax's float table: exp(-input_scale * beta * k) for
 * each distance k = max - x from the row maximum, summed in float, each probability rounded to the output
 * scale; int16 -> int16 (1/32768, 0) through reference_ops::SoftmaxInt16's exp and 1/(1+x) int16 tables,
 * which TFLite fills in double precision (TFLite Micro fills them in float; a few entries differ).
 * LOG_SOFTMAX: float32; int8 -> int8 (output scale 16/256, zero point 127) and uint8 -> uint8 (16/256,
 * 255) through optimized_ops::LogSoftmax's float table and logf.
 * TFLite Micro (and TFLite's kReference kernels) use gemmlowp fixed point for 8-bit inputs instead; its
 * answers differ from these by one step now and then. Every float step below is its own statement so that
 * no compiler fuses a multiply-add and rounds differently from TFLite. */
#include <float.h>
#include <math.h>

#include "core/cpu.h"
#include "ops/activation_common.h"
#include "ops/elementwise_f32.h"
#include "ops/fixedpoint_math.h"

/* Distances from the row maximum an 8-bit input can have, hence the size of the exp table. */
#define EXP_TABLE_SIZE 256

typedef struct {
  float beta;
  int64_t outer, depth;
  const er_f32_elementwise_isa *f32; /* float32 SOFTMAX: the row kernels chosen for this CPU */
  /* 8-bit inputs: exp_table[255 - k] = exp(-input_scale * beta * k) */
  float exp_table[EXP_TABLE_SIZE];
  float in_scale, out_scale;
  int32_t out_zp;
  /* int16 softmax */
  int32_t input_multiplier;
  int input_left_shift;
  int16_t exp_lut[FX_LUT_SIZE];
  int16_t one_over_one_plus_x_lut[FX_LUT_SIZE];
} softmax_data;

static edgert_status softmax_common_prepare(er_op_ctx *ctx, er_tensor **in, er_tensor **out,
                                            softmax_data **d) {
  edgert_status st = act_unary_io(ctx, in, out);
  if (st != EDGERT_OK) return st;
  if ((*in)->ndim < 1) return er_fail(ctx, EDGERT_ERR_SHAPE, "input is a scalar; it needs at least one dim");
  *d = ACT_ALLOC_OP_DATA(ctx, softmax_data);
  if (!*d) return EDGERT_ERR_NO_MEMORY;
  ctx->op_data = *d;
  (*d)->depth = er_dim(*in, -1);
  int64_t n = er_tensor_elements(*in);
  (*d)->outer = (*d)->depth > 0 ? n / (*d)->depth : 0;
  return EDGERT_OK;
}

static edgert_status check_output_quant(er_op_ctx *ctx, const er_tensor *out, int32_t zero_point, float scale,
                                        float tolerance) {
  if (out->q.zero_point == zero_point && fabsf(out->q.scale - scale) <= tolerance) return EDGERT_OK;
  return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "%s output must have scale %g and zero point %d, has %g and %d",
                 edgert_dtype_name(out->dtype), (double)scale, (int)zero_point, (double)out->q.scale,
                 (int)out->q.zero_point);
}

/* TFLite's PopulateSoftmaxLookupTable, in float as TFLite has it. */
static void fill_exp_table(softmax_data *d, float input_scale, float beta) {
  const float scale = -input_scale * beta;
  for (int k = 0; k < EXP_TABLE_SIZE; k++) {
    const float x = scale * (float)k;
    d->exp_table[EXP_TABLE_SIZE - 1 - k] = expf(x);
  }
}

static double exp_d(double v) { return exp(v); }
static double one_over_one_plus_x_d(double v) { return 1.0 / (1.0 + v); }

/* A 513-entry int16 table of func over [input_min, input_max], outputs on [-1, 1], each sample biased so
 * that linear interpolation errs least at the midpoints: TFLite's gen_lut<double, int16_t, int16_t>, in
 * double precision as TFLite's softmax calls it (fx_fill_int16_lut is the float version TFLM uses). */
static void fill_int16_lut_double(double (*func)(double), double input_min, double input_max, int16_t *lut) {
  const int steps = FX_LUT_SIZE - 1;
  const double step = (input_max - input_min) / steps;
  const double half_step = step / 2.0;
  const double output_scaling_inv = 65536.0 / 2.0; /* int16 steps per unit of the [-1, 1] output range */
  for (int i = 0; i < steps; i++) {
    const double val = func(input_min + i * step);
    const double val_midpoint = func(input_min + i * step + half_step);
    const double val_next = func(input_min + (i + 1) * step);
    const double sample_val = round(val * output_scaling_inv);
    const double midpoint_interp_val = round((val_next * output_scaling_inv + sample_val) / 2.0);
    const double midpoint_val = round(val_midpoint * output_scaling_inv);
    const double bias = round((midpoint_interp_val - midpoint_val) / 2.0);
    const double v = sample_val - bias;
    lut[i] = (int16_t)(v < -32768.0 ? -32768.0 : (v > 32767.0 ? 32767.0 : v));
  }
  const double last = round(func(input_max) * output_scaling_inv);
  lut[steps] = (int16_t)(last < -32768.0 ? -32768.0 : (last > 32767.0 ? 32767.0 : last));
}

static edgert_status softmax_prepare_int16(er_op_ctx *ctx, const er_tensor *in, const er_tensor *out,
                                           softmax_data *d) {
  edgert_status st = check_output_quant(ctx, out, 0, 1.0f / 32768.0f, 0.001f / 32768.0f);
  if (st != EDGERT_OK) return st;
  /* exp(-10) is taken as negligible, so the exp table covers [-10, 0]. */
  fill_int16_lut_double(exp_d, -10.0, 0.0, d->exp_lut);
  fill_int16_lut_double(one_over_one_plus_x_d, 0.0, 1.0, d->one_over_one_plus_x_lut);
  /* Differences are scaled so that [-65535, 0] covers [-10, 0]. TFLite multiplies scale and beta in float
   * before going to double; the rounded product changes the multiplier's low bits. */
  const float scale_beta = in->q.scale * d->beta;
  const double real = (double)scale_beta / (10.0 / 65535.0);
  er_quantize_multiplier(real, &d->input_multiplier, &d->input_left_shift);
  return EDGERT_OK;
}

static edgert_status softmax_prepare(er_op_ctx *ctx) {
  er_tensor *in, *out;
  softmax_data *d;
  edgert_status st = softmax_common_prepare(ctx, &in, &out, &d);
  if (st != EDGERT_OK) return st;
  const er_softmax_attrs *attrs = er_attrs(ctx);
  if (!attrs) return er_fail(ctx, EDGERT_ERR_MALFORMED, "has no beta attribute");
  d->beta = attrs->beta;
  if (in->dtype == EDGERT_FLOAT32 && out->dtype == EDGERT_FLOAT32) {
    d->f32 = er_f32_elementwise_select(er_cpu_detect());
    return EDGERT_OK;
  }
  bool int8_in = in->dtype == EDGERT_INT8 && (out->dtype == EDGERT_INT8 || out->dtype == EDGERT_INT16);
  bool uint8_in = in->dtype == EDGERT_UINT8 && out->dtype == EDGERT_UINT8;
  bool int16_in = in->dtype == EDGERT_INT16 && out->dtype == EDGERT_INT16;
  if (!int8_in && !uint8_in && !int16_in)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                   "%s -> %s is not supported (float32 -> float32, int8 -> int8, "
                   "int8 -> int16, uint8 -> uint8, int16 -> int16 are)",
                   edgert_dtype_name(in->dtype), edgert_dtype_name(out->dtype));
  if ((st = act_require_scale(ctx, in, "input")) != EDGERT_OK) return st;
  if ((st = act_require_scale(ctx, out, "output")) != EDGERT_OK) return st;
  if (int16_in) return softmax_prepare_int16(ctx, in, out, d);
  if (out->dtype == EDGERT_INT8)
    st = check_output_quant(ctx, out, -128, 1.0f / 256.0f, 0.0f);
  else if (out->dtype == EDGERT_UINT8)
    st = check_output_quant(ctx, out, 0, 1.0f / 256.0f, 0.0f);
  else
    st = check_output_quant(ctx, out, -32768, 1.0f / 65536.0f, 0.001f / 65536.0f);
  if (st != EDGERT_OK) return st;
  fill_exp_table(d, in->q.scale, d->beta);
  d->out_scale = out->q.scale;
  d->out_zp = out->q.zero_point;
  return EDGERT_OK;
}

/* Element k of 8-bit data, int8 or uint8. */
static inline int32_t load_8bit(const void *x, edgert_dtype type, int64_t k) {
  return type == EDGERT_UINT8 ? (int32_t)((const uint8_t *)x)[k] : (int32_t)((const int8_t *)x)[k];
}

static inline void store_quantized(void *out, edgert_dtype type, int64_t k, int32_t v) {
  switch (type) {
  case EDGERT_INT8: ((int8_t *)out)[k] = (int8_t)v; break;
  case EDGERT_UINT8: ((uint8_t *)out)[k] = (uint8_t)v; break;
  default: ((int16_t *)out)[k] = (int16_t)v; break;
  }
}

/* v (an integral float, or NaN from a hostile beta) as an int clamped to [lo, hi]; NaN gives lo. */
static inline int32_t clamp_float_to_int(float v, int32_t lo, int32_t hi) {
  if (!(v >= (float)lo)) return lo;
  if (v >= (float)hi) return hi;
  return (int32_t)v;
}

/* The largest value in a row of 8-bit data. */
static int32_t row_max_8bit(const void *x, edgert_dtype type, int64_t row, int64_t depth) {
  int32_t max = type == EDGERT_UINT8 ? 0 : INT8_MIN;
  for (int64_t c = 0; c < depth; c++) {
    int32_t v = load_8bit(x, type, row + c);
    max = v > max ? v : max;
  }
  return max;
}

/* exp(input_scale * beta * (x - max)) for an element x of a row whose maximum is max. */
static inline float row_exp(const softmax_data *d, int32_t x, int32_t max) {
  return d->exp_table[EXP_TABLE_SIZE - 1 - (max - x)];
}

/* Sum of the row's exponentials, in float and in order. */
static float row_exp_sum(const softmax_data *d, const void *x, edgert_dtype type, int64_t row, int32_t max) {
  float sum = 0.0f;
  for (int64_t c = 0; c < d->depth; c++)
    sum += row_exp(d, load_8bit(x, type, row + c), max);
  return sum;
}

/* A probability in output steps to the output dtype. TFLite (off aarch64) adds one half and truncates for
 * uint8, and rounds half away from zero then adds the zero point for int8 and int16. */
static inline int32_t quantize_probability(float steps, edgert_dtype type, int32_t zero_point, int32_t lo,
                                           int32_t hi) {
  if (type == EDGERT_UINT8) {
    const float up = steps + 0.5f;
    return clamp_float_to_int(truncf(up), lo, hi);
  }
  const float rounded = roundf(steps);
  return clamp_float_to_int(rounded, lo - zero_point, hi - zero_point) + zero_point;
}

/* int8 or uint8 input; output int8, uint8 or int16 (optimized_ops::Softmax with the float table). */
static void softmax_8bit(const softmax_data *d, const void *in, edgert_dtype in_type, void *out,
                         edgert_dtype out_type) {
  int32_t out_min, out_max;
  er_dtype_range(out_type, &out_min, &out_max);
  for (int64_t i = 0; i < d->outer; i++) {
    const int64_t row = i * d->depth;
    const int32_t max = row_max_8bit(in, in_type, row, d->depth);
    const float sum = row_exp_sum(d, in, in_type, row, max);
    const float sum_in_steps = sum * d->out_scale;
    const float inv_sum = 1.0f / sum_in_steps;
    for (int64_t c = 0; c < d->depth; c++) {
      const float steps = row_exp(d, load_8bit(in, in_type, row + c), max) * inv_sum;
      store_quantized(out, out_type, row + c,
                      quantize_probability(steps, out_type, d->out_zp, out_min, out_max));
    }
  }
}

/* int16 softmax; the output row doubles as storage for the exponentials. */
static void softmax_int16(const softmax_data *d, const int16_t *x, int16_t *y) {
  for (int64_t i = 0; i < d->outer; i++, x += d->depth, y += d->depth) {
    int16_t max = INT16_MIN;
    for (int64_t c = 0; c < d->depth; c++)
      max = x[c] > max ? x[c] : max;
    int32_t sum_of_exps = 0; /* Q16.15 */
    for (int64_t c = 0; c < d->depth; c++) {
      int32_t scaled_diff =
          er_multiply_by_quantized_multiplier(x[c] - max, d->input_multiplier, d->input_left_shift);
      /* Recentred from [-65535, 0] onto the table's int16 input range. */
      int32_t sym_scaled_diff = er_clamp_i32(scaled_diff + 32767, INT16_MIN, INT16_MAX);
      y[c] = fx_lut_lookup((int16_t)sym_scaled_diff, d->exp_lut);
      sum_of_exps += y[c];
    }
    int headroom_plus_one = fx_count_leading_zeros((uint32_t)sum_of_exps);
    int32_t shifted_sum = (int32_t)((((int64_t)sum_of_exps << (headroom_plus_one - 1)) + (1 << 13)) >> 14);
    /* The table computes 1/(1+x): x = sum - 1, recentred from [0, 65535] onto [-32768, 32767]. */
    int32_t sym_shifted_sum = er_clamp_i32(shifted_sum - ((1 << 15) + (1 << 16)), INT16_MIN, INT16_MAX);
    int16_t reciprocal_q015 = fx_lut_lookup((int16_t)sym_shifted_sum, d->one_over_one_plus_x_lut);
    int right_shift = 31 - headroom_plus_one;
    int64_t round = (int64_t)1 << (right_shift - 1);
    for (int64_t c = 0; c < d->depth; c++) {
      int32_t v = (int32_t)(((int64_t)y[c] * reciprocal_q015 + round) >> right_shift);
      y[c] = (int16_t)er_clamp_i32(v, 0, INT16_MAX);
    }
  }
}

static edgert_status softmax_eval(er_op_ctx *ctx) {
  const softmax_data *d = ctx->op_data;
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  if (in->dtype == EDGERT_FLOAT32)
    /* max, exp((x - max) * beta) and its sum, division by the sum: per row, vectorized (within a few ulp
     * of expf and a sequential sum) */
    er_f32_softmax_run(ctx, d->f32, d->outer, d->depth, in->data, out->data, d->beta);
  else if (in->dtype == EDGERT_INT8 || in->dtype == EDGERT_UINT8)
    softmax_8bit(d, in->data, in->dtype, out->data, out->dtype);
  else
    softmax_int16(d, in->data, out->data);
  return EDGERT_OK;
}

static edgert_status log_softmax_prepare(er_op_ctx *ctx) {
  er_tensor *in, *out;
  softmax_data *d;
  edgert_status st = softmax_common_prepare(ctx, &in, &out, &d);
  if (st == EDGERT_OK) st = act_same_dtype(ctx, in, out);
  if (st != EDGERT_OK) return st;
  if (in->dtype == EDGERT_FLOAT32) return EDGERT_OK;
  if (in->dtype != EDGERT_INT8 && in->dtype != EDGERT_UINT8)
    return act_unsupported_dtype(ctx, in, "float32, int8, uint8");
  if ((st = act_require_scale(ctx, in, "input")) != EDGERT_OK) return st;
  /* The output's zero point is its dtype maximum: log-probabilities are never above 0. */
  int32_t out_zp = in->dtype == EDGERT_UINT8 ? 255 : 127;
  if ((st = check_output_quant(ctx, out, out_zp, 16.0f / 256.0f, 0.0f)) != EDGERT_OK) return st;
  fill_exp_table(d, in->q.scale, 1.0f);
  d->in_scale = in->q.scale;
  d->out_scale = out->q.scale;
  d->out_zp = out_zp;
  return EDGERT_OK;
}

static void log_softmax_float(const softmax_data *d, const float *x, float *y) {
  for (int64_t i = 0; i < d->outer; i++, x += d->depth, y += d->depth) {
    float max = -FLT_MAX;
    for (int64_t c = 0; c < d->depth; c++)
      max = x[c] > max ? x[c] : max;
    float sum = 0.0f;
    for (int64_t c = 0; c < d->depth; c++)
      sum += expf(x[c] - max);
    const float log_sum = logf(sum);
    for (int64_t c = 0; c < d->depth; c++)
      y[c] = x[c] - max - log_sum;
  }
}

/* int8 or uint8 in and out (optimized_ops::LogSoftmax with the float table): each output is
 * (input_scale * (x - max) - log(sum of exps)) / output_scale, computed as TFLite arranges it, rounded half
 * to even, plus the zero point. */
static void log_softmax_8bit(const softmax_data *d, const void *x, void *y, edgert_dtype type) {
  int32_t type_min, type_max;
  er_dtype_range(type, &type_min, &type_max);
  const float rescale = d->in_scale / d->out_scale;
  for (int64_t i = 0; i < d->outer; i++) {
    const int64_t row = i * d->depth;
    const int32_t max = row_max_8bit(x, type, row, d->depth);
    const float log_sum = logf(row_exp_sum(d, x, type, row, max));
    const float max_real = d->in_scale * (float)max;
    const float max_plus_log_sum = max_real + log_sum;
    const float offset = max_plus_log_sum / d->out_scale;
    for (int64_t c = 0; c < d->depth; c++) {
      const float scaled = rescale * (float)load_8bit(x, type, row + c);
      const float log_prob = scaled - offset;
      const float q = rintf(log_prob) + (float)d->out_zp;
      store_quantized(y, type, row + c, clamp_float_to_int(q, type_min, type_max));
    }
  }
}

static edgert_status log_softmax_eval(er_op_ctx *ctx) {
  const softmax_data *d = ctx->op_data;
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  if (in->dtype == EDGERT_FLOAT32)
    log_softmax_float(d, in->data, out->data);
  else
    log_softmax_8bit(d, in->data, out->data, in->dtype);
  return EDGERT_OK;
}

const er_kernel er_kernel_softmax = {.prepare = softmax_prepare, .eval = softmax_eval};
const er_kernel er_kernel_log_softmax = {.prepare = log_softmax_prepare, .eval = log_softmax_eval};
