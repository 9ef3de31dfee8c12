/* The interpreter object shared by interp.c (create, plan, invoke) and kernel_support.c (what kernels
 * call back into). */
#ifndef EDGERT_CORE_INTERP_H
#define EDGERT_CORE_INTERP_H

#include "core/kernel.h"
#include "core/model.h"
#include "core/pool.h"

#define ER_ARENA_ALIGNMENT 16

struct edgert_interpreter {
  const edgert_model *model;
  const er_graph *graph;
  er_tensor *tensors;        /* this interpreter's view: shapes after prepare, arena pointers */
  er_op_ctx *ctxs;           /* one per node */
  const er_kernel **kernels; /* one per node */
  int32_t *run_order;        /* the nodes invoke runs: all but those folded at prepare */
  int32_t n_run;
  unsigned char *shaped;     /* per tensor: set by er_set_output_shape during prepare */
  size_t *scratch_offsets;   /* per node: offset of its scratch in the arena */
  er_pool_block *pool;       /* everything above, plus kernels' persistent data */
  unsigned char *arena;      /* aligned start of the arena */
  void *arena_owned;         /* what to free, when the library allocated the arena */
  size_t arena_bytes;
  edgert_options opts;      /* as given at creation, for planning again after a resize */
  er_tensor *input_shapes;  /* per graph input: the shape to use (model's, or the caller's resize) */
  edgert_status status;
  char error[ER_ERROR_LEN];
};

edgert_status er_interp_fail(er_interp *it, edgert_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
