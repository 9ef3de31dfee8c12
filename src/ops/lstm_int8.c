/* The integer UNIDIRECTIONAL_SEQUENCE_LSTM exactly as TensorFlow Lite Micro's current kernel runs it
 * (micro/kernels/unidirectional_sequence_lstm.cc, lstm_eval.h/.cc, lstm_eval_common.cc): int8 input,
 * weights and hidden state, int32 biases, int16 cell state. Each gate is two fully connected products
 * (input with bias, hidden state without), each rescaled to int16 Q3.12 and clamped, summed with
 * saturation, then squashed by TFLite's int16 lookup-table sigmoid or tanh into Q0.15. The cell update
 * and hidden state are int16 products rescaled by quantized multipliers. TFLM ignores the model's
 * intermediate tensors (their scales are fixed at 2^-12 and 2^-15 here) and runs only the standard LSTM:
 * no CIFG, peephole, projection or layer norm, so those are refused.
 * With constant weights a fast form gives the same bits: prepare packs each part's weights of all four
 * gates into one int32 matrix-vector product (VNNI where the CPU has it) and folds the zero points and
 * biases into per-row constants; AVX-512 kernels (x86/lstm_s8_avx512.c) then run the gate and cell
 * arithmetic 16 cells at a time. The gate-by-gate loops below stay as the reference. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/cpu.h"
#include "core/quant.h"
#include "ops/fixedpoint_math.h"
#include "ops/lstm.h"

/* ---- prepare ---- */

static edgert_status check_int8_dtypes(er_op_ctx *ctx, const lstm_data *d) {
  if (d->cifg || d->peephole || d->projection || d->layer_norm)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                   "the int8 LSTM runs the standard LSTM only (no CIFG, peephole, projection or layer norm)");
  if (d->activation != ER_ACT_TANH && d->activation != ER_ACT_SIGMOID)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                   "the int8 LSTM cell gate needs tanh or sigmoid, not activation %d", (int)d->activation);
  edgert_status st = EDGERT_OK;
  for (int g = 0; g < LSTM_GATES && st == EDGERT_OK; g++) {
    st = er_check_dtype(ctx, er_input(ctx, LSTM_IN_INPUT_WEIGHTS + g), EDGERT_INT8, "input weights");
    if (st == EDGERT_OK)
      st =
          er_check_dtype(ctx, er_input(ctx, LSTM_IN_RECURRENT_WEIGHTS + g), EDGERT_INT8, "recurrent weights");
    if (st == EDGERT_OK) st = er_check_dtype(ctx, er_input(ctx, LSTM_IN_BIAS + g), EDGERT_INT32, "gate bias");
  }
  if (st == EDGERT_OK)
    st = er_check_dtype(ctx, er_input(ctx, LSTM_IN_OUTPUT_STATE), EDGERT_INT8, "output state");
  if (st == EDGERT_OK)
    st = er_check_dtype(ctx, er_input(ctx, LSTM_IN_CELL_STATE), EDGERT_INT16, "cell state");
  return st;
}

/* A positive per-tensor scale, or 0 after recording why there is none. */
static float tensor_scale(er_op_ctx *ctx, const er_tensor *t) {
  if (t->q.channels > 1) {
    er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
            "'%s' is quantized per channel; the int8 LSTM needs per-tensor scales", t->name ? t->name : "");
    return 0.0f;
  }
  if (!(t->q.scale > 0.0f) || !isfinite(t->q.scale)) {
    er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "'%s' has no positive quantization scale", t->name ? t->name : "");
    return 0.0f;
  }
  return t->q.scale;
}

static lstm_rescale rescale_of(double real) {
  lstm_rescale r;
  er_quantize_multiplier(real, &r.multiplier, &r.shift);
  return r;
}

/* TFLM PrepareGateParametersInteger: both products of a gate land in Q3.12 (scale 2^-12). */
static edgert_status prepare_gate_rescales(er_op_ctx *ctx, lstm_int8_params *q, float input_scale,
                                           float hidden_scale) {
  const double gate_input_scale = (double)0.000244140625f; /* 2^-12 */
  for (int g = 0; g < LSTM_GATES; g++) {
    const er_tensor *wx = er_input(ctx, LSTM_IN_INPUT_WEIGHTS + g),
                    *wh = er_input(ctx, LSTM_IN_RECURRENT_WEIGHTS + g);
    const float wx_scale = tensor_scale(ctx, wx), wh_scale = tensor_scale(ctx, wh);
    if (wx_scale == 0.0f || wh_scale == 0.0f) return EDGERT_ERR_UNSUPPORTED;
    q->input_fc[g] = rescale_of((double)input_scale * (double)wx_scale / gate_input_scale);
    q->recurrent_fc[g] = rescale_of((double)hidden_scale * (double)wh_scale / gate_input_scale);
    q->input_weight_zero_point[g] = wx->q.zero_point;
    q->recurrent_weight_zero_point[g] = wh->q.zero_point;
  }
  return EDGERT_OK;
}

/* ---- the fast form: packed weights, zero points folded into per-row constants ---- */

static int32_t round_up(int32_t v, int32_t to) { return (v + to - 1) / to * to; }

/* Packs gate rows of one part (input or recurrent weights, k wide) into [row_blocks][k_groups][16][4] and
 * computes each row's constant so that sum (w - w_zp)(x - x_zp) + bias = dot(w, x ^ xor) + constant -
 * w_zp * sum(x). */
static edgert_status pack_part(er_op_ctx *ctx, const lstm_data *d, int first_weight, bool with_bias,
                               int32_t x_zero_point, const int32_t *w_zero_points, int32_t k,
                               const lstm_int8_fast *f, lstm_int8_part *part) {
  const int32_t k_groups = (k + 3) / 4, rows = f->row_blocks * ER_S8_LSTM_ROWS;
  int8_t *w = er_persist_alloc(ctx, (size_t)rows * (size_t)k_groups * 4);
  int64_t *constant = er_persist_alloc(ctx, sizeof(int64_t) * (size_t)rows);
  if (!w || !constant) return EDGERT_ERR_NO_MEMORY;
  const int64_t xor_offset = f->activation_xor ? 128 : 0;
  for (int g = 0; g < LSTM_GATES; g++) {
    const int8_t *src = er_input(ctx, first_weight + g)->data;
    const int32_t *bias = with_bias ? er_input(ctx, LSTM_IN_BIAS + g)->data : NULL;
    for (int32_t j = 0; j < d->n_cell; j++) {
      const int32_t row = g * d->n_cell + j, block = row / ER_S8_LSTM_ROWS, lane = row % ER_S8_LSTM_ROWS;
      int64_t sum_w = 0;
      for (int32_t kk = 0; kk < k; kk++) {
        const int8_t v = src[(size_t)j * (size_t)k + (size_t)kk];
        sum_w += v;
        w[(((size_t)block * (size_t)k_groups + (size_t)(kk / 4)) * ER_S8_LSTM_ROWS + (size_t)lane) * 4 +
          (size_t)(kk % 4)] = v;
      }
      constant[row] = (bias ? bias[j] : 0) - ((int64_t)x_zero_point + xor_offset) * sum_w +
                      (int64_t)k * w_zero_points[g] * x_zero_point;
    }
  }
  part->w = w;
  part->constant = constant;
  part->k = k;
  part->k_groups = k_groups;
  return EDGERT_OK;
}

static er_s8_lstm_matvec_fn select_matvec(uint8_t *activation_xor) {
  er_cpu_features cpu = er_cpu_detect();
  (void)cpu;
#if defined(ER_SIMD_X86)
  if (cpu.avx512_vnni) {
    *activation_xor = 0x80;
    return er_s8_lstm_matvec_16x4__avx512vnni;
  }
#endif
  *activation_xor = 0;
  return er_s8_lstm_matvec_16x4__scalar;
}

/* The per-row rescale arrays of one part for the vector gate kernels, or false when some row's sums
 * could leave int32 (the kernels skip the scalar path's int64 saturation) or its rescale is unusual. */
static bool row_rescales(er_op_ctx *ctx, const lstm_data *d, const lstm_int8_part *part,
                         const lstm_rescale *gate_rescale, const int32_t *w_zero_points, int32_t rows,
                         lstm_int8_row_rescale *out, bool *no_memory) {
  int32_t *v = er_persist_alloc(ctx, 5 * sizeof(int32_t) * (size_t)rows);
  if (!v) {
    *no_memory = true;
    return false;
  }
  int32_t *constant = v, *wzp = v + rows, *mult = v + 2 * rows, *left = v + 3 * rows, *right = v + 4 * rows;
  for (int32_t row = 0; row < LSTM_GATES * d->n_cell; row++) {
    const int g = row / d->n_cell;
    const lstm_rescale r = gate_rescale[g];
    const int64_t bound = (int64_t)part->k * (255 * 128 + 128 * (int64_t)abs(w_zero_points[g]));
    const int64_t c = part->constant[row];
    if (c > INT32_MAX - bound || c < INT32_MIN + bound || r.multiplier == INT32_MIN || r.multiplier < 0 ||
        r.shift > 30 || r.shift < -31)
      return false;
    constant[row] = (int32_t)c;
    wzp[row] = w_zero_points[g];
    mult[row] = r.multiplier;
    left[row] = r.shift > 0 ? r.shift : 0;
    right[row] = r.shift > 0 ? 0 : -r.shift;
  }
  *out = (lstm_int8_row_rescale){constant, wzp, mult, left, right};
  return true;
}

/* Chooses the vector gate kernel when the CPU has one and every row's arithmetic fits it. */
static edgert_status prepare_vector_gates(er_op_ctx *ctx, const lstm_data *d, lstm_int8_fast *f) {
  er_cpu_features cpu = er_cpu_detect();
  (void)cpu;
  er_s8_lstm_gates_fn gates = NULL;
#if defined(ER_SIMD_X86)
  if (cpu.avx512) gates = er_s8_lstm_gates__avx512;
#endif
  if (!gates) return EDGERT_OK;
  const int32_t rows = f->row_blocks * ER_S8_LSTM_ROWS;
  const lstm_int8_params *q = &d->q;
  bool no_memory = false;
  if (!row_rescales(ctx, d, &f->input, q->input_fc, q->input_weight_zero_point, rows, &f->input_rows,
                    &no_memory) ||
      !row_rescales(ctx, d, &f->recurrent, q->recurrent_fc, q->recurrent_weight_zero_point, rows,
                    &f->recurrent_rows, &no_memory))
    return no_memory ? EDGERT_ERR_NO_MEMORY : EDGERT_OK;
  uint16_t *tanh_rows = er_persist_alloc(ctx, sizeof(uint16_t) * (size_t)f->row_blocks);
  if (!tanh_rows) return EDGERT_ERR_NO_MEMORY;
  if (d->activation == ER_ACT_TANH)
    for (int32_t j = 0; j < d->n_cell; j++) {
      const int32_t row = LSTM_GATE_CELL * d->n_cell + j;
      tanh_rows[row / ER_S8_LSTM_ROWS] |= (uint16_t)(1u << (row % ER_S8_LSTM_ROWS));
    }
  f->tanh_rows = tanh_rows;
  f->sigmoid_table = fx_sigmoid_table_uint16();
  f->gates = gates;
  return EDGERT_OK;
}

static bool rescale_fits_vectors(lstm_rescale r) {
  return r.multiplier >= 0 && r.multiplier != INT32_MIN && r.shift <= 30 && r.shift >= -31;
}

/* The vector cell update when the CPU has one and its rescales are ordinary. */
static er_s8_lstm_cell_fn select_cell(const lstm_int8_params *q) {
  er_cpu_features cpu = er_cpu_detect();
  (void)cpu;
  if (!rescale_fits_vectors(q->forget_times_cell) || !rescale_fits_vectors(q->input_times_cell_gate) ||
      !rescale_fits_vectors(q->output_times_tanh_cell))
    return NULL;
#if defined(ER_SIMD_X86)
  if (cpu.avx512) return er_s8_lstm_cell__avx512;
#endif
  return NULL;
}

/* With constant weights the gates' products run as two int32 matrix-vector products per batch row and
 * step. Dot products stay exact in int32 while k * 255 * 128 < 2^31. */
static edgert_status prepare_fast(er_op_ctx *ctx, lstm_data *d) {
  for (int g = 0; g < LSTM_GATES; g++)
    if (er_input(ctx, LSTM_IN_INPUT_WEIGHTS + g)->kind != ER_TENSOR_CONST ||
        er_input(ctx, LSTM_IN_RECURRENT_WEIGHTS + g)->kind != ER_TENSOR_CONST ||
        er_input(ctx, LSTM_IN_BIAS + g)->kind != ER_TENSOR_CONST)
      return EDGERT_OK;
  if (d->n_input > 65536 || d->n_output > 65536 || d->n_cell > (1 << 24) / LSTM_GATES) return EDGERT_OK;
  lstm_int8_fast *f = er_persist_alloc(ctx, sizeof *f);
  if (!f) return EDGERT_ERR_NO_MEMORY;
  f->matvec = select_matvec(&f->activation_xor);
  f->row_blocks = round_up(LSTM_GATES * d->n_cell, ER_S8_LSTM_ROWS) / ER_S8_LSTM_ROWS;
  const lstm_int8_params *q = &d->q;
  edgert_status st = pack_part(ctx, d, LSTM_IN_INPUT_WEIGHTS, true, q->input_zero_point,
                               q->input_weight_zero_point, d->n_input, f, &f->input);
  if (st == EDGERT_OK)
    st = pack_part(ctx, d, LSTM_IN_RECURRENT_WEIGHTS, false, q->hidden_zero_point,
                   q->recurrent_weight_zero_point, d->n_output, f, &f->recurrent);
  if (st != EDGERT_OK) return st;
  const size_t rows = (size_t)f->row_blocks * ER_S8_LSTM_ROWS;
  /* the gates come first; a vector gate kernel may write a whole last block of them */
  const size_t gate_bytes =
      ctx->scratch_bytes > rows * sizeof(int16_t) ? ctx->scratch_bytes : rows * sizeof(int16_t);
  f->sums_offset = (gate_bytes + 63) / 64 * 64;
  f->x_offset = f->sums_offset + 2 * rows * sizeof(int32_t);
  f->h_offset = f->x_offset + ((size_t)f->input.k_groups * 4 + 63) / 64 * 64;
  f->cell = select_cell(q);
  f->gate_rows_offset = (f->h_offset + (size_t)f->recurrent.k_groups * 4 + 63) / 64 * 64;
  ctx->scratch_bytes = f->gate_rows_offset + rows * sizeof(int16_t);
  st = prepare_vector_gates(ctx, d, f);
  if (st != EDGERT_OK) return st;
  d->fast = f;
  return EDGERT_OK;
}

edgert_status er_lstm_prepare_int8(er_op_ctx *ctx, lstm_data *d) {
  edgert_status st = check_int8_dtypes(ctx, d);
  if (st != EDGERT_OK) return st;
  const er_tensor *in = er_input(ctx, LSTM_IN_INPUT), *hidden = er_input(ctx, LSTM_IN_OUTPUT_STATE);
  const er_tensor *cell = er_input(ctx, LSTM_IN_CELL_STATE);
  const float input_scale = tensor_scale(ctx, in), hidden_scale = tensor_scale(ctx, hidden);
  const float cell_scale = tensor_scale(ctx, cell);
  if (input_scale == 0.0f || hidden_scale == 0.0f || cell_scale == 0.0f) return EDGERT_ERR_UNSUPPORTED;
  lstm_int8_params *q = &d->q;
  /* The int16 tanh of the cell state shifts by its scale's exponent, so the scale must be a power of
   * two (TFLite requires it too); the range keeps that shift meaningful. */
  if (!fx_checked_log2(cell_scale, &q->cell_scale_power) || q->cell_scale_power < -31 ||
      q->cell_scale_power > 3)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "cell state scale %g is not a power of two in [2^-31, 2^3]",
                   (double)cell_scale);
  if (!(d->cell_clip >= 0.0f)) return er_fail(ctx, EDGERT_ERR_MALFORMED, "cell_clip must not be negative");
  q->clip_cell = d->cell_clip > 0.0f;
  q->quantized_cell_clip = (int16_t)fmin(fmax((double)d->cell_clip / (double)cell_scale, -32768.0), 32767.0);
  q->input_zero_point = in->q.zero_point;
  q->hidden_zero_point = hidden->q.zero_point;
  st = prepare_gate_rescales(ctx, q, input_scale, hidden_scale);
  if (st != EDGERT_OK) return st;
  /* Gate outputs are Q0.15 (scale 2^-15). */
  const double gate_output_scale = (double)0.000030517578125f;
  q->forget_times_cell = rescale_of(gate_output_scale * (double)cell_scale / (double)cell_scale);
  q->input_times_cell_gate = rescale_of(gate_output_scale * gate_output_scale / (double)cell_scale);
  q->output_times_tanh_cell = rescale_of(gate_output_scale * gate_output_scale / (double)hidden_scale);
  ctx->scratch_bytes = 4 * sizeof(int16_t) * (size_t)d->batch * (size_t)d->n_cell;
  return prepare_fast(ctx, d);
}

/* ---- int16 nonlinearities (tensorflow/lite/kernels/internal/reference/integer_ops) ---- */

/* Logistic of a Q3.12 value into Q0.15: the input scaled by 3 indexes sigmoid(i/24) every 2^9 steps,
 * interpolated linearly; negative inputs use sigmoid(-x) = 1 - sigmoid(x). */
static inline int16_t sigmoid_q12(int16_t v) {
  const uint16_t *table = fx_sigmoid_table_uint16();
  const int32_t x = (int32_t)v * 3;
  const uint32_t ax = (uint32_t)abs(x);
  const uint32_t index = ax >> 9;
  uint32_t r;
  if (index >= 255) {
    r = 0x7FFFu << 10;
  } else {
    const uint32_t a = table[index], b = table[index + 1];
    r = (a << 9) + (ax & 0x1FFu) * (b - a);
  }
  r = x >= 0 ? r + (1u << 9) : (1u << 25) - r + (1u << 9) - 1u;
  return (int16_t)(r >> 10);
}

/* Arithmetic right shift of a possibly negative value, spelled so C defines it. */
static int32_t shift_right(int32_t x, int n) {
  return x >= 0 ? x >> n : -(int32_t)((-(int64_t)x + ((1 << n) - 1)) >> n);
}

/* Tanh of an int16 value of scale 2^scale_power into Q0.15, using tanh(x) = 2 sigmoid(2x) - 1 on the
 * same table: the input is brought to table units (x * 48 in real terms) by a multiply by 3 and a
 * power-of-two shift chosen from the scale, as TFLM's lstm_internal::Tanh sets it up. */
static inline int16_t tanh_pot(int16_t v, int scale_power) {
  const uint16_t *table = fx_sigmoid_table_uint16();
  int left_shift = 15 + scale_power - 3;
  int32_t multiplier = 0;
  if (left_shift < 0) {
    left_shift = -left_shift;
    multiplier = 3;
  }
  if (multiplier == 0) {
    multiplier = 3 << left_shift;
    left_shift = 0;
  }
  const int32_t round = left_shift > 0 ? 1 << (left_shift - 1) : 0;
  const int32_t x = shift_right((int32_t)v * multiplier + round, left_shift);
  const uint32_t ax = (uint32_t)abs(x);
  const uint32_t index = ax >> 8;
  int32_t r;
  if (index >= 255) {
    r = 0xFFFF << 8;
  } else {
    const uint32_t a = table[index], b = table[index + 1];
    r = (int32_t)((a << 8) + (ax & 0xFFu) * (b - a));
  }
  r = x >= 0 ? r - (1 << 23) + (1 << 7) : -r + (1 << 23) + (1 << 7) - 1;
  return (int16_t)shift_right(r, 8);
}

/* ---- one step ---- */

static int32_t saturate_i32(int64_t v) {
  return (int32_t)(v > INT32_MAX ? INT32_MAX : (v < INT32_MIN ? INT32_MIN : v));
}

/* er_multiply_by_quantized_multiplier spelled out inline (it runs several times per cell and step):
 * the wrapping left shift, the saturating rounding doubling high multiply (division truncating toward
 * zero), then the rounding right shift. */
static inline int32_t rescale(int32_t v, lstm_rescale r) {
  const int left = r.shift > 0 ? r.shift : 0, right = r.shift > 0 ? 0 : -r.shift;
  const int32_t shifted = left >= 32 ? 0 : (int32_t)((uint32_t)v << left);
  int32_t high;
  if (shifted == INT32_MIN && r.multiplier == INT32_MIN) {
    high = INT32_MAX;
  } else {
    const int64_t ab = (int64_t)shifted * (int64_t)r.multiplier;
    high = (int32_t)((ab + (ab >= 0 ? (1 << 30) : (1 - (1 << 30)))) / (1LL << 31));
  }
  if (right <= 0) return high;
  const int exponent = right > 31 ? 31 : right;
  const int32_t mask = (int32_t)((1LL << exponent) - 1);
  const int32_t threshold = (mask >> 1) + (high < 0 ? 1 : 0);
  return (high >> exponent) + ((high & mask) > threshold ? 1 : 0);
}

/* One output of TFLM's int8 x int8 -> int16 fully connected (reference_integer_ops::FullyConnected):
 * sum (w - w_zp) * (x - x_zp) + bias, rescaled, clamped to int16. */
static int16_t fc_q12(const int8_t *w, int32_t w_zp, const int8_t *x, int32_t x_zp, int32_t n, int32_t bias,
                      lstm_rescale r) {
  int64_t acc = 0;
  for (int32_t k = 0; k < n; k++)
    acc += ((int32_t)w[k] - w_zp) * ((int32_t)x[k] - x_zp);
  acc += bias;
  return (int16_t)er_clamp_i32(rescale(saturate_i32(acc), r), INT16_MIN, INT16_MAX);
}

/* Pointers for one step over `rows` batch rows. */
typedef struct {
  int32_t rows;
  const int8_t *x;
  int8_t *h, *out;
  int16_t *c;
} step_q;

static void gate_q(er_op_ctx *ctx, const lstm_data *d, const step_q *s, lstm_gate g, int16_t *gate) {
  const lstm_int8_params *q = &d->q;
  const int8_t *wx = er_input(ctx, LSTM_IN_INPUT_WEIGHTS + g)->data;
  const int8_t *wh = er_input(ctx, LSTM_IN_RECURRENT_WEIGHTS + g)->data;
  const int32_t *bias = er_input(ctx, LSTM_IN_BIAS + g)->data;
  const bool is_cell_gate = g == LSTM_GATE_CELL;
  for (int32_t r = 0; r < s->rows; r++) {
    const int8_t *x = s->x + (size_t)r * (size_t)d->n_input, *h = s->h + (size_t)r * (size_t)d->n_output;
    int16_t *out = gate + (size_t)r * (size_t)d->n_cell;
    for (int32_t j = 0; j < d->n_cell; j++) {
      int16_t from_input = fc_q12(wx + (size_t)j * (size_t)d->n_input, q->input_weight_zero_point[g], x,
                                  q->input_zero_point, d->n_input, bias[j], q->input_fc[g]);
      int16_t from_hidden = fc_q12(wh + (size_t)j * (size_t)d->n_output, q->recurrent_weight_zero_point[g], h,
                                   q->hidden_zero_point, d->n_output, 0, q->recurrent_fc[g]);
      int16_t sum = (int16_t)er_clamp_i32((int32_t)from_input + from_hidden, INT16_MIN, INT16_MAX);
      /* Q3.12 into the tanh: scale power -12 makes its input shift zero. */
      out[j] = is_cell_gate && d->activation == ER_ACT_TANH ? tanh_pot(sum, -12) : sigmoid_q12(sum);
    }
  }
}

/* cell = forget * cell + input * cell_gate, each product rescaled to the cell scale and clamped, the sum
 * saturated, then the optional clip. */
static void update_cell_q(const lstm_data *d, size_t len, int16_t *cell, const int16_t *forget,
                          const int16_t *input, const int16_t *cell_gate) {
  const lstm_int8_params *q = &d->q;
  for (size_t i = 0; i < len; i++) {
    int32_t kept =
        er_clamp_i32(rescale((int32_t)forget[i] * cell[i], q->forget_times_cell), INT16_MIN, INT16_MAX);
    int32_t added = er_clamp_i32(rescale((int32_t)input[i] * cell_gate[i], q->input_times_cell_gate),
                                 INT16_MIN, INT16_MAX);
    int32_t c = er_clamp_i32(kept + added, INT16_MIN, INT16_MAX);
    if (q->clip_cell) c = er_clamp_i32(c, -q->quantized_cell_clip, q->quantized_cell_clip);
    cell[i] = (int16_t)c;
  }
}

/* After the gates: the cell update, then hidden = output_gate * tanh(cell), rescaled to int8. */
static void finish_step(const lstm_data *d, const step_q *s, int16_t *buf) {
  const lstm_int8_params *q = &d->q;
  const size_t len = (size_t)s->rows * (size_t)d->n_cell;
  if (d->fast && d->fast->cell) {
    d->fast->cell(q, len, buf, s->c, s->h);
    memcpy(s->out, s->h, len);
    return;
  }
  const int16_t *input_gate = buf + LSTM_GATE_INPUT * len, *forget_gate = buf + LSTM_GATE_FORGET * len,
                *cell_gate = buf + LSTM_GATE_CELL * len, *output_gate = buf + LSTM_GATE_OUTPUT * len;
  update_cell_q(d, len, s->c, forget_gate, input_gate, cell_gate);
  for (size_t i = 0; i < len; i++) {
    int32_t t = tanh_pot(s->c[i], q->cell_scale_power);
    int32_t v = rescale(t * output_gate[i], q->output_times_tanh_cell) + q->hidden_zero_point;
    s->h[i] = (int8_t)er_clamp_i32(v, INT8_MIN, INT8_MAX);
  }
  memcpy(s->out, s->h, len);
}

/* The reference: gate by gate, each output a pair of int64 dot products. buf holds the gates in
 * lstm_gate order, len values each. */
static void step_int8(er_op_ctx *ctx, const lstm_data *d, const step_q *s, int16_t *buf) {
  const size_t len = (size_t)s->rows * (size_t)d->n_cell;
  gate_q(ctx, d, s, LSTM_GATE_FORGET, buf + LSTM_GATE_FORGET * len);
  gate_q(ctx, d, s, LSTM_GATE_INPUT, buf + LSTM_GATE_INPUT * len);
  gate_q(ctx, d, s, LSTM_GATE_CELL, buf + LSTM_GATE_CELL * len);
  gate_q(ctx, d, s, LSTM_GATE_OUTPUT, buf + LSTM_GATE_OUTPUT * len);
  finish_step(d, s, buf);
}

/* Copies a row of int8 activations into the matvec's padded buffer (flipped to uint8 for VNNI) and
 * returns its sum, which the weights' zero points multiply. */
static int32_t load_activations(const int8_t *src, int32_t k, int32_t k_groups, uint8_t xor_byte,
                                int8_t *dst) {
  int32_t sum = 0;
  for (int32_t i = 0; i < k; i++) {
    sum += src[i];
    dst[i] = (int8_t)((uint8_t)src[i] ^ xor_byte);
  }
  memset(dst + k, 0, (size_t)(k_groups * 4 - k));
  return sum;
}

/* TFLM's int16 rescale of one fully connected output: saturate to int32, rescale, clamp to int16. */
static int32_t product_q12(int32_t dot, int64_t constant, int32_t w_zero_point, int32_t x_sum,
                           lstm_rescale r) {
  const int64_t acc = (int64_t)dot + constant - (int64_t)w_zero_point * x_sum;
  return er_clamp_i32(rescale(saturate_i32(acc), r), INT16_MIN, INT16_MAX);
}

/* The fast form: per batch row, both products of all four gates as two matvecs over packed weights. */
static void step_int8_fast(const lstm_data *d, const step_q *s, unsigned char *scratch) {
  const lstm_int8_fast *f = d->fast;
  const lstm_int8_params *q = &d->q;
  int16_t *buf = (int16_t *)(void *)scratch;
  const size_t len = (size_t)s->rows * (size_t)d->n_cell, rows = (size_t)f->row_blocks * ER_S8_LSTM_ROWS;
  int32_t *x_dots = (int32_t *)(void *)(scratch + f->sums_offset), *h_dots = x_dots + rows;
  int8_t *x_buf = (int8_t *)(scratch + f->x_offset), *h_buf = (int8_t *)(scratch + f->h_offset);
  for (int32_t r = 0; r < s->rows; r++) {
    const int32_t x_sum = load_activations(s->x + (size_t)r * (size_t)d->n_input, d->n_input,
                                           f->input.k_groups, f->activation_xor, x_buf);
    const int32_t h_sum = load_activations(s->h + (size_t)r * (size_t)d->n_output, d->n_output,
                                           f->recurrent.k_groups, f->activation_xor, h_buf);
    f->matvec(f->row_blocks, f->input.k_groups, f->input.w, x_buf, x_dots);
    f->matvec(f->row_blocks, f->recurrent.k_groups, f->recurrent.w, h_buf, h_dots);
    if (f->gates) {
      /* gate g's rows are packed rows g * n_cell + j; one batch row's layout is already the buffer's */
      int16_t *gate_rows = s->rows == 1 ? buf : (int16_t *)(void *)(scratch + f->gate_rows_offset);
      f->gates(f, x_dots, h_dots, x_sum, h_sum, gate_rows);
      if (s->rows > 1)
        for (int g = 0; g < LSTM_GATES; g++)
          memcpy(buf + (size_t)g * len + (size_t)r * (size_t)d->n_cell,
                 gate_rows + (size_t)g * (size_t)d->n_cell, sizeof(int16_t) * (size_t)d->n_cell);
      continue;
    }
    for (int g = 0; g < LSTM_GATES; g++) {
      const bool tanh_gate = g == LSTM_GATE_CELL && d->activation == ER_ACT_TANH;
      int16_t *out = buf + (size_t)g * len + (size_t)r * (size_t)d->n_cell;
      for (int32_t j = 0; j < d->n_cell; j++) {
        const size_t row = (size_t)g * (size_t)d->n_cell + (size_t)j;
        const int32_t from_input = product_q12(x_dots[row], f->input.constant[row],
                                               q->input_weight_zero_point[g], x_sum, q->input_fc[g]);
        const int32_t from_hidden = product_q12(h_dots[row], f->recurrent.constant[row],
                                                q->recurrent_weight_zero_point[g], h_sum, q->recurrent_fc[g]);
        const int16_t sum = (int16_t)er_clamp_i32(from_input + from_hidden, INT16_MIN, INT16_MAX);
        out[j] = tanh_gate ? tanh_pot(sum, -12) : sigmoid_q12(sum);
      }
    }
  }
  finish_step(d, s, buf);
}

static void run_step(er_op_ctx *ctx, const lstm_data *d, const step_q *s) {
  if (d->fast)
    step_int8_fast(d, s, ctx->scratch);
  else
    step_int8(ctx, d, s, ctx->scratch);
}

void er_s8_lstm_matvec_16x4__scalar(int32_t row_blocks, int32_t k_groups, const int8_t *packed_w,
                                    const int8_t *x, int32_t *out) {
  for (int32_t b = 0; b < row_blocks; b++) {
    int32_t acc[ER_S8_LSTM_ROWS] = {0};
    for (int32_t kg = 0; kg < k_groups; kg++) {
      const int8_t *xk = x + (size_t)kg * 4;
      for (int lane = 0; lane < ER_S8_LSTM_ROWS; lane++, packed_w += 4)
        acc[lane] += packed_w[0] * xk[0] + packed_w[1] * xk[1] + packed_w[2] * xk[2] + packed_w[3] * xk[3];
    }
    memcpy(out + (size_t)b * ER_S8_LSTM_ROWS, acc, sizeof acc);
  }
}

void er_lstm_eval_int8(er_op_ctx *ctx, const lstm_data *d) {
  const int8_t *x = er_input(ctx, LSTM_IN_INPUT)->data;
  int8_t *h = er_input(ctx, LSTM_IN_OUTPUT_STATE)->data, *out = er_output(ctx, 0)->data;
  int16_t *c = er_input(ctx, LSTM_IN_CELL_STATE)->data;
  const size_t in_row = (size_t)d->n_input, state_row = (size_t)d->n_cell;
  if (d->time_major) {
    const size_t b = (size_t)d->batch;
    for (int32_t t = 0; t < d->steps; t++) {
      step_q s = {d->batch, x + (size_t)t * b * in_row, h, out + (size_t)t * b * state_row, c};
      run_step(ctx, d, &s);
    }
    return;
  }
  for (int32_t b = 0; b < d->batch; b++)
    for (int32_t t = 0; t < d->steps; t++) {
      size_t seq = (size_t)b * (size_t)d->steps + (size_t)t;
      step_q s = {1, x + seq * in_row, h + (size_t)b * state_row, out + seq * state_row,
                  c + (size_t)b * state_row};
      run_step(ctx, d, &s);
    }
}
