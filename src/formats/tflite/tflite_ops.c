/* The table from TFLite builtin operators to IR ops, and one parser per options table turning TFLite's
 * builtin options into our attrs structs. Field numbers and defaults follow
 * tensorflow/lite/schema/schema.fbs (field N of a table is its N-th declared field, counting a union as
 * two: its type tag, then its value). Where the schema has no options table for an op, TFLite leaves its
 * params zeroed; we do the same by reading every field with its default from an absent table, except
 * where TFLite's own zeroing differs from the schema default (noted at the field). */
#include "formats/tflite/tflite_ops.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/attrs.h"
#include "formats/tflite/flexbuf.h"

/* Builtin codes by name: TFL_CONV_2D etc. */
enum {
#define ER_TFLITE_BUILTIN(name, code) TFL_##name = code,
#include "formats/tflite/tflite_builtins.def"
#undef ER_TFLITE_BUILTIN
};

/* The BuiltinOptions union tags (position in the union, NONE = 0) of the options tables we read. */
enum {
  OPT_NONE = 0,
  OPT_CONV_2D = 1,
  OPT_DEPTHWISE_CONV_2D = 2,
  OPT_POOL_2D = 5,
  OPT_SVDF = 6,
  OPT_RNN = 7,
  OPT_FULLY_CONNECTED = 8,
  OPT_SOFTMAX = 9,
  OPT_CONCATENATION = 10,
  OPT_ADD = 11,
  OPT_L2_NORM = 12,
  OPT_LOCAL_RESPONSE_NORMALIZATION = 13,
  OPT_RESIZE_BILINEAR = 15,
  OPT_RESHAPE = 17,
  OPT_SPACE_TO_DEPTH = 19,
  OPT_MUL = 21,
  OPT_GATHER = 23,
  OPT_REDUCER = 27,
  OPT_SUB = 28,
  OPT_DIV = 29,
  OPT_SQUEEZE = 30,
  OPT_SEQUENCE_RNN = 31,
  OPT_STRIDED_SLICE = 32,
  OPT_SPLIT = 35,
  OPT_ARG_MAX = 40,
  OPT_TRANSPOSE_CONV = 49,
  OPT_ARG_MIN = 57,
  OPT_PACK = 59,
  OPT_UNPACK = 64,
  OPT_UNIDIRECTIONAL_SEQUENCE_LSTM = 71,
  OPT_RESIZE_NEAREST_NEIGHBOR = 74,
  OPT_LEAKY_RELU = 75,
  OPT_MIRROR_PAD = 77,
  OPT_SPLIT_V = 79,
  OPT_DEPTH_TO_SPACE = 94,
  OPT_BATCH_MATMUL = 101,
  OPT_CUMSUM = 102,
  OPT_GELU = 116
};

static const char *const builtin_names[] = {
#define ER_TFLITE_BUILTIN(name, code) [code] = #name,
#include "formats/tflite/tflite_builtins.def"
#undef ER_TFLITE_BUILTIN
};

const char *er_tflite_builtin_name(int32_t code) {
  if (code < 0 || (size_t)code >= sizeof builtin_names / sizeof builtin_names[0] || !builtin_names[code])
    return "UNKNOWN";
  return builtin_names[code];
}

/* ---- tensor types ---- */

static const char *const type_names[] = {
    "FLOAT32", "FLOAT16", "INT32",      "UINT8",  "INT64",    "STRING",  "BOOL",   "INT16",  "COMPLEX64",
    "INT8",    "FLOAT64", "COMPLEX128", "UINT64", "RESOURCE", "VARIANT", "UINT32", "UINT16", "INT4"};

const char *er_tflite_type_name(int8_t type) {
  if (type < 0 || (size_t)type >= sizeof type_names / sizeof type_names[0]) return "UNKNOWN";
  return type_names[type];
}

bool er_tflite_dtype(int8_t type, edgert_dtype *out) {
  switch (type) {
  case 0: *out = EDGERT_FLOAT32; return true;
  case 1: *out = EDGERT_FLOAT16; return true;
  case 2: *out = EDGERT_INT32; return true;
  case 3: *out = EDGERT_UINT8; return true;
  case 4: *out = EDGERT_INT64; return true;
  case 6: *out = EDGERT_BOOL; return true;
  case 7: *out = EDGERT_INT16; return true;
  case 9: *out = EDGERT_INT8; return true;
  case 10: *out = EDGERT_FLOAT64; return true;
  case 12: *out = EDGERT_UINT64; return true;
  case 15: *out = EDGERT_UINT32; return true;
  case 16: *out = EDGERT_UINT16; return true;
  default: return false;
  }
}

/* ---- messages ---- */

static edgert_status op_fail(er_tflite_op *op, edgert_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static edgert_status op_fail(er_tflite_op *op, edgert_status st, const char *fmt, ...) {
  char what[200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  if (op->err_len)
    snprintf(op->err, op->err_len, "operator %d (%s): %s", op->index, er_tflite_builtin_name(op->builtin),
             what);
  return st;
}

static edgert_status options_malformed(er_tflite_op *op) {
  return op_fail(op, EDGERT_ERR_MALFORMED, "builtin options: %s", op->fb->error);
}

static void *new_attrs(er_tflite_op *op, size_t bytes) {
  void *a = er_graph_alloc(op->graph, bytes);
  op->node->attrs = a;
  return a;
}

static edgert_status no_memory(er_tflite_op *op) {
  return op_fail(op, EDGERT_ERR_NO_MEMORY, "out of memory for attributes");
}

/* ---- shared option fields ---- */

/* ActivationFunctionType -> er_activation. SIGN_BIT and unknown values are refused. */
static edgert_status activation(er_tflite_op *op, int8_t value, er_activation *out) {
  switch (value) {
  case 0: *out = ER_ACT_NONE; return EDGERT_OK;
  case 1: *out = ER_ACT_RELU; return EDGERT_OK;
  case 2: *out = ER_ACT_RELU_N1_TO_1; return EDGERT_OK;
  case 3: *out = ER_ACT_RELU6; return EDGERT_OK;
  case 4: *out = ER_ACT_TANH; return EDGERT_OK;
  case 5: return op_fail(op, EDGERT_ERR_UNSUPPORTED, "fused activation SIGN_BIT is not supported");
  default: return op_fail(op, EDGERT_ERR_MALFORMED, "unknown fused activation %d", value);
  }
}

/* Reads the activation stored in `field` of the options table. */
static edgert_status read_activation(er_tflite_op *op, const er_fb_table *o, int field, er_activation *out) {
  int8_t value;
  if (!er_fb_i8(op->fb, o, field, 0, &value)) return options_malformed(op);
  return activation(op, value, out);
}

/* Padding: SAME = 0, VALID = 1. */
static edgert_status read_padding(er_tflite_op *op, const er_fb_table *o, int field, er_padding *out) {
  int8_t value;
  if (!er_fb_i8(op->fb, o, field, 0, &value)) return options_malformed(op);
  if (value == 0)
    *out = ER_PAD_SAME;
  else if (value == 1)
    *out = ER_PAD_VALID;
  else
    return op_fail(op, EDGERT_ERR_MALFORMED, "unknown padding %d", value);
  return EDGERT_OK;
}

static edgert_status need_positive(er_tflite_op *op, const char *what, int32_t value) {
  if (value <= 0) return op_fail(op, EDGERT_ERR_MALFORMED, "%s is %d; it must be at least 1", what, value);
  return EDGERT_OK;
}

/* The tensor at input `i`, when it is a constant int32 or int64 with at least one element: its first
 * value. TFLite passes some axes as constant input tensors; we copy them into attrs for kernels. */
static bool const_int_input(const er_tflite_op *op, int i, int32_t *value) {
  if (i >= op->node->n_inputs) return false;
  int32_t id = op->node->inputs[i];
  if (id < 0 || id >= op->graph->n_tensors) return false;
  const er_tensor *t = &op->graph->tensors[id];
  if (t->kind != ER_TENSOR_CONST || !t->data) return false;
  if (t->dtype == EDGERT_INT32 && t->bytes >= 4) {
    memcpy(value, t->data, 4);
    return true;
  }
  if (t->dtype == EDGERT_INT64 && t->bytes >= 8) {
    int64_t v;
    memcpy(&v, t->data, 8);
    if (v < INT32_MIN || v > INT32_MAX) return false;
    *value = (int32_t)v;
    return true;
  }
  return false;
}

/* ---- parsers, one per options table ---- */

static edgert_status finish_conv(er_tflite_op *op, er_conv_attrs *a) {
  edgert_status st;
  if ((st = need_positive(op, "stride_h", a->stride_h)) != EDGERT_OK) return st;
  if ((st = need_positive(op, "stride_w", a->stride_w)) != EDGERT_OK) return st;
  if ((st = need_positive(op, "dilation_h_factor", a->dilation_h)) != EDGERT_OK) return st;
  return need_positive(op, "dilation_w_factor", a->dilation_w);
}

/* Conv2DOptions: padding, stride_w, stride_h, fused_activation_function, dilation_w_factor = 1,
 * dilation_h_factor = 1, quantized_bias_type (the bias tensor's own type says the same). */
static edgert_status parse_conv(er_tflite_op *op, const er_fb_table *o) {
  er_conv_attrs *a = new_attrs(op, sizeof *a);
  if (!a) return no_memory(op);
  a->layout = ER_LAYOUT_NHWC;
  a->depth_multiplier = 1;
  edgert_status st = read_padding(op, o, 0, &a->padding);
  if (st == EDGERT_OK) st = read_activation(op, o, 3, &a->activation);
  if (st != EDGERT_OK) return st;
  if (!er_fb_i32(op->fb, o, 1, 0, &a->stride_w) || !er_fb_i32(op->fb, o, 2, 0, &a->stride_h) ||
      !er_fb_i32(op->fb, o, 4, 1, &a->dilation_w) || !er_fb_i32(op->fb, o, 5, 1, &a->dilation_h))
    return options_malformed(op);
  return finish_conv(op, a);
}

/* DepthwiseConv2DOptions: padding, stride_w, stride_h, depth_multiplier, fused_activation_function,
 * dilation_w_factor = 1, dilation_h_factor = 1. depth_multiplier is kept as written: TFLite derives the
 * real one from the shapes (the field is redundant, and 0 in some files). */
static edgert_status parse_depthwise(er_tflite_op *op, const er_fb_table *o) {
  er_conv_attrs *a = new_attrs(op, sizeof *a);
  if (!a) return no_memory(op);
  a->layout = ER_LAYOUT_NHWC;
  edgert_status st = read_padding(op, o, 0, &a->padding);
  if (st == EDGERT_OK) st = read_activation(op, o, 4, &a->activation);
  if (st != EDGERT_OK) return st;
  if (!er_fb_i32(op->fb, o, 1, 0, &a->stride_w) || !er_fb_i32(op->fb, o, 2, 0, &a->stride_h) ||
      !er_fb_i32(op->fb, o, 3, 0, &a->depth_multiplier) || !er_fb_i32(op->fb, o, 5, 1, &a->dilation_w) ||
      !er_fb_i32(op->fb, o, 6, 1, &a->dilation_h))
    return options_malformed(op);
  return finish_conv(op, a);
}

/* TransposeConvOptions: padding, stride_w, stride_h, fused_activation_function. No dilation. */
static edgert_status parse_transpose_conv(er_tflite_op *op, const er_fb_table *o) {
  er_conv_attrs *a = new_attrs(op, sizeof *a);
  if (!a) return no_memory(op);
  a->layout = ER_LAYOUT_NHWC;
  a->depth_multiplier = 1;
  a->dilation_h = a->dilation_w = 1;
  edgert_status st = read_padding(op, o, 0, &a->padding);
  if (st == EDGERT_OK) st = read_activation(op, o, 3, &a->activation);
  if (st != EDGERT_OK) return st;
  if (!er_fb_i32(op->fb, o, 1, 0, &a->stride_w) || !er_fb_i32(op->fb, o, 2, 0, &a->stride_h))
    return options_malformed(op);
  return finish_conv(op, a);
}

/* Pool2DOptions: padding, stride_w, stride_h, filter_width, filter_height, fused_activation_function. */
static edgert_status parse_pool(er_tflite_op *op, const er_fb_table *o) {
  er_pool_attrs *a = new_attrs(op, sizeof *a);
  if (!a) return no_memory(op);
  a->layout = ER_LAYOUT_NHWC;
  edgert_status st = read_padding(op, o, 0, &a->padding);
  if (st == EDGERT_OK) st = read_activation(op, o, 5, &a->activation);
  if (st != EDGERT_OK) return st;
  if (!er_fb_i32(op->fb, o, 1, 0, &a->stride_w) || !er_fb_i32(op->fb, o, 2, 0, &a->stride_h) ||
      !er_fb_i32(op->fb, o, 3, 0, &a->filter_w) || !er_fb_i32(op->fb, o, 4, 0, &a->filter_h))
    return options_malformed(op);
  if ((st = need_positive(op, "stride_h", a->stride_h)) != EDGERT_OK) return st;
  if ((st = need_positive(op, "stride_w", a->stride_w)) != EDGERT_OK) return st;
  if ((st = need_positive(op, "filter_height", a->filter_h)) != EDGERT_OK) return st;
  return need_positive(op, "filter_width", a->filter_w);
}

/* FullyConnectedOptions: fused_activation_function, weights_format = DEFAULT, keep_num_dims,
 * asymmetric_quantize_inputs, quantized_bias_type. Only the DEFAULT weights layout is supported. */
static edgert_status parse_fully_connected(er_tflite_op *op, const er_fb_table *o) {
  er_fc_attrs *a = new_attrs(op, sizeof *a);
  if (!a) return no_memory(op);
  edgert_status st = read_activation(op, o, 0, &a->activation);
  if (st != EDGERT_OK) return st;
  int8_t weights_format;
  if (!er_fb_i8(op->fb, o, 1, 0, &weights_format) || !er_fb_bool(op->fb, o, 2, false, &a->keep_num_dims) ||
      !er_fb_bool(op->fb, o, 3, false, &a->asymmetric_quantize_inputs))
    return options_malformed(op);
  if (weights_format != 0)
    return op_fail(op, EDGERT_ERR_UNSUPPORTED, "weights format %d (shuffled) is not supported",
                   weights_format);
  return EDGERT_OK;
}

/* BatchMatMulOptions: adj_x, adj_y, asymmetric_quantize_inputs. */
static edgert_status parse_batch_matmul(er_tflite_op *op, const er_fb_table *o) {
  er_matmul_attrs *a = new_attrs(op, sizeof *a);
  if (!a) return no_memory(op);
  if (!er_fb_bool(op->fb, o, 0, false, &a->adj_x) || !er_fb_bool(op->fb, o, 1, false, &a->adj_y) ||
      !er_fb_bool(op->fb, o, 2, false, &a->asymmetric_quantize_inputs))
    return options_malformed(op);
  return EDGERT_OK;
}

/* ReducerOptions: keep_dims. */
static edgert_status parse_reducer(er_tflite_op *op, const er_fb_table *o) {
  er_reduce_attrs *a = new_attrs(op, sizeof *a);
  if (!a) return no_memory(op);
  if (!er_fb_bool(op->fb, o, 0, false, &a->keep_dims)) return options_malformed(op);
  return EDGERT_OK;
}

/* ArgMaxOptions / ArgMinOptions: output_type. The output tensor's own type is what the kernel writes;
 * the option, when written, must agree with it. */
static edgert_status parse_arg(er_tflite_op *op, const er_fb_table *o) {
  er_arg_attrs *a = new_attrs(op, sizeof *a);
  if (!a) return no_memory(op);
  if (op->node->n_outputs < 1 || op->node->outputs[0] < 0)
    return op_fail(op, EDGERT_ERR_MALFORMED, "has no output tensor");
  a->output_type = op->graph->tensors[op->node->outputs[0]].dtype;
  if (!er_fb_has(op->fb, o, 0)) return op->fb->failed ? options_malformed(op) : EDGERT_OK;
  int8_t type;
  edgert_dtype dtype;
  if (!er_fb_i8(op->fb, o, 0, 0, &type)) return options_malformed(op);
  if (!er_tflite_dtype(type, &dtype) || dtype != a->output_type)
    return op_fail(op, EDGERT_ERR_MALFORMED, "output_type %s differs from the output tensor's %s",
                   er_tflite_type_name(type), edgert_dtype_name(a->output_type));
  return EDGERT_OK;
}

/* AddOptions / SubOptions: fused_activation_function, pot_scale_int16 = true. TFLite zeroes its params
 * when the options table is missing, which makes pot_scale_int16 false in that case only; we match it
 * so int16 results stay identical. */
static edgert_status parse_add_sub(er_tflite_op *op, const er_fb_table *o) {
  er_binary_attrs *a = new_attrs(op, sizeof *a);
  if (!a) return no_memory(op);
  edgert_status st = read_activation(op, o, 0, &a->activation);
  if (st != EDGERT_OK) return st;
  if (!er_fb_bool(op->fb, o, 1, o->present, &a->pot_scale_int16)) return options_malformed(op);
  return EDGERT_OK;
}

/* MulOptions / DivOptions: fused_activation_function. */
static edgert_status parse_mul_div(er_tflite_op *op, const er_fb_table *o) {
  er_binary_attrs *a = new_attrs(op, sizeof *a);
  if (!a) return no_memory(op);
  return read_activation(op, o, 0, &a->activation);
}

/* Binary (and n-ary) elementwise ops without options: attrs with no activation, so every kernel of the
 * family may read er_binary_attrs. */
static edgert_status parse_plain_binary(er_tflite_op *op, const er_fb_table *o) {
  (void)o;
  er_binary_attrs *a = new_attrs(op, sizeof *a);
  if (!a) return no_memory(op);
  a->activation = ER_ACT_NONE;
  return EDGERT_OK;
}

/* SoftmaxOptions: beta (schema default 0.0; converters always write it). */
static edgert_status parse_softmax(er_tflite_op *op, const er_fb_table *o) {
  er_softmax_attrs *a = new_attrs(op, sizeof *a);
  if (!a) return no_memory(op);
  if (!er_fb_f32(op->fb, o, 0, 0.0f, &a->beta)) return options_malformed(op);
  if (!isfinite(a->beta)) return op_fail(op, EDGERT_ERR_MALFORMED, "beta is not a finite number");
  return EDGERT_OK;
}

/* LOG_SOFTMAX has no options; its beta is 1. */
static edgert_status parse_log_softmax(er_tflite_op *op, const er_fb_table *o) {
  (void)o;
  er_softmax_attrs *a = new_attrs(op, sizeof *a);
  if (!a) return no_memory(op);
  a->beta = 1.0f;
  return EDGERT_OK;
}

/* LeakyReluOptions: alpha. */
static edgert_status parse_leaky_relu(er_tflite_op *op, const er_fb_table *o) {
  er_leaky_relu_attrs *a = new_attrs(op, sizeof *a);
  if (!a) return no_memory(op);
  if (!er_fb_f32(op->fb, o, 0, 0.0f, &a->alpha)) return options_malformed(op);
  if (!isfinite(a->alpha)) return op_fail(op, EDGERT_ERR_MALFORMED, "alpha is not a finite number");
  return EDGERT_OK;
}

/* GeluOptions: approximate. */
static edgert_status parse_gelu(er_tflite_op *op, const er_fb_table *o) {
  er_gelu_attrs *a = new_attrs(op, sizeof *a);
  if (!a) return no_memory(op);
  if (!er_fb_bool(op->fb, o, 0, false, &a->approximate)) return options_malformed(op);
  return EDGERT_OK;
}

/* L2NormOptions: fused_activation_function. */
static edgert_status parse_l2norm(er_tflite_op *op, const er_fb_table *o) {
  er_l2norm_attrs *a = new_attrs(op, sizeof *a);
  if (!a) return no_memory(op);
  return read_activation(op, o, 0, &a->activation);
}

/* Copies an int vector of at most ER_MAX_DIMS values (what = the field's name for messages). */
static edgert_status read_small_ints(er_tflite_op *op, const er_fb_vector *v, const char *what,
                                     int32_t *out) {
  if (v->count > ER_MAX_DIMS)
    return op_fail(op, EDGERT_ERR_UNSUPPORTED, "%s has %u values; at most %d are supported", what, v->count,
                   ER_MAX_DIMS);
  for (uint32_t i = 0; i < v->count; i++)
    if (!er_fb_vec_i32(op->fb, v, i, &out[i])) return options_malformed(op);
  return EDGERT_OK;
}

/* ReshapeOptions: new_shape. Absent: ndim -1 (the shape comes from input 1). */
static edgert_status parse_reshape(er_tflite_op *op, const er_fb_table *o) {
  er_reshape_attrs *a = new_attrs(op, sizeof *a);
  if (!a) return no_memory(op);
  er_fb_vector v;
  if (!er_fb_vector_field(op->fb, o, 0, 4, &v)) return options_malformed(op);
  a->ndim = -1;
  if (!v.present) return EDGERT_OK;
  int32_t dims[ER_MAX_DIMS];
  edgert_status st = read_small_ints(op, &v, "new_shape", dims);
  if (st != EDGERT_OK) return st;
  a->ndim = (int32_t)v.count;
  for (int32_t i = 0; i < a->ndim; i++)
    a->new_shape[i] = dims[i];
  return EDGERT_OK;
}

/* SqueezeOptions: squeeze_dims (empty: every dim of size 1). */
static edgert_status parse_squeeze(er_tflite_op *op, const er_fb_table *o) {
  er_squeeze_attrs *a = new_attrs(op, sizeof *a);
  if (!a) return no_memory(op);
  er_fb_vector v;
  if (!er_fb_vector_field(op->fb, o, 0, 4, &v)) return options_malformed(op);
  edgert_status st = read_small_ints(op, &v, "squeeze_dims", a->dims);
  if (st != EDGERT_OK) return st;
  a->count = (int32_t)v.count;
  return EDGERT_OK;
}

/* ConcatenationOptions: axis, fused_activation_function. */
static edgert_status parse_concatenation(er_tflite_op *op, const er_fb_table *o) {
  er_axis_attrs *a = new_attrs(op, sizeof *a);
  if (!a) return no_memory(op);
  if (!er_fb_i32(op->fb, o, 0, 0, &a->axis)) return options_malformed(op);
  a->count = op->node->n_inputs;
  return read_activation(op, o, 1, &a->activation);
}

/* PackOptions: values_count, axis. */
static edgert_status parse_pack(er_tflite_op *op, const er_fb_table *o) {
  er_axis_attrs *a = new_attrs(op, sizeof *a);
  if (!a) return no_memory(op);
  if (!er_fb_i32(op->fb, o, 0, 0, &a->count) || !er_fb_i32(op->fb, o, 1, 0, &a->axis))
    return options_malformed(op);
  if (a->count != op->node->n_inputs)
    return op_fail(op, EDGERT_ERR_MALFORMED, "values_count %d but %d inputs", a->count, op->node->n_inputs);
  return EDGERT_OK;
}

/* UnpackOptions: num, axis. */
static edgert_status parse_unpack(er_tflite_op *op, const er_fb_table *o) {
  er_axis_attrs *a = new_attrs(op, sizeof *a);
  if (!a) return no_memory(op);
  if (!er_fb_i32(op->fb, o, 0, 0, &a->count) || !er_fb_i32(op->fb, o, 1, 0, &a->axis))
    return options_malformed(op);
  if (a->count != op->node->n_outputs)
    return op_fail(op, EDGERT_ERR_MALFORMED, "num %d but %d outputs", a->count, op->node->n_outputs);
  return EDGERT_OK;
}

/* GatherOptions: axis, batch_dims = 0. */
static edgert_status parse_gather(er_tflite_op *op, const er_fb_table *o) {
  er_axis_attrs *a = new_attrs(op, sizeof *a);
  if (!a) return no_memory(op);
  if (!er_fb_i32(op->fb, o, 0, 0, &a->axis) || !er_fb_i32(op->fb, o, 1, 0, &a->batch_dims))
    return options_malformed(op);
  return EDGERT_OK;
}

/* SplitOptions / SplitVOptions: num_splits. The axis is an input tensor (input 0 for SPLIT, input 2 for
 * SPLIT_V); when it is constant its value is copied to attrs.axis (kernels may also read the tensor). */
static edgert_status parse_split_common(er_tflite_op *op, const er_fb_table *o, int axis_input) {
  er_axis_attrs *a = new_attrs(op, sizeof *a);
  if (!a) return no_memory(op);
  if (!er_fb_i32(op->fb, o, 0, 0, &a->count)) return options_malformed(op);
  if (a->count != op->node->n_outputs)
    return op_fail(op, EDGERT_ERR_MALFORMED, "num_splits %d but %d outputs", a->count, op->node->n_outputs);
  const_int_input(op, axis_input, &a->axis);
  return EDGERT_OK;
}

static edgert_status parse_split(er_tflite_op *op, const er_fb_table *o) {
  return parse_split_common(op, o, 0);
}
static edgert_status parse_split_v(er_tflite_op *op, const er_fb_table *o) {
  return parse_split_common(op, o, 2);
}

/* StridedSliceOptions: begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_axis_mask, offset. */
static edgert_status parse_strided_slice(er_tflite_op *op, const er_fb_table *o) {
  er_strided_slice_attrs *a = new_attrs(op, sizeof *a);
  if (!a) return no_memory(op);
  if (!er_fb_i32(op->fb, o, 0, 0, &a->begin_mask) || !er_fb_i32(op->fb, o, 1, 0, &a->end_mask) ||
      !er_fb_i32(op->fb, o, 2, 0, &a->ellipsis_mask) || !er_fb_i32(op->fb, o, 3, 0, &a->new_axis_mask) ||
      !er_fb_i32(op->fb, o, 4, 0, &a->shrink_axis_mask) || !er_fb_bool(op->fb, o, 5, false, &a->offset))
    return options_malformed(op);
  return EDGERT_OK;
}

/* MirrorPadOptions: mode (REFLECT = 0, SYMMETRIC = 1). */
static edgert_status parse_mirror_pad(er_tflite_op *op, const er_fb_table *o) {
  er_mirror_pad_attrs *a = new_attrs(op, sizeof *a);
  if (!a) return no_memory(op);
  int8_t mode;
  if (!er_fb_i8(op->fb, o, 0, 0, &mode)) return options_malformed(op);
  if (mode != 0 && mode != 1) return op_fail(op, EDGERT_ERR_MALFORMED, "unknown mirror pad mode %d", mode);
  a->symmetric = mode == 1;
  return EDGERT_OK;
}

/* SpaceToDepthOptions / DepthToSpaceOptions: block_size. */
static edgert_status parse_block(er_tflite_op *op, const er_fb_table *o) {
  er_block_attrs *a = new_attrs(op, sizeof *a);
  if (!a) return no_memory(op);
  if (!er_fb_i32(op->fb, o, 0, 0, &a->block_size)) return options_malformed(op);
  return need_positive(op, "block_size", a->block_size);
}

/* ResizeBilinearOptions: new_height and new_width (deprecated), align_corners, half_pixel_centers. */
static edgert_status parse_resize_bilinear(er_tflite_op *op, const er_fb_table *o) {
  er_resize_attrs *a = new_attrs(op, sizeof *a);
  if (!a) return no_memory(op);
  if (!er_fb_bool(op->fb, o, 2, false, &a->align_corners) ||
      !er_fb_bool(op->fb, o, 3, false, &a->half_pixel_centers))
    return options_malformed(op);
  return EDGERT_OK;
}

/* ResizeNearestNeighborOptions: align_corners, half_pixel_centers. */
static edgert_status parse_resize_nearest(er_tflite_op *op, const er_fb_table *o) {
  er_resize_attrs *a = new_attrs(op, sizeof *a);
  if (!a) return no_memory(op);
  if (!er_fb_bool(op->fb, o, 0, false, &a->align_corners) ||
      !er_fb_bool(op->fb, o, 1, false, &a->half_pixel_centers))
    return options_malformed(op);
  return EDGERT_OK;
}

/* CAST: the target type is the output tensor's type (CastOptions is optional in TFLite files). */
static edgert_status parse_cast(er_tflite_op *op, const er_fb_table *o) {
  (void)o;
  er_cast_attrs *a = new_attrs(op, sizeof *a);
  if (!a) return no_memory(op);
  if (op->node->n_outputs < 1 || op->node->outputs[0] < 0)
    return op_fail(op, EDGERT_ERR_MALFORMED, "has no output tensor");
  a->out_type = op->graph->tensors[op->node->outputs[0]].dtype;
  return EDGERT_OK;
}

/* SVDFOptions: rank, fused_activation_function, asymmetric_quantize_inputs. */
static edgert_status parse_svdf(er_tflite_op *op, const er_fb_table *o) {
  er_svdf_attrs *a = new_attrs(op, sizeof *a);
  if (!a) return no_memory(op);
  if (!er_fb_i32(op->fb, o, 0, 0, &a->rank)) return options_malformed(op);
  if (!er_fb_bool(op->fb, o, 2, false, &a->asymmetric_quantize_inputs)) return options_malformed(op);
  edgert_status st = need_positive(op, "rank", a->rank);
  if (st != EDGERT_OK) return st;
  return read_activation(op, o, 1, &a->activation);
}

/* UnidirectionalSequenceLSTMOptions: fused_activation_function, cell_clip, proj_clip (0: no clipping),
 * time_major, asymmetric_quantize_inputs, diagonal_recurrent_tensors. */
static edgert_status parse_lstm(er_tflite_op *op, const er_fb_table *o) {
  er_lstm_attrs *a = new_attrs(op, sizeof *a);
  if (!a) return no_memory(op);
  edgert_status st = read_activation(op, o, 0, &a->activation);
  if (st != EDGERT_OK) return st;
  bool diagonal;
  if (!er_fb_f32(op->fb, o, 1, 0.0f, &a->cell_clip) || !er_fb_f32(op->fb, o, 2, 0.0f, &a->proj_clip) ||
      !er_fb_bool(op->fb, o, 3, false, &a->time_major) ||
      !er_fb_bool(op->fb, o, 4, false, &a->asymmetric_quantize_inputs) ||
      !er_fb_bool(op->fb, o, 5, false, &diagonal))
    return options_malformed(op);
  if (!isfinite(a->cell_clip) || a->cell_clip < 0 || !isfinite(a->proj_clip) || a->proj_clip < 0)
    return op_fail(op, EDGERT_ERR_MALFORMED, "cell_clip %g or proj_clip %g is negative or not finite",
                   (double)a->cell_clip, (double)a->proj_clip);
  if (diagonal) return op_fail(op, EDGERT_ERR_UNSUPPORTED, "diagonal recurrent tensors are not supported");
  return EDGERT_OK;
}

/* SELECT (v1): a rank-1 condition selects rows; SELECT_V2 broadcasts and needs no attrs. */
static edgert_status parse_select_v1(er_tflite_op *op, const er_fb_table *o) {
  (void)o;
  er_select_attrs *a = new_attrs(op, sizeof *a);
  if (!a) return no_memory(op);
  a->rank1_selects_rows = true;
  return EDGERT_OK;
}

/* LocalResponseNormalizationOptions: radius, bias, alpha, beta. */
static edgert_status parse_lrn(er_tflite_op *op, const er_fb_table *o) {
  er_lrn_attrs *a = new_attrs(op, sizeof *a);
  if (!a) return no_memory(op);
  if (!er_fb_i32(op->fb, o, 0, 0, &a->radius) || !er_fb_f32(op->fb, o, 1, 0.0f, &a->bias) ||
      !er_fb_f32(op->fb, o, 2, 0.0f, &a->alpha) || !er_fb_f32(op->fb, o, 3, 0.0f, &a->beta))
    return options_malformed(op);
  if (a->radius < 0) return op_fail(op, EDGERT_ERR_MALFORMED, "radius %d is negative", a->radius);
  if (!isfinite(a->bias) || !isfinite(a->alpha) || !isfinite(a->beta))
    return op_fail(op, EDGERT_ERR_MALFORMED, "bias, alpha or beta is not a finite number");
  return EDGERT_OK;
}

/* CumsumOptions: exclusive, reverse. */
static edgert_status parse_cumsum(er_tflite_op *op, const er_fb_table *o) {
  er_cumsum_attrs *a = new_attrs(op, sizeof *a);
  if (!a) return no_memory(op);
  if (!er_fb_bool(op->fb, o, 0, false, &a->exclusive) || !er_fb_bool(op->fb, o, 1, false, &a->reverse))
    return options_malformed(op);
  return EDGERT_OK;
}

/* RNNOptions: fused_activation_function, asymmetric_quantize_inputs (hybrid only; we run float). */
static edgert_status parse_rnn(er_tflite_op *op, const er_fb_table *o) {
  er_rnn_attrs *a = new_attrs(op, sizeof *a);
  if (!a) return no_memory(op);
  a->time_major = false;
  return read_activation(op, o, 0, &a->activation);
}

/* SequenceRNNOptions: time_major, fused_activation_function, asymmetric_quantize_inputs. */
static edgert_status parse_sequence_rnn(er_tflite_op *op, const er_fb_table *o) {
  er_rnn_attrs *a = new_attrs(op, sizeof *a);
  if (!a) return no_memory(op);
  if (!er_fb_bool(op->fb, o, 0, false, &a->time_major)) return options_malformed(op);
  return read_activation(op, o, 1, &a->activation);
}

/* ---- the table ---- */

typedef edgert_status (*parse_fn)(er_tflite_op *op, const er_fb_table *options);

typedef struct {
  int32_t builtin;
  er_op op;
  uint8_t options_type; /* the BuiltinOptions tag `parse` reads, OPT_NONE when it reads none */
  parse_fn parse;       /* NULL: the op has no attrs */
} op_mapping;

static const op_mapping mappings[] = {
    /* linear algebra and convolution */
    {TFL_FULLY_CONNECTED, ER_OP_FULLY_CONNECTED, OPT_FULLY_CONNECTED, parse_fully_connected},
    {TFL_BATCH_MATMUL, ER_OP_BATCH_MATMUL, OPT_BATCH_MATMUL, parse_batch_matmul},
    {TFL_CONV_2D, ER_OP_CONV_2D, OPT_CONV_2D, parse_conv},
    {TFL_DEPTHWISE_CONV_2D, ER_OP_DEPTHWISE_CONV_2D, OPT_DEPTHWISE_CONV_2D, parse_depthwise},
    {TFL_TRANSPOSE_CONV, ER_OP_TRANSPOSE_CONV, OPT_TRANSPOSE_CONV, parse_transpose_conv},
    /* pooling and reductions */
    {TFL_AVERAGE_POOL_2D, ER_OP_AVERAGE_POOL_2D, OPT_POOL_2D, parse_pool},
    {TFL_MAX_POOL_2D, ER_OP_MAX_POOL_2D, OPT_POOL_2D, parse_pool},
    {TFL_L2_POOL_2D, ER_OP_L2_POOL_2D, OPT_POOL_2D, parse_pool},
    {TFL_MEAN, ER_OP_MEAN, OPT_REDUCER, parse_reducer},
    {TFL_SUM, ER_OP_SUM, OPT_REDUCER, parse_reducer},
    {TFL_REDUCE_MAX, ER_OP_REDUCE_MAX, OPT_REDUCER, parse_reducer},
    {TFL_REDUCE_MIN, ER_OP_REDUCE_MIN, OPT_REDUCER, parse_reducer},
    {TFL_REDUCE_PROD, ER_OP_REDUCE_PROD, OPT_REDUCER, parse_reducer},
    {TFL_ARG_MAX, ER_OP_ARG_MAX, OPT_ARG_MAX, parse_arg},
    {TFL_ARG_MIN, ER_OP_ARG_MIN, OPT_ARG_MIN, parse_arg},
    /* elementwise binary */
    {TFL_ADD, ER_OP_ADD, OPT_ADD, parse_add_sub},
    {TFL_SUB, ER_OP_SUB, OPT_SUB, parse_add_sub},
    {TFL_MUL, ER_OP_MUL, OPT_MUL, parse_mul_div},
    {TFL_DIV, ER_OP_DIV, OPT_DIV, parse_mul_div},
    {TFL_MINIMUM, ER_OP_MINIMUM, OPT_NONE, parse_plain_binary},
    {TFL_MAXIMUM, ER_OP_MAXIMUM, OPT_NONE, parse_plain_binary},
    {TFL_SQUARED_DIFFERENCE, ER_OP_SQUARED_DIFFERENCE, OPT_NONE, parse_plain_binary},
    {TFL_POW, ER_OP_POW, OPT_NONE, parse_plain_binary},
    {TFL_FLOOR_DIV, ER_OP_FLOOR_DIV, OPT_NONE, parse_plain_binary},
    {TFL_FLOOR_MOD, ER_OP_FLOOR_MOD, OPT_NONE, parse_plain_binary},
    {TFL_EQUAL, ER_OP_EQUAL, OPT_NONE, parse_plain_binary},
    {TFL_NOT_EQUAL, ER_OP_NOT_EQUAL, OPT_NONE, parse_plain_binary},
    {TFL_LESS, ER_OP_LESS, OPT_NONE, parse_plain_binary},
    {TFL_LESS_EQUAL, ER_OP_LESS_EQUAL, OPT_NONE, parse_plain_binary},
    {TFL_GREATER, ER_OP_GREATER, OPT_NONE, parse_plain_binary},
    {TFL_GREATER_EQUAL, ER_OP_GREATER_EQUAL, OPT_NONE, parse_plain_binary},
    {TFL_LOGICAL_AND, ER_OP_LOGICAL_AND, OPT_NONE, parse_plain_binary},
    {TFL_LOGICAL_OR, ER_OP_LOGICAL_OR, OPT_NONE, parse_plain_binary},
    {TFL_SELECT, ER_OP_SELECT, OPT_NONE, parse_select_v1},
    {TFL_SELECT_V2, ER_OP_SELECT, OPT_NONE, NULL},
    {TFL_ADD_N, ER_OP_ADD_N, OPT_NONE, parse_plain_binary},
    /* elementwise unary and activations */
    {TFL_RELU, ER_OP_RELU, OPT_NONE, NULL},
    {TFL_RELU6, ER_OP_RELU6, OPT_NONE, NULL},
    {TFL_RELU_N1_TO_1, ER_OP_RELU_N1_TO_1, OPT_NONE, NULL},
    {TFL_LEAKY_RELU, ER_OP_LEAKY_RELU, OPT_LEAKY_RELU, parse_leaky_relu},
    {TFL_PRELU, ER_OP_PRELU, OPT_NONE, NULL},
    {TFL_ELU, ER_OP_ELU, OPT_NONE, NULL},
    {TFL_GELU, ER_OP_GELU, OPT_GELU, parse_gelu},
    {TFL_HARD_SWISH, ER_OP_HARD_SWISH, OPT_NONE, NULL},
    {TFL_LOGISTIC, ER_OP_LOGISTIC, OPT_NONE, NULL},
    {TFL_TANH, ER_OP_TANH, OPT_NONE, NULL},
    {TFL_EXP, ER_OP_EXP, OPT_NONE, NULL},
    {TFL_LOG, ER_OP_LOG, OPT_NONE, NULL},
    {TFL_SQRT, ER_OP_SQRT, OPT_NONE, NULL},
    {TFL_RSQRT, ER_OP_RSQRT, OPT_NONE, NULL},
    {TFL_SQUARE, ER_OP_SQUARE, OPT_NONE, NULL},
    {TFL_ABS, ER_OP_ABS, OPT_NONE, NULL},
    {TFL_NEG, ER_OP_NEG, OPT_NONE, NULL},
    {TFL_FLOOR, ER_OP_FLOOR, OPT_NONE, NULL},
    {TFL_CEIL, ER_OP_CEIL, OPT_NONE, NULL},
    {TFL_ROUND, ER_OP_ROUND, OPT_NONE, NULL},
    {TFL_SIN, ER_OP_SIN, OPT_NONE, NULL},
    {TFL_COS, ER_OP_COS, OPT_NONE, NULL},
    {TFL_LOGICAL_NOT, ER_OP_LOGICAL_NOT, OPT_NONE, NULL},
    {TFL_SOFTMAX, ER_OP_SOFTMAX, OPT_SOFTMAX, parse_softmax},
    {TFL_LOG_SOFTMAX, ER_OP_LOG_SOFTMAX, OPT_NONE, parse_log_softmax},
    {TFL_L2_NORMALIZATION, ER_OP_L2_NORMALIZATION, OPT_L2_NORM, parse_l2norm},
    /* type conversion */
    {TFL_QUANTIZE, ER_OP_QUANTIZE, OPT_NONE, NULL},
    {TFL_DEQUANTIZE, ER_OP_DEQUANTIZE, OPT_NONE, NULL},
    {TFL_CAST, ER_OP_CAST, OPT_NONE, parse_cast},
    /* shape and data movement */
    {TFL_RESHAPE, ER_OP_RESHAPE, OPT_RESHAPE, parse_reshape},
    {TFL_SQUEEZE, ER_OP_SQUEEZE, OPT_SQUEEZE, parse_squeeze},
    {TFL_EXPAND_DIMS, ER_OP_EXPAND_DIMS, OPT_NONE, NULL},
    {TFL_TRANSPOSE, ER_OP_TRANSPOSE, OPT_NONE, NULL},
    {TFL_CONCATENATION, ER_OP_CONCATENATION, OPT_CONCATENATION, parse_concatenation},
    {TFL_PACK, ER_OP_PACK, OPT_PACK, parse_pack},
    {TFL_UNPACK, ER_OP_UNPACK, OPT_UNPACK, parse_unpack},
    {TFL_SPLIT, ER_OP_SPLIT, OPT_SPLIT, parse_split},
    {TFL_SPLIT_V, ER_OP_SPLIT_V, OPT_SPLIT_V, parse_split_v},
    {TFL_SLICE, ER_OP_SLICE, OPT_NONE, NULL},
    {TFL_STRIDED_SLICE, ER_OP_STRIDED_SLICE, OPT_STRIDED_SLICE, parse_strided_slice},
    {TFL_PAD, ER_OP_PAD, OPT_NONE, NULL},
    {TFL_PADV2, ER_OP_PADV2, OPT_NONE, NULL},
    {TFL_MIRROR_PAD, ER_OP_MIRROR_PAD, OPT_MIRROR_PAD, parse_mirror_pad},
    {TFL_GATHER, ER_OP_GATHER, OPT_GATHER, parse_gather},
    {TFL_TILE, ER_OP_TILE, OPT_NONE, NULL},
    {TFL_BROADCAST_TO, ER_OP_BROADCAST_TO, OPT_NONE, NULL},
    {TFL_SHAPE, ER_OP_SHAPE, OPT_NONE, NULL},
    {TFL_FILL, ER_OP_FILL, OPT_NONE, NULL},
    {TFL_ZEROS_LIKE, ER_OP_ZEROS_LIKE, OPT_NONE, NULL},
    {TFL_SPACE_TO_DEPTH, ER_OP_SPACE_TO_DEPTH, OPT_SPACE_TO_DEPTH, parse_block},
    {TFL_DEPTH_TO_SPACE, ER_OP_DEPTH_TO_SPACE, OPT_DEPTH_TO_SPACE, parse_block},
    {TFL_SPACE_TO_BATCH_ND, ER_OP_SPACE_TO_BATCH_ND, OPT_NONE, NULL},
    {TFL_BATCH_TO_SPACE_ND, ER_OP_BATCH_TO_SPACE_ND, OPT_NONE, NULL},
    {TFL_RESIZE_BILINEAR, ER_OP_RESIZE_BILINEAR, OPT_RESIZE_BILINEAR, parse_resize_bilinear},
    {TFL_RESIZE_NEAREST_NEIGHBOR, ER_OP_RESIZE_NEAREST_NEIGHBOR, OPT_RESIZE_NEAREST_NEIGHBOR,
     parse_resize_nearest},
    /* recurrent */
    {TFL_SVDF, ER_OP_SVDF, OPT_SVDF, parse_svdf},
    {TFL_UNIDIRECTIONAL_SEQUENCE_LSTM, ER_OP_UNIDIRECTIONAL_SEQUENCE_LSTM, OPT_UNIDIRECTIONAL_SEQUENCE_LSTM,
     parse_lstm},
    /* more builtins (kernels_extra.def) */
    {TFL_LOCAL_RESPONSE_NORMALIZATION, ER_OP_LOCAL_RESPONSE_NORMALIZATION, OPT_LOCAL_RESPONSE_NORMALIZATION,
     parse_lrn},
    {TFL_CUMSUM, ER_OP_CUMSUM, OPT_CUMSUM, parse_cumsum},
    {TFL_REVERSE_V2, ER_OP_REVERSE_V2, OPT_NONE, NULL},
    {TFL_TOPK_V2, ER_OP_TOPK_V2, OPT_NONE, NULL},
    {TFL_EMBEDDING_LOOKUP, ER_OP_EMBEDDING_LOOKUP, OPT_NONE, NULL},
    {TFL_GATHER_ND, ER_OP_GATHER_ND, OPT_NONE, NULL},
    {TFL_SCATTER_ND, ER_OP_SCATTER_ND, OPT_NONE, NULL},
    {TFL_SIGN, ER_OP_SIGN, OPT_NONE, NULL},
    {TFL_RELU_0_TO_1, ER_OP_RELU_0_TO_1, OPT_NONE, NULL},
    {TFL_ATAN2, ER_OP_ATAN2, OPT_NONE, NULL},
    {TFL_RNN, ER_OP_RNN, OPT_RNN, parse_rnn},
    {TFL_UNIDIRECTIONAL_SEQUENCE_RNN, ER_OP_UNIDIRECTIONAL_SEQUENCE_RNN, OPT_SEQUENCE_RNN,
     parse_sequence_rnn},
};

static const op_mapping *find_mapping(int32_t builtin) {
  for (size_t i = 0; i < sizeof mappings / sizeof mappings[0]; i++)
    if (mappings[i].builtin == builtin) return &mappings[i];
  return NULL;
}

bool er_tflite_builtin_supported(int32_t code) { return find_mapping(code) != NULL; }

/* Operator fields: builtin_options_type (3) and builtin_options (4). A tag of another options table is
 * a broken file; tag 0 (NONE) means "no options", read as defaults. */
static edgert_status options_table(er_tflite_op *op, uint8_t expected, er_fb_table *out) {
  uint8_t tag;
  memset(out, 0, sizeof *out);
  if (expected == OPT_NONE) return EDGERT_OK;
  if (!er_fb_u8(op->fb, &op->table, 3, 0, &tag)) return options_malformed(op);
  if (tag == OPT_NONE) return EDGERT_OK;
  if (tag != expected)
    return op_fail(op, EDGERT_ERR_MALFORMED, "builtin options have type %u; this op takes type %u", tag,
                   expected);
  if (!er_fb_table_field(op->fb, &op->table, 4, out)) return options_malformed(op);
  return EDGERT_OK;
}

/* ---- custom operators ----
 * One custom op is run: TFLite_Detection_PostProcess, whose options are a FlexBuffers map in the
 * operator's custom_options. Every other custom op is refused by name by the importer. */

#define DETECTION_POSTPROCESS_NAME "TFLite_Detection_PostProcess"

enum {
  OPERATOR_OPCODE_INDEX = 0,
  OPERATOR_CUSTOM_OPTIONS = 5,
  OPERATOR_CUSTOM_OPTIONS_FORMAT = 6,
  OPERATOR_LARGE_CUSTOM_OPTIONS_OFFSET = 9,
  MODEL_OPERATOR_CODES = 1,
  OPCODE_CUSTOM_CODE = 1
};

bool er_tflite_custom_supported(const char *name, size_t len) {
  size_t n = sizeof DETECTION_POSTPROCESS_NAME - 1;
  return name && len == n && memcmp(name, DETECTION_POSTPROCESS_NAME, n) == 0;
}

/* The custom_code of this operator's OperatorCode, looked up again from the model root (the importer
 * checked the same path before calling us). */
static edgert_status custom_name(er_tflite_op *op, const char **name, size_t *len) {
  er_fb_table model, code;
  er_fb_vector codes;
  uint32_t index;
  if (!er_fb_root(op->fb, &model) || !er_fb_vector_field(op->fb, &model, MODEL_OPERATOR_CODES, 4, &codes) ||
      !er_fb_u32(op->fb, &op->table, OPERATOR_OPCODE_INDEX, 0, &index))
    return op_fail(op, EDGERT_ERR_MALFORMED, "custom op code: %s", op->fb->error);
  if (index >= codes.count) return op_fail(op, EDGERT_ERR_MALFORMED, "opcode_index %u does not exist", index);
  if (!er_fb_vec_table(op->fb, &codes, index, &code) ||
      !er_fb_string_field(op->fb, &code, OPCODE_CUSTOM_CODE, name, len))
    return op_fail(op, EDGERT_ERR_MALFORMED, "custom op code: %s", op->fb->error);
  return EDGERT_OK;
}

/* One scalar of the options map as int32. A missing or null entry gives `def` (flexbuffers reads null
 * as 0; TFLite passes its own defaults for the two keys it treats as optional). */
static edgert_status flex_int32(er_tflite_op *op, const er_flex_map *m, const char *key, int32_t def,
                                int32_t *out) {
  er_flex_value v;
  char why[120];
  if (!er_flex_map_get(m, key, &v, why, sizeof why))
    return op_fail(op, EDGERT_ERR_MALFORMED, "%s: %s", key, why);
  if (v.kind == ER_FLEX_ABSENT || v.kind == ER_FLEX_NULL) {
    *out = def;
    return EDGERT_OK;
  }
  if (v.kind == ER_FLEX_OTHER)
    return op_fail(op, EDGERT_ERR_MALFORMED, "custom option %s is not a number", key);
  if (v.i < INT32_MIN || v.i > INT32_MAX)
    return op_fail(op, EDGERT_ERR_MALFORMED, "custom option %s = %lld is out of range", key, (long long)v.i);
  *out = (int32_t)v.i;
  return EDGERT_OK;
}

static edgert_status flex_float(er_tflite_op *op, const er_flex_map *m, const char *key, float *out) {
  er_flex_value v;
  char why[120];
  if (!er_flex_map_get(m, key, &v, why, sizeof why))
    return op_fail(op, EDGERT_ERR_MALFORMED, "%s: %s", key, why);
  if (v.kind == ER_FLEX_OTHER)
    return op_fail(op, EDGERT_ERR_MALFORMED, "custom option %s is not a number", key);
  *out = (float)v.f;
  if (!isfinite(*out))
    return op_fail(op, EDGERT_ERR_MALFORMED, "custom option %s is not a finite number", key);
  return EDGERT_OK;
}

static edgert_status flex_bool(er_tflite_op *op, const er_flex_map *m, const char *key, bool def, bool *out) {
  er_flex_value v;
  char why[120];
  if (!er_flex_map_get(m, key, &v, why, sizeof why))
    return op_fail(op, EDGERT_ERR_MALFORMED, "%s: %s", key, why);
  if (v.kind == ER_FLEX_OTHER)
    return op_fail(op, EDGERT_ERR_MALFORMED, "custom option %s is not a number", key);
  *out = v.kind == ER_FLEX_ABSENT || v.kind == ER_FLEX_NULL ? def : v.b;
  return EDGERT_OK;
}

/* The operator's custom_options bytes, which must be FlexBuffers held inside the flatbuffer. */
static edgert_status custom_options_map(er_tflite_op *op, er_flex_map *map) {
  int8_t format;
  uint64_t large_offset;
  er_fb_vector bytes;
  if (!er_fb_i8(op->fb, &op->table, OPERATOR_CUSTOM_OPTIONS_FORMAT, 0, &format) ||
      !er_fb_u64(op->fb, &op->table, OPERATOR_LARGE_CUSTOM_OPTIONS_OFFSET, 0, &large_offset) ||
      !er_fb_vector_field(op->fb, &op->table, OPERATOR_CUSTOM_OPTIONS, 1, &bytes))
    return op_fail(op, EDGERT_ERR_MALFORMED, "custom options: %s", op->fb->error);
  if (format != 0)
    return op_fail(op, EDGERT_ERR_UNSUPPORTED, "custom options format %d is not FlexBuffers", format);
  if (large_offset > 1)
    return op_fail(op, EDGERT_ERR_UNSUPPORTED,
                   "custom options stored outside the flatbuffer are not supported");
  char why[160];
  if (!er_flex_root_map(er_fb_vec_bytes(op->fb, &bytes), bytes.count, map, why, sizeof why))
    return op_fail(op, EDGERT_ERR_MALFORMED, "%s", why);
  return EDGERT_OK;
}

/* TFLite_Detection_PostProcess options, read as detection_postprocess.cc's Init reads them. Ranges are
 * the kernel's to check (it names the node); here only the encoding is. */
static edgert_status parse_detection_postprocess(er_tflite_op *op) {
  er_detection_postprocess_attrs *a = new_attrs(op, sizeof *a);
  if (!a) return no_memory(op);
  er_flex_map m;
  edgert_status st = custom_options_map(op, &m);
  if (st == EDGERT_OK) st = flex_int32(op, &m, "max_detections", 0, &a->max_detections);
  if (st == EDGERT_OK) st = flex_int32(op, &m, "max_classes_per_detection", 0, &a->max_classes_per_detection);
  if (st == EDGERT_OK) st = flex_int32(op, &m, "detections_per_class", 100, &a->detections_per_class);
  if (st == EDGERT_OK) st = flex_bool(op, &m, "use_regular_nms", false, &a->use_regular_nms);
  if (st == EDGERT_OK) st = flex_float(op, &m, "nms_score_threshold", &a->nms_score_threshold);
  if (st == EDGERT_OK) st = flex_float(op, &m, "nms_iou_threshold", &a->nms_iou_threshold);
  if (st == EDGERT_OK) st = flex_int32(op, &m, "num_classes", 0, &a->num_classes);
  if (st == EDGERT_OK) st = flex_float(op, &m, "y_scale", &a->y_scale);
  if (st == EDGERT_OK) st = flex_float(op, &m, "x_scale", &a->x_scale);
  if (st == EDGERT_OK) st = flex_float(op, &m, "h_scale", &a->h_scale);
  if (st == EDGERT_OK) st = flex_float(op, &m, "w_scale", &a->w_scale);
  return st;
}

static edgert_status map_custom_op(er_tflite_op *op) {
  const char *name;
  size_t len;
  edgert_status st = custom_name(op, &name, &len);
  if (st != EDGERT_OK) return st;
  if (!er_tflite_custom_supported(name, len)) {
    if (op->err_len)
      snprintf(op->err, op->err_len, "unsupported custom op %.*s (operator %d)", (int)(len > 64 ? 64 : len),
               name ? name : "", (int)op->index);
    return EDGERT_ERR_UNSUPPORTED;
  }
  op->node->op = ER_OP_DETECTION_POSTPROCESS;
  op->node->attrs = NULL;
  return parse_detection_postprocess(op);
}

edgert_status er_tflite_map_op(er_tflite_op *op) {
  if (op->builtin == ER_TFLITE_CUSTOM) return map_custom_op(op);
  const op_mapping *m = find_mapping(op->builtin);
  if (!m) {
    if (op->err_len)
      snprintf(op->err, op->err_len, "unsupported builtin op %s (code %d, operator %d)",
               er_tflite_builtin_name(op->builtin), (int)op->builtin, (int)op->index);
    return EDGERT_ERR_UNSUPPORTED;
  }
  op->node->op = m->op;
  op->node->attrs = NULL;
  if (!m->parse) return EDGERT_OK;
  er_fb_table options;
  edgert_status st = options_table(op, m->options_type, &options);
  if (st != EDGERT_OK) return st;
  return m->parse(op, &options);
}
