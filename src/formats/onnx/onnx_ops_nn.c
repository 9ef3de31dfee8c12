/* ONNX op mappers of the nn family (see onnx_families.def): Conv, ConvTranspose, ConvInteger,
 * QLinearConv and the pools, all onto the N-d NCHW IR ops with er_conv_nd_attrs. Each mapper reads every
 * attribute any opset of its op defines (an attribute an older opset lacks is simply absent), so one
 * entry per op covers all opsets; the kernels check the lists against the input rank at prepare. Inputs
 * keep ONNX's order. */
#include <string.h>

#include "formats/onnx/onnx_map.h"

/* Which optional attributes an op reads, besides kernel_shape, strides, pads and auto_pad. */
enum {
  READ_DILATIONS = 1 << 0,
  READ_GROUP = 1 << 1,
  READ_OUTPUT_SIZES = 1 << 2, /* output_padding, output_shape */
  READ_CEIL_MODE = 1 << 3,
  READ_COUNT_INCLUDE_PAD = 1 << 4,
  READ_STORAGE_ORDER = 1 << 5,
  READ_P = 1 << 6
};

static bool same_str(const char *s, size_t len, const char *lit) {
  return strlen(lit) == len && memcmp(s, lit, len) == 0;
}

static edgert_status read_auto_pad(er_onnx_node *n, er_conv_nd_attrs *a) {
  const char *s;
  size_t len;
  a->auto_pad = ER_PAD_EXPLICIT;
  if (!er_onnx_attr_string(n, "auto_pad", &s, &len))
    return er_onnx_failed(n) ? EDGERT_ERR_MALFORMED : EDGERT_OK;
  if (same_str(s, len, "NOTSET") || len == 0) return EDGERT_OK;
  if (same_str(s, len, "SAME_UPPER")) {
    a->auto_pad = ER_PAD_SAME;
  } else if (same_str(s, len, "SAME_LOWER")) {
    a->auto_pad = ER_PAD_SAME_LOWER;
  } else if (same_str(s, len, "VALID")) {
    a->auto_pad = ER_PAD_VALID;
  } else {
    return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED,
                        "auto_pad '%.*s' is not NOTSET, SAME_UPPER, SAME_LOWER or VALID",
                        (int)(len > 32 ? 32 : len), s);
  }
  return EDGERT_OK;
}

/* A list attribute into values[cap]; absent leaves *count 0. */
static edgert_status read_list(er_onnx_node *n, const char *name, int64_t *values, int cap, int32_t *count) {
  int got = 0;
  if (!er_onnx_attr_ints(n, name, values, cap, &got)) {
    *count = 0;
    return er_onnx_failed(n) ? EDGERT_ERR_MALFORMED : EDGERT_OK;
  }
  *count = got;
  return EDGERT_OK;
}

static edgert_status read_int(er_onnx_node *n, const char *name, int64_t fallback, int64_t lo, int64_t hi,
                              int64_t *value) {
  if (!er_onnx_attr_int_or(n, name, fallback, value)) return EDGERT_ERR_MALFORMED;
  if (*value < lo || *value > hi)
    return er_onnx_fail(n, EDGERT_ERR_MALFORMED, "attribute %s = %lld is outside [%lld, %lld]", name,
                        (long long)*value, (long long)lo, (long long)hi);
  return EDGERT_OK;
}

static edgert_status read_flags(er_onnx_node *n, unsigned reads, er_conv_nd_attrs *a) {
  edgert_status st;
  int64_t v;
  if (reads & READ_GROUP) {
    if ((st = read_int(n, "group", 1, 1, INT32_MAX, &v))) return st;
    a->group = (int32_t)v;
  }
  if (reads & READ_CEIL_MODE) {
    if ((st = read_int(n, "ceil_mode", 0, 0, 1, &v))) return st;
    a->ceil_mode = v != 0;
  }
  if (reads & READ_COUNT_INCLUDE_PAD) {
    if ((st = read_int(n, "count_include_pad", 0, 0, 1, &v))) return st;
    a->count_include_pad = v != 0;
  }
  if (reads & READ_STORAGE_ORDER) {
    if ((st = read_int(n, "storage_order", 0, 0, 1, &v))) return st;
    a->storage_order = (int32_t)v;
  }
  if (reads & READ_P) {
    if ((st = read_int(n, "p", 2, 1, 64, &v))) return st;
    a->p = (int32_t)v;
  }
  return EDGERT_OK;
}

static edgert_status read_window_attrs(er_onnx_node *n, unsigned reads, er_conv_nd_attrs *a) {
  edgert_status st;
  if ((st = read_auto_pad(n, a))) return st;
  if ((st = read_list(n, "kernel_shape", a->kernel, ER_NN_MAX_SPATIAL, &a->n_kernel))) return st;
  if ((st = read_list(n, "strides", a->strides, ER_NN_MAX_SPATIAL, &a->n_strides))) return st;
  if ((st = read_list(n, "pads", a->pads, 2 * ER_NN_MAX_SPATIAL, &a->n_pads))) return st;
  if ((reads & READ_DILATIONS) &&
      (st = read_list(n, "dilations", a->dilations, ER_NN_MAX_SPATIAL, &a->n_dilations)))
    return st;
  if (reads & READ_OUTPUT_SIZES) {
    if ((st = read_list(n, "output_padding", a->output_padding, ER_NN_MAX_SPATIAL, &a->n_output_padding)))
      return st;
    if ((st = read_list(n, "output_shape", a->output_shape, ER_MAX_DIMS, &a->n_output_shape))) return st;
  }
  return read_flags(n, reads, a);
}

/* Reads the attributes into new attrs for IR op `op`; *attrs (when not NULL) receives them. */
static edgert_status map_window_op_attrs(er_onnx_node *n, er_op op, unsigned reads, bool global,
                                         er_conv_nd_attrs **attrs) {
  er_conv_nd_attrs *a = er_onnx_new_attrs(n, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  a->group = 1;
  a->p = 2;
  a->global = global;
  edgert_status st = read_window_attrs(n, reads, a);
  if (st) return st;
  er_onnx_set_op(n, op);
  if (attrs) *attrs = a;
  return EDGERT_OK;
}

static edgert_status map_window_op(er_onnx_node *n, er_op op, unsigned reads, bool global) {
  return map_window_op_attrs(n, op, reads, global, NULL);
}

static edgert_status map_conv(er_onnx_node *n) {
  return map_window_op(n, ER_OP_CONV_ND, READ_DILATIONS | READ_GROUP, false);
}
static edgert_status map_conv_transpose(er_onnx_node *n) {
  return map_window_op(n, ER_OP_CONV_TRANSPOSE_ND, READ_DILATIONS | READ_GROUP | READ_OUTPUT_SIZES, false);
}
static edgert_status map_conv_integer(er_onnx_node *n) {
  return map_window_op(n, ER_OP_CONV_INTEGER, READ_DILATIONS | READ_GROUP, false);
}
static edgert_status map_qlinear_conv(er_onnx_node *n) {
  return map_window_op(n, ER_OP_QLINEAR_CONV, READ_DILATIONS | READ_GROUP, false);
}
static edgert_status map_max_pool(er_onnx_node *n) {
  return map_window_op(n, ER_OP_MAX_POOL_ND, READ_DILATIONS | READ_CEIL_MODE | READ_STORAGE_ORDER, false);
}
static edgert_status map_average_pool(er_onnx_node *n) {
  return map_window_op(n, ER_OP_AVERAGE_POOL_ND, READ_DILATIONS | READ_CEIL_MODE | READ_COUNT_INCLUDE_PAD,
                       false);
}
static edgert_status map_lp_pool(er_onnx_node *n) {
  return map_window_op(n, ER_OP_LP_POOL_ND, READ_DILATIONS | READ_CEIL_MODE | READ_P, false);
}
static edgert_status map_max_unpool(er_onnx_node *n) {
  return map_window_op(n, ER_OP_MAX_UNPOOL_ND, 0, false);
}
static edgert_status map_global_max_pool(er_onnx_node *n) {
  return map_window_op(n, ER_OP_MAX_POOL_ND, 0, true);
}
static edgert_status map_global_average_pool(er_onnx_node *n) {
  return map_window_op(n, ER_OP_AVERAGE_POOL_ND, 0, true);
}
static edgert_status map_global_lp_pool(er_onnx_node *n) {
  return map_window_op(n, ER_OP_LP_POOL_ND, READ_P, true);
}

/* LpPool-1 and GlobalLpPool-1 give p as a float; later opsets as an int. */
static edgert_status map_lp_pool_float_p(er_onnx_node *n, bool global) {
  float p = 2.0f;
  if (!er_onnx_attr_float_or(n, "p", 2.0f, &p)) return EDGERT_ERR_MALFORMED;
  if (!(p >= 1.0f && p <= 64.0f) || p != (float)(int)p)
    return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "Lp pooling norm p = %g is not supported (integers 1..64)",
                        (double)p);
  er_conv_nd_attrs *a;
  edgert_status st = map_window_op_attrs(n, ER_OP_LP_POOL_ND, global ? 0 : READ_CEIL_MODE, global, &a);
  if (st) return st;
  a->p = (int32_t)p;
  return EDGERT_OK;
}
static edgert_status map_lp_pool_v1(er_onnx_node *n) { return map_lp_pool_float_p(n, false); }
static edgert_status map_global_lp_pool_v1(er_onnx_node *n) { return map_lp_pool_float_p(n, true); }

/* RoiAlign-10 has no coordinate_transformation_mode: it behaves as output_half_pixel. */
static edgert_status map_roi_align_common(er_onnx_node *n, bool half_pixel_default) {
  er_roi_align_attrs *a = er_onnx_new_attrs(n, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  const char *s;
  size_t len;
  a->half_pixel = half_pixel_default;
  if (er_onnx_attr_string(n, "coordinate_transformation_mode", &s, &len)) {
    if (same_str(s, len, "half_pixel")) {
      a->half_pixel = true;
    } else if (same_str(s, len, "output_half_pixel")) {
      a->half_pixel = false;
    } else {
      return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "coordinate_transformation_mode '%.*s' is not supported",
                          (int)(len > 32 ? 32 : len), s);
    }
  }
  if (er_onnx_attr_string(n, "mode", &s, &len)) {
    if (!same_str(s, len, "avg") && !same_str(s, len, "max"))
      return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "mode '%.*s' is not avg or max",
                          (int)(len > 32 ? 32 : len), s);
    a->max_mode = same_str(s, len, "max");
  }
  if (er_onnx_failed(n)) return EDGERT_ERR_MALFORMED;
  int64_t h, w, ratio;
  edgert_status st;
  if ((st = read_int(n, "output_height", 1, 1, INT32_MAX, &h))) return st;
  if ((st = read_int(n, "output_width", 1, 1, INT32_MAX, &w))) return st;
  if ((st = read_int(n, "sampling_ratio", 0, 0, INT32_MAX, &ratio))) return st;
  if (!er_onnx_attr_float_or(n, "spatial_scale", 1.0f, &a->spatial_scale)) return EDGERT_ERR_MALFORMED;
  a->output_height = (int32_t)h;
  a->output_width = (int32_t)w;
  a->sampling_ratio = (int32_t)ratio;
  er_onnx_set_op(n, ER_OP_ROI_ALIGN);
  return EDGERT_OK;
}
static edgert_status map_roi_align_v10(er_onnx_node *n) { return map_roi_align_common(n, false); }
static edgert_status map_roi_align(er_onnx_node *n) { return map_roi_align_common(n, true); }

const er_onnx_op_mapping er_onnx_ops_nn[] = {
    {"", "AveragePool", 1, map_average_pool},
    {"", "Conv", 1, map_conv},
    {"", "ConvInteger", 10, map_conv_integer},
    {"", "ConvTranspose", 1, map_conv_transpose},
    {"", "GlobalAveragePool", 1, map_global_average_pool},
    {"", "GlobalLpPool", 1, map_global_lp_pool_v1},
    {"", "GlobalLpPool", 2, map_global_lp_pool},
    {"", "GlobalMaxPool", 1, map_global_max_pool},
    {"", "LpPool", 1, map_lp_pool_v1},
    {"", "LpPool", 2, map_lp_pool},
    {"", "MaxPool", 1, map_max_pool},
    {"", "MaxUnpool", 9, map_max_unpool},
    {"", "QLinearConv", 10, map_qlinear_conv},
    {"", "RoiAlign", 10, map_roi_align_v10},
    {"", "RoiAlign", 16, map_roi_align},
};
const size_t er_onnx_ops_nn_count = sizeof er_onnx_ops_nn / sizeof er_onnx_ops_nn[0];
