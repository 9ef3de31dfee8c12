/* The interpreter object shared by interp.c (create, plan, invoke) and kernel_support.c (what kernels
 * call back into). */
#ifndef EDGERT_CORE_INTERP_H
#define EDGERT_CORE_INTERP_H

#include "core/kernel.h"
#include "core/model.h"
#include "core/pool.h"
#include "core/thread_pool.h"

#define ER_ARENA_ALIGNMENT 16

/* One node as invoke calls it: the kernel's eval and its context, resolved at prepare. */
typedef struct {
  edgert_status (*eval)(er_op_ctx *ctx);
  er_op_ctx *ctx;
} er_run_step;

struct edgert_interpreter {
  const edgert_model *model;
  const er_graph *graph;
  er_tensor *tensors;        /* this interpreter's view: shapes after prepare, arena pointers */
  er_op_ctx *ctxs;           /* one per node */
  const er_kernel **kernels; /* one per node */
  int32_t *run_order;        /* the nodes invoke runs: all but those folded at prepare */
  int32_t n_run;
  er_run_step *steps;      /* run_order resolved to what invoke calls */
  unsigned char *shaped;   /* per tensor: set by er_set_output_shape during prepare */
  size_t *scratch_offsets; /* per node: offset of its scratch in the arena */
  int32_t *pending_reads;  /* per tensor: reads still to come in this plan (node inputs not packed or
                            * folded, graph outputs); at 0 a constant's file pages are released */
  er_pool_block *pool;     /* everything above, plus kernels' persistent data */
  /* Prepare only: where constants left in the model file (tensor.h: file_bytes) are copied for their
   * readers (interp.c: copy_file_inputs), a block of pool; its size, the most such bytes one node
   * reads; the bytes the current node's copies take. */
  unsigned char *copy_area;
  size_t copy_area_bytes, copy_area_used;
  unsigned char *arena;      /* aligned start of the arena */
  er_pool_block *arena_pool; /* the arena, when the library allocated it, alone in its own pool (a large
                                one gets huge pages: fewer TLB misses) */
  size_t arena_bytes;
  size_t kernel_bytes; /* what kernels took with er_persist_alloc in this plan (packed weights, ...) */
  int32_t n_threads;   /* >= 1; er_num_threads */
  er_thread_pool *thread_pool; /* n_threads - 1 workers, or NULL for one thread; lives as long as it */
  edgert_options opts;         /* as given at creation, for planning again after a resize */
  edgert_limits limits;        /* resolved: opts.limits, else the model's */
  /* The interpreter whose invoke started this one (itself, or a subgraph's parent's root): loops anywhere
   * below it draw on its budget, so nested loops cannot multiply past max_loop_iterations. */
  struct edgert_interpreter *root;
  int64_t loop_iterations_left; /* of the root's current invoke */
  er_tensor *input_shapes;      /* per graph input: the shape to use (model's, or the caller's resize) */
  /* Value mode, for models where an input's value decides shapes (a kernel called er_need_value): the
   * caller's inputs are staged in heap buffers, the deciding ones are constants while preparing, and
   * invoke prepares and plans again whenever their values change. */
  int32_t needed_value; /* tensor a kernel asked for during the last prepare, or -1 */
  bool value_mode;
  unsigned char *value_input; /* per graph input: 1 when its value decides shapes */
  void **staged;              /* per graph input: the caller's data (value mode) */
  void **prepared_values;     /* per graph input: the values the current plan assumed (value inputs) */
  /* Interpreters that kernels made for subgraphs during prepare (core/subgraph.c): freed with the plan. */
  struct edgert_interpreter *children, *next_child;
  edgert_status status;
  char error[ER_ERROR_LEN];
};

/* er_keep_input for tensor t of ctx's interpreter (interp.c: the copy area). */
edgert_status er_interp_keep_copy(er_op_ctx *ctx, er_tensor *t);
/* er_copy_input for tensor t of ctx's interpreter: the copy made before prepare for other inputs. */
edgert_status er_interp_copy_file_input(er_op_ctx *ctx, er_tensor *t);

edgert_status er_interp_fail(er_interp *it, edgert_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
