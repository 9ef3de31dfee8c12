/* ONNX op mappers of the sequence family (see onnx_families.def): the recurrent layers RNN, GRU and LSTM
 * (ONNX_RNN, ONNX_GRU, ONNX_LSTM in ONNX's own layouts) and the quantization ops QuantizeLinear,
 * DequantizeLinear (per tensor since opset 10, per axis since 13) and DynamicQuantizeLinear. Inputs and
 * outputs keep ONNX's order, absent optional ones as -1. */
#include <string.h>

#include "formats/onnx/onnx_map.h"

static bool string_is(const char *s, size_t len, const char *want) {
  return len == strlen(want) && memcmp(s, want, len) == 0;
}

static edgert_status read_direction(er_onnx_node *n, er_onnx_rnn_attrs *a) {
  const char *s;
  size_t len;
  a->direction = ER_RNN_FORWARD;
  if (!er_onnx_attr_string(n, "direction", &s, &len))
    return er_onnx_failed(n) ? EDGERT_ERR_MALFORMED : EDGERT_OK;
  if (string_is(s, len, "forward")) return EDGERT_OK;
  if (string_is(s, len, "reverse")) {
    a->direction = ER_RNN_REVERSE;
    return EDGERT_OK;
  }
  if (string_is(s, len, "bidirectional")) {
    a->direction = ER_RNN_BIDIRECTIONAL;
    return EDGERT_OK;
  }
  return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "direction '%.*s' is not forward, reverse or bidirectional",
                      (int)(len > 64 ? 64 : len), s);
}

/* ONNX's default activations: RNN f = Tanh; GRU f = Sigmoid, g = Tanh; LSTM f = Sigmoid, g = h = Tanh.
 * The "activations" attribute (a list of strings) is not read: the importer refuses a node that has it. */
static void default_activations(er_op op, er_onnx_rnn_attrs *a) {
  for (int d = 0; d < 2; d++) {
    er_rnn_act *acts = a->acts[d];
    acts[0].kind = op == ER_OP_ONNX_RNN ? ER_RNN_ACT_TANH : ER_RNN_ACT_SIGMOID;
    acts[1].kind = ER_RNN_ACT_TANH;
    acts[2].kind = ER_RNN_ACT_TANH;
  }
}

static edgert_status map_recurrent(er_onnx_node *n, er_op op) {
  er_onnx_rnn_attrs *a = er_onnx_new_attrs(n, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  er_onnx_set_op(n, op);
  int64_t hidden = 0, layout = 0, flag = 0;
  if (!er_onnx_attr_int_or(n, "hidden_size", 0, &hidden) || !er_onnx_attr_int_or(n, "layout", 0, &layout))
    return EDGERT_ERR_MALFORMED;
  if (hidden < 0 || hidden > INT32_MAX)
    return er_onnx_fail(n, EDGERT_ERR_MALFORMED, "hidden_size %lld is out of range", (long long)hidden);
  if (layout != 0 && layout != 1)
    return er_onnx_fail(n, EDGERT_ERR_MALFORMED, "layout %lld is not 0 or 1", (long long)layout);
  a->hidden_size = (int32_t)hidden;
  a->batch_major = layout == 1;
  edgert_status st = read_direction(n, a);
  if (st != EDGERT_OK) return st;
  a->has_clip = er_onnx_attr_float(n, "clip", &a->clip);
  if (er_onnx_failed(n)) return EDGERT_ERR_MALFORMED;
  if (a->has_clip && !(a->clip >= 0.0f))
    return er_onnx_fail(n, EDGERT_ERR_MALFORMED, "clip %g is negative", (double)a->clip);
  default_activations(op, a);
  if (op == ER_OP_ONNX_GRU) {
    if (!er_onnx_attr_int_or(n, "linear_before_reset", 0, &flag)) return EDGERT_ERR_MALFORMED;
    a->linear_before_reset = flag != 0;
  }
  if (op == ER_OP_ONNX_LSTM) {
    if (!er_onnx_attr_int_or(n, "input_forget", 0, &flag)) return EDGERT_ERR_MALFORMED;
    a->input_forget = flag != 0;
  }
  /* Opset 1's output_sequence only says whether Y is wanted; an absent Y output says the same. */
  er_onnx_ignore_attr(n, "output_sequence");
  return EDGERT_OK;
}

static edgert_status map_rnn(er_onnx_node *n) { return map_recurrent(n, ER_OP_ONNX_RNN); }
static edgert_status map_gru(er_onnx_node *n) { return map_recurrent(n, ER_OP_ONNX_GRU); }
static edgert_status map_lstm(er_onnx_node *n) { return map_recurrent(n, ER_OP_ONNX_LSTM); }

/* QuantizeLinear / DequantizeLinear: axis (opset 13) selects the per-axis dimension, default 1. */
static edgert_status map_quantize_common(er_onnx_node *n, er_op op) {
  er_quantize_linear_attrs *a = er_onnx_new_attrs(n, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  er_onnx_set_op(n, op);
  int64_t axis = 1;
  if (!er_onnx_attr_int_or(n, "axis", 1, &axis)) return EDGERT_ERR_MALFORMED;
  if (axis < -ER_MAX_DIMS || axis >= ER_MAX_DIMS)
    return er_onnx_fail(n, EDGERT_ERR_MALFORMED, "axis %lld is out of range", (long long)axis);
  a->axis = (int32_t)axis;
  return EDGERT_OK;
}

/* The output takes the zero point's dtype, uint8 without one. */
static edgert_status map_quantize_linear(er_onnx_node *n) {
  const er_tensor *zero_point = er_onnx_input(n, 2);
  er_onnx_set_output_dtype(n, 0, zero_point ? zero_point->dtype : EDGERT_UINT8);
  return map_quantize_common(n, ER_OP_QUANTIZE_LINEAR);
}

static edgert_status map_dequantize_linear(er_onnx_node *n) {
  er_onnx_set_output_dtype(n, 0, EDGERT_FLOAT32);
  return map_quantize_common(n, ER_OP_DEQUANTIZE_LINEAR);
}

static edgert_status map_dynamic_quantize_linear(er_onnx_node *n) {
  er_onnx_set_op(n, ER_OP_DYNAMIC_QUANTIZE_LINEAR);
  er_onnx_set_output_dtype(n, 0, EDGERT_UINT8);
  er_onnx_set_output_dtype(n, 1, EDGERT_FLOAT32);
  er_onnx_set_output_dtype(n, 2, EDGERT_UINT8);
  return EDGERT_OK;
}

const er_onnx_op_mapping er_onnx_ops_sequence[] = {
    {"", "RNN", 1, map_rnn},
    {"", "GRU", 1, map_gru},
    {"", "LSTM", 1, map_lstm},
    {"", "QuantizeLinear", 10, map_quantize_linear},
    {"", "DequantizeLinear", 10, map_dequantize_linear},
    {"", "DynamicQuantizeLinear", 11, map_dynamic_quantize_linear},
};
const size_t er_onnx_ops_sequence_count = sizeof er_onnx_ops_sequence / sizeof er_onnx_ops_sequence[0];
