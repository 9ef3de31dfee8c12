/* Attrs of the IR ops of the sequence family (added for ONNX models). Included by attrs.h. */
#ifndef EDGERT_CORE_ATTRS_SEQUENCE_H
#define EDGERT_CORE_ATTRS_SEQUENCE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/tensor.h"

/* The activation functions ONNX's RNN, GRU and LSTM accept (their "activations" attribute). */
typedef enum {
  ER_RNN_ACT_SIGMOID = 0,
  ER_RNN_ACT_TANH,
  ER_RNN_ACT_RELU,
  ER_RNN_ACT_AFFINE,           /* alpha * x + beta */
  ER_RNN_ACT_LEAKY_RELU,       /* x >= 0 ? x : alpha * x */
  ER_RNN_ACT_THRESHOLDED_RELU, /* x >= alpha ? x : 0 */
  ER_RNN_ACT_SCALED_TANH,      /* alpha * tanh(beta * x) */
  ER_RNN_ACT_HARD_SIGMOID,     /* min(max(alpha * x + beta, 0), 1) */
  ER_RNN_ACT_ELU,              /* x >= 0 ? x : alpha * (e^x - 1) */
  ER_RNN_ACT_SOFTSIGN,         /* x / (1 + |x|) */
  ER_RNN_ACT_SOFTPLUS          /* log(1 + e^x) */
} er_rnn_act_kind;

typedef struct {
  er_rnn_act_kind kind;
  float alpha, beta;
} er_rnn_act;

typedef enum { ER_RNN_FORWARD = 0, ER_RNN_REVERSE, ER_RNN_BIDIRECTIONAL } er_rnn_direction;

/* Activations per direction: RNN uses f; GRU f, g; LSTM f, g, h. */
#define ER_RNN_MAX_ACTS 3

/* ONNX_RNN, ONNX_GRU, ONNX_LSTM in ONNX's layout. Inputs: X, W, R, B, sequence_lens, initial_h, then
 * (LSTM) initial_c, P; absent optional inputs are -1. Outputs: Y, Y_h, (LSTM) Y_c, each may be absent.
 * batch_major (ONNX layout = 1): X is [batch, seq, input], Y [batch, seq, dirs, hidden], states
 * [batch, dirs, hidden]; otherwise X [seq, batch, input], Y [seq, dirs, batch, hidden], states [dirs,
 * batch, hidden]. acts[d] are direction d's functions (forward first when bidirectional). */
typedef struct {
  int32_t hidden_size; /* 0: taken from R */
  er_rnn_direction direction;
  bool batch_major;
  bool has_clip;
  float clip;               /* gate inputs are clipped to [-clip, clip] when has_clip */
  bool linear_before_reset; /* GRU: apply R_h before multiplying by the reset gate */
  bool input_forget;        /* LSTM: forget gate = 1 - input gate */
  er_rnn_act acts[2][ER_RNN_MAX_ACTS];
} er_onnx_rnn_attrs;

/* QUANTIZE_LINEAR, DEQUANTIZE_LINEAR: inputs x, scale, zero point (optional); scale and zero point are
 * scalars (per tensor) or 1-D along `axis` of x (per axis; negative counts from the back). */
typedef struct {
  int32_t axis;
} er_quantize_linear_attrs;

#endif
