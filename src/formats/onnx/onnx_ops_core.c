/* ONNX ops that need no kernel: Identity and inference-mode Dropout forward their input, Constant
 * becomes a constant tensor of the graph. */
#include <stdlib.h>
#include <string.h>

#include "formats/onnx/onnx_map.h"

static edgert_status map_identity(er_onnx_node *n) {
  if (!er_onnx_input_present(n, 0) || er_onnx_output_count(n) != 1)
    return er_onnx_fail(n, EDGERT_ERR_MALFORMED, "expects one input and one output");
  return er_onnx_forward_output(n, 0, er_onnx_input_id(n, 0));
}

/* The mask output of Dropout at inference: all kept. It needs a static shape. */
static edgert_status dropout_mask(er_onnx_node *n) {
  const er_tensor *x = er_onnx_input(n, 0);
  /* node outputs have no shape before prepare (ndim 0 here): only graph inputs and constants qualify */
  if (x->dynamic_dims || (x->kind != ER_TENSOR_CONST && x->ndim == 0))
    return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "the mask output needs an input of static shape");
  /* opsets before 10 give the mask the input's type; later ones bool */
  edgert_dtype dtype = er_onnx_opset(n) >= 10 ? EDGERT_BOOL : x->dtype;
  void *data;
  int32_t id = er_onnx_add_const(n, dtype, x->ndim, x->dims, &data);
  if (id < 0) return EDGERT_ERR_NO_MEMORY;
  int64_t count = er_shape_elements(x->ndim, x->dims);
  for (int64_t i = 0; i < count; i++) {
    switch (dtype) {
    case EDGERT_BOOL: ((uint8_t *)data)[i] = 1; break;
    case EDGERT_FLOAT32: ((float *)data)[i] = 1.0f; break;
    case EDGERT_FLOAT64: ((double *)data)[i] = 1.0; break;
    default: return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "mask of %s", edgert_dtype_name(dtype));
    }
  }
  return er_onnx_forward_output(n, 1, id);
}

static edgert_status map_dropout(er_onnx_node *n) {
  int64_t is_test = 1;
  float ratio;
  if (!er_onnx_attr_int_or(n, "is_test", 1, &is_test) || !er_onnx_attr_float_or(n, "ratio", 0.5f, &ratio))
    return EDGERT_ERR_MALFORMED;
  er_onnx_ignore_attr(n, "seed");
  if (!is_test)
    return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "training mode (is_test = 0) is not supported");
  if (er_onnx_input_present(n, 2)) {
    const er_tensor *training = er_onnx_const_input(n, 2);
    if (!training || training->dtype != EDGERT_BOOL || er_tensor_elements(training) != 1)
      return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "training_mode must be a constant bool");
    if (*(const uint8_t *)training->data)
      return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "training mode is not supported");
  }
  if (!er_onnx_input_present(n, 0) || er_onnx_output_count(n) < 1 || er_onnx_output_count(n) > 2)
    return er_onnx_fail(n, EDGERT_ERR_MALFORMED, "expects one data input and one or two outputs");
  edgert_status st = er_onnx_forward_output(n, 0, er_onnx_input_id(n, 0));
  if (st == EDGERT_OK && er_onnx_output_count(n) == 2) st = dropout_mask(n);
  return st;
}

/* A constant holding `count` values of `elem` bytes (a scalar when !vector) as output 0. */
static edgert_status forward_values(er_onnx_node *n, edgert_dtype dtype, const void *values, int count,
                                    bool vector) {
  int64_t dims[1] = {count};
  void *data;
  int32_t id = er_onnx_add_const(n, dtype, vector ? 1 : 0, dims, &data);
  if (id < 0) return EDGERT_ERR_NO_MEMORY;
  if (count) memcpy(data, values, (size_t)count * edgert_dtype_size(dtype));
  return er_onnx_forward_output(n, 0, id);
}

/* value_floats / value_ints; *present is false when the attribute is absent. */
static edgert_status map_constant_list(er_onnx_node *n, const char *name, bool ints, bool *present) {
  enum { CAP = 1 << 16 };
  void *values = malloc((size_t)CAP * sizeof(int64_t));
  if (!values) return er_onnx_fail(n, EDGERT_ERR_NO_MEMORY, "out of memory");
  int count = 0;
  *present = ints ? er_onnx_attr_ints(n, name, values, CAP, &count)
                  : er_onnx_attr_floats(n, name, values, CAP, &count);
  edgert_status st = er_onnx_failed(n) ? EDGERT_ERR_MALFORMED : EDGERT_OK;
  if (*present && st == EDGERT_OK)
    st = forward_values(n, ints ? EDGERT_INT64 : EDGERT_FLOAT32, values, count, true);
  free(values);
  return st;
}

/* Constant: exactly one of value, value_float(s), value_int(s) (strings and sparse values refused). */
static edgert_status map_constant(er_onnx_node *n) {
  int32_t id = -1;
  float f;
  int64_t i;
  bool present = false;
  if (er_onnx_output_count(n) != 1) return er_onnx_fail(n, EDGERT_ERR_MALFORMED, "expects one output");
  if (er_onnx_attr_tensor(n, "value", &id)) return er_onnx_forward_output(n, 0, id);
  if (er_onnx_failed(n)) return EDGERT_ERR_MALFORMED;
  if (er_onnx_attr_float(n, "value_float", &f)) return forward_values(n, EDGERT_FLOAT32, &f, 1, false);
  if (er_onnx_attr_int(n, "value_int", &i)) return forward_values(n, EDGERT_INT64, &i, 1, false);
  if (er_onnx_failed(n)) return EDGERT_ERR_MALFORMED;
  edgert_status st = map_constant_list(n, "value_floats", false, &present);
  if (st != EDGERT_OK || present) return st;
  st = map_constant_list(n, "value_ints", true, &present);
  if (st != EDGERT_OK || present) return st;
  return er_onnx_fail(
      n, EDGERT_ERR_UNSUPPORTED,
      "needs value, value_float(s) or value_int(s) (string and sparse values are not supported)");
}

const er_onnx_op_mapping er_onnx_ops_core[] = {
    {"", "Identity", 1, map_identity},
    {"", "Dropout", 1, map_dropout},
    {"", "Constant", 1, map_constant},
};
const size_t er_onnx_ops_core_count = sizeof er_onnx_ops_core / sizeof er_onnx_ops_core[0];
