/* Numpy-style broadcasting shared by the elementwise kernels: the output shape of several inputs, and a
 * plan to walk the output row by row with each input's matching offset.
 *
 * A plan is made at prepare (shapes are known then) and kept in the kernel's persistent data; eval walks
 * it without allocating. Dims where every operand behaves alike are merged, so the common cases (same
 * shapes, scalar against tensor, a per-channel vector against NHWC) collapse to one or two dims and the
 * inner loop runs over long contiguous rows. Operand 0 is the output; operands 1..n are the inputs. */
#ifndef EDGERT_OPS_BROADCAST_H
#define EDGERT_OPS_BROADCAST_H

#include <stdbool.h>
#include <stdint.h>

#include "core/kernel.h"

/* The output plus at most three inputs (SELECT has three). */
#define ER_BCAST_MAX_OPERANDS 4

typedef struct {
  int32_t n_operands; /* output + inputs */
  int32_t ndim;       /* merged rank, at least 1 */
  int64_t dims[ER_MAX_DIMS];
  /* Element strides of each operand along each merged dim; 0 where the operand is broadcast. */
  int64_t strides[ER_BCAST_MAX_OPERANDS][ER_MAX_DIMS];
  int64_t elements; /* of the output */
} er_bcast;

/* Walks the rows (all dims but the innermost) of a plan. */
typedef struct {
  const er_bcast *plan;
  int64_t index[ER_MAX_DIMS];
  int64_t offset[ER_BCAST_MAX_OPERANDS]; /* element offset of the current row in each operand */
  int64_t rows_left;
} er_bcast_iter;

/* The broadcast of n shapes (numpy rules: align from the back, a dim of 1 stretches). Returns false when
 * two dims differ and neither is 1, or the rank exceeds ER_MAX_DIMS. */
bool er_broadcast_shape(int n, const er_tensor *const *inputs, int32_t *ndim, int64_t *dims);

/* For prepare: checks that the inputs broadcast (a SHAPE error naming them otherwise), sets the output's
 * shape, and fills plan for walking it. */
edgert_status er_broadcast_prepare(er_op_ctx *ctx, int n_inputs, const er_tensor *const *inputs,
                                   er_tensor *out, er_bcast *plan);

/* The usual start of a binary kernel's prepare: exactly two inputs and one output, both inputs of one
 * dtype. Sets *a, *b, *out. */
edgert_status er_binary_io(er_op_ctx *ctx, er_tensor **a, er_tensor **b, er_tensor **out);

/* The start of an arithmetic kernel's prepare (ADD, SUB, MUL, DIV): er_binary_io, then the fused activation
 * of the binary attrs (NONE without attrs), rejected unless supported, and an output of the inputs' dtype. */
edgert_status er_arith_binary_io(er_op_ctx *ctx, er_tensor **a, er_tensor **b, er_tensor **out,
                                 er_activation *act);

/* er_check_per_tensor_quant for both inputs and the output of a quantized binary kernel. */
edgert_status er_check_binary_quant(er_op_ctx *ctx, const er_tensor *a, const er_tensor *b,
                                    const er_tensor *out);

/* The plain dtypes of ONNX models (float64, float16, unsigned...) run only unquantized and without a fused
 * activation; an UNSUPPORTED error naming the dtype otherwise. */
edgert_status er_check_plain_binary(er_op_ctx *ctx, er_activation act, const er_tensor *a, const er_tensor *b,
                                    const er_tensor *out);

/* Checks that t carries usable per-tensor quantization for its integer dtype: a finite scale > 0, a zero
 * point inside the dtype's range, no per-channel parameters. */
edgert_status er_check_per_tensor_quant(er_op_ctx *ctx, const er_tensor *t, const char *what);

/* Rejects fused activations that TFLite's arithmetic kernels do not apply (TANH, SIGMOID) instead of
 * silently ignoring them. */
edgert_status er_check_fused_activation(er_op_ctx *ctx, er_activation act);

/* Clamp range of a fused activation on an unquantized integer output (TFLite CalculateActivationRange). */
void er_activation_range_int(er_activation act, int64_t type_min, int64_t type_max, int64_t *lo, int64_t *hi);

static inline int64_t er_clamp_i64(int64_t v, int64_t lo, int64_t hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

/* Builds the plan for an output of out_ndim/out_dims and inputs that broadcast to it. */
void er_bcast_plan(er_bcast *plan, int32_t out_ndim, const int64_t *out_dims, int n_inputs,
                   const er_tensor *const *inputs);

/* Length of a row and each operand's element step within it (1, or 0 for a broadcast operand). */
static inline int64_t er_bcast_row_len(const er_bcast *plan) { return plan->dims[plan->ndim - 1]; }
static inline int64_t er_bcast_row_step(const er_bcast *plan, int operand) {
  return plan->strides[operand][plan->ndim - 1];
}

/* Starts at the first row; false when the output is empty. Then er_bcast_next moves to the next row and
 * returns false after the last:
 *   for (bool more = er_bcast_begin(&it, plan); more; more = er_bcast_next(&it)) { ... it.offset[k] ... } */
bool er_bcast_begin(er_bcast_iter *it, const er_bcast *plan);
bool er_bcast_next(er_bcast_iter *it);

/* Starts at row `row` (0 <= row < rows) instead of the first, so that threads can each walk a range of
 * rows: er_bcast_next then moves on as after er_bcast_begin. */
void er_bcast_seek(er_bcast_iter *it, const er_bcast *plan, int64_t row);

/* The loop every binary elementwise kernel runs: for each output element, with `x` (of type TA, from
 * a_data) and `y` (TB, from b_data) the two input values it sees, stores EXPR into the output (TO).
 * EXPR may call functions and read kernel parameters; it must not allocate. */
#define ER_BCAST_BINARY(plan, TA, a_data, TB, b_data, TO, out_data, EXPR)                                    \
  do {                                                                                                       \
    er_bcast_iter it_;                                                                                       \
    const int64_t n_ = er_bcast_row_len(plan);                                                               \
    const int64_t sa_ = er_bcast_row_step(plan, 1), sb_ = er_bcast_row_step(plan, 2);                        \
    for (bool more_ = er_bcast_begin(&it_, plan); more_; more_ = er_bcast_next(&it_)) {                      \
      const TA *ra_ = (const TA *)(a_data) + it_.offset[1];                                                  \
      const TB *rb_ = (const TB *)(b_data) + it_.offset[2];                                                  \
      TO *ro_ = (TO *)(out_data) + it_.offset[0];                                                            \
      for (int64_t i_ = 0; i_ < n_; i_++) {                                                                  \
        const TA x = ra_[i_ * sa_];                                                                          \
        const TB y = rb_[i_ * sb_];                                                                          \
        ro_[i_] = (EXPR);                                                                                    \
      }                                                                                                      \
    }                                                                                                        \
  } while (0)

/* The batch dims of two stacks of matrices (BATCH_MATMUL, ONNX MatMul) broadcast numpy-style: A's leading
 * dims a_dims[0..a_ndim) against B's, each matrix a_step (b_step) elements apart. */
typedef struct {
  int32_t ndim;
  int64_t dims[ER_MAX_DIMS];
  int64_t a_stride[ER_MAX_DIMS], b_stride[ER_MAX_DIMS]; /* per batch dim; 0 where broadcast */
} er_batch_bcast;

edgert_status er_batch_bcast_plan(er_op_ctx *ctx, er_batch_bcast *p, int32_t a_ndim, const int64_t *a_dims,
                                  int64_t a_step, int32_t b_ndim, const int64_t *b_dims, int64_t b_step);
int64_t er_batch_bcast_count(const er_batch_bcast *p);
/* Element offsets of batch `index` (row-major over p->dims) in A and B. */
void er_batch_bcast_starts(const er_batch_bcast *p, int64_t index, int64_t *a_at, int64_t *b_at);

#endif
