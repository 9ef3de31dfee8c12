/* What the UNIDIRECTIONAL_SEQUENCE_LSTM kernel's files share: TFLite's 24-input layout, the sizes and
 * options prepare derives, the integer path's precomputed rescales, and the step loop, layer norm and cell
 * update that the float and hybrid paths share. lstm.c holds prepare, the float path and those shared
 * helpers; lstm_hybrid.c the hybrid path; lstm_int8.c the 8-bit activation / 16-bit cell path of
 * TensorFlow Lite Micro. */
#ifndef EDGERT_OPS_LSTM_H
#define EDGERT_OPS_LSTM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/kernel.h"

/* Input positions (tensorflow/lite/kernels/lstm_shared.h). Gate-indexed groups add an lstm_gate. */
enum {
  LSTM_IN_INPUT = 0,
  LSTM_IN_INPUT_WEIGHTS = 1,     /* input_to_{input,forget,cell,output}_weights: 1..4 */
  LSTM_IN_RECURRENT_WEIGHTS = 5, /* recurrent_to_{...}_weights: 5..8 */
  LSTM_IN_PEEPHOLE_WEIGHTS = 9,  /* cell_to_{input,forget,output}_weights: 9..11 (no cell gate) */
  LSTM_IN_BIAS = 12,             /* {input,forget,cell,output}_gate_bias: 12..15 */
  LSTM_IN_PROJECTION_WEIGHTS = 16,
  LSTM_IN_PROJECTION_BIAS = 17,
  LSTM_IN_OUTPUT_STATE = 18,
  LSTM_IN_CELL_STATE = 19,
  LSTM_IN_LAYER_NORM = 20, /* {input,forget,cell,output}_layer_norm_coefficients: 20..23 */
  LSTM_IN_COUNT = 24
};

typedef enum {
  LSTM_GATE_INPUT = 0,
  LSTM_GATE_FORGET,
  LSTM_GATE_CELL,
  LSTM_GATE_OUTPUT,
  LSTM_GATES
} lstm_gate;

/* A real scale as TFLite's quantized multiplier and shift. */
typedef struct {
  int32_t multiplier;
  int shift;
} lstm_rescale;

/* The integer path's constants, as TFLM's PrepareGateParametersInteger and CreateLstmCellStateInfo
 * compute them. Gate pre-activations are int16 in Q3.12, gate outputs int16 in Q0.15. */
typedef struct {
  lstm_rescale input_fc[LSTM_GATES], recurrent_fc[LSTM_GATES];
  int32_t input_weight_zero_point[LSTM_GATES], recurrent_weight_zero_point[LSTM_GATES];
  int32_t input_zero_point, hidden_zero_point;
  lstm_rescale forget_times_cell, input_times_cell_gate, output_times_tanh_cell;
  int cell_scale_power; /* cell state scale is 2^cell_scale_power */
  bool clip_cell;
  int16_t quantized_cell_clip;
} lstm_int8_params;

/* int32 sums out[r] = sum_k w[r][k] * x[k] over packed int8 weights [row_blocks][k_groups][16][4] and
 * k_groups * 4 activation bytes (signed, or x + 128 for VNNI variants). Exact: K is capped at prepare. */
typedef void (*er_s8_lstm_matvec_fn)(int32_t row_blocks, int32_t k_groups, const int8_t *packed_w,
                                     const int8_t *x, int32_t *out);

#define ER_S8_LSTM_ROWS 16 /* rows per packed weight block */

void er_s8_lstm_matvec_16x4__scalar(int32_t row_blocks, int32_t k_groups, const int8_t *packed_w,
                                    const int8_t *x, int32_t *out);
#if defined(ER_SIMD_X86)
void er_s8_lstm_matvec_16x4__avx512vnni(int32_t row_blocks, int32_t k_groups, const int8_t *packed_w,
                                        const int8_t *x, int32_t *out);
#endif

/* One fully connected part (input or recurrent) of all four gates, packed at prepare: gate g's row j is
 * packed row g * n_cell + j. */
typedef struct {
  const int8_t *w;         /* [row_blocks][k_groups][16][4], zero padded */
  const int64_t *constant; /* per row: bias - (x_zp + xor offset) * sum_w + k * w_zp * x_zp */
  int32_t k, k_groups;
} lstm_int8_part;

/* Per packed row, what turns a part's dot product into its int16 Q3.12 term, for the vector gate
 * kernels: dot + constant - w_zero_point * sum(x), rescaled (left shift, multiplier, right shift). */
typedef struct {
  const int32_t *constant, *w_zero_point, *multiplier, *left_shift, *right_shift;
} lstm_int8_row_rescale;

struct lstm_int8_fast_s;
/* The gates of one batch row: out[row] (int16, packed row order, row_blocks * 16 values) from the two
 * parts' dot products and activation sums; sigmoid, or tanh on rows marked in tanh_rows. */
typedef void (*er_s8_lstm_gates_fn)(const struct lstm_int8_fast_s *f, const int32_t *x_dots,
                                    const int32_t *h_dots, int32_t x_sum, int32_t h_sum, int16_t *out);
/* The cell update and hidden state of `len` cells (lstm_int8.c's finish_step): gates holds the four gates
 * in lstm_gate order, len values apart. */
typedef void (*er_s8_lstm_cell_fn)(const lstm_int8_params *q, size_t len, const int16_t *gates, int16_t *cell,
                                   int8_t *hidden);
#if defined(ER_SIMD_X86)
void er_s8_lstm_cell__avx512(const lstm_int8_params *q, size_t len, const int16_t *gates, int16_t *cell,
                             int8_t *hidden);
void er_s8_lstm_gates__avx512(const struct lstm_int8_fast_s *f, const int32_t *x_dots, const int32_t *h_dots,
                              int32_t x_sum, int32_t h_sum, int16_t *out);
#endif

/* The int8 path's fast form, used when every weight is constant. */
typedef struct lstm_int8_fast_s {
  er_s8_lstm_gates_fn gates;          /* NULL: the scalar gate loop */
  er_s8_lstm_cell_fn cell;            /* NULL: the scalar cell update */
  lstm_int8_row_rescale input_rows, recurrent_rows;
  const uint16_t *tanh_rows;          /* per 16-row block: bit i set when row i takes tanh */
  const uint16_t *sigmoid_table;      /* fx_sigmoid_table_uint16 */
  size_t gate_rows_offset;            /* scratch bytes: row_blocks * 16 int16 gate values */
  er_s8_lstm_matvec_fn matvec;
  uint8_t activation_xor; /* 0x80 when the matvec takes x + 128 */
  int32_t row_blocks;
  lstm_int8_part input, recurrent;
  size_t sums_offset, x_offset, h_offset; /* scratch bytes after the gates */
} lstm_int8_fast;

/* Where the hybrid path's scratch parts start (bytes into the scratch). */
typedef struct {
  size_t gates;                                       /* 4 gates x batch x n_cell floats */
  size_t batch_scales;                                /* batch floats: a row's scale times a weight scale */
  size_t input_q, input_scales, input_zero_points;    /* the step's input rows quantized */
  size_t state_q, state_scales, state_zero_points;    /* the previous hidden state quantized */
  size_t hidden_q, hidden_scales, hidden_zero_points; /* the gated cell, quantized for the projection */
} lstm_hybrid_layout;

typedef struct {
  int32_t batch, steps, n_input, n_cell, n_output;
  bool time_major;
  er_activation activation; /* cell gate and, in the float path, the hidden state's */
  float cell_clip, proj_clip;
  bool cifg, peephole, projection, layer_norm;
  lstm_int8_params q;
  const lstm_int8_fast *fast; /* NULL: the reference int8 path */
  bool hybrid, asymmetric; /* float activations with int8 weights; asymmetric input quantization */
  lstm_hybrid_layout h;
} lstm_data;

/* One time step of the paths with float states (float and hybrid): `rows` batch rows of input, hidden
 * state, cell state and output, and the kernel's scratch. */
typedef struct {
  int32_t rows;
  const float *x;
  float *h, *c, *out;
  unsigned char *scratch;
} lstm_float_step;

typedef void lstm_float_step_fn(er_op_ctx *ctx, const lstm_data *d, const lstm_float_step *s);

/* Runs step for every time step of a float-state LSTM: time-major, all batch rows at once per step;
 * batch-major, each batch row's sequence on its own (its own hidden and cell state rows). */
void er_lstm_run_float_steps(er_op_ctx *ctx, const lstm_data *d, lstm_float_step_fn *step);

/* The options of the paths with float states: an activation they apply (none, ReLU, ReLU6, tanh, sigmoid)
 * and clips that are not negative. */
edgert_status er_lstm_check_float_options(er_op_ctx *ctx, const lstm_data *d);

/* (x - mean) / sqrt(variance + 1e-8) over one row of a gate (TFLite MeanStddevNormalization). */
void er_lstm_normalize_row(float *v, int32_t n);

/* TFLite UpdateLstmCellFloat over len cells: c = c * f + g * i (i = 1 - f with CIFG), then the optional
 * clip. */
void er_lstm_update_cell(const lstm_data *d, size_t len, const float *input_gate, const float *forget_gate,
                         const float *cell_gate, float *c);

/* Integer prepare after the shared shape checks: dtypes, scales, rescales. */
edgert_status er_lstm_prepare_int8(er_op_ctx *ctx, lstm_data *d);
/* Runs every time step of the int8 LSTM; scratch holds 4 * batch * n_cell int16. */
void er_lstm_eval_int8(er_op_ctx *ctx, const lstm_data *d);

/* Hybrid prepare (float input and states, int8 weights) after the shared shape checks. */
edgert_status er_lstm_prepare_hybrid(er_op_ctx *ctx, lstm_data *d);
/* Runs every time step of the hybrid LSTM. */
void er_lstm_eval_hybrid(er_op_ctx *ctx, const lstm_data *d);

#endif
