/* ONNX's recurrent layers RNN, GRU and LSTM (float32), as the ONNX operator spec defines them (opsets 1
 * to 14) with onnxruntime's choices where the spec is loose: clip bounds every gate's input to its
 * activation (after the peephole term; h's input, the cell state, is not clipped), input_forget makes the
 * forget gate 1 - input gate, and for a batch entry with sequence length L the steps at and after L give zero
 * outputs while Y_h/Y_c hold the state after step L - 1 (the reverse direction runs from L - 1 down to 0).
 * Batch entries are independent, so each (direction, batch) pair runs its whole sequence with the state in
 * scratch; nothing is kept across invokes (ONNX passes the initial state as inputs).
 *
 * Two paths. The reference path reads the weights at eval (they may be activations) and takes any
 * activation functions. The fast path, chosen at prepare when W, R, B and P are constants and the
 * activations are the defaults (sigmoid and tanh), packs the weights once: W and R transposed, each gate
 * block padded to whole lanes of 8 floats, the two biases summed. At eval it computes the input
 * projections of every step first (X W^T + biases, one row per step; in blocks of steps when a very long
 * sequence would need more than 256 KB), then per step only the recurrent product, accumulated in place
 * into that step's row, and the gates. Every inner loop runs over whole
 * lanes with a fixed trip count, and sigmoid and tanh are evaluated branch-free (selects done on integer
 * bits), so the compiler vectorizes them at the baseline ISA; they agree with the C library to about
 * 2e-7 relative. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "core/kernel.h"
#include "core/cpu.h"
#include "ops/onnx_recurrent_lanes.h"

enum { IN_X = 0, IN_W, IN_R, IN_B, IN_SEQUENCE_LENS, IN_INITIAL_H, IN_INITIAL_C, IN_P };
enum { OUT_Y = 0, OUT_Y_H, OUT_Y_C };

typedef enum { CELL_RNN = 0, CELL_GRU, CELL_LSTM } cell_kind;

/* The fast path's packed weights, per direction d (see the file comment). */
typedef struct {
  int64_t padded; /* hidden rounded up to whole lanes */
  int64_t width;  /* gates * padded: one step's row of gate pre-activations */
  int64_t block_steps; /* steps whose input projections are computed at once (scratch holds their rows) */
  float *wt;      /* [dirs][input][width]: W transposed, zero in the padding */
  float *rt;      /* [dirs][hidden][width]: R transposed */
  float *bias;    /* [dirs][width]: W bias + R bias (GRU with linear_before_reset: h block W bias only) */
  float *rbh;     /* [dirs][padded]: GRU with linear_before_reset: the h block's R bias; else NULL */
  float *peep;    /* [dirs][3][padded]: LSTM peepholes (i, o, f), or NULL */
  uint32_t clip_bits; /* gate inputs are bounded to this magnitude (float bits; infinity: no clip) */
  const er_rnn_lane_kernels *lanes; /* for this CPU */
} rnn_packed;

typedef struct {
  cell_kind cell;
  int64_t gates; /* weight blocks per direction: RNN 1, GRU 3 (z, r, h), LSTM 4 (i, o, f, c) */
  int64_t dirs, seq, batch, input, hidden;
  rnn_packed *fast; /* NULL: the reference path */
} rnn_shape;

/* Scratch of one (direction, batch) run: state h and c, gate pre-activations, and a GRU temporary. */
typedef struct {
  float *h, *c, *gates, *tmp;
} rnn_state;

static const char *name_of(const er_tensor *t) { return t->name ? t->name : ""; }

static float activate(const er_rnn_act *a, float x) {
  switch (a->kind) {
  case ER_RNN_ACT_SIGMOID: return 1.0f / (1.0f + expf(-x));
  case ER_RNN_ACT_TANH: return tanhf(x);
  case ER_RNN_ACT_RELU: return x > 0.0f ? x : 0.0f;
  case ER_RNN_ACT_AFFINE: return a->alpha * x + a->beta;
  case ER_RNN_ACT_LEAKY_RELU: return x >= 0.0f ? x : a->alpha * x;
  case ER_RNN_ACT_THRESHOLDED_RELU: return x >= a->alpha ? x : 0.0f;
  case ER_RNN_ACT_SCALED_TANH: return a->alpha * tanhf(a->beta * x);
  case ER_RNN_ACT_HARD_SIGMOID: {
    float y = a->alpha * x + a->beta;
    return y < 0.0f ? 0.0f : (y > 1.0f ? 1.0f : y);
  }
  case ER_RNN_ACT_ELU: return x >= 0.0f ? x : a->alpha * (expf(x) - 1.0f);
  case ER_RNN_ACT_SOFTSIGN: return x / (1.0f + fabsf(x));
  case ER_RNN_ACT_SOFTPLUS: return x > 30.0f ? x : log1pf(expf(x)); /* log(1 + e^x) without overflow */
  }
  return x;
}

/* Clips (when the node asks) and activates n gate inputs in place. */
static void activate_all(const er_onnx_rnn_attrs *a, const er_rnn_act *act, float *v, int64_t n) {
  for (int64_t j = 0; j < n; j++) {
    float x = v[j];
    if (a->has_clip) x = x > a->clip ? a->clip : (x < -a->clip ? -a->clip : x);
    v[j] = activate(act, x);
  }
}

/* out[j] (+)= rows j of w (n rows of k) times v, for j < n. */
static void matvec_add(const float *w, const float *v, int64_t n, int64_t k, float *out) {
  for (int64_t j = 0; j < n; j++) {
    const float *row = w + j * k;
    float sum = 0.0f;
    for (int64_t i = 0; i < k; i++)
      sum += row[i] * v[i];
    out[j] += sum;
  }
}

static void add_vec(const float *b, int64_t n, float *out) {
  if (!b) return;
  for (int64_t j = 0; j < n; j++)
    out[j] += b[j];
}

/* ---- shapes and prepare ---- */

static edgert_status check_float(er_op_ctx *ctx, const er_tensor *t, const char *what) {
  if (!t || t->dtype == EDGERT_FLOAT32) return EDGERT_OK;
  return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "%s '%s' is %s; only float32 is supported", what, name_of(t),
                 edgert_dtype_name(t->dtype));
}

static edgert_status check_dims(er_op_ctx *ctx, const er_tensor *t, const char *what, int ndim,
                                const int64_t *dims) {
  if (!t) return EDGERT_OK;
  bool same = t->ndim == ndim;
  for (int i = 0; same && i < ndim; i++)
    same = t->dims[i] == dims[i];
  if (same) return EDGERT_OK;
  char got[128], want[128];
  er_shape_str(t->ndim, t->dims, got, sizeof got);
  er_shape_str(ndim, dims, want, sizeof want);
  return er_fail(ctx, EDGERT_ERR_SHAPE, "%s '%s' has shape %s, expected %s", what, name_of(t), got, want);
}

/* The shape of a state tensor (initial_h, Y_h, ...) in the node's layout. */
static void state_dims(const er_onnx_rnn_attrs *a, const rnn_shape *s, int64_t dims[3]) {
  dims[0] = a->batch_major ? s->batch : s->dirs;
  dims[1] = a->batch_major ? s->dirs : s->batch;
  dims[2] = s->hidden;
}

static edgert_status find_shape(er_op_ctx *ctx, const er_onnx_rnn_attrs *a, rnn_shape *s) {
  const er_tensor *x = er_input(ctx, IN_X), *w = er_input(ctx, IN_W), *r = er_input(ctx, IN_R);
  if (x->ndim != 3 || w->ndim != 3 || r->ndim != 3)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "X, W and R must be 3-D (ranks %d, %d, %d)", (int)x->ndim,
                   (int)w->ndim, (int)r->ndim);
  s->dirs = a->direction == ER_RNN_BIDIRECTIONAL ? 2 : 1;
  s->seq = a->batch_major ? x->dims[1] : x->dims[0];
  s->batch = a->batch_major ? x->dims[0] : x->dims[1];
  s->input = x->dims[2];
  s->hidden = a->hidden_size > 0 ? a->hidden_size : r->dims[2];
  /* Bounds that keep every size product below 2^62 and the scratch small enough to plan. */
  const int64_t limit = (int64_t)1 << 24;
  if (s->seq < 0 || s->batch < 0 || s->input < 0 || s->hidden < 1 || s->seq > limit || s->batch > limit ||
      s->input > limit || s->hidden > limit)
    return er_fail(ctx, EDGERT_ERR_LIMIT,
                   "sizes out of range: sequence %lld, batch %lld, input %lld, hidden "
                   "%lld",
                   (long long)s->seq, (long long)s->batch, (long long)s->input, (long long)s->hidden);
  edgert_status st;
  int64_t gh = s->gates * s->hidden;
  if ((st = check_dims(ctx, w, "W", 3, (int64_t[]){s->dirs, gh, s->input})) != EDGERT_OK) return st;
  if ((st = check_dims(ctx, r, "R", 3, (int64_t[]){s->dirs, gh, s->hidden})) != EDGERT_OK) return st;
  if ((st = check_dims(ctx, er_input(ctx, IN_B), "B", 2, (int64_t[]){s->dirs, 2 * gh})) != EDGERT_OK)
    return st;
  int64_t sdims[3];
  state_dims(a, s, sdims);
  if ((st = check_dims(ctx, er_input(ctx, IN_INITIAL_H), "initial_h", 3, sdims)) != EDGERT_OK) return st;
  if (s->cell == CELL_LSTM) {
    if ((st = check_dims(ctx, er_input(ctx, IN_INITIAL_C), "initial_c", 3, sdims)) != EDGERT_OK) return st;
    if ((st = check_dims(ctx, er_input(ctx, IN_P), "P", 2, (int64_t[]){s->dirs, 3 * s->hidden})) != EDGERT_OK)
      return st;
  }
  const er_tensor *lens = er_input(ctx, IN_SEQUENCE_LENS);
  if (lens && lens->dtype != EDGERT_INT32 && lens->dtype != EDGERT_INT64)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "sequence_lens '%s' is %s, expected int32", name_of(lens),
                   edgert_dtype_name(lens->dtype));
  return check_dims(ctx, lens, "sequence_lens", 1, (int64_t[]){s->batch});
}

static edgert_status set_outputs(er_op_ctx *ctx, const er_onnx_rnn_attrs *a, const rnn_shape *s) {
  edgert_status st;
  er_tensor *y = er_output(ctx, OUT_Y);
  if (y) {
    int64_t dims[4] = {s->seq, s->dirs, s->batch, s->hidden};
    if (a->batch_major) dims[0] = s->batch, dims[1] = s->seq, dims[2] = s->dirs;
    if ((st = check_float(ctx, y, "output Y")) != EDGERT_OK) return st;
    if ((st = er_set_output_shape(ctx, y, 4, dims)) != EDGERT_OK) return st;
  }
  int64_t sdims[3];
  state_dims(a, s, sdims);
  for (int k = OUT_Y_H; k < ctx->node->n_outputs; k++) {
    er_tensor *state = er_output(ctx, k);
    if (!state) continue;
    if ((st = check_float(ctx, state, "state output")) != EDGERT_OK) return st;
    if ((st = er_set_output_shape(ctx, state, 3, sdims)) != EDGERT_OK) return st;
  }
  return EDGERT_OK;
}

/* ---- fast path: packing at prepare ---- */

#define LANES ER_RNN_LANES

static void add_vec_mat_baseline(float *out, const float *m, int64_t stride, const float *v, int64_t rows,
                                 int64_t lanes) {
  er_rnn_add_vec_mat(out, m, stride, v, rows, lanes);
}
static void sigmoid_baseline(float *v, int64_t lanes) { er_rnn_sigmoid_lanes(v, lanes); }
static void tanh_baseline(float *v, int64_t lanes) { er_rnn_tanh_lanes(v, lanes); }

static const er_rnn_lane_kernels baseline_lanes = {add_vec_mat_baseline, sigmoid_baseline, tanh_baseline,
                                                    NULL};

static const er_rnn_lane_kernels *lane_kernels_for(er_cpu_features cpu) {
#if defined(ER_SIMD_X86)
  if (cpu.avx512) return &er_rnn_lane_kernels_avx512;
  if (cpu.avx2_fma) return &er_rnn_lane_kernels_avx2;
#endif
  (void)cpu;
  return &baseline_lanes;
}

static bool is_const(const er_tensor *t) { return !t || (t->kind == ER_TENSOR_CONST && t->data); }

static bool default_activations(const er_onnx_rnn_attrs *a, const rnn_shape *s) {
  for (int64_t d = 0; d < s->dirs; d++) {
    const er_rnn_act *f = a->acts[d];
    bool ok = s->cell == CELL_RNN ? f[0].kind == ER_RNN_ACT_TANH
                                  : f[0].kind == ER_RNN_ACT_SIGMOID && f[1].kind == ER_RNN_ACT_TANH;
    if (s->cell == CELL_LSTM) ok = ok && f[2].kind == ER_RNN_ACT_TANH;
    if (!ok) return false;
  }
  return true;
}

static bool fast_path_fits(er_op_ctx *ctx, const er_onnx_rnn_attrs *a, const rnn_shape *s) {
  for (int i = IN_W; i <= IN_P; i++)
    if (i != IN_SEQUENCE_LENS && i != IN_INITIAL_H && i != IN_INITIAL_C && !is_const(er_input(ctx, i)))
      return false;
  /* the padded sizes and the all-steps projection stay far below what the arena planner accepts */
  const int64_t limit = (int64_t)1 << 20;
  return default_activations(a, s) && s->hidden <= limit && s->input <= limit && s->seq <= limit &&
         !(a->has_clip && !(a->clip >= 0.0f));
}

/* dst[i * width + g * padded + j] = src[(g * hidden + j) * cols + i]: gate g's rows of a [gates * hidden,
 * cols] matrix, transposed, each gate block padded. */
static void transpose_gates(const float *src, int64_t gates, int64_t hidden, int64_t cols, int64_t padded,
                            float *dst) {
  int64_t width = gates * padded;
  for (int64_t g = 0; g < gates; g++)
    for (int64_t j = 0; j < hidden; j++)
      for (int64_t i = 0; i < cols; i++)
        dst[i * width + g * padded + j] = src[(g * hidden + j) * cols + i];
}

static edgert_status pack_weights(er_op_ctx *ctx, const er_onnx_rnn_attrs *a, rnn_shape *s) {
  rnn_packed *p = er_persist_alloc(ctx, sizeof *p);
  if (!p) return EDGERT_ERR_NO_MEMORY;
  int64_t n = s->hidden, gh = s->gates * n;
  p->padded = (n + LANES - 1) / LANES * LANES;
  p->width = s->gates * p->padded;
  /* all steps when their rows fit in 256 KB (the shipped models' do), else blocks of steps that fit */
  p->block_steps = ((int64_t)1 << 16) / p->width;
  if (p->block_steps < 1) p->block_steps = 1;
  if (p->block_steps > s->seq) p->block_steps = s->seq > 0 ? s->seq : 1;
  int64_t w_floats = s->input * p->width, r_floats = n * p->width;
  p->wt = er_persist_alloc(ctx, sizeof(float) * (size_t)(s->dirs * w_floats + 1));
  p->rt = er_persist_alloc(ctx, sizeof(float) * (size_t)(s->dirs * r_floats));
  p->bias = er_persist_alloc(ctx, sizeof(float) * (size_t)(s->dirs * p->width));
  bool lbr = s->cell == CELL_GRU && a->linear_before_reset;
  if (lbr) p->rbh = er_persist_alloc(ctx, sizeof(float) * (size_t)(s->dirs * p->padded));
  const er_tensor *bias = er_input(ctx, IN_B), *peep = er_input(ctx, IN_P);
  if (s->cell == CELL_LSTM && peep) p->peep = er_persist_alloc(ctx, sizeof(float) * (size_t)(s->dirs * 3 * p->padded));
  if (!p->wt || !p->rt || !p->bias || (lbr && !p->rbh) || (s->cell == CELL_LSTM && peep && !p->peep))
    return EDGERT_ERR_NO_MEMORY;
  for (int64_t d = 0; d < s->dirs; d++) {
    transpose_gates((const float *)er_input(ctx, IN_W)->data + d * gh * s->input, s->gates, n, s->input,
                    p->padded, p->wt + d * w_floats);
    transpose_gates((const float *)er_input(ctx, IN_R)->data + d * gh * n, s->gates, n, n, p->padded,
                    p->rt + d * r_floats);
    if (bias) {
      const float *wb = (const float *)bias->data + d * 2 * gh, *rb = wb + gh;
      for (int64_t g = 0; g < s->gates; g++)
        for (int64_t j = 0; j < n; j++) {
          bool own_rb = lbr && g == 2; /* kept apart: added after the product, before the reset gate */
          p->bias[d * p->width + g * p->padded + j] = wb[g * n + j] + (own_rb ? 0.0f : rb[g * n + j]);
          if (own_rb) p->rbh[d * p->padded + j] = rb[g * n + j];
        }
    }
    if (p->peep)
      for (int64_t g = 0; g < 3; g++)
        memcpy(p->peep + (d * 3 + g) * p->padded, (const float *)peep->data + d * 3 * n + g * n,
               sizeof(float) * (size_t)n);
  }
  p->clip_bits = a->has_clip ? er_f32_bits(a->clip) : er_f32_bits(INFINITY);
  p->lanes = lane_kernels_for(er_cpu_detect());
  s->fast = p;
  return EDGERT_OK;
}

static edgert_status rnn_prepare(er_op_ctx *ctx, cell_kind cell) {
  const er_onnx_rnn_attrs *a = er_attrs(ctx);
  if (!a) return er_fail(ctx, EDGERT_ERR_MALFORMED, "has no attributes");
  int max_inputs = cell == CELL_LSTM ? 8 : 6, max_outputs = cell == CELL_LSTM ? 3 : 2;
  edgert_status st = er_check_io(ctx, 3, max_inputs, ctx->node->n_outputs);
  if (st != EDGERT_OK) return st;
  if (ctx->node->n_outputs > max_outputs)
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "has %d outputs, at most %d", (int)ctx->node->n_outputs,
                   max_outputs);
  static const char *const what[] = {"X", "W", "R", "B", "sequence_lens", "initial_h", "initial_c", "P"};
  for (int i = 0; i < ctx->node->n_inputs; i++)
    if (i != IN_SEQUENCE_LENS && (st = check_float(ctx, er_input(ctx, i), what[i])) != EDGERT_OK) return st;
  rnn_shape *s = er_persist_alloc(ctx, sizeof *s);
  if (!s) return EDGERT_ERR_NO_MEMORY;
  ctx->op_data = s;
  s->cell = cell;
  s->gates = cell == CELL_RNN ? 1 : (cell == CELL_GRU ? 3 : 4);
  if ((st = find_shape(ctx, a, s)) != EDGERT_OK) return st;
  if ((st = set_outputs(ctx, a, s)) != EDGERT_OK) return st;
  ctx->scratch_bytes = sizeof(float) * (size_t)((3 + s->gates) * s->hidden);
  if (fast_path_fits(ctx, a, s)) {
    if ((st = pack_weights(ctx, a, s)) != EDGERT_OK) return st;
    size_t fast = sizeof(float) * (size_t)(s->fast->block_steps * s->fast->width + 4 * s->fast->padded);
    if (fast > ctx->scratch_bytes) ctx->scratch_bytes = fast;
  }
  return EDGERT_OK;
}

/* ---- one time step of each cell; x is the step's input row, state->h (and c) the state ---- */

/* Every gate's pre-activation without the recurrent term: W x + Wb. */
static void input_terms(const rnn_shape *s, const float *w, const float *wb, const float *x, rnn_state *st) {
  int64_t gh = s->gates * s->hidden;
  memset(st->gates, 0, sizeof(float) * (size_t)gh);
  matvec_add(w, x, gh, s->input, st->gates);
  add_vec(wb, gh, st->gates);
}

static void rnn_step(const er_onnx_rnn_attrs *a, const er_rnn_act *acts, const rnn_shape *s, const float *w,
                     const float *r, const float *b, const float *x, rnn_state *st) {
  int64_t n = s->hidden;
  input_terms(s, w, b, x, st);
  matvec_add(r, st->h, n, n, st->gates);
  add_vec(b ? b + n : NULL, n, st->gates);
  activate_all(a, &acts[0], st->gates, n);
  memcpy(st->h, st->gates, sizeof(float) * (size_t)n);
}

static void gru_step(const er_onnx_rnn_attrs *a, const er_rnn_act *acts, const rnn_shape *s, const float *w,
                     const float *r, const float *b, const float *x, rnn_state *st) {
  int64_t n = s->hidden;
  const float *rb = b ? b + 3 * n : NULL;
  float *z = st->gates, *reset = st->gates + n, *cand = st->gates + 2 * n;
  input_terms(s, w, b, x, st);
  /* z and r gates take the recurrent term of the previous state. */
  matvec_add(r, st->h, 2 * n, n, st->gates);
  add_vec(rb, 2 * n, st->gates);
  activate_all(a, &acts[0], st->gates, 2 * n);
  memset(st->tmp, 0, sizeof(float) * (size_t)n);
  if (a->linear_before_reset) {
    matvec_add(r + 2 * n * n, st->h, n, n, st->tmp);
    add_vec(rb ? rb + 2 * n : NULL, n, st->tmp);
    for (int64_t j = 0; j < n; j++)
      cand[j] += reset[j] * st->tmp[j];
  } else {
    float *reset_h = st->c; /* c is unused by the GRU: it holds r * h */
    for (int64_t j = 0; j < n; j++)
      reset_h[j] = reset[j] * st->h[j];
    matvec_add(r + 2 * n * n, reset_h, n, n, cand);
    add_vec(rb ? rb + 2 * n : NULL, n, cand);
  }
  activate_all(a, &acts[1], cand, n);
  for (int64_t j = 0; j < n; j++)
    st->h[j] = (1.0f - z[j]) * cand[j] + z[j] * st->h[j];
}

static void lstm_step(const er_onnx_rnn_attrs *a, const er_rnn_act *acts, const rnn_shape *s, const float *w,
                      const float *r, const float *b, const float *p, const float *x, rnn_state *st) {
  int64_t n = s->hidden;
  float *in_gate = st->gates, *out_gate = st->gates + n, *forget = st->gates + 2 * n,
        *cell = st->gates + 3 * n;
  input_terms(s, w, b, x, st);
  matvec_add(r, st->h, 4 * n, n, st->gates);
  add_vec(b ? b + 4 * n : NULL, 4 * n, st->gates);
  if (p)
    for (int64_t j = 0; j < n; j++) {
      in_gate[j] += p[j] * st->c[j];
      forget[j] += p[2 * n + j] * st->c[j];
    }
  activate_all(a, &acts[0], in_gate, n);
  if (a->input_forget)
    for (int64_t j = 0; j < n; j++)
      forget[j] = 1.0f - in_gate[j];
  else
    activate_all(a, &acts[0], forget, n);
  activate_all(a, &acts[1], cell, n);
  for (int64_t j = 0; j < n; j++)
    st->c[j] = forget[j] * st->c[j] + in_gate[j] * cell[j];
  if (p)
    for (int64_t j = 0; j < n; j++)
      out_gate[j] += p[n + j] * st->c[j];
  activate_all(a, &acts[0], out_gate, n);
  for (int64_t j = 0; j < n; j++)
    st->h[j] = out_gate[j] * activate(&acts[2], st->c[j]);
}

/* ---- eval ---- */

static int64_t x_offset(const er_onnx_rnn_attrs *a, const rnn_shape *s, int64_t t, int64_t b) {
  return (a->batch_major ? b * s->seq + t : t * s->batch + b) * s->input;
}
static int64_t y_offset(const er_onnx_rnn_attrs *a, const rnn_shape *s, int64_t t, int64_t d, int64_t b) {
  return (a->batch_major ? (b * s->seq + t) * s->dirs + d : (t * s->dirs + d) * s->batch + b) * s->hidden;
}
static int64_t state_offset(const er_onnx_rnn_attrs *a, const rnn_shape *s, int64_t d, int64_t b) {
  return (a->batch_major ? b * s->dirs + d : d * s->batch + b) * s->hidden;
}

static void load_state(const er_tensor *init, int64_t offset, int64_t n, float *state) {
  if (init)
    memcpy(state, (const float *)init->data + offset, sizeof(float) * (size_t)n);
  else
    memset(state, 0, sizeof(float) * (size_t)n);
}

static void store_state(er_tensor *out, int64_t offset, int64_t n, const float *state) {
  if (out) memcpy((float *)out->data + offset, state, sizeof(float) * (size_t)n);
}

static edgert_status sequence_length(er_op_ctx *ctx, const rnn_shape *s, int64_t b, int64_t *len) {
  const er_tensor *lens = er_input(ctx, IN_SEQUENCE_LENS);
  *len = s->seq;
  if (!lens) return EDGERT_OK;
  *len = lens->dtype == EDGERT_INT64 ? ((const int64_t *)lens->data)[b] : ((const int32_t *)lens->data)[b];
  if (*len < 0 || *len > s->seq)
    return er_fail(ctx, EDGERT_ERR_RUNTIME, "sequence_lens[%lld] = %lld is outside [0, %lld]", (long long)b,
                   (long long)*len, (long long)s->seq);
  return EDGERT_OK;
}

/* Runs direction d over batch entry b: its whole (possibly shortened) sequence. */
static edgert_status run_one(er_op_ctx *ctx, const rnn_shape *s, int64_t d, int64_t b, rnn_state *st) {
  const er_onnx_rnn_attrs *a = er_attrs(ctx);
  int64_t len, n = s->hidden, gh = s->gates * n;
  edgert_status status = sequence_length(ctx, s, b, &len);
  if (status != EDGERT_OK) return status;
  const er_tensor *bias = er_input(ctx, IN_B), *peep = er_input(ctx, IN_P);
  const float *x = er_input(ctx, IN_X)->data;
  const float *w = (const float *)er_input(ctx, IN_W)->data + d * gh * s->input;
  const float *r = (const float *)er_input(ctx, IN_R)->data + d * gh * n;
  const float *bd = bias ? (const float *)bias->data + d * 2 * gh : NULL;
  const float *pd = s->cell == CELL_LSTM && peep ? (const float *)peep->data + d * 3 * n : NULL;
  const er_rnn_act *acts = a->acts[d];
  bool reverse = a->direction == ER_RNN_REVERSE || d == 1;
  int64_t state_at = state_offset(a, s, d, b);
  load_state(er_input(ctx, IN_INITIAL_H), state_at, n, st->h);
  load_state(s->cell == CELL_LSTM ? er_input(ctx, IN_INITIAL_C) : NULL, state_at, n, st->c);
  er_tensor *y = er_output(ctx, OUT_Y);
  for (int64_t step = 0; step < len; step++) {
    int64_t t = reverse ? len - 1 - step : step;
    const float *xt = x + x_offset(a, s, t, b);
    if (s->cell == CELL_RNN)
      rnn_step(a, acts, s, w, r, bd, xt, st);
    else if (s->cell == CELL_GRU)
      gru_step(a, acts, s, w, r, bd, xt, st);
    else
      lstm_step(a, acts, s, w, r, bd, pd, xt, st);
    store_state(y, y_offset(a, s, t, d, b), n, st->h);
  }
  if (y)
    for (int64_t t = len; t < s->seq; t++)
      memset((float *)y->data + y_offset(a, s, t, d, b), 0, sizeof(float) * (size_t)n);
  store_state(er_output(ctx, OUT_Y_H), state_at, n, st->h);
  if (s->cell == CELL_LSTM) store_state(er_output(ctx, OUT_Y_C), state_at, n, st->c);
  return EDGERT_OK;
}

/* ---- fast path: eval ---- */

/* Every function below works on whole lanes: `lanes` groups of LANES floats. */

static void bound_lanes(float *restrict v, int64_t lanes, uint32_t limit) {
  if (limit >= 0x7f800000u) return; /* no clip */
  for (int64_t l = 0; l < lanes; l++, v += LANES)
    for (int k = 0; k < LANES; k++) v[k] = er_rnn_bound_magnitude(v[k], (int32_t)limit);
}

/* v += p * c */
static void add_product_lanes(float *restrict v, const float *restrict p, const float *restrict c, int64_t lanes) {
  for (int64_t l = 0; l < lanes; l++, v += LANES, p += LANES, c += LANES)
    for (int k = 0; k < LANES; k++) v[k] += p[k] * c[k];
}

/* out = a * b */
static void product_lanes(float *restrict out, const float *restrict a, const float *restrict b, int64_t lanes) {
  for (int64_t l = 0; l < lanes; l++, out += LANES, a += LANES, b += LANES)
    for (int k = 0; k < LANES; k++) out[k] = a[k] * b[k];
}

/* LSTM input_forget: forget = 1 - input gate */
static void complement_lanes(float *restrict out, const float *restrict a, int64_t lanes) {
  for (int64_t l = 0; l < lanes; l++, out += LANES, a += LANES)
    for (int k = 0; k < LANES; k++) out[k] = 1.0f - a[k];
}

/* LSTM cell state: c = forget * c + input * cell */
static void cell_update_lanes(float *restrict c, const float *restrict forget, const float *restrict in_gate,
                              const float *restrict cell, int64_t lanes) {
  for (int64_t l = 0; l < lanes; l++, c += LANES, forget += LANES, in_gate += LANES, cell += LANES)
    for (int k = 0; k < LANES; k++) c[k] = forget[k] * c[k] + in_gate[k] * cell[k];
}

/* GRU state: h = (1 - z) * cand + z * h */
static void blend_lanes(float *restrict h, const float *restrict z, const float *restrict cand, int64_t lanes) {
  for (int64_t l = 0; l < lanes; l++, h += LANES, z += LANES, cand += LANES)
    for (int k = 0; k < LANES; k++) h[k] = (1.0f - z[k]) * cand[k] + z[k] * h[k];
}

/* Per (direction, batch) run: the packed weights of direction d, and the state in scratch. */
typedef struct {
  const rnn_packed *p;
  const er_rnn_lane_kernels *k;
  const float *wt, *rt, *bias, *rbh, *peep;
  int64_t hidden, lanes; /* lanes of one gate block */
  bool input_forget;
  float *h, *c, *tmp;
} fast_run;

static void rnn_step_fast(const fast_run *f, float *g) {
  f->k->add_vec_mat(g, f->rt, f->p->width, f->h, f->hidden, f->lanes);
  bound_lanes(g, f->lanes, f->p->clip_bits);
  f->k->tanh(g, f->lanes);
  memcpy(f->h, g, sizeof(float) * (size_t)f->p->padded);
}

static void gru_step_fast(const fast_run *f, float *g) {
  int64_t np = f->p->padded, lanes = f->lanes;
  float *z = g, *reset = g + np, *cand = g + 2 * np, *h = f->h, *tmp = f->tmp;
  f->k->add_vec_mat(g, f->rt, f->p->width, h, f->hidden, 2 * lanes);
  bound_lanes(g, 2 * lanes, f->p->clip_bits);
  f->k->sigmoid(g, 2 * lanes);
  if (f->rbh) { /* linear_before_reset: cand += r * (R_h h + Rb_h) */
    memcpy(tmp, f->rbh, sizeof(float) * (size_t)np);
    f->k->add_vec_mat(tmp, f->rt + 2 * np, f->p->width, h, f->hidden, lanes);
    add_product_lanes(cand, reset, tmp, lanes);
  } else { /* cand += R_h (r * h) */
    product_lanes(tmp, reset, h, lanes);
    f->k->add_vec_mat(cand, f->rt + 2 * np, f->p->width, tmp, f->hidden, lanes);
  }
  bound_lanes(cand, lanes, f->p->clip_bits);
  f->k->tanh(cand, lanes);
  blend_lanes(h, z, cand, lanes);
}

static void lstm_step_fast(const fast_run *f, float *g) {
  int64_t np = f->p->padded, lanes = f->lanes;
  float *in_gate = g, *out_gate = g + np, *forget = g + 2 * np, *cell = g + 3 * np, *c = f->c, *h = f->h;
  f->k->add_vec_mat(g, f->rt, f->p->width, h, f->hidden, 4 * lanes);
  if (f->k->lstm_cell && !f->peep) {
    f->k->lstm_cell(g, c, h, lanes, f->p->clip_bits, f->input_forget);
    return;
  }
  /* Without peepholes the output gate needs nothing from the new cell state, so the three sigmoid gates
   * (i, o, f: adjacent) go through in one call. */
  bool output_first = !f->peep;
  if (f->peep) {
    add_product_lanes(in_gate, f->peep, c, lanes);
    add_product_lanes(forget, f->peep + 2 * np, c, lanes);
  }
  if (output_first) {
    bound_lanes(g, 4 * lanes, f->p->clip_bits);
  } else { /* the output gate is bounded below, after its peephole term */
    bound_lanes(in_gate, lanes, f->p->clip_bits);
    bound_lanes(forget, 2 * lanes, f->p->clip_bits); /* forget and cell */
  }
  int64_t sigmoid_gates = output_first ? (f->input_forget ? 2 : 3) : 1;
  f->k->sigmoid(in_gate, sigmoid_gates * lanes);
  if (f->input_forget)
    complement_lanes(forget, in_gate, lanes);
  else if (!output_first)
    f->k->sigmoid(forget, lanes);
  f->k->tanh(cell, lanes);
  cell_update_lanes(c, forget, in_gate, cell, lanes);
  if (!output_first) {
    add_product_lanes(out_gate, f->peep + np, c, lanes);
    bound_lanes(out_gate, lanes, f->p->clip_bits);
    f->k->sigmoid(out_gate, lanes);
  }
  memcpy(f->tmp, c, sizeof(float) * (size_t)np);
  f->k->tanh(f->tmp, lanes);
  product_lanes(h, out_gate, f->tmp, lanes);
}

/* The fast path's run_one: the input projections of a block of steps (all of them when they fit),
 * then the recurrence over that block, accumulating into the projected rows. */
static edgert_status run_one_fast(er_op_ctx *ctx, const rnn_shape *s, int64_t d, int64_t b, float *scratch) {
  const er_onnx_rnn_attrs *a = er_attrs(ctx);
  const rnn_packed *p = s->fast;
  int64_t len, n = s->hidden, np = p->padded, width = p->width;
  edgert_status status = sequence_length(ctx, s, b, &len);
  if (status != EDGERT_OK) return status;
  float *rows = scratch, *h = rows + p->block_steps * width, *c = h + np, *tmp = c + np;
  fast_run f = {.p = p,
                .k = p->lanes,
                .wt = p->wt + d * s->input * width,
                .rt = p->rt + d * n * width,
                .bias = p->bias + d * width,
                .rbh = p->rbh ? p->rbh + d * np : NULL,
                .peep = p->peep ? p->peep + d * 3 * np : NULL,
                .hidden = n,
                .lanes = np / LANES,
                .input_forget = a->input_forget,
                .h = h,
                .c = c,
                .tmp = tmp};
  const float *x = er_input(ctx, IN_X)->data;
  int64_t state_at = state_offset(a, s, d, b);
  memset(h, 0, sizeof(float) * (size_t)(2 * np)); /* the padding of h and c stays zero */
  load_state(er_input(ctx, IN_INITIAL_H), state_at, n, h);
  load_state(s->cell == CELL_LSTM ? er_input(ctx, IN_INITIAL_C) : NULL, state_at, n, c);
  bool reverse = a->direction == ER_RNN_REVERSE || d == 1;
  er_tensor *y = er_output(ctx, OUT_Y);
  for (int64_t first = 0; first < len; first += p->block_steps) {
    int64_t count = len - first < p->block_steps ? len - first : p->block_steps;
    for (int64_t k = 0; k < count; k++) {
      int64_t t = reverse ? len - 1 - (first + k) : first + k;
      float *row = rows + k * width;
      memcpy(row, f.bias, sizeof(float) * (size_t)width);
      f.k->add_vec_mat(row, f.wt, width, x + x_offset(a, s, t, b), s->input, width / LANES);
    }
    for (int64_t k = 0; k < count; k++) {
      int64_t t = reverse ? len - 1 - (first + k) : first + k;
      float *g = rows + k * width;
      if (s->cell == CELL_LSTM)
        lstm_step_fast(&f, g);
      else if (s->cell == CELL_GRU)
        gru_step_fast(&f, g);
      else
        rnn_step_fast(&f, g);
      store_state(y, y_offset(a, s, t, d, b), n, h);
    }
  }
  if (y)
    for (int64_t t = len; t < s->seq; t++)
      memset((float *)y->data + y_offset(a, s, t, d, b), 0, sizeof(float) * (size_t)n);
  store_state(er_output(ctx, OUT_Y_H), state_at, n, h);
  if (s->cell == CELL_LSTM) store_state(er_output(ctx, OUT_Y_C), state_at, n, c);
  return EDGERT_OK;
}

static edgert_status rnn_eval(er_op_ctx *ctx) {
  const rnn_shape *s = ctx->op_data;
  float *scratch = ctx->scratch;
  rnn_state st = {scratch, scratch + s->hidden, scratch + 2 * s->hidden,
                  scratch + (2 + s->gates) * s->hidden};
  for (int64_t d = 0; d < s->dirs; d++)
    for (int64_t b = 0; b < s->batch; b++) {
      edgert_status status = s->fast ? run_one_fast(ctx, s, d, b, scratch) : run_one(ctx, s, d, b, &st);
      if (status != EDGERT_OK) return status;
    }
  return EDGERT_OK;
}

static edgert_status onnx_rnn_prepare(er_op_ctx *ctx) { return rnn_prepare(ctx, CELL_RNN); }
static edgert_status onnx_gru_prepare(er_op_ctx *ctx) { return rnn_prepare(ctx, CELL_GRU); }
static edgert_status onnx_lstm_prepare(er_op_ctx *ctx) { return rnn_prepare(ctx, CELL_LSTM); }

const er_kernel er_kernel_onnx_rnn = {.prepare = onnx_rnn_prepare, .eval = rnn_eval};
const er_kernel er_kernel_onnx_gru = {.prepare = onnx_gru_prepare, .eval = rnn_eval};
const er_kernel er_kernel_onnx_lstm = {.prepare = onnx_lstm_prepare, .eval = rnn_eval};
