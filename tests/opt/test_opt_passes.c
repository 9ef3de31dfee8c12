/* The graph passes of src/opt/, each alone on small graphs built here: a pass changes the node count as
 * expected, and the graph runs to the same outputs (tight tolerance) as the graph it came from; the cases a
 * pass must leave alone (a second reader, a graph output, non-constant parameters, a non-float32 op) are
 * left alone. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/model.h"
#include "edgert.h"
#include "opt/opt.h"
#include "test.h"
#include "test_random.h"

/* ---- building graphs ---- */

#define MAX_T 32
#define MAX_N 16

typedef struct {
  er_graph g;
  er_tensor tensors[MAX_T];
  er_node nodes[MAX_N];
  int32_t inputs[4], outputs[4];
  int nt, nn, ni, no;
} builder;

static uint32_t rng_state = 12345u;
static float uniform(void) { /* in [-1, 1) */
  return (float)test_random_next(&rng_state) / (float)0x800000 - 1.0f;
}

static int tensor(builder *b, edgert_dtype dtype, int ndim, const int64_t *dims, const void *data) {
  int id = b->nt++;
  er_tensor *t = &b->tensors[id];
  memset(t, 0, sizeof *t);
  t->dtype = dtype;
  t->ndim = ndim;
  for (int i = 0; i < ndim; i++)
    t->dims[i] = dims[i];
  if (data) {
    er_bytes_for(dtype, er_tensor_elements(t), &t->bytes);
    t->data = er_graph_alloc(&b->g, t->bytes ? t->bytes : 1);
    memcpy(t->data, data, t->bytes);
    t->kind = ER_TENSOR_CONST;
  }
  return id;
}

static int activation(builder *b) { return tensor(b, EDGERT_FLOAT32, 0, NULL, NULL); }

/* A constant float32 tensor of random values; positive_from > 0 makes them >= positive_from (variances). */
static int random_const(builder *b, int ndim, const int64_t *dims, float positive_from) {
  int64_t count = er_shape_elements(ndim, dims);
  float *v = malloc(sizeof(float) * (size_t)(count ? count : 1));
  for (int64_t i = 0; i < count; i++)
    v[i] = positive_from > 0 ? positive_from + fabsf(uniform()) : uniform();
  int id = tensor(b, EDGERT_FLOAT32, ndim, dims, v);
  free(v);
  return id;
}

static int scalar_const(builder *b, float v) { return tensor(b, EDGERT_FLOAT32, 0, NULL, &v); }

static void node(builder *b, er_op op, const void *attrs, size_t attrs_size, int n_in, const int *in,
                 int n_out, const int *out) {
  er_node *n = &b->nodes[b->nn];
  memset(n, 0, sizeof *n);
  n->op = op;
  n->index = b->nn++;
  int32_t *ins = er_graph_alloc_array(&b->g, (size_t)(n_in ? n_in : 1), sizeof(int32_t));
  int32_t *outs = er_graph_alloc_array(&b->g, (size_t)n_out, sizeof(int32_t));
  for (int i = 0; i < n_in; i++)
    ins[i] = in[i];
  for (int i = 0; i < n_out; i++)
    outs[i] = out[i];
  n->n_inputs = n_in, n->n_outputs = n_out;
  n->inputs = ins, n->outputs = outs;
  if (attrs) {
    void *a = er_graph_alloc(&b->g, attrs_size);
    memcpy(a, attrs, attrs_size);
    n->attrs = a;
  }
}

static void io(builder *b, int n_in, const int *in, int n_out, const int *out) {
  b->ni = n_in, b->no = n_out;
  for (int i = 0; i < n_in; i++)
    b->inputs[i] = in[i];
  for (int i = 0; i < n_out; i++)
    b->outputs[i] = out[i];
}

/* The finished graph (er_graph_finish passed), owning everything b allocated. */
static er_graph finish(builder *b) {
  er_graph g = b->g;
  g.n_tensors = b->nt, g.n_nodes = b->nn, g.n_inputs = b->ni, g.n_outputs = b->no;
  g.tensors = er_graph_alloc_array(&g, (size_t)b->nt, sizeof(er_tensor));
  g.nodes = er_graph_alloc_array(&g, (size_t)b->nn, sizeof(er_node));
  int32_t *ins = er_graph_alloc_array(&g, 4, sizeof(int32_t)),
          *outs = er_graph_alloc_array(&g, 4, sizeof(int32_t));
  memcpy(g.tensors, b->tensors, sizeof(er_tensor) * (size_t)b->nt);
  memcpy(g.nodes, b->nodes, sizeof(er_node) * (size_t)b->nn);
  memcpy(ins, b->inputs, sizeof b->inputs);
  memcpy(outs, b->outputs, sizeof b->outputs);
  g.inputs = ins, g.outputs = outs;
  char err[256] = {0};
  edgert_status st = er_graph_finish(&g, NULL, err, sizeof err);
  CHECK_MSG(st == EDGERT_OK, "test graph is malformed: %s", err);
  return g;
}

/* ---- running them ---- */

#define MAX_OUT 4096

/* Runs g (taking it) on one float32 input of `count` values; writes output 0 into out, its count into
 * *out_count. */
static edgert_status run(er_graph *g, const float *input, size_t count, float *out, size_t *out_count) {
  edgert_model *m = NULL;
  edgert_interpreter *it = NULL;
  edgert_status st = er_model_from_graph(g, &m);
  if (st == EDGERT_OK) st = edgert_interpreter_create(m, NULL, &it);
  if (st == EDGERT_OK) st = edgert_interpreter_set_input(it, 0, input, count * sizeof(float));
  if (st == EDGERT_OK) st = edgert_interpreter_invoke(it);
  if (st == EDGERT_OK) {
    edgert_tensor_info info;
    edgert_interpreter_output_info(it, 0, &info);
    *out_count = info.bytes / sizeof(float);
    if (*out_count <= MAX_OUT) memcpy(out, edgert_interpreter_output_data(it, 0), info.bytes);
  } else {
    fprintf(stderr, "run failed: %s %s\n", edgert_model_error(m), it ? edgert_interpreter_error(it) : "");
  }
  edgert_interpreter_free(it);
  edgert_model_free(m);
  return st;
}

typedef void (*build_fn)(builder *b, int variant);
typedef edgert_status (*pass_fn)(er_graph *g, int32_t *changed);

typedef struct {
  int32_t changed;
  int32_t nodes_before, nodes_after;
  const er_node *first; /* node 0 after the pass (valid until the graph is run) */
} pass_result;

/* Builds the graph twice, runs one as built and one after the pass on the same random input, and checks
 * the outputs agree: |a - b| <= 1e-5 * (1 + |a|). `inspect` sees the rewritten graph before it runs. */
static pass_result check_pass(build_fn build, int variant, pass_fn pass, size_t input_count,
                              void (*inspect)(const er_graph *g)) {
  pass_result r = {0};
  builder b1, b2;
  memset(&b1, 0, sizeof b1);
  memset(&b2, 0, sizeof b2);
  uint32_t seed = rng_state;
  build(&b1, variant);
  rng_state = seed; /* the same constants */
  build(&b2, variant);
  er_graph plain = finish(&b1), optimized = finish(&b2);
  r.nodes_before = optimized.n_nodes;
  CHECK(pass(&optimized, &r.changed) == EDGERT_OK);
  r.nodes_after = optimized.n_nodes;
  char err[256] = {0};
  CHECK_MSG(er_graph_finish(&optimized, NULL, err, sizeof err) == EDGERT_OK,
            "pass left a malformed graph: %s", err);
  if (inspect) inspect(&optimized);
  float *input = malloc(sizeof(float) * input_count);
  for (size_t i = 0; i < input_count; i++)
    input[i] = 3.0f * uniform();
  static float want[MAX_OUT], got[MAX_OUT];
  size_t n_want = 0, n_got = 0;
  CHECK(run(&plain, input, input_count, want, &n_want) == EDGERT_OK);
  CHECK(run(&optimized, input, input_count, got, &n_got) == EDGERT_OK);
  CHECK_EQ_INT(n_got, n_want);
  CHECK(n_want > 0 && n_want <= MAX_OUT);
  double worst = 0;
  for (size_t i = 0; i < n_want && i < MAX_OUT && n_got == n_want; i++) {
    double d = fabs((double)got[i] - want[i]) / (1.0 + fabs(want[i]));
    if (d > worst) worst = d;
  }
  CHECK_MSG(worst <= 1e-5, "variant %d: outputs differ by %g (relative)", variant, worst);
  free(input);
  return r;
}

/* ---- BatchNorm folding ---- */

static er_conv_nd_attrs conv_attrs(int group) {
  er_conv_nd_attrs a;
  memset(&a, 0, sizeof a);
  a.group = group;
  a.auto_pad = ER_PAD_EXPLICIT;
  a.n_pads = 4;
  a.pads[0] = a.pads[1] = a.pads[2] = a.pads[3] = 1;
  return a;
}

static int batch_norm(builder *b, int x, int64_t channels, int mean_from_input) {
  er_norm_attrs na;
  memset(&na, 0, sizeof na);
  na.epsilon = 1e-3f;
  int scale = random_const(b, 1, &channels, 0), bias = random_const(b, 1, &channels, 0);
  int mean = mean_from_input >= 0 ? mean_from_input : random_const(b, 1, &channels, 0);
  int var = random_const(b, 1, &channels, 0.25f);
  int y = activation(b);
  node(b, ER_OP_BATCH_NORM, &na, sizeof na, 5, (int[]){x, scale, bias, mean, var}, 1, (int[]){y});
  return y;
}

/* Leaves constant t's bytes where an ONNX model's misaligned raw_data leaves them: at an odd address,
 * data NULL (tensor.h: file_bytes). */
static void leave_in_file(builder *b, int t) {
  er_tensor *v = &b->tensors[t];
  unsigned char *file = er_graph_alloc(&b->g, v->bytes + 1);
  memcpy(file + 1, v->data, v->bytes);
  v->file_bytes = file + 1;
  v->data = NULL;
}

/* Variants: 0 conv with bias; 1 conv without bias, group 2; 2 the conv output is also read by an ADD;
 * 3 the conv output is a graph output; 4 the mean is a graph input; 5 the BN follows a RELU; 6 the conv's
 * weight input is absent (a malformed model, which the conv's prepare refuses; the pass must not read
 * tensor -1); 7 as 0, with the weights and BN parameters left in the file; 8 as 7 with 32 channels in, 512
 * out and a 2x2 kernel. */
static void build_conv_bn(builder *b, int variant) {
  int64_t x_dims[4] = {1, 4, 5, 6}, w_dims[4] = {6, variant == 1 ? 2 : 4, 3, 3}, c = 6;
  if (variant == 8) { /* 256 KiB of weights, a kernel that reads them in place */
    int64_t big_x[4] = {1, 32, 1, 2}, big_w[4] = {512, 32, 2, 2};
    memcpy(x_dims, big_x, sizeof x_dims);
    memcpy(w_dims, big_w, sizeof w_dims);
    c = 512;
  }
  int x = tensor(b, EDGERT_FLOAT32, 4, x_dims, NULL);
  int mean_input = variant == 4 ? tensor(b, EDGERT_FLOAT32, 1, &c, NULL) : -1;
  int w = variant == 6 ? -1 : random_const(b, 4, w_dims, 0),
      bias = variant == 1 ? -1 : random_const(b, 1, &c, 0);
  int conv_out = activation(b);
  er_conv_nd_attrs ca = conv_attrs(variant == 1 ? 2 : 1);
  node(b, ER_OP_CONV_ND, &ca, sizeof ca, 3, (int[]){x, w, bias}, 1, (int[]){conv_out});
  int bn_in = conv_out;
  if (variant == 5) {
    bn_in = activation(b);
    node(b, ER_OP_RELU, NULL, 0, 1, (int[]){conv_out}, 1, (int[]){bn_in});
  }
  int y = batch_norm(b, bn_in, c, mean_input);
  if (variant >= 7)
    for (int t = 0; t < b->nt; t++)
      if (b->tensors[t].kind == ER_TENSOR_CONST) leave_in_file(b, t);
  if (variant == 2) {
    int sum = activation(b);
    node(b, ER_OP_ADD, NULL, 0, 2, (int[]){y, conv_out}, 1, (int[]){sum});
    y = sum;
  }
  if (variant == 3)
    io(b, 1, (int[]){x}, 2, (int[]){y, conv_out});
  else if (variant == 4)
    io(b, 2, (int[]){x, mean_input}, 1, (int[]){y});
  else
    io(b, 1, (int[]){x}, 1, (int[]){y});
}

static void test_batch_norm_folds_into_conv(void) {
  for (int variant = 0; variant <= 8; variant += variant == 1 ? 6 : 1) {
    pass_result r = check_pass(build_conv_bn, variant, er_opt_fold_batch_norm,
                               variant == 8 ? 32 * 1 * 2 : 4 * 5 * 6, NULL);
    CHECK_EQ_INT(r.changed, 1);
    CHECK_EQ_INT(r.nodes_after, r.nodes_before - 1);
  }
}

static void test_batch_norm_not_folded_when_unsafe(void) {
  for (int variant = 2; variant <= 6; variant++) {
    builder b;
    memset(&b, 0, sizeof b);
    build_conv_bn(&b, variant);
    er_graph g = finish(&b);
    int32_t before = g.n_nodes, changed = -1;
    CHECK(er_opt_fold_batch_norm(&g, &changed) == EDGERT_OK);
    CHECK_MSG(changed == 0 && g.n_nodes == before, "variant %d was folded", variant);
    er_graph_free(&g);
  }
}

/* Variants: 0 trans_b with C [N], alpha and beta not 1; 1 B [K, N] without C; 2 C a scalar. */
static void build_gemm_bn(builder *b, int variant) {
  int64_t x_dims[2] = {3, 7}, n = 5;
  int64_t b_dims[2] = {variant == 0 ? 5 : 7, variant == 0 ? 7 : 5};
  er_gemm_attrs ga;
  memset(&ga, 0, sizeof ga);
  ga.alpha = variant == 0 ? 0.75f : 1.0f;
  ga.beta = variant == 0 ? 0.5f : 1.0f;
  ga.trans_b = variant == 0;
  int x = tensor(b, EDGERT_FLOAT32, 2, x_dims, NULL);
  int w = random_const(b, 2, b_dims, 0);
  int c = variant == 0 ? random_const(b, 1, &n, 0) : variant == 2 ? scalar_const(b, 0.3f) : -1;
  int y = activation(b);
  node(b, ER_OP_GEMM, &ga, sizeof ga, c >= 0 ? 3 : 2, (int[]){x, w, c}, 1, (int[]){y});
  int z = batch_norm(b, y, n, -1);
  io(b, 1, (int[]){x}, 1, (int[]){z});
}

static void test_batch_norm_folds_into_gemm(void) {
  for (int variant = 0; variant <= 2; variant++) {
    pass_result r = check_pass(build_gemm_bn, variant, er_opt_fold_batch_norm, 3 * 7, NULL);
    CHECK_EQ_INT(r.changed, 1);
    CHECK_EQ_INT(r.nodes_after, 1);
  }
}

/* ---- activation fusion ---- */

enum {
  ACT_RELU,
  ACT_RELU6,
  ACT_CLIP_MIN_ONLY,
  ACT_CLIP_ZERO_MIN, /* Clip(0, none) is a ReLU */
  ACT_HARD_SWISH,
  ACT_SILU,             /* MUL(LOGISTIC(x), x) */
  ACT_HARD_SWISH_GATED, /* MUL(x, HARD_SIGMOID(x)) */
  ACT_GEMM_RELU,
  ACT_GEMM_SILU,
  ACT_FUSABLE_COUNT,
  /* left alone */
  ACT_SECOND_READER = ACT_FUSABLE_COUNT,
  ACT_CONV_OUTPUT_IS_GRAPH_OUTPUT,
  ACT_FLOAT64,
  ACT_CLIP_BOUND_FROM_INPUT,
  ACT_CLIP_MIN_ABOVE_MAX,
  ACT_GATE_IS_GRAPH_OUTPUT,
  ACT_HARD_SIGMOID_OTHER_SLOPE,
  ACT_COUNT
};

static const er_activation expected_kind[ACT_FUSABLE_COUNT] = {
    ER_ACT_RELU, ER_ACT_CLIP,       ER_ACT_CLIP, ER_ACT_RELU, ER_ACT_HARD_SWISH,
    ER_ACT_SILU, ER_ACT_HARD_SWISH, ER_ACT_RELU, ER_ACT_SILU};

static int gated(builder *b, int x, er_op gate_op, float alpha, bool gate_is_output, int *gate_out) {
  int s = activation(b), y = activation(b);
  er_unary_params_attrs hs = {alpha, 0.5f, 0.0f};
  node(b, gate_op, gate_op == ER_OP_HARD_SIGMOID ? &hs : NULL, sizeof hs, 1, (int[]){x}, 1, (int[]){s});
  node(b, ER_OP_MUL, NULL, 0, 2, gate_op == ER_OP_LOGISTIC ? (int[]){s, x} : (int[]){x, s}, 1, (int[]){y});
  (void)gate_is_output;
  *gate_out = s;
  return y;
}

static void build_conv_act(builder *b, int variant) {
  bool f64 = variant == ACT_FLOAT64, gemm = variant == ACT_GEMM_RELU || variant == ACT_GEMM_SILU;
  edgert_dtype dt = f64 ? EDGERT_FLOAT64 : EDGERT_FLOAT32;
  int64_t x_dims[4] = {1, 3, 4, 5}, w_dims[4] = {4, 3, 3, 3}, c = 4;
  int64_t gx_dims[2] = {2, 6}, gw_dims[2] = {6, 4};
  int x = tensor(b, dt, gemm ? 2 : 4, gemm ? gx_dims : x_dims, NULL), w, bias;
  if (f64) {
    double wv[4 * 3 * 3 * 3], bv[4];
    for (int i = 0; i < 108; i++)
      wv[i] = uniform();
    for (int i = 0; i < 4; i++)
      bv[i] = uniform();
    w = tensor(b, dt, 4, w_dims, wv);
    bias = tensor(b, dt, 1, &c, bv);
  } else {
    w = random_const(b, gemm ? 2 : 4, gemm ? gw_dims : w_dims, 0);
    bias = random_const(b, 1, &c, 0);
  }
  int y = tensor(b, dt, 0, NULL, NULL), bound_input = -1;
  if (gemm) {
    er_gemm_attrs ga;
    memset(&ga, 0, sizeof ga);
    ga.alpha = ga.beta = 1.0f;
    node(b, ER_OP_GEMM, &ga, sizeof ga, 3, (int[]){x, w, bias}, 1, (int[]){y});
  } else {
    er_conv_nd_attrs ca = conv_attrs(1);
    node(b, ER_OP_CONV_ND, &ca, sizeof ca, 3, (int[]){x, w, bias}, 1, (int[]){y});
  }
  int z = tensor(b, dt, 0, NULL, NULL), extra_output = -1, gate = -1;
  switch (variant) {
  case ACT_RELU:
  case ACT_GEMM_RELU:
  case ACT_FLOAT64:
  case ACT_SECOND_READER:
  case ACT_CONV_OUTPUT_IS_GRAPH_OUTPUT: node(b, ER_OP_RELU, NULL, 0, 1, (int[]){y}, 1, (int[]){z}); break;
  case ACT_RELU6:
    node(b, ER_OP_CLIP, NULL, 0, 3, (int[]){y, scalar_const(b, 0.0f), scalar_const(b, 6.0f)}, 1, (int[]){z});
    break;
  case ACT_CLIP_MIN_ONLY:
    node(b, ER_OP_CLIP, NULL, 0, 3, (int[]){y, scalar_const(b, -0.5f), -1}, 1, (int[]){z});
    break;
  case ACT_CLIP_ZERO_MIN:
    node(b, ER_OP_CLIP, NULL, 0, 2, (int[]){y, scalar_const(b, 0.0f)}, 1, (int[]){z});
    break;
  case ACT_CLIP_MIN_ABOVE_MAX:
    node(b, ER_OP_CLIP, NULL, 0, 3, (int[]){y, scalar_const(b, 1.0f), scalar_const(b, 0.5f)}, 1, (int[]){z});
    break;
  case ACT_CLIP_BOUND_FROM_INPUT: {
    bound_input = tensor(b, EDGERT_FLOAT32, 0, NULL, NULL);
    node(b, ER_OP_CLIP, NULL, 0, 3, (int[]){y, bound_input, scalar_const(b, 6.0f)}, 1, (int[]){z});
    break;
  }
  case ACT_HARD_SWISH: node(b, ER_OP_HARD_SWISH, NULL, 0, 1, (int[]){y}, 1, (int[]){z}); break;
  case ACT_SILU:
  case ACT_GEMM_SILU:
  case ACT_GATE_IS_GRAPH_OUTPUT: z = gated(b, y, ER_OP_LOGISTIC, 0, false, &gate); break;
  case ACT_HARD_SWISH_GATED: z = gated(b, y, ER_OP_HARD_SIGMOID, 1.0f / 6.0f, false, &gate); break;
  case ACT_HARD_SIGMOID_OTHER_SLOPE: z = gated(b, y, ER_OP_HARD_SIGMOID, 0.2f, false, &gate); break;
  }
  if (variant == ACT_SECOND_READER) {
    extra_output = activation(b);
    node(b, ER_OP_ADD, NULL, 0, 2, (int[]){z, y}, 1, (int[]){extra_output});
    z = extra_output, extra_output = -1;
  }
  if (variant == ACT_CONV_OUTPUT_IS_GRAPH_OUTPUT) extra_output = y;
  if (variant == ACT_GATE_IS_GRAPH_OUTPUT) extra_output = gate;
  if (bound_input >= 0)
    io(b, 2, (int[]){x, bound_input}, 1, (int[]){z});
  else if (extra_output >= 0)
    io(b, 1, (int[]){x}, 2, (int[]){z, extra_output});
  else
    io(b, 1, (int[]){x}, 1, (int[]){z});
}

/* Every fusion the pass knows (GEMM's as far as its kernel applies them). */
static edgert_status fuse_all(er_graph *g, int32_t *changed) {
  er_fusion_choice all = {ER_OPT_FUSE_INTO_GEMM != 0, true};
  return er_opt_fuse_activations(g, &all, changed);
}

static int inspected_variant;
static void inspect_fused(const er_graph *g) {
  CHECK_EQ_INT(g->n_nodes, 1);
  const er_node *n = &g->nodes[0];
  er_activation kind;
  float lo, hi;
  if (n->op == ER_OP_CONV_ND) {
    const er_conv_nd_attrs *a = n->attrs;
    kind = a->activation, lo = a->act_min, hi = a->act_max;
  } else {
    const er_gemm_attrs *a = n->attrs;
    kind = a->activation, lo = a->act_min, hi = a->act_max;
  }
  CHECK_EQ_INT(kind, expected_kind[inspected_variant]);
  if (inspected_variant == ACT_RELU6) CHECK(lo == 0.0f && hi == 6.0f);
  if (inspected_variant == ACT_CLIP_MIN_ONLY) CHECK(lo == -0.5f && isinf(hi) && hi > 0);
  CHECK_EQ_INT(n->outputs[0], g->outputs[0]);
}

static void test_activations_fuse(void) {
  for (int variant = 0; variant < ACT_FUSABLE_COUNT; variant++) {
    inspected_variant = variant;
    bool gemm = variant == ACT_GEMM_RELU || variant == ACT_GEMM_SILU;
    if (gemm && !ER_OPT_FUSE_INTO_GEMM) continue; /* GEMM's kernel would compute without it */
    pass_result r = check_pass(build_conv_act, variant, fuse_all, gemm ? 12 : 60, inspect_fused);
    CHECK_MSG(r.changed == 1, "variant %d: %d fused", variant, (int)r.changed);
  }
}

/* The default choice leaves hard swish and SiLU to their own nodes (for now). */
static void test_default_fusions(void) {
  er_fusion_choice defaults = er_opt_default_fusions();
  for (int variant = 0; variant < ACT_FUSABLE_COUNT; variant++) {
    builder b;
    memset(&b, 0, sizeof b);
    build_conv_act(&b, variant);
    er_graph g = finish(&b);
    int32_t changed = -1;
    er_activation kind = expected_kind[variant];
    bool smooth = kind == ER_ACT_HARD_SWISH || kind == ER_ACT_SILU;
    bool gemm = variant == ACT_GEMM_RELU || variant == ACT_GEMM_SILU;
    CHECK(er_opt_fuse_activations(&g, NULL, &changed) == EDGERT_OK);
    CHECK_MSG(changed == ((!smooth || defaults.smooth) && (!gemm || defaults.into_gemm)), "variant %d",
              variant);
    er_graph_free(&g);
  }
}

static void test_activations_left_alone(void) {
  for (int variant = ACT_FUSABLE_COUNT; variant < ACT_COUNT; variant++) {
    builder b;
    memset(&b, 0, sizeof b);
    build_conv_act(&b, variant);
    er_graph g = finish(&b);
    int32_t before = g.n_nodes, changed = -1;
    CHECK(fuse_all(&g, &changed) == EDGERT_OK);
    CHECK_MSG(changed == 0 && g.n_nodes == before, "variant %d was fused", variant);
    er_graph_free(&g);
  }
}

/* BatchNorm folding then fusion: CONV -> BN -> RELU becomes one CONV_ND with a ReLU. */
static void build_conv_bn_relu(builder *b, int variant) {
  (void)variant;
  int64_t x_dims[4] = {2, 3, 4, 4}, w_dims[4] = {5, 3, 1, 1}, c = 5;
  int x = tensor(b, EDGERT_FLOAT32, 4, x_dims, NULL), w = random_const(b, 4, w_dims, 0);
  int y = activation(b), r = activation(b);
  er_conv_nd_attrs ca;
  memset(&ca, 0, sizeof ca);
  ca.group = 1;
  node(b, ER_OP_CONV_ND, &ca, sizeof ca, 2, (int[]){x, w}, 1, (int[]){y});
  int z = batch_norm(b, y, c, -1);
  node(b, ER_OP_RELU, NULL, 0, 1, (int[]){z}, 1, (int[]){r});
  io(b, 1, (int[]){x}, 1, (int[]){r});
}

static edgert_status all_passes(er_graph *g, int32_t *changed) {
  er_opt_stats stats = {0};
  char err[128];
  edgert_status st = er_opt_run(g, &stats, err, sizeof err);
  *changed = stats.noops_removed + stats.batch_norms_folded + stats.activations_fused;
  CHECK_EQ_INT(stats.batch_norms_folded, 1);
  CHECK_EQ_INT(stats.activations_fused, 1);
  return st;
}

static void test_fold_then_fuse(void) {
  pass_result r = check_pass(build_conv_bn_relu, 0, all_passes, 2 * 3 * 16, NULL);
  CHECK_EQ_INT(r.nodes_after, 1);
}

/* ---- no-op removal ---- */

enum {
  NOOP_ONNX_RESHAPE_COPY_DIMS, /* [0, 0, -1] on a rank-3 input */
  NOOP_RESHAPE_CHANNELS,       /* conv [N, 4, H, W] -> [0, 4, -1, 0] */
  NOOP_FLATTEN_RANK2,
  NOOP_CAST_SAME_TYPE,
  NOOP_TFLITE_RESHAPE, /* GEMM [N, 5] -> RESHAPE [-1, 5] (int32 shape) */
  NOOP_SQUEEZE_EMPTY_AXES,
  NOOP_REMOVABLE_COUNT,
  NOOP_RESHAPE_LITERAL = NOOP_REMOVABLE_COUNT, /* [2, 3, 4]: the input may be resized */
  NOOP_RESHAPE_OTHER_SHAPE,
  NOOP_RESHAPE_IS_GRAPH_OUTPUT,
  NOOP_FLATTEN_RANK4,
  NOOP_COUNT
};

static int index_const(builder *b, edgert_dtype dt, int count, const int64_t *v) {
  int64_t dims[1] = {count};
  int32_t v32[8];
  for (int i = 0; i < count; i++)
    v32[i] = (int32_t)v[i];
  return tensor(b, dt, 1, dims, dt == EDGERT_INT32 ? (const void *)v32 : (const void *)v);
}

static void build_noop(builder *b, int variant) {
  int64_t x_dims[3] = {2, 3, 4};
  int x = tensor(b, EDGERT_FLOAT32, 3, x_dims, NULL);
  int a = activation(b), y = activation(b), z = activation(b);
  node(b, ER_OP_RELU, NULL, 0, 1, (int[]){x}, 1, (int[]){a});
  switch (variant) {
  case NOOP_ONNX_RESHAPE_COPY_DIMS:
  case NOOP_RESHAPE_LITERAL:
  case NOOP_RESHAPE_OTHER_SHAPE:
  case NOOP_RESHAPE_IS_GRAPH_OUTPUT: {
    const int64_t copy[3] = {0, 0, -1}, literal[3] = {2, 3, 4}, other[3] = {0, -1, 2};
    const int64_t *shape = variant == NOOP_RESHAPE_LITERAL       ? literal
                           : variant == NOOP_RESHAPE_OTHER_SHAPE ? other
                                                                 : copy;
    er_onnx_reshape_attrs ra = {false};
    node(b, ER_OP_ONNX_RESHAPE, &ra, sizeof ra, 2, (int[]){a, index_const(b, EDGERT_INT64, 3, shape)}, 1,
         (int[]){y});
    break;
  }
  case NOOP_RESHAPE_CHANNELS: {
    /* x read as [N=2, C=3, H=4, W=1] would need rank 4: use a conv on a rank-4 view instead */
    int64_t r4[4] = {2, 3, 4, 1}, w_dims[4] = {4, 3, 1, 1};
    int v = activation(b), c = activation(b);
    er_onnx_reshape_attrs ra = {false};
    node(b, ER_OP_ONNX_RESHAPE, &ra, sizeof ra, 2, (int[]){a, index_const(b, EDGERT_INT64, 4, r4)}, 1,
         (int[]){v});
    er_conv_nd_attrs ca;
    memset(&ca, 0, sizeof ca);
    ca.group = 1;
    node(b, ER_OP_CONV_ND, &ca, sizeof ca, 2, (int[]){v, random_const(b, 4, w_dims, 0)}, 1, (int[]){c});
    const int64_t keep[4] = {0, 4, -1, 0};
    node(b, ER_OP_ONNX_RESHAPE, &ra, sizeof ra, 2, (int[]){c, index_const(b, EDGERT_INT64, 4, keep)}, 1,
         (int[]){y});
    break;
  }
  case NOOP_FLATTEN_RANK2:
  case NOOP_FLATTEN_RANK4: {
    int f = a;
    if (variant == NOOP_FLATTEN_RANK2) {
      er_flatten_attrs fa0 = {1};
      f = activation(b);
      node(b, ER_OP_FLATTEN, &fa0, sizeof fa0, 1, (int[]){a}, 1, (int[]){f}); /* [2, 12]: kept */
    }
    er_flatten_attrs fa = {variant == NOOP_FLATTEN_RANK2 ? 1 : 2};
    node(b, ER_OP_FLATTEN, &fa, sizeof fa, 1, (int[]){f}, 1, (int[]){y});
    break;
  }
  case NOOP_CAST_SAME_TYPE: {
    er_cast_attrs ca = {EDGERT_FLOAT32};
    node(b, ER_OP_CAST, &ca, sizeof ca, 1, (int[]){a}, 1, (int[]){y});
    break;
  }
  case NOOP_TFLITE_RESHAPE: {
    int64_t f_dims[2] = {6, 4}, w_dims[2] = {4, 5};
    const int64_t shape2[2] = {6, 4}, keep[2] = {-1, 5};
    int f = activation(b), gm = activation(b);
    er_reshape_attrs ra;
    memset(&ra, 0, sizeof ra);
    ra.ndim = -1;
    (void)f_dims;
    node(b, ER_OP_RESHAPE, &ra, sizeof ra, 2, (int[]){a, index_const(b, EDGERT_INT32, 2, shape2)}, 1,
         (int[]){f});
    er_gemm_attrs ga;
    memset(&ga, 0, sizeof ga);
    ga.alpha = ga.beta = 1.0f;
    node(b, ER_OP_GEMM, &ga, sizeof ga, 2, (int[]){f, random_const(b, 2, w_dims, 0)}, 1, (int[]){gm});
    node(b, ER_OP_RESHAPE, &ra, sizeof ra, 2, (int[]){gm, index_const(b, EDGERT_INT32, 2, keep)}, 1,
         (int[]){y});
    break;
  }
  case NOOP_SQUEEZE_EMPTY_AXES: {
    int64_t zero = 0;
    node(b, ER_OP_ONNX_SQUEEZE, NULL, 0, 2, (int[]){a, tensor(b, EDGERT_INT64, 1, &zero, &zero)}, 1,
         (int[]){y});
    break;
  }
  }
  if (variant == NOOP_RESHAPE_IS_GRAPH_OUTPUT) {
    io(b, 1, (int[]){x}, 1, (int[]){y});
    return;
  }
  node(b, ER_OP_LOGISTIC, NULL, 0, 1, (int[]){y}, 1, (int[]){z});
  io(b, 1, (int[]){x}, 1, (int[]){z});
}

static void test_noops_removed(void) {
  for (int variant = 0; variant < NOOP_REMOVABLE_COUNT; variant++) {
    pass_result r = check_pass(build_noop, variant, er_opt_remove_noops, 24, NULL);
    CHECK_MSG(r.changed == 1 && r.nodes_after == r.nodes_before - 1, "variant %d: %d removed", variant,
              (int)r.changed);
  }
}

static void test_noops_kept(void) {
  for (int variant = NOOP_REMOVABLE_COUNT; variant < NOOP_COUNT; variant++) {
    pass_result r = check_pass(build_noop, variant, er_opt_remove_noops, 24, NULL);
    CHECK_MSG(r.changed == 0 && r.nodes_after == r.nodes_before, "variant %d: %d removed", variant,
              (int)r.changed);
  }
}

void run_tests(void) {
  RUN(test_batch_norm_folds_into_conv);
  RUN(test_batch_norm_not_folded_when_unsafe);
  RUN(test_batch_norm_folds_into_gemm);
  RUN(test_activations_fuse);
  RUN(test_default_fusions);
  RUN(test_activations_left_alone);
  RUN(test_fold_then_fuse);
  RUN(test_noops_removed);
  RUN(test_noops_kept);
}
