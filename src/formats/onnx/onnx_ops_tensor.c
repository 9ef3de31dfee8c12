/* ONNX op mappers of the tensor family (see onnx_families.def): shape and indexing ops. Each maps one ONNX
 * op, for a range of opsets, to an IR op and its attrs. Values that older opsets give as attributes and
 * newer ones as inputs (Reshape's shape, Squeeze's axes, Slice's starts/ends, Pad's pads, TopK's k,
 * Upsample's scales) become constant inputs here, so each kernel reads one place. Kernels: src/ops/
 * onnx_reshape.c, onnx_slice.c, onnx_gather.c, onnx_pad.c, onnx_resize.c, onnx_fill.c, onnx_topk.c,
 * onnx_depth_space.c, reverse_sequence.c, and the TFLite kernels transpose.c, concat.c, split.c, tile.c,
 * cumsum.c where the semantics are the same. */
#include <string.h>

#include "formats/onnx/onnx_import_internal.h"
#include "formats/onnx/onnx_map.h"
#include "formats/onnx/onnx_proto.h"

static edgert_status status_of(const er_onnx_node *n) {
  return er_onnx_failed(n) ? EDGERT_ERR_MALFORMED : EDGERT_OK;
}

/* Sets the op and returns zeroed attrs of `bytes` (NULL when out of memory, error recorded). */
static void *new_op(er_onnx_node *n, er_op op, size_t bytes) {
  er_onnx_set_op(n, op);
  return er_onnx_new_attrs(n, bytes);
}

/* An int64 vector constant as IR input k; false (error recorded) when out of memory. */
static edgert_status set_int64_input(er_onnx_node *n, int k, const int64_t *values, int count) {
  void *data;
  int64_t dims[1] = {count};
  int32_t id = er_onnx_add_const(n, EDGERT_INT64, 1, dims, &data);
  if (id < 0) return EDGERT_ERR_NO_MEMORY;
  if (count) memcpy(data, values, sizeof(int64_t) * (size_t)count);
  return er_onnx_set_input_tensor(n, k, id);
}

/* An ints attribute (at most ER_MAX_DIMS * 2 values... or a longer cap) moved to constant input k;
 * *present tells whether the attribute was there. */
static edgert_status ints_attr_to_input(er_onnx_node *n, const char *name, int k, bool *present) {
  int64_t values[64];
  int count = 0;
  *present = er_onnx_attr_ints(n, name, values, 64, &count);
  if (er_onnx_failed(n)) return EDGERT_ERR_MALFORMED;
  return *present ? set_int64_input(n, k, values, count) : EDGERT_OK;
}

/* Compares a string attribute; absent gives `fallback`. */
static bool string_attr(er_onnx_node *n, const char *name, char *buf, size_t cap, const char *fallback) {
  const char *s;
  size_t len;
  if (!er_onnx_attr_string(n, name, &s, &len)) {
    if (er_onnx_failed(n)) return false;
    s = fallback;
    len = strlen(fallback);
  }
  if (len >= cap) len = cap - 1;
  memcpy(buf, s, len);
  buf[len] = '\0';
  return true;
}

/* ---- shape-only ops */

static edgert_status map_reshape(er_onnx_node *n) {
  er_onnx_reshape_attrs *a = new_op(n, ER_OP_ONNX_RESHAPE, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  int64_t allow_zero = 0;
  er_onnx_attr_int_or(n, "allowzero", 0, &allow_zero);
  a->allow_zero = allow_zero != 0;
  if (er_onnx_opset(n) < 5) {
    bool present;
    edgert_status st = er_onnx_set_inputs(n, 1, (const int[]){0});
    if (st == EDGERT_OK) st = ints_attr_to_input(n, "shape", 1, &present);
    if (st != EDGERT_OK) return st;
    if (!present) return er_onnx_fail(n, EDGERT_ERR_MALFORMED, "Reshape-1 needs a shape attribute");
    er_onnx_ignore_attr(n, "consumed_inputs");
  }
  return status_of(n);
}

static edgert_status map_flatten(er_onnx_node *n) {
  er_flatten_attrs *a = new_op(n, ER_OP_FLATTEN, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  int64_t axis = 1;
  er_onnx_attr_int_or(n, "axis", 1, &axis);
  if (axis < -ER_MAX_DIMS || axis > ER_MAX_DIMS)
    return er_onnx_fail(n, EDGERT_ERR_SHAPE, "axis %lld", (long long)axis);
  a->axis = (int32_t)axis;
  return status_of(n);
}

/* Squeeze-1/11 and Unsqueeze-1/11 take axes as an attribute; 13 as input 1. */
static edgert_status map_squeeze_like(er_onnx_node *n, er_op op) {
  er_onnx_set_op(n, op);
  if (er_onnx_opset(n) >= 13) return EDGERT_OK;
  bool present;
  edgert_status st = er_onnx_set_inputs(n, 1, (const int[]){0});
  if (st == EDGERT_OK) st = ints_attr_to_input(n, "axes", 1, &present);
  if (st != EDGERT_OK) return st;
  if (!present && op == ER_OP_UNSQUEEZE) return er_onnx_fail(n, EDGERT_ERR_MALFORMED, "Unsqueeze needs axes");
  return EDGERT_OK;
}

static edgert_status map_squeeze(er_onnx_node *n) { return map_squeeze_like(n, ER_OP_ONNX_SQUEEZE); }
static edgert_status map_unsqueeze(er_onnx_node *n) { return map_squeeze_like(n, ER_OP_UNSQUEEZE); }

/* TRANSPOSE takes perm as input 1; without the attribute the kernel reverses the dims. */
static edgert_status map_transpose(er_onnx_node *n) {
  er_onnx_set_op(n, ER_OP_TRANSPOSE);
  bool present;
  edgert_status st = er_onnx_set_inputs(n, 1, (const int[]){0});
  if (st == EDGERT_OK) st = ints_attr_to_input(n, "perm", 1, &present);
  return st;
}

static edgert_status map_concat(er_onnx_node *n) {
  er_axis_attrs *a = new_op(n, ER_OP_CONCATENATION, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  int64_t axis = 1; /* Concat-1 defaulted to 1; from 4 the attribute is required */
  er_onnx_attr_int_or(n, "axis", 1, &axis);
  if (axis < -ER_MAX_DIMS || axis >= ER_MAX_DIMS)
    return er_onnx_fail(n, EDGERT_ERR_SHAPE, "axis %lld", (long long)axis);
  a->axis = (int32_t)axis;
  for (int i = 0; i < er_onnx_input_count(n); i++)
    if (!er_onnx_input_present(n, i)) return er_onnx_fail(n, EDGERT_ERR_MALFORMED, "input %d is empty", i);
  return status_of(n);
}

/* Split: sizes from the split attribute (< 13) or input 1 (>= 13) go to SPLIT_V (input, sizes, axis);
 * without sizes, equal parts by SPLIT with the axis in its attrs. */
static edgert_status map_split(er_onnx_node *n) {
  int64_t axis = 0;
  er_onnx_attr_int_or(n, "axis", 0, &axis);
  er_onnx_ignore_attr(n, "num_outputs"); /* opset 18: the output count says the same */
  if (axis < -ER_MAX_DIMS || axis >= ER_MAX_DIMS)
    return er_onnx_fail(n, EDGERT_ERR_SHAPE, "axis %lld", (long long)axis);
  bool sizes_input = er_onnx_opset(n) >= 13 && er_onnx_input_present(n, 1);
  int64_t sizes[256];
  int count = 0;
  bool sizes_attr = er_onnx_opset(n) < 13 && er_onnx_attr_ints(n, "split", sizes, 256, &count);
  if (er_onnx_failed(n)) return EDGERT_ERR_MALFORMED;
  if (!sizes_input && !sizes_attr) {
    er_axis_attrs *a = new_op(n, ER_OP_SPLIT, sizeof *a);
    if (!a) return EDGERT_ERR_NO_MEMORY;
    a->axis = (int32_t)axis;
    a->count = er_onnx_output_count(n);
    return er_onnx_set_inputs(n, 1, (const int[]){0});
  }
  er_onnx_set_op(n, ER_OP_SPLIT_V);
  edgert_status st = er_onnx_set_inputs(n, sizes_input ? 2 : 1, (const int[]){0, 1});
  if (st == EDGERT_OK && sizes_attr) st = set_int64_input(n, 1, sizes, count);
  if (st == EDGERT_OK) st = set_int64_input(n, 2, &axis, 1);
  return st;
}

/* Slice-1: starts, ends, axes attributes; 10 and later: inputs. */
static edgert_status map_slice(er_onnx_node *n) {
  er_onnx_set_op(n, ER_OP_ONNX_SLICE);
  if (er_onnx_opset(n) >= 10) return EDGERT_OK;
  bool starts, ends, axes;
  edgert_status st = er_onnx_set_inputs(n, 1, (const int[]){0});
  if (st == EDGERT_OK) st = ints_attr_to_input(n, "starts", 1, &starts);
  if (st == EDGERT_OK) st = ints_attr_to_input(n, "ends", 2, &ends);
  if (st == EDGERT_OK) st = ints_attr_to_input(n, "axes", 3, &axes);
  if (st != EDGERT_OK) return st;
  if (!starts || !ends) return er_onnx_fail(n, EDGERT_ERR_MALFORMED, "Slice-1 needs starts and ends");
  return EDGERT_OK;
}

/* ---- indexing */

static edgert_status map_index_op(er_onnx_node *n, er_op op, int64_t default_axis) {
  er_index_attrs *a = new_op(n, op, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  int64_t axis = default_axis, batch_dims = 0;
  er_onnx_attr_int_or(n, "axis", default_axis, &axis);
  er_onnx_attr_int_or(n, "batch_dims", 0, &batch_dims);
  if (axis < -ER_MAX_DIMS || axis >= ER_MAX_DIMS || batch_dims < 0 || batch_dims > ER_MAX_DIMS)
    return er_onnx_fail(n, EDGERT_ERR_SHAPE, "axis %lld or batch_dims %lld out of range", (long long)axis,
                        (long long)batch_dims);
  a->axis = (int32_t)axis;
  a->batch_dims = (int32_t)batch_dims;
  char reduction[16];
  if (!string_attr(n, "reduction", reduction, sizeof reduction, "none")) return EDGERT_ERR_MALFORMED;
  if (!strcmp(reduction, "none"))
    a->reduction = ER_REDUCE_NONE;
  else if (!strcmp(reduction, "add"))
    a->reduction = ER_REDUCE_ADD;
  else if (!strcmp(reduction, "mul"))
    a->reduction = ER_REDUCE_MUL;
  else if (!strcmp(reduction, "max"))
    a->reduction = ER_REDUCE_MAX;
  else if (!strcmp(reduction, "min"))
    a->reduction = ER_REDUCE_MIN;
  else
    return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "reduction '%s'", reduction);
  return status_of(n);
}

static edgert_status map_gather(er_onnx_node *n) { return map_index_op(n, ER_OP_ONNX_GATHER, 0); }
static edgert_status map_gather_elements(er_onnx_node *n) {
  return map_index_op(n, ER_OP_GATHER_ELEMENTS, 0);
}
static edgert_status map_scatter_elements(er_onnx_node *n) {
  return map_index_op(n, ER_OP_SCATTER_ELEMENTS, 0);
}
static edgert_status map_gather_nd(er_onnx_node *n) { return map_index_op(n, ER_OP_ONNX_GATHER_ND, 0); }
static edgert_status map_scatter_nd(er_onnx_node *n) { return map_index_op(n, ER_OP_ONNX_SCATTER_ND, 0); }

/* ---- padding and resizing */

/* Pad-2: pads and value attributes; 11 and later: inputs (pads, constant_value, axes). */
static edgert_status map_pad(er_onnx_node *n) {
  er_onnx_pad_attrs *a = new_op(n, ER_OP_ONNX_PAD, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  char mode[16];
  if (!string_attr(n, "mode", mode, sizeof mode, "constant")) return EDGERT_ERR_MALFORMED;
  if (!strcmp(mode, "constant"))
    a->mode = ER_PAD_MODE_CONSTANT;
  else if (!strcmp(mode, "reflect"))
    a->mode = ER_PAD_MODE_REFLECT;
  else if (!strcmp(mode, "edge"))
    a->mode = ER_PAD_MODE_EDGE;
  else
    return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "mode '%s'", mode);
  if (er_onnx_opset(n) >= 11) return status_of(n);
  bool present;
  edgert_status st = er_onnx_set_inputs(n, 1, (const int[]){0});
  if (st == EDGERT_OK) st = ints_attr_to_input(n, "pads", 1, &present);
  if (st != EDGERT_OK) return st;
  if (!present) return er_onnx_fail(n, EDGERT_ERR_MALFORMED, "Pad-2 needs pads");
  float value = 0;
  er_onnx_attr_float_or(n, "value", 0.0f, &value);
  const er_tensor *x = er_onnx_input(n, 0);
  if (value != 0 || (x && x->dtype == EDGERT_FLOAT32)) {
    if (!x || x->dtype != EDGERT_FLOAT32)
      return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "a nonzero pad value for a non-float input");
    void *data;
    int32_t id = er_onnx_add_const(n, EDGERT_FLOAT32, 0, NULL, &data);
    if (id < 0) return EDGERT_ERR_NO_MEMORY;
    memcpy(data, &value, sizeof value);
    if ((st = er_onnx_set_input_tensor(n, 2, id)) != EDGERT_OK) return st;
  }
  return status_of(n);
}

static bool parse_resize_mode(const char *s, er_resize_mode *mode) {
  if (!strcmp(s, "nearest"))
    *mode = ER_RESIZE_NEAREST;
  else if (!strcmp(s, "linear") || !strcmp(s, "bilinear"))
    *mode = ER_RESIZE_LINEAR;
  else if (!strcmp(s, "cubic"))
    *mode = ER_RESIZE_CUBIC;
  else
    return false;
  return true;
}

static bool parse_coord(const char *s, er_coord_transform *c) {
  static const struct {
    const char *name;
    er_coord_transform value;
  } names[] = {{"half_pixel", ER_COORD_HALF_PIXEL},
               {"pytorch_half_pixel", ER_COORD_PYTORCH_HALF_PIXEL},
               {"align_corners", ER_COORD_ALIGN_CORNERS},
               {"asymmetric", ER_COORD_ASYMMETRIC},
               {"tf_half_pixel_for_nn", ER_COORD_TF_HALF_PIXEL_FOR_NN},
               {"tf_crop_and_resize", ER_COORD_TF_CROP_AND_RESIZE}};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (!strcmp(s, names[i].name)) {
      *c = names[i].value;
      return true;
    }
  return false;
}

static bool parse_nearest(const char *s, er_nearest_mode *m) {
  if (!strcmp(s, "round_prefer_floor"))
    *m = ER_NEAREST_ROUND_PREFER_FLOOR;
  else if (!strcmp(s, "round_prefer_ceil"))
    *m = ER_NEAREST_ROUND_PREFER_CEIL;
  else if (!strcmp(s, "floor"))
    *m = ER_NEAREST_FLOOR;
  else if (!strcmp(s, "ceil"))
    *m = ER_NEAREST_CEIL;
  else
    return false;
  return true;
}

/* Resize-11 and later: inputs X, roi, scales, sizes, all the attributes. */
static edgert_status map_resize(er_onnx_node *n) {
  er_onnx_resize_attrs *a = new_op(n, ER_OP_ONNX_RESIZE, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  char mode[32], coord[32], nearest[32];
  if (!string_attr(n, "mode", mode, sizeof mode, "nearest") ||
      !string_attr(n, "coordinate_transformation_mode", coord, sizeof coord, "half_pixel") ||
      !string_attr(n, "nearest_mode", nearest, sizeof nearest, "round_prefer_floor"))
    return EDGERT_ERR_MALFORMED;
  if (!parse_resize_mode(mode, &a->mode)) return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "mode '%s'", mode);
  if (!parse_coord(coord, &a->coord))
    return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "coordinate_transformation_mode '%s'", coord);
  if (!parse_nearest(nearest, &a->nearest))
    return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "nearest_mode '%s'", nearest);
  int64_t exclude = 0, antialias = 0;
  er_onnx_attr_float_or(n, "cubic_coeff_a", -0.75f, &a->cubic_coeff_a);
  er_onnx_attr_int_or(n, "exclude_outside", 0, &exclude);
  er_onnx_attr_float_or(n, "extrapolation_value", 0.0f, &a->extrapolation_value);
  er_onnx_attr_int_or(n, "antialias", 0, &antialias);
  a->exclude_outside = exclude != 0;
  if (antialias) return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "antialias is not supported");
  int64_t axes[ER_MAX_DIMS];
  int count;
  if (er_onnx_attr_ints(n, "axes", axes, ER_MAX_DIMS, &count))
    return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "the axes attribute is not supported");
  char policy[16];
  if (!string_attr(n, "keep_aspect_ratio_policy", policy, sizeof policy, "stretch"))
    return EDGERT_ERR_MALFORMED;
  if (strcmp(policy, "stretch"))
    return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "keep_aspect_ratio_policy '%s'", policy);
  return status_of(n);
}

/* Upsample-7 (scales attribute), Upsample-9 and Resize-10 (scales input 1): asymmetric coordinates, the
 * nearest pixel below. */
static edgert_status map_upsample(er_onnx_node *n) {
  er_onnx_resize_attrs *a = new_op(n, ER_OP_ONNX_RESIZE, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  char mode[32];
  if (!string_attr(n, "mode", mode, sizeof mode, "nearest")) return EDGERT_ERR_MALFORMED;
  if (!parse_resize_mode(mode, &a->mode) || a->mode == ER_RESIZE_CUBIC)
    return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "mode '%s'", mode);
  a->coord = ER_COORD_ASYMMETRIC;
  a->nearest = ER_NEAREST_FLOOR;
  a->cubic_coeff_a = -0.75f;
  bool from_attr = !strcmp(er_onnx_op_type(n), "Upsample") && er_onnx_opset(n) < 9;
  edgert_status st = er_onnx_set_inputs(n, 4, (const int[]){0, -1, from_attr ? -1 : 1, -1});
  if (st != EDGERT_OK || !from_attr) return st;
  float scales[ER_MAX_DIMS];
  int count = 0;
  if (!er_onnx_attr_floats(n, "scales", scales, ER_MAX_DIMS, &count))
    return er_onnx_failed(n) ? EDGERT_ERR_MALFORMED : er_onnx_fail(n, EDGERT_ERR_MALFORMED, "needs scales");
  void *data;
  int64_t dims[1] = {count};
  int32_t id = er_onnx_add_const(n, EDGERT_FLOAT32, 1, dims, &data);
  if (id < 0) return EDGERT_ERR_NO_MEMORY;
  memcpy(data, scales, sizeof(float) * (size_t)count);
  return er_onnx_set_input_tensor(n, 2, id);
}

/* ---- repeating and generating */

static edgert_status map_tile(er_onnx_node *n) {
  er_onnx_set_op(n, ER_OP_TILE);
  return EDGERT_OK;
}

static edgert_status map_expand(er_onnx_node *n) {
  er_onnx_set_op(n, ER_OP_EXPAND);
  return EDGERT_OK;
}

static edgert_status map_shape(er_onnx_node *n) {
  er_shape_slice_attrs *a = new_op(n, ER_OP_ONNX_SHAPE, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  er_onnx_attr_int_or(n, "start", 0, &a->start);
  er_onnx_attr_int_or(n, "end", INT64_MAX, &a->end);
  er_onnx_set_output_dtype(n, 0, EDGERT_INT64);
  return status_of(n);
}

static edgert_status map_size(er_onnx_node *n) {
  er_onnx_set_op(n, ER_OP_SIZE);
  er_onnx_set_output_dtype(n, 0, EDGERT_INT64);
  return EDGERT_OK;
}

/* The dtype of a tensor a mapper created (onnx_map.h has no accessor by id yet; this reaches into the
 * importer's scope, the one place this file does). */
static edgert_dtype tensor_dtype(const er_onnx_node *n, int32_t id) {
  return er_onnx_tensor_at(n->sc, id)->dtype;
}

/* ConstantOfShape: the value attribute (a one-element tensor) becomes input 1; its dtype is the output's. */
static edgert_status map_constant_of_shape(er_onnx_node *n) {
  er_onnx_set_op(n, ER_OP_CONSTANT_OF_SHAPE);
  int32_t id = -1;
  edgert_status st = er_onnx_set_inputs(n, 1, (const int[]){0});
  if (st != EDGERT_OK) return st;
  if (!er_onnx_attr_tensor(n, "value", &id)) {
    er_onnx_set_output_dtype(n, 0, EDGERT_FLOAT32);
    return status_of(n);
  }
  er_onnx_set_output_dtype(n, 0, tensor_dtype(n, id));
  return er_onnx_set_input_tensor(n, 1, id);
}

static edgert_status map_range(er_onnx_node *n) {
  er_onnx_set_op(n, ER_OP_RANGE);
  return EDGERT_OK;
}

static edgert_status map_one_hot(er_onnx_node *n) {
  er_one_hot_attrs *a = new_op(n, ER_OP_ONE_HOT, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  int64_t axis = -1;
  er_onnx_attr_int_or(n, "axis", -1, &axis);
  if (axis < -ER_MAX_DIMS || axis > ER_MAX_DIMS)
    return er_onnx_fail(n, EDGERT_ERR_SHAPE, "axis %lld", (long long)axis);
  a->axis = (int32_t)axis;
  const er_tensor *values = er_onnx_input(n, 2);
  if (values) er_onnx_set_output_dtype(n, 0, values->dtype);
  return status_of(n);
}

static edgert_status map_trilu(er_onnx_node *n) {
  er_trilu_attrs *a = new_op(n, ER_OP_TRILU, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  int64_t upper = 1;
  er_onnx_attr_int_or(n, "upper", 1, &upper);
  a->upper = upper != 0;
  return status_of(n);
}

static edgert_status map_eye_like(er_onnx_node *n) {
  er_trilu_attrs *a = new_op(n, ER_OP_EYE_LIKE, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  er_onnx_attr_int_or(n, "k", 0, &a->k);
  int64_t onnx_type;
  if (er_onnx_attr_int(n, "dtype", &onnx_type)) {
    edgert_dtype dtype;
    if (!er_onnx_dtype(onnx_type, &dtype))
      return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "dtype %lld", (long long)onnx_type);
    er_onnx_set_output_dtype(n, 0, dtype);
  }
  return status_of(n);
}

/* ---- sorting, reordering, sums */

static edgert_status map_topk(er_onnx_node *n) {
  er_topk_attrs *a = new_op(n, ER_OP_ONNX_TOPK, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  int64_t axis = -1, largest = 1, sorted = 1;
  er_onnx_attr_int_or(n, "axis", -1, &axis);
  er_onnx_attr_int_or(n, "largest", 1, &largest);
  er_onnx_attr_int_or(n, "sorted", 1, &sorted);
  if (axis < -ER_MAX_DIMS || axis >= ER_MAX_DIMS)
    return er_onnx_fail(n, EDGERT_ERR_SHAPE, "axis %lld", (long long)axis);
  a->axis = (int32_t)axis;
  a->largest = largest != 0;
  a->sorted = sorted != 0;
  er_onnx_set_output_dtype(n, 1, EDGERT_INT64);
  if (er_onnx_opset(n) >= 10) return status_of(n);
  int64_t k;
  if (!er_onnx_attr_int(n, "k", &k)) return er_onnx_fail(n, EDGERT_ERR_MALFORMED, "TopK-1 needs k");
  edgert_status st = er_onnx_set_inputs(n, 1, (const int[]){0});
  if (st == EDGERT_OK) st = set_int64_input(n, 1, &k, 1);
  return st;
}

static edgert_status map_depth_space(er_onnx_node *n, er_op op) {
  er_depth_space_attrs *a = new_op(n, op, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  int64_t block = 0;
  if (!er_onnx_attr_int(n, "blocksize", &block) || block < 1 || block > 65536)
    return er_onnx_failed(n) ? EDGERT_ERR_MALFORMED
                             : er_onnx_fail(n, EDGERT_ERR_MALFORMED, "needs a positive blocksize");
  a->block_size = (int32_t)block;
  char mode[8];
  if (!string_attr(n, "mode", mode, sizeof mode, "DCR")) return EDGERT_ERR_MALFORMED;
  if (strcmp(mode, "DCR") && strcmp(mode, "CRD"))
    return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "mode '%s'", mode);
  a->crd = !strcmp(mode, "CRD");
  return status_of(n);
}

static edgert_status map_depth_to_space(er_onnx_node *n) {
  return map_depth_space(n, ER_OP_ONNX_DEPTH_TO_SPACE);
}
static edgert_status map_space_to_depth(er_onnx_node *n) {
  return map_depth_space(n, ER_OP_ONNX_SPACE_TO_DEPTH);
}

static edgert_status map_reverse_sequence(er_onnx_node *n) {
  er_reverse_sequence_attrs *a = new_op(n, ER_OP_REVERSE_SEQUENCE, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  int64_t batch = 1, time = 0;
  er_onnx_attr_int_or(n, "batch_axis", 1, &batch);
  er_onnx_attr_int_or(n, "time_axis", 0, &time);
  if (!((batch == 0 && time == 1) || (batch == 1 && time == 0)))
    return er_onnx_fail(n, EDGERT_ERR_SHAPE, "batch_axis %lld and time_axis %lld must be 0 and 1",
                        (long long)batch, (long long)time);
  a->batch_axis = (int32_t)batch;
  a->time_axis = (int32_t)time;
  return status_of(n);
}

static edgert_status map_cumsum(er_onnx_node *n) {
  er_cumsum_attrs *a = new_op(n, ER_OP_CUMSUM, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  int64_t exclusive = 0, reverse = 0;
  er_onnx_attr_int_or(n, "exclusive", 0, &exclusive);
  er_onnx_attr_int_or(n, "reverse", 0, &reverse);
  a->exclusive = exclusive != 0;
  a->reverse = reverse != 0;
  return status_of(n);
}

/* ---- value-dependent sizes */

static edgert_status map_select_axis(er_onnx_node *n, er_op op) {
  er_select_axis_attrs *a = new_op(n, op, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  int64_t axis = 0, sorted = 1;
  a->has_axis = er_onnx_attr_int(n, "axis", &axis);
  er_onnx_attr_int_or(n, "sorted", 1, &sorted);
  if (axis < -ER_MAX_DIMS || axis >= ER_MAX_DIMS)
    return er_onnx_fail(n, EDGERT_ERR_SHAPE, "axis %lld", (long long)axis);
  a->axis = (int32_t)axis;
  a->sorted = sorted != 0;
  for (int i = 1; i < er_onnx_output_count(n); i++)
    er_onnx_set_output_dtype(n, i, EDGERT_INT64);
  return status_of(n);
}

static edgert_status map_compress(er_onnx_node *n) { return map_select_axis(n, ER_OP_COMPRESS); }
static edgert_status map_unique(er_onnx_node *n) { return map_select_axis(n, ER_OP_UNIQUE); }

static edgert_status map_non_zero(er_onnx_node *n) {
  er_onnx_set_op(n, ER_OP_NON_ZERO);
  er_onnx_set_output_dtype(n, 0, EDGERT_INT64);
  return EDGERT_OK;
}

const er_onnx_op_mapping er_onnx_ops_tensor[] = {
    {"", "Reshape", 1, map_reshape},
    {"", "Flatten", 1, map_flatten},
    {"", "Squeeze", 1, map_squeeze},
    {"", "Unsqueeze", 1, map_unsqueeze},
    {"", "Transpose", 1, map_transpose},
    {"", "Concat", 1, map_concat},
    {"", "Split", 1, map_split},
    {"", "Slice", 1, map_slice},
    {"", "Gather", 1, map_gather},
    {"", "GatherElements", 11, map_gather_elements},
    {"", "Scatter", 9, map_scatter_elements},
    {"", "ScatterElements", 11, map_scatter_elements},
    {"", "GatherND", 11, map_gather_nd},
    {"", "ScatterND", 11, map_scatter_nd},
    {"", "Pad", 2, map_pad},
    {"", "Upsample", 7, map_upsample},
    {"", "Resize", 10, map_upsample},
    {"", "Resize", 11, map_resize},
    {"", "Tile", 6, map_tile},
    {"", "Expand", 8, map_expand},
    {"", "Shape", 1, map_shape},
    {"", "Size", 1, map_size},
    {"", "ConstantOfShape", 9, map_constant_of_shape},
    {"", "Range", 11, map_range},
    {"", "OneHot", 9, map_one_hot},
    {"", "Trilu", 14, map_trilu},
    {"", "EyeLike", 9, map_eye_like},
    {"", "TopK", 1, map_topk},
    {"", "DepthToSpace", 1, map_depth_to_space},
    {"", "SpaceToDepth", 1, map_space_to_depth},
    {"", "ReverseSequence", 10, map_reverse_sequence},
    {"", "CumSum", 11, map_cumsum},
    {"", "NonZero", 9, map_non_zero},
    {"", "Compress", 9, map_compress},
    {"", "Unique", 11, map_unique},
};
const size_t er_onnx_ops_tensor_count = sizeof er_onnx_ops_tensor / sizeof er_onnx_ops_tensor[0];
