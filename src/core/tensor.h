/* Tensors of the IR: dtype, shape, quantization and where the data lives. The same struct serves the
 * graph (static facts from the model file) and each interpreter (a copy whose shapes and data pointers
 * are set at prepare). */
#ifndef EDGERT_CORE_TENSOR_H
#define EDGERT_CORE_TENSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "edgert.h"

#define ER_MAX_DIMS EDGERT_MAX_DIMS

typedef enum {
  ER_TENSOR_ACTIVATION = 0, /* produced by a node or fed by the caller; lives in the arena */
  ER_TENSOR_CONST,          /* data points into the model (or a buffer the graph owns) */
  ER_TENSOR_VARIABLE        /* recurrent state: in the arena, kept across invokes, zeroed at reset */
} er_tensor_kind;

typedef struct {
  float scale;        /* per-tensor scale; 0 when the tensor is not quantized */
  int32_t zero_point; /* per-tensor zero point */
  int32_t channels;   /* > 0 for per-channel quantization along `axis` */
  int32_t axis;
  const float *scales;        /* [channels], owned by the graph */
  const int32_t *zero_points; /* [channels], owned by the graph */
} er_quant;

typedef struct {
  const char *name;
  edgert_dtype dtype;
  er_tensor_kind kind;
  int32_t ndim;
  int64_t dims[ER_MAX_DIMS];
  er_quant q;
  uint32_t dynamic_dims; /* bit i set: dim i may change when an input is resized (e.g. a batch dim) */
  void *data;            /* const: model bytes; others: arena pointer once planned */
  size_t bytes;          /* ndim/dims times dtype size */
  /* A constant whose bytes in the model lie at an address unfit for its dtype (ONNX raw_data has no
   * alignment): data stays NULL and each reader copies these bytes when it needs them, the optimizer
   * into the graph (er_graph_load_const_f32), an interpreter into a buffer it reuses once a kernel has
   * packed them (interp.c). Copying every such weight at import wrote 35 MB of fresh pages for
   * resnet18. */
  const void *file_bytes;
} er_tensor;

/* The bytes of a constant wherever they lie now: its data, or the model file's bytes (any alignment;
 * read them with memcpy) when it has no data yet. */
static inline const void *er_const_bytes(const er_tensor *t) { return t->data ? t->data : t->file_bytes; }

/* Number of elements; -1 when it does not fit in int64 or a dim is negative. */
int64_t er_tensor_elements(const er_tensor *t);
/* Elements of dims[0..ndim); -1 on overflow or a negative dim. */
int64_t er_shape_elements(int32_t ndim, const int64_t *dims);
/* Bytes for `elements` of `dtype` into *bytes; false on overflow. */
bool er_bytes_for(edgert_dtype dtype, int64_t elements, size_t *bytes);
bool er_same_shape(const er_tensor *a, const er_tensor *b);
/* Writes "[1, 96, 96, 1]" into buf (always terminated). */
const char *er_shape_str(int32_t ndim, const int64_t *dims, char *buf, size_t len);
/* Index into dims counting from the back: er_dim(t, -1) is the last dim. */
static inline int64_t er_dim(const er_tensor *t, int i) { return t->dims[i < 0 ? t->ndim + i : i]; }

/* bfloat16 <-> float: the top 16 bits of a float32, round to nearest even (NaN stays NaN). */
float er_bfloat16_to_float(uint16_t b);
uint16_t er_float_to_bfloat16(float f);

/* IEEE half <-> float, round to nearest even. */
float er_half_to_float(uint16_t h);
uint16_t er_float_to_half(float f);

#endif
