/* The contract between the interpreter and the kernels in src/ops/.
 *
 * Each op kind has one er_kernel. prepare runs once per interpreter (and again when input shapes
 * change): it checks dtypes and shapes, sets every output's shape with er_set_output_shape, computes
 * what eval needs (quantized multipliers, lookup tables) into memory from er_persist_alloc, and states
 * its scratch needs in ctx->scratch_bytes. eval runs at every invoke and must not allocate.
 * During prepare only constant tensors hold data; activation data exists from eval on. */
#ifndef EDGERT_CORE_KERNEL_H
#define EDGERT_CORE_KERNEL_H

#include <stdarg.h>
#include <stddef.h>

#include "core/graph.h"

typedef struct edgert_interpreter er_interp;

typedef struct {
  er_interp *interp;
  const er_node *node;
  er_tensor *tensors;     /* the interpreter's tensors, indexed by tensor id */
  void *op_data;          /* set by prepare; kept for eval */
  size_t scratch_bytes;   /* set by prepare */
  void *scratch;          /* valid during eval: scratch_bytes of arena, aligned to 16 */
  uint32_t packed_inputs; /* set through er_input_packed during prepare: bit i for input i */
  /* Set by prepare when output 0 is the bytes of the inputs one after another (input i at the sum of the
   * sizes before it): the planner may then place inputs inside the output (their producers write them in
   * place) and eval must skip an input whose data is already where it belongs. */
  bool inputs_in_output;
  /* Set by prepare (er_output_may_overwrite): bit i when output 0 may take input i's memory, the planner
   * placing it there when nothing reads that input later. */
  uint32_t overwritable_inputs;
} er_op_ctx;

typedef struct {
  edgert_status (*prepare)(er_op_ctx *ctx);
  edgert_status (*eval)(er_op_ctx *ctx);
  /* Bit i: prepare can read constant input i where it lies in the model file, at any byte address
   * (er_const_bytes: read with memcpy, er_f32_load or as an er_f32_matrix; the bytes last as long as the
   * model, so eval may keep reading them), so the interpreter does not copy it before prepare when it has
   * no data of its own (tensor.h: file_bytes); a path that needs its floats aligned asks for the copy
   * (er_copy_input). Other inputs are copied first. Inputs 0 to 31. */
  uint32_t reads_file_inputs;
} er_kernel;

/* The kernel for an op kind, or NULL when no kernel exists. */
const er_kernel *er_kernel_for(er_op op);

/* Input or output `i` of the node, or NULL if absent (id -1 or i beyond the count). */
static inline er_tensor *er_input(const er_op_ctx *ctx, int i) {
  if (i < 0 || i >= ctx->node->n_inputs || ctx->node->inputs[i] < 0) return NULL;
  return &ctx->tensors[ctx->node->inputs[i]];
}
static inline er_tensor *er_output(const er_op_ctx *ctx, int i) {
  if (i < 0 || i >= ctx->node->n_outputs || ctx->node->outputs[i] < 0) return NULL;
  return &ctx->tensors[ctx->node->outputs[i]];
}
static inline const void *er_attrs(const er_op_ctx *ctx) { return ctx->node->attrs; }

/* Records an error "OP node N: <message>" on the interpreter and returns status. */
edgert_status er_fail(er_op_ctx *ctx, edgert_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sets the shape of output tensor `t` and its byte size. Fails (with a message) on overflow or when the
 * model declared a different static shape for it. */
edgert_status er_set_output_shape(er_op_ctx *ctx, er_tensor *t, int32_t ndim, const int64_t *dims);

/* Zeroed memory that lives as long as the interpreter; NULL (after recording an error) when out of
 * memory or past the kernel-data limit (edgert_limits.max_arena_bytes). For prepare only. */
void *er_persist_alloc(er_op_ctx *ctx, size_t bytes);

/* Counts `bytes` of kernel data against that limit (er_persist_alloc does it itself); an error past it. */
edgert_status er_kernel_data_reserve(er_op_ctx *ctx, size_t bytes);

/* The interpreter's resource limits (resolved: no zero fields). */
const edgert_limits *er_limits(const er_op_ctx *ctx);

/* Called by loop kernels before each iteration: an error once the loops of this invoke (nested ones and
 * those in subgraphs included) have run edgert_limits.max_loop_iterations iterations. */
edgert_status er_loop_iteration(er_op_ctx *ctx);

/* For an input whose value decides an output's shape but is not a constant: records that the interpreter
 * should learn the value first (when it comes from graph inputs, the interpreter then prepares with their
 * values at invoke) and returns the error to return from prepare. */
edgert_status er_need_value(er_op_ctx *ctx, const er_tensor *t, const char *what);

/* Threads. A kernel splits its work into n independent items and hands them to er_parallel_for, which
 * calls fn(arg, thread, begin, end) on contiguous chunks of [0, n), at least `grain` items each (but the
 * last), from up to er_num_threads(ctx) threads, and returns when all are done. `thread` (0 ..
 * er_num_threads - 1) selects the caller's per-thread scratch: a kernel that needs scratch per chunk
 * declares er_num_threads(ctx) copies at prepare. With one thread fn runs once on the calling thread,
 * with no locking. fn must not allocate or fail. */
typedef void (*er_task_fn)(void *arg, int32_t thread, int64_t begin, int64_t end);
int32_t er_num_threads(const er_op_ctx *ctx);
void er_parallel_for(er_op_ctx *ctx, int64_t n, int64_t grain, er_task_fn fn, void *arg);
/* Work (multiply-adds, or floats a pass reads) below which a kernel keeps to the calling thread: waking a
 * worker and waiting for it cost a few microseconds, more than such work takes (a tiny CNN ran 4x slower
 * at 2 threads on a busy VM). er_parallel_for's grain for n items holding `work` in all: the whole of them
 * under ER_MIN_SPLIT_WORK, else `grain`. */
#define ER_MIN_SPLIT_WORK 131072.0
static inline int64_t er_grain_for_work(int64_t n, int64_t grain, double work) {
  return work < ER_MIN_SPLIT_WORK && n > grain ? n : grain;
}
/* The items [*begin, *end) that er_parallel_for(n, grain) on `threads` threads gives thread `thread` when
 * none is late (its home share; others steal from it only once it lags), for kernels that balance their
 * split at prepare. */
void er_parallel_home(int64_t n, int64_t grain, int32_t threads, int32_t thread, int64_t *begin,
                      int64_t *end);
/* For cost models of a split at prepare: how long er_parallel_for(items, 1) on `threads` threads takes
 * when each runs its home share, the slowest thread's sum of item_cost(arg, item, prev), prev being the
 * item that thread ran just before (-1 for its first), so that what consecutive items share (a block one
 * builds for the next) is charged once. Beyond 4096 items each thread's share is costed from its first
 * 4096 / threads items. */
typedef double (*er_item_cost_fn)(const void *arg, int64_t item, int64_t prev);
double er_parallel_makespan(int64_t items, int32_t threads, er_item_cost_fn item_cost, const void *arg);

/* Prepare: says that the kernel copied constant input i into its own memory (packed weights) and will
 * not read that tensor's data again, neither later in this prepare nor at eval. Once every node reading
 * a constant has said so, the interpreter drops the model-file pages behind it from resident memory,
 * so a model's weights are not held twice. The data stays readable (it faults back in from the file),
 * so a later prepare of this or another interpreter packs from the same bytes. Inputs 0 to 31; no
 * effect on inputs that are not constants. */
void er_input_packed(er_op_ctx *ctx, int i);

/* Prepare: says that eval computes each element of output 0 from the element of input i at the same
 * index (a float Add, an activation), reading it before writing that element and nothing after, so that
 * output 0 may live in input i's memory. Takes effect when input i has output 0's dtype and byte size; the
 * planner then puts output 0 over input i when input i is an activation no later node (nor the caller)
 * reads, which saves the cache misses of writing fresh memory (with threads, memory the other core
 * wrote last). Inputs 0 to 31. */
void er_output_may_overwrite(er_op_ctx *ctx, int i);

/* Prepare: for a kernel that reads constant input i in place at eval (weights it does not pack, a
 * bias), before it keeps a pointer to that data. When the data is a copy the interpreter made for
 * prepare only (a constant left in the model file, tensor.h: file_bytes), the copy is made to last: the
 * tensor's data then stays valid for eval and later readers. Nothing to do for other inputs (absent, not
 * constant, or data that lasts). Fails only when out of memory (recorded). */
edgert_status er_keep_input(er_op_ctx *ctx, int i);

/* Prepare: gives input i (in the kernel's reads_file_inputs) its aligned copy now, when it is a constant
 * left in the model file, as the interpreter does before prepare for other inputs: for a path that reads
 * its data as floats. Nothing to do otherwise. Fails only when out of memory (recorded). */
edgert_status er_copy_input(er_op_ctx *ctx, int i);

/* Common checks used by prepare; each records an error naming the node and returns non-OK. */
edgert_status er_check_io(er_op_ctx *ctx, int min_inputs, int max_inputs, int outputs);
edgert_status er_check_dtype(er_op_ctx *ctx, const er_tensor *t, edgert_dtype dtype, const char *what);

#endif
