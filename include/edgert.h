/* edgert: run trained machine-learning models on small devices.
 *
 * The whole public C API. A model is loaded once (zero-copy from a file or a caller's buffer) and is
 * read-only afterwards, so several interpreters may share it. An interpreter owns one arena holding every
 * intermediate tensor, planned at creation; invoke never allocates. Every call returns an edgert_status;
 * on failure edgert_model_error / edgert_interpreter_error give one line naming what failed and where. */
#ifndef EDGERT_H
#define EDGERT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EDGERT_VERSION "0.1.0"
#define EDGERT_MAX_DIMS 8

typedef enum {
  EDGERT_OK = 0,
  EDGERT_ERR_ARGUMENT,    /* a bad argument from the caller: NULL, index out of range, wrong size */
  EDGERT_ERR_IO,          /* a file could not be opened, mapped or read */
  EDGERT_ERR_MALFORMED,   /* the model bytes break the format: bad offset, length, index */
  EDGERT_ERR_UNSUPPORTED, /* a valid model using an op, dtype or option edgert does not run */
  EDGERT_ERR_SHAPE,       /* shapes or dtypes that do not fit together */
  EDGERT_ERR_NO_MEMORY,   /* an allocation failed or a caller's arena is too small */
  EDGERT_ERR_LIMIT,       /* a size or count beyond a resource limit */
  EDGERT_ERR_RUNTIME      /* a kernel failed while running */
} edgert_status;

typedef enum {
  EDGERT_FLOAT32 = 0,
  EDGERT_FLOAT16,
  EDGERT_INT8,
  EDGERT_UINT8,
  EDGERT_INT16,
  EDGERT_INT32,
  EDGERT_INT64,
  EDGERT_BOOL,
  EDGERT_FLOAT64,
  EDGERT_UINT16,
  EDGERT_UINT32,
  EDGERT_UINT64,
  EDGERT_BFLOAT16,
  EDGERT_DTYPE_COUNT
} edgert_dtype;

typedef struct edgert_model edgert_model;
typedef struct edgert_interpreter edgert_interpreter;

/* What a caller sees of one model input or output. Pointers stay valid while the object they came
 * from lives (model for static facts; interpreter for shapes after prepare). */
typedef struct {
  const char *name;
  edgert_dtype dtype;
  int ndim;
  int64_t dims[EDGERT_MAX_DIMS];
  uint32_t dynamic_dims; /* bit i set: the model leaves dim i open (e.g. batch); see resize_input */
  size_t bytes;
  /* Per-tensor quantization: real = scale * (q - zero_point). scale == 0 means not quantized. */
  float scale;
  int32_t zero_point;
  /* Per-channel quantization along quant_axis; channel_count == 0 when per-tensor. */
  int channel_count;
  int quant_axis;
  const float *channel_scales;
  const int32_t *channel_zero_points;
} edgert_tensor_info;

/* Called before (after == 0) and after (after == 1) each operator an invoke runs, with its index in the
 * graph (see edgert_model_op_name); for profilers. Ops folded at prepare do not run. */
typedef void (*edgert_node_hook)(void *user, int op_index, int after);

/* Resource limits, so a hostile or broken model is refused with EDGERT_ERR_LIMIT and a message before
 * anything large is allocated or a loop runs away. A field left 0 takes its default
 * (edgert_limits_default). Models are loaded with limits (the _limited loaders; the plain ones use the
 * defaults) and interpreters use their model's unless edgert_options.limits names others. */
typedef struct {
  int64_t max_tensor_elements; /* elements of any one tensor: declared by the model, a constant, or computed
                                  at prepare. Default 2^28 (1 GiB of float32) */
  size_t max_arena_bytes;      /* bytes of the planned arena (tensors, scratch, state), and separately of the
                                  kernel data kept beside it (packed weights, folded constants). Default
                                  2 GiB (256 MiB where size_t is 32 bits) */
  int32_t max_nodes;           /* operators in the model, subgraphs included. Default 2^20 */
  int64_t max_loop_iterations; /* iterations of one run of an ONNX Loop. Default 10^6 */
} edgert_limits;

/* The defaults, all fields set. */
edgert_limits edgert_limits_default(void);

typedef struct {
  void *arena;                /* caller-owned memory for all tensors, or NULL for one the library allocates */
  size_t arena_bytes;         /* size of arena; ignored when arena is NULL */
  int num_threads;            /* 0 or 1: the calling thread alone; N (up to 64): the caller plus N - 1 worker
                                 threads that live as long as the interpreter (refused in a build without
                                 threads). Results do not depend on it. */
  edgert_node_hook node_hook; /* optional */
  void *hook_user;
  const edgert_limits *limits; /* NULL: the limits the model was loaded with; 0 fields take defaults */
} edgert_options;

const char *edgert_status_name(edgert_status status);
const char *edgert_dtype_name(edgert_dtype dtype);
size_t edgert_dtype_size(edgert_dtype dtype);

/* Loading. On success *out is a model; on failure *out is still set (unless memory ran out, then NULL)
 * so edgert_model_error can say why, and must be freed with edgert_model_free.
 * edgert_model_load_file maps the file; edgert_model_load_buffer reads `data` in place: the caller keeps
 * it alive and unchanged until the model is freed. */
edgert_status edgert_model_load_file(const char *path, edgert_model **out);
edgert_status edgert_model_load_buffer(const void *data, size_t bytes, edgert_model **out);
/* The same under caller-chosen limits (NULL: the defaults; a 0 field: its default). */
edgert_status edgert_model_load_file_limited(const char *path, const edgert_limits *limits,
                                             edgert_model **out);
edgert_status edgert_model_load_buffer_limited(const void *data, size_t bytes, const edgert_limits *limits,
                                               edgert_model **out);
void edgert_model_free(edgert_model *model);
const char *edgert_model_error(const edgert_model *model);

int edgert_model_input_count(const edgert_model *model);
int edgert_model_output_count(const edgert_model *model);
edgert_status edgert_model_input_info(const edgert_model *model, int index, edgert_tensor_info *info);
edgert_status edgert_model_output_info(const edgert_model *model, int index, edgert_tensor_info *info);
size_t edgert_model_bytes(const edgert_model *model);
/* Number of operators in the graph and the name of the op kind of operator `index` (e.g. "CONV_2D"). */
int edgert_model_op_count(const edgert_model *model);
const char *edgert_model_op_name(const edgert_model *model, int index);

/* Interpreters. opts may be NULL for defaults. Creation prepares every op and plans the arena; when the
 * caller supplies an arena smaller than needed, creation fails and the message names the size needed.
 * As with models, *out is set even on failure so edgert_interpreter_error works; free it either way. */
edgert_status edgert_interpreter_create(const edgert_model *model, const edgert_options *opts,
                                        edgert_interpreter **out);
void edgert_interpreter_free(edgert_interpreter *interp);
const char *edgert_interpreter_error(const edgert_interpreter *interp);
/* Gives input `index` a new shape (e.g. another batch size, or the real size of a dim the model leaves
 * open) and prepares and plans again; this allocates, so do it before the invoke loop. With a
 * caller-supplied arena the new plan must fit in it. After a failure the interpreter cannot invoke
 * until a resize succeeds. */
edgert_status edgert_interpreter_resize_input(edgert_interpreter *interp, int index, int ndim,
                                              const int64_t *dims);
/* Bytes of arena the plan uses (tensors, scratch and state), exact. */
size_t edgert_interpreter_arena_bytes(const edgert_interpreter *interp);
/* Bytes kernels keep on the heap beside the arena for as long as the plan lives: weights repacked for
 * fast kernels, lookup tables, quantization parameters (subgraph interpreters included). */
size_t edgert_interpreter_kernel_bytes(const edgert_interpreter *interp);

edgert_status edgert_interpreter_input_info(const edgert_interpreter *interp, int index,
                                            edgert_tensor_info *info);
edgert_status edgert_interpreter_output_info(const edgert_interpreter *interp, int index,
                                             edgert_tensor_info *info);
/* Copy `bytes` into input `index`; bytes must equal the input's size. */
edgert_status edgert_interpreter_set_input(edgert_interpreter *interp, int index, const void *data,
                                           size_t bytes);
/* Direct pointers into the arena (valid until the interpreter is freed). Inputs may be written before
 * invoke and keep their values through any number of invokes; outputs hold results after invoke. */
void *edgert_interpreter_input_data(edgert_interpreter *interp, int index);
const void *edgert_interpreter_output_data(const edgert_interpreter *interp, int index);
edgert_status edgert_interpreter_invoke(edgert_interpreter *interp);
/* Converting between float32 and a tensor's own dtype, for pre- and postprocessing. to_float applies
 * scale * (q - zero_point) to quantized integers (per-tensor parameters) and converts others plainly.
 * from_float quantizes with the tensor's scale and zero point (round half away from zero, saturate) for
 * quantized int8/uint8/int16, converts to float16/float32 otherwise; NaN is refused for integers.
 * count is the number of elements. */
edgert_status edgert_tensor_to_float(const edgert_tensor_info *info, const void *data, float *out,
                                     size_t count);
edgert_status edgert_tensor_from_float(const edgert_tensor_info *info, const float *in, void *data,
                                       size_t count);

/* Zero recurrent state (LSTM/SVDF variable tensors), as at creation. */
void edgert_interpreter_reset_state(edgert_interpreter *interp);

#ifdef __cplusplus
}
#endif
#endif
