/* Tests of the TFLite importer (src/formats/tflite/).
 *
 * 1. Real models from ../shared/fixtures/tflite-micro import, and what they hold matches the facts
 *    printed by FlatBuffers' own tool: `flatc --json --strict-json --defaults-json` over TFLite's
 *    schema.fbs (flatc 2.0.8, Debian's flatbuffers-compiler), an implementation independent of ours.
 *    Float values there are printed to 6 significant digits, hence the tolerances.
 * 2. Small models written by tests/formats/fb_builder.h check option defaults and each refusal.
 * 3. Truncated, bit-flipped and random inputs never crash: each gives OK or an error with a message.
 *    (Run under -DEDGERT_SANITIZE=ON to let AddressSanitizer watch every read.) */
#include <dirent.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/model.h"
#include "fb_builder.h"
#include "formats/tflite/tflite_import.h"
#include "test.h"

/* ---- helpers ---- */

typedef struct {
  unsigned char *bytes;
  size_t size;
  er_graph g;
  edgert_status st;
  char err[512];
} imported;

static bool import_fixture(const char *rel, imported *m) {
  memset(m, 0, sizeof *m);
  m->bytes = test_read_file(test_fixture(rel), &m->size);
  CHECK_MSG(m->bytes != NULL, "cannot read fixture %s", rel);
  if (!m->bytes) return false;
  m->st = er_tflite_import(m->bytes, m->size, NULL, &m->g, m->err, sizeof m->err);
  CHECK_MSG(m->st == EDGERT_OK, "%s: %s", rel, m->err);
  return m->st == EDGERT_OK;
}

static void release(imported *m) {
  er_graph_free(&m->g);
  free(m->bytes);
}

static void check_shape(const er_tensor *t, int ndim, const int64_t *dims) {
  CHECK_EQ_INT(t->ndim, ndim);
  for (int i = 0; i < ndim && i < t->ndim; i++)
    CHECK_EQ_INT(t->dims[i], dims[i]);
}

static bool points_into(const imported *m, const void *p) {
  const unsigned char *c = p;
  return c >= m->bytes && c < m->bytes + m->size;
}

/* ---- real models ---- */

static void test_hello_world_int8(void) {
  imported m;
  if (!import_fixture("models/hello_world_int8.tflite", &m)) return;
  er_graph *g = &m.g;
  CHECK_EQ_INT(g->n_tensors, 10);
  CHECK_EQ_INT(g->n_nodes, 3);
  for (int i = 0; i < g->n_nodes && i < 3; i++)
    CHECK_EQ_INT(g->nodes[i].op, ER_OP_FULLY_CONNECTED);
  CHECK_EQ_INT(g->n_inputs, 1);
  CHECK_EQ_INT(g->n_outputs, 1);
  CHECK_EQ_INT(g->inputs[0], 0);
  CHECK_EQ_INT(g->outputs[0], 9);
  const er_tensor *in = &g->tensors[0];
  CHECK(strcmp(in->name, "serving_default_dense_input:0") == 0);
  CHECK_EQ_INT(in->dtype, EDGERT_INT8);
  check_shape(in, 2, (int64_t[]){1, 1});
  CHECK_NEAR(in->q.scale, 0.02448, 1e-5);
  CHECK_EQ_INT(in->q.zero_point, -128);
  CHECK_EQ_INT(in->kind, ER_TENSOR_ACTIVATION);
  const er_tensor *out = &g->tensors[9];
  CHECK_NEAR(out->q.scale, 0.008291, 1e-6);
  CHECK_EQ_INT(out->q.zero_point, 5);
  /* operator 0: inputs [0, 6, 5] -> [7], RELU; operator 2: NONE */
  const er_node *n0 = &g->nodes[0];
  CHECK_EQ_INT(n0->n_inputs, 3);
  CHECK_EQ_INT(n0->inputs[1], 6);
  CHECK_EQ_INT(n0->inputs[2], 5);
  CHECK_EQ_INT(n0->outputs[0], 7);
  const er_fc_attrs *a0 = n0->attrs, *a2 = g->nodes[2].attrs;
  CHECK(a0 && a2);
  if (a0 && a2) {
    CHECK_EQ_INT(a0->activation, ER_ACT_RELU);
    CHECK_EQ_INT(a2->activation, ER_ACT_NONE);
    CHECK(!a0->keep_num_dims);
  }
  const er_tensor *w = &g->tensors[6];
  CHECK_EQ_INT(w->kind, ER_TENSOR_CONST);
  CHECK(points_into(&m, w->data)); /* zero-copy */
  CHECK_EQ_INT(w->bytes, (size_t)er_tensor_elements(w));
  char err[256];
  CHECK_OK(er_graph_finish(g, NULL, err, sizeof err));
  release(&m);
}

static void test_hello_world_float(void) {
  imported m;
  if (!import_fixture("models/hello_world_float.tflite", &m)) return;
  CHECK_EQ_INT(m.g.n_nodes, 3);
  CHECK_EQ_INT(m.g.tensors[0].dtype, EDGERT_FLOAT32);
  CHECK_EQ_INT(m.g.tensors[0].q.scale, 0);
  CHECK_EQ_INT(m.g.nodes[0].inputs[1], 4);
  release(&m);
}

static void test_person_detect(void) {
  imported m;
  if (!import_fixture("models/person_detect.tflite", &m)) return;
  er_graph *g = &m.g;
  CHECK_EQ_INT(g->n_tensors, 89);
  CHECK_EQ_INT(g->n_nodes, 31);
  int counts[ER_OP_COUNT] = {0};
  for (int i = 0; i < g->n_nodes; i++)
    counts[g->nodes[i].op]++;
  CHECK_EQ_INT(counts[ER_OP_DEPTHWISE_CONV_2D], 14);
  CHECK_EQ_INT(counts[ER_OP_CONV_2D], 14);
  CHECK_EQ_INT(counts[ER_OP_AVERAGE_POOL_2D], 1);
  CHECK_EQ_INT(counts[ER_OP_RESHAPE], 1);
  CHECK_EQ_INT(counts[ER_OP_SOFTMAX], 1);
  const er_tensor *in = &g->tensors[g->inputs[0]];
  CHECK_EQ_INT(g->inputs[0], 88);
  CHECK_EQ_INT(in->dtype, EDGERT_INT8);
  check_shape(in, 4, (int64_t[]){1, 96, 96, 1});
  CHECK_NEAR(in->q.scale, 0.007843, 1e-6);
  CHECK_EQ_INT(in->q.zero_point, -1);
  /* operator 0: DEPTHWISE_CONV_2D SAME, stride 2, depth_multiplier 8, RELU6 */
  const er_conv_attrs *dw = g->nodes[0].attrs;
  CHECK_EQ_INT(g->nodes[0].op, ER_OP_DEPTHWISE_CONV_2D);
  if (dw) {
    CHECK_EQ_INT(dw->layout, ER_LAYOUT_NHWC);
    CHECK_EQ_INT(dw->padding, ER_PAD_SAME);
    CHECK_EQ_INT(dw->stride_h, 2);
    CHECK_EQ_INT(dw->stride_w, 2);
    CHECK_EQ_INT(dw->dilation_h, 1);
    CHECK_EQ_INT(dw->dilation_w, 1);
    CHECK_EQ_INT(dw->depth_multiplier, 8);
    CHECK_EQ_INT(dw->activation, ER_ACT_RELU6);
  }
  /* tensor 0: depthwise weights [1, 3, 3, 8] int8, 8 scales along dim 3 */
  const er_tensor *w = &g->tensors[0];
  check_shape(w, 4, (int64_t[]){1, 3, 3, 8});
  CHECK_EQ_INT(w->q.channels, 8);
  CHECK_EQ_INT(w->q.axis, 3);
  if (w->q.scales) {
    CHECK_NEAR(w->q.scales[0], 0.016359, 1e-6);
    CHECK_NEAR(w->q.scales[1], 0.026611, 1e-6);
    CHECK_EQ_INT(w->q.zero_points[1], 0);
  }
  CHECK_EQ_INT(w->kind, ER_TENSOR_CONST);
  CHECK_EQ_INT(w->bytes, 72);
  /* tensor 10: pointwise weights [16, 1, 1, 8], 16 scales along dim 0 */
  CHECK_EQ_INT(g->tensors[10].q.channels, 16);
  CHECK_EQ_INT(g->tensors[10].q.axis, 0);
  /* operator 27: AVERAGE_POOL_2D VALID 3x3 stride 2 */
  const er_pool_attrs *pool = g->nodes[27].attrs;
  CHECK_EQ_INT(g->nodes[27].op, ER_OP_AVERAGE_POOL_2D);
  if (pool) {
    CHECK_EQ_INT(pool->padding, ER_PAD_VALID);
    CHECK_EQ_INT(pool->filter_h, 3);
    CHECK_EQ_INT(pool->filter_w, 3);
    CHECK_EQ_INT(pool->stride_h, 2);
    CHECK_EQ_INT(pool->activation, ER_ACT_NONE);
  }
  /* operator 29: RESHAPE new_shape [1, 2]; operator 30: SOFTMAX beta 1 */
  const er_reshape_attrs *rs = g->nodes[29].attrs;
  if (rs) {
    CHECK_EQ_INT(rs->ndim, 2);
    CHECK_EQ_INT(rs->new_shape[0], 1);
    CHECK_EQ_INT(rs->new_shape[1], 2);
  }
  const er_softmax_attrs *sm = g->nodes[30].attrs;
  if (sm) CHECK_NEAR(sm->beta, 1.0, 0);
  char err[256];
  CHECK_OK(er_graph_finish(g, NULL, err, sizeof err));
  release(&m);
}

static void test_micro_speech(void) {
  imported m;
  if (!import_fixture("models/micro_speech_quantized.tflite", &m)) return;
  er_graph *g = &m.g;
  CHECK_EQ_INT(g->n_nodes, 4);
  CHECK_EQ_INT(g->nodes[0].op, ER_OP_RESHAPE);
  const er_reshape_attrs *rs = g->nodes[0].attrs;
  if (rs) {
    CHECK_EQ_INT(rs->ndim, 4);
    CHECK_EQ_INT(rs->new_shape[0], -1);
    CHECK_EQ_INT(rs->new_shape[1], 49);
    CHECK_EQ_INT(rs->new_shape[2], 40);
    CHECK_EQ_INT(rs->new_shape[3], 1);
  }
  CHECK_EQ_INT(g->nodes[1].op, ER_OP_DEPTHWISE_CONV_2D);
  const er_conv_attrs *dw = g->nodes[1].attrs;
  if (dw) CHECK_EQ_INT(dw->activation, ER_ACT_RELU);
  CHECK_EQ_INT(g->inputs[0], 3);
  check_shape(&g->tensors[3], 2, (int64_t[]){1, 1960});
  CHECK_NEAR(g->tensors[3].q.scale, 0.101716, 1e-6);
  release(&m);
}

static void test_keyword_scrambled(void) {
  static const char *const files[] = {"models/keyword_scrambled.tflite",
                                      "models/keyword_scrambled_8bit.tflite"};
  static const edgert_dtype state_dtype[] = {EDGERT_INT16, EDGERT_INT8};
  for (int f = 0; f < 2; f++) {
    imported m;
    if (!import_fixture(files[f], &m)) continue;
    er_graph *g = &m.g;
    CHECK_EQ_INT(g->n_tensors, 54);
    CHECK_EQ_INT(g->n_nodes, 15);
    CHECK_EQ_INT(g->nodes[0].op, ER_OP_QUANTIZE);
    CHECK_EQ_INT(g->nodes[1].op, ER_OP_SVDF);
    CHECK_EQ_INT(g->nodes[13].op, ER_OP_SOFTMAX);
    CHECK_EQ_INT(g->nodes[14].op, ER_OP_QUANTIZE);
    const er_svdf_attrs *sv = g->nodes[1].attrs;
    if (sv) {
      CHECK_EQ_INT(sv->rank, 1);
      CHECK_EQ_INT(sv->activation, ER_ACT_RELU);
    }
    /* SVDF inputs [0, 1, 2, 3, 4]: tensor 4 is the state [1, 512], a variable */
    CHECK_EQ_INT(g->nodes[1].inputs[4], 4);
    const er_tensor *state = &g->tensors[4];
    CHECK_EQ_INT(state->kind, ER_TENSOR_VARIABLE);
    CHECK_EQ_INT(state->dtype, state_dtype[f]);
    check_shape(state, 2, (int64_t[]){1, 512});
    CHECK_EQ_INT(g->tensors[2].dtype, state_dtype[f]); /* weights_time */
    int variables = 0;
    for (int i = 0; i < g->n_tensors; i++)
      variables += g->tensors[i].kind == ER_TENSOR_VARIABLE;
    CHECK_EQ_INT(variables, 7);
    const er_tensor *in = &g->tensors[52], *out = &g->tensors[53];
    CHECK_EQ_INT(g->inputs[0], 52);
    CHECK_EQ_INT(in->dtype, EDGERT_INT16);
    CHECK_NEAR(in->q.scale, 0.000625, 1e-8);
    CHECK_EQ_INT(out->dtype, EDGERT_INT32);
    check_shape(out, 2, (int64_t[]){1, 2});
    CHECK(in->name && in->name[0] == '\0'); /* these tensors have no name in the file */
    release(&m);
  }
}

static void test_trained_lstm(void) {
  static const char *const files[] = {"models/trained_lstm.tflite", "models/trained_lstm_int8.tflite"};
  for (int f = 0; f < 2; f++) {
    imported m;
    if (!import_fixture(files[f], &m)) continue;
    er_graph *g = &m.g;
    CHECK_EQ_INT(g->n_tensors, f ? 27 : 22);
    CHECK_EQ_INT(g->n_nodes, 4);
    const er_node *lstm = &g->nodes[0];
    CHECK_EQ_INT(lstm->op, ER_OP_UNIDIRECTIONAL_SEQUENCE_LSTM);
    CHECK_EQ_INT(lstm->n_inputs, 24);
    CHECK_EQ_INT(lstm->inputs[9], -1);
    CHECK_EQ_INT(lstm->inputs[23], -1);
    CHECK_EQ_INT(lstm->n_intermediates, f ? 5 : 0);
    if (f) CHECK_EQ_INT(lstm->intermediates[0], 18);
    const er_lstm_attrs *a = lstm->attrs;
    if (a) {
      CHECK_EQ_INT(a->activation, ER_ACT_TANH);
      CHECK_NEAR(a->cell_clip, 10.0, 0);
      CHECK_NEAR(a->proj_clip, 0.0, 0);
      CHECK(!a->time_major);
    }
    /* the LSTM's output and cell state: inputs 18 and 19, variables */
    CHECK_EQ_INT(lstm->inputs[18], f ? 16 : 2);
    CHECK_EQ_INT(g->tensors[lstm->inputs[18]].kind, ER_TENSOR_VARIABLE);
    CHECK_EQ_INT(g->tensors[17].kind, ER_TENSOR_VARIABLE);
    check_shape(&g->tensors[17], 2, (int64_t[]){1, 20});
    check_shape(&g->tensors[0], 3, (int64_t[]){1, 28, 28});
    CHECK_EQ_INT(g->tensors[0].dtype, f ? EDGERT_INT8 : EDGERT_FLOAT32);
    /* operator 1 is a RESHAPE without options: the shape comes from its second input */
    CHECK_EQ_INT(g->nodes[1].op, ER_OP_RESHAPE);
    const er_reshape_attrs *rs = g->nodes[1].attrs;
    if (rs) CHECK_EQ_INT(rs->ndim, -1);
    char err[256];
    CHECK_OK(er_graph_finish(g, NULL, err, sizeof err));
    release(&m);
  }
}

static void test_seanet_options(void) {
  imported m;
  if (import_fixture("seanet/add/add0.tflite", &m)) {
    const er_binary_attrs *a = m.g.nodes[0].attrs;
    CHECK_EQ_INT(m.g.nodes[0].op, ER_OP_ADD);
    if (a) {
      CHECK(!a->pot_scale_int16); /* written as false in this file */
      CHECK_EQ_INT(a->activation, ER_ACT_NONE);
    }
    CHECK_EQ_INT(m.g.tensors[0].dtype, EDGERT_INT16);
    check_shape(&m.g.tensors[0], 4, (int64_t[]){1, 1, 5, 64});
    release(&m);
  }
  if (import_fixture("seanet/conv/conv10.tflite", &m)) {
    const er_conv_attrs *a = m.g.nodes[0].attrs;
    if (a) {
      CHECK_EQ_INT(a->padding, ER_PAD_VALID);
      CHECK_EQ_INT(a->stride_w, 2);
      CHECK_EQ_INT(a->stride_h, 1);
    }
    release(&m);
  }
  if (import_fixture("seanet/transpose_conv/transpose_conv0.tflite", &m)) {
    const er_conv_attrs *a = m.g.nodes[0].attrs;
    CHECK_EQ_INT(m.g.nodes[0].op, ER_OP_TRANSPOSE_CONV);
    CHECK_EQ_INT(m.g.nodes[0].n_inputs, 4);
    if (a) {
      CHECK_EQ_INT(a->padding, ER_PAD_VALID);
      CHECK_EQ_INT(a->stride_w, 2);
      CHECK_EQ_INT(a->stride_h, 1);
      CHECK_EQ_INT(a->dilation_w, 1);
    }
    check_shape(&m.g.tensors[4], 4, (int64_t[]){1, 3, 12, 64});
    release(&m);
  }
  if (import_fixture("seanet/leaky_relu/leaky_relu0.tflite", &m)) {
    const er_leaky_relu_attrs *a = m.g.nodes[0].attrs;
    if (a) CHECK_NEAR(a->alpha, 0.3, 1e-7);
    release(&m);
  }
  if (import_fixture("seanet/strided_slice/strided_slice30.tflite", &m)) {
    const er_strided_slice_attrs *a = m.g.nodes[0].attrs;
    if (a) {
      CHECK_EQ_INT(a->begin_mask, 13);
      CHECK_EQ_INT(a->end_mask, 13);
      CHECK_EQ_INT(a->shrink_axis_mask, 0);
      CHECK(!a->offset);
    }
    release(&m);
  }
  if (import_fixture("seanet/sub/sub0.tflite", &m)) {
    CHECK_EQ_INT(m.g.nodes[0].op, ER_OP_SUB);
    check_shape(&m.g.tensors[1], 1, (int64_t[]){64});
    release(&m);
  }
  if (import_fixture("seanet/quantize/quantize0.tflite", &m)) {
    CHECK_EQ_INT(m.g.nodes[0].op, ER_OP_QUANTIZE);
    CHECK_EQ_INT(m.g.tensors[0].dtype, EDGERT_INT32);
    CHECK_EQ_INT(m.g.tensors[1].dtype, EDGERT_INT16);
    release(&m);
  }
}

/* Every .tflite under models/ (but the audio preprocessors, which use custom ops) and seanet/<op>/
 * imports and passes the graph checks. */
static void import_all_in(const char *dir_rel, int *count) {
  DIR *dir = opendir(test_fixture(dir_rel));
  CHECK_MSG(dir != NULL, "cannot open %s", dir_rel);
  if (!dir) return;
  struct dirent *e;
  while ((e = readdir(dir)) != NULL) {
    size_t n = strlen(e->d_name);
    if (n < 7 || strcmp(e->d_name + n - 7, ".tflite") != 0) continue;
    if (strncmp(e->d_name, "audio_preprocessor", 18) == 0) continue;
    char rel[512];
    snprintf(rel, sizeof rel, "%s/%s", dir_rel, e->d_name);
    imported m;
    if (import_fixture(rel, &m)) {
      char err[512];
      edgert_status st = er_graph_finish(&m.g, NULL, err, sizeof err);
      CHECK_MSG(st == EDGERT_OK, "%s: %s", rel, err);
      (*count)++;
    }
    release(&m);
  }
  closedir(dir);
}

static void test_every_fixture_imports(void) {
  int count = 0;
  import_all_in("models", &count);
  DIR *dir = opendir(test_fixture("seanet"));
  CHECK(dir != NULL);
  if (dir) {
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
      if (e->d_name[0] == '.') continue;
      char rel[300];
      snprintf(rel, sizeof rel, "seanet/%s", e->d_name);
      import_all_in(rel, &count);
    }
    closedir(dir);
  }
  CHECK_MSG(count > 100, "only %d models imported", count);
}

static void test_custom_op_refused(void) {
  static const char *const files[] = {"models/audio_preprocessor_float.tflite",
                                      "models/audio_preprocessor_int8.tflite"};
  for (int f = 0; f < 2; f++) {
    size_t size;
    unsigned char *bytes = test_read_file(test_fixture(files[f]), &size);
    CHECK(bytes != NULL);
    if (!bytes) continue;
    er_graph g;
    char err[256];
    edgert_status st = er_tflite_import(bytes, size, NULL, &g, err, sizeof err);
    CHECK_EQ_INT(st, EDGERT_ERR_UNSUPPORTED);
    CHECK_MSG(strcmp(err, "unsupported custom op SignalWindow (operator 0)") == 0, "message: %s", err);
    CHECK_EQ_INT(g.n_tensors, 0); /* freed on failure */
    free(bytes);
  }
}

/* ---- synthetic models ---- */

typedef struct {
  int8_t type;
  int ndim;
  int32_t dims[9];
  uint32_t buffer;
  int n_scales;
  float scales[4];
  int64_t zero_points[4];
  int32_t quant_dim;
  bool sparse;
  bool is_variable;
} syn_tensor;

typedef struct {
  const void *data;
  uint32_t len;
  bool external; /* stored after the FlatBuffer, found through Buffer.offset/size */
} syn_buffer;

typedef struct {
  uint32_t version;
  int n_subgraphs;
  int8_t deprecated_code;
  int32_t builtin_code;
  const char *custom_name;
  uint8_t options_type;
  int n_options; /* -1: no options table */
  fbb_field options[8];
  int n_tensors;
  syn_tensor tensors[4];
  int n_buffers;
  syn_buffer buffers[4];
  int n_op_inputs, n_op_outputs;
  int32_t op_inputs[4], op_outputs[4];
} syn_model;

static const float syn_weights[4] = {1.0f, 2.0f, 3.0f, 4.0f};

/* y = ADD(x, w): x [1, 4] input (tensor 0), w [1, 4] constant (tensor 1, buffer 1), y (tensor 2). */
static syn_model syn_default(void) {
  syn_model m;
  memset(&m, 0, sizeof m);
  m.version = 3;
  m.n_subgraphs = 1;
  m.builtin_code = 0;  /* ADD */
  m.options_type = 11; /* AddOptions */
  m.n_options = 1;
  m.options[0] = (fbb_field){0, 1, 1}; /* fused_activation_function RELU */
  m.n_tensors = 3;
  for (int i = 0; i < 3; i++) {
    m.tensors[i].ndim = 2;
    m.tensors[i].dims[0] = 1;
    m.tensors[i].dims[1] = 4;
  }
  m.tensors[1].buffer = 1;
  m.n_buffers = 2;
  m.buffers[1] = (syn_buffer){syn_weights, sizeof syn_weights, false};
  m.n_op_inputs = 2;
  m.op_inputs[0] = 0;
  m.op_inputs[1] = 1;
  m.n_op_outputs = 1;
  m.op_outputs[0] = 2;
  return m;
}

static size_t syn_ids(fbb *b, int n, const int32_t *ids) { return fbb_vector(b, 4, (uint32_t)n, ids); }

static void syn_tensor_write(fbb *b, size_t slot, const syn_tensor *t, int index) {
  size_t pos[8];
  fbb_field f[8] = {{0, 4, 0}, {1, 1, (uint8_t)t->type}, {2, 4, t->buffer}, {3, 4, 0},
                    {4, 4, 0}, {5, 1, t->is_variable},   {6, 4, 0}};
  int n = t->sparse ? 7 : 6;
  size_t table = fbb_table(b, f, n, pos);
  fbb_link(b, slot, table);
  fbb_link(b, pos[0], syn_ids(b, t->ndim, t->dims));
  char name[16];
  snprintf(name, sizeof name, "t%d", index);
  fbb_link(b, pos[3], fbb_string(b, name));
  size_t qpos[3];
  fbb_field q[3] = {{2, 4, 0}, {3, 4, 0}, {6, 4, (uint32_t)t->quant_dim}};
  fbb_link(b, pos[4], fbb_table(b, q, 3, qpos));
  fbb_link(b, qpos[0], fbb_vector(b, 4, (uint32_t)t->n_scales, t->scales));
  fbb_link(b, qpos[1], fbb_vector(b, 8, (uint32_t)t->n_scales, t->zero_points));
  if (t->sparse) fbb_link(b, pos[6], fbb_table(b, NULL, 0, NULL));
}

static size_t syn_build(fbb *b, const syn_model *m) {
  memset(b, 0, sizeof *b);
  fbb_reserve(b, 8, 4);
  memcpy(b->buf + 4, "TFL3", 4);
  size_t mpos[4];
  fbb_field model[4] = {{0, 4, m->version}, {1, 4, 0}, {2, 4, 0}, {4, 4, 0}};
  fbb_link(b, 0, fbb_table(b, model, 4, mpos));
  /* operator_codes: one */
  size_t codes = fbb_vector(b, 4, 1, NULL);
  fbb_link(b, mpos[1], codes);
  size_t cpos[3];
  fbb_field code[3] = {{0, 1, (uint8_t)m->deprecated_code}, {3, 4, (uint32_t)m->builtin_code}, {1, 4, 0}};
  fbb_link(b, fbb_elem(codes, 0), fbb_table(b, code, m->custom_name ? 3 : 2, cpos));
  if (m->custom_name) fbb_link(b, cpos[2], fbb_string(b, m->custom_name));
  /* subgraphs */
  size_t subgraphs = fbb_vector(b, 4, (uint32_t)m->n_subgraphs, NULL);
  fbb_link(b, mpos[2], subgraphs);
  if (m->n_subgraphs) {
    size_t spos[4];
    fbb_field sg[4] = {{0, 4, 0}, {1, 4, 0}, {2, 4, 0}, {3, 4, 0}};
    fbb_link(b, fbb_elem(subgraphs, 0), fbb_table(b, sg, 4, spos));
    size_t tensors = fbb_vector(b, 4, (uint32_t)m->n_tensors, NULL);
    fbb_link(b, spos[0], tensors);
    for (int i = 0; i < m->n_tensors; i++)
      syn_tensor_write(b, fbb_elem(tensors, i), &m->tensors[i], i);
    fbb_link(b, spos[1], syn_ids(b, 1, (int32_t[]){0}));
    fbb_link(b, spos[2], syn_ids(b, 1, (int32_t[]){m->op_outputs[0]}));
    size_t ops = fbb_vector(b, 4, 1, NULL);
    fbb_link(b, spos[3], ops);
    size_t opos[5];
    fbb_field op[5] = {{0, 4, 0}, {1, 4, 0}, {2, 4, 0}, {3, 1, m->options_type}, {4, 4, 0}};
    fbb_link(b, fbb_elem(ops, 0), fbb_table(b, op, m->n_options >= 0 ? 5 : 4, opos));
    fbb_link(b, opos[1], syn_ids(b, m->n_op_inputs, m->op_inputs));
    fbb_link(b, opos[2], syn_ids(b, m->n_op_outputs, m->op_outputs));
    if (m->n_options >= 0) fbb_link(b, opos[4], fbb_table(b, m->options, m->n_options, NULL));
  }
  /* buffers: inline data, or offset/size of bytes placed after everything else */
  size_t buffers = fbb_vector(b, 4, (uint32_t)m->n_buffers, NULL);
  fbb_link(b, mpos[3], buffers);
  size_t offset_slot[4] = {0};
  for (int i = 0; i < m->n_buffers; i++) {
    const syn_buffer *sb = &m->buffers[i];
    size_t pos[2];
    if (!sb->data) {
      fbb_link(b, fbb_elem(buffers, i), fbb_table(b, NULL, 0, NULL));
    } else if (sb->external) {
      fbb_field f[2] = {{1, 8, 0}, {2, 8, sb->len}};
      fbb_link(b, fbb_elem(buffers, i), fbb_table(b, f, 2, pos));
      offset_slot[i] = pos[0];
    } else {
      fbb_field f[1] = {{0, 4, 0}};
      fbb_link(b, fbb_elem(buffers, i), fbb_table(b, f, 1, pos));
      fbb_link(b, pos[0], fbb_vector(b, 1, sb->len, sb->data));
    }
  }
  for (int i = 0; i < m->n_buffers; i++) {
    if (!offset_slot[i]) continue;
    size_t at = fbb_reserve(b, m->buffers[i].len, 16);
    if (!b->overflow) memcpy(b->buf + at, m->buffers[i].data, m->buffers[i].len);
    fbb_store(b, offset_slot[i], at, 8);
  }
  CHECK(!b->overflow);
  return b->len;
}

static edgert_status syn_import(const syn_model *m, er_graph *g, char *err, size_t len) {
  static fbb b;
  size_t size = syn_build(&b, m);
  return er_tflite_import(b.buf, size, NULL, g, err, len);
}

static void test_synthetic_model_imports(void) {
  syn_model m = syn_default();
  er_graph g;
  char err[256];
  edgert_status st = syn_import(&m, &g, err, sizeof err);
  CHECK_MSG(st == EDGERT_OK, "%s", err);
  if (st != EDGERT_OK) return;
  CHECK_EQ_INT(g.n_tensors, 3);
  CHECK_EQ_INT(g.n_nodes, 1);
  CHECK_EQ_INT(g.nodes[0].op, ER_OP_ADD);
  CHECK(strcmp(g.tensors[1].name, "t1") == 0);
  CHECK_EQ_INT(g.tensors[1].kind, ER_TENSOR_CONST);
  CHECK(g.tensors[1].data && memcmp(g.tensors[1].data, syn_weights, sizeof syn_weights) == 0);
  const er_binary_attrs *a = g.nodes[0].attrs;
  if (a) {
    CHECK_EQ_INT(a->activation, ER_ACT_RELU);
    CHECK(a->pot_scale_int16); /* schema default: true */
  }
  CHECK_OK(er_graph_finish(&g, NULL, err, sizeof err));
  er_graph_free(&g);
}

static void test_add_without_options_table(void) {
  /* TFLite zeroes ADD params when the options table is missing: pot_scale_int16 false, no activation */
  syn_model m = syn_default();
  m.n_options = -1;
  m.options_type = 0;
  er_graph g;
  char err[256];
  CHECK_OK(syn_import(&m, &g, err, sizeof err));
  const er_binary_attrs *a = g.n_nodes ? g.nodes[0].attrs : NULL;
  CHECK(a != NULL);
  if (a) {
    CHECK(!a->pot_scale_int16);
    CHECK_EQ_INT(a->activation, ER_ACT_NONE);
  }
  er_graph_free(&g);
}

static void test_external_buffer(void) {
  syn_model m = syn_default();
  m.buffers[1].external = true;
  er_graph g;
  char err[256];
  edgert_status st = syn_import(&m, &g, err, sizeof err);
  CHECK_MSG(st == EDGERT_OK, "%s", err);
  if (st == EDGERT_OK) {
    CHECK_EQ_INT(g.tensors[1].kind, ER_TENSOR_CONST);
    CHECK(g.tensors[1].data && memcmp(g.tensors[1].data, syn_weights, sizeof syn_weights) == 0);
  }
  er_graph_free(&g);
}

static void test_per_channel_quantization(void) {
  syn_model m = syn_default();
  syn_tensor *w = &m.tensors[1];
  w->type = 9; /* INT8 */
  static const int8_t q[4] = {1, -2, 3, -4};
  m.buffers[1] = (syn_buffer){q, 4, false};
  w->n_scales = 4;
  w->quant_dim = 1;
  for (int i = 0; i < 4; i++) {
    w->scales[i] = 0.5f * (float)(i + 1);
    w->zero_points[i] = i - 1;
  }
  er_graph g;
  char err[256];
  edgert_status st = syn_import(&m, &g, err, sizeof err);
  CHECK_MSG(st == EDGERT_OK, "%s", err);
  if (st == EDGERT_OK) {
    const er_quant *qp = &g.tensors[1].q;
    CHECK_EQ_INT(qp->channels, 4);
    CHECK_EQ_INT(qp->axis, 1);
    CHECK_NEAR(qp->scales[3], 2.0, 0);
    CHECK_EQ_INT(qp->zero_points[0], -1);
    CHECK_EQ_INT(qp->zero_points[3], 2);
  }
  er_graph_free(&g);
  /* quantized_dimension beyond the rank */
  w->quant_dim = 2;
  CHECK_EQ_INT(syn_import(&m, &g, err, sizeof err), EDGERT_ERR_MALFORMED);
  CHECK(strstr(err, "tensor 1 't1'") != NULL);
  /* a zero point outside int32 */
  w->quant_dim = 1;
  w->zero_points[2] = (int64_t)1 << 40;
  CHECK_EQ_INT(syn_import(&m, &g, err, sizeof err), EDGERT_ERR_MALFORMED);
  CHECK(strstr(err, "zero point") != NULL);
}

static void test_deprecated_code_rule(void) {
  /* builtin_code wins when larger than deprecated_builtin_code (127 = placeholder for codes >= 127) */
  syn_model m = syn_default();
  m.deprecated_code = 127;
  m.builtin_code = 150; /* GELU */
  m.options_type = 116;
  m.options[0] = (fbb_field){0, 1, 1}; /* approximate */
  m.n_op_inputs = 1;
  er_graph g;
  char err[256];
  edgert_status st = syn_import(&m, &g, err, sizeof err);
  CHECK_MSG(st == EDGERT_OK, "%s", err);
  if (st == EDGERT_OK) {
    CHECK_EQ_INT(g.nodes[0].op, ER_OP_GELU);
    const er_gelu_attrs *a = g.nodes[0].attrs;
    if (a) CHECK(a->approximate);
  }
  er_graph_free(&g);
  /* the old byte field alone, as older converters wrote it */
  m = syn_default();
  m.deprecated_code = 9; /* FULLY_CONNECTED */
  m.builtin_code = 0;
  m.options_type = 8;
  m.options[0] = (fbb_field){2, 1, 1}; /* keep_num_dims */
  st = syn_import(&m, &g, err, sizeof err);
  CHECK_MSG(st == EDGERT_OK, "%s", err);
  if (st == EDGERT_OK) {
    CHECK_EQ_INT(g.nodes[0].op, ER_OP_FULLY_CONNECTED);
    const er_fc_attrs *a = g.nodes[0].attrs;
    if (a) {
      CHECK(a->keep_num_dims);
      CHECK_EQ_INT(a->activation, ER_ACT_NONE);
    }
  }
  er_graph_free(&g);
}

/* Each refusal: status and exact message. */
static void expect_refusal(const syn_model *m, edgert_status want, const char *message) {
  er_graph g;
  char err[256];
  edgert_status st = syn_import(m, &g, err, sizeof err);
  CHECK_EQ_INT(st, want);
  CHECK_MSG(strstr(err, message) != NULL, "message '%s' lacks '%s'", err, message);
  CHECK_EQ_INT(g.n_tensors, 0);
}

static void test_refusals(void) {
  syn_model m = syn_default();
  m.custom_name = "SignalWindow";
  m.builtin_code = 32;
  expect_refusal(&m, EDGERT_ERR_UNSUPPORTED, "unsupported custom op SignalWindow (operator 0)");

  m = syn_default();
  m.builtin_code = 10;
  expect_refusal(&m, EDGERT_ERR_UNSUPPORTED, "unsupported builtin op HASHTABLE_LOOKUP (code 10, operator 0)");
  m.builtin_code = 500;
  expect_refusal(&m, EDGERT_ERR_UNSUPPORTED, "unsupported builtin op UNKNOWN (code 500, operator 0)");

  m = syn_default();
  m.version = 2;
  expect_refusal(&m, EDGERT_ERR_UNSUPPORTED, "schema version 2");

  m = syn_default();
  m.n_subgraphs = 0;
  expect_refusal(&m, EDGERT_ERR_MALFORMED, "no subgraphs");

  m = syn_default();
  m.tensors[2].sparse = true;
  expect_refusal(&m, EDGERT_ERR_UNSUPPORTED, "tensor 2 't2': sparse");

  m = syn_default();
  m.tensors[0].type = 5;
  expect_refusal(&m, EDGERT_ERR_UNSUPPORTED, "tensor 0 't0': type STRING");
  m.tensors[0].type = 8;
  expect_refusal(&m, EDGERT_ERR_UNSUPPORTED, "type COMPLEX64");

  m = syn_default();
  m.tensors[1].dims[1] = 5; /* 20 bytes needed, 16 given */
  expect_refusal(&m, EDGERT_ERR_MALFORMED, "tensor 1 't1': buffer 1 holds 16 bytes");

  m = syn_default();
  m.tensors[1].buffer = 9;
  expect_refusal(&m, EDGERT_ERR_MALFORMED, "tensor 1 't1': buffer 9 does not exist");

  m = syn_default();
  m.tensors[0].ndim = 9;
  expect_refusal(&m, EDGERT_ERR_UNSUPPORTED, "tensor 0 't0': 9 dims");

  m = syn_default();
  m.tensors[0].dims[1] = -3;
  expect_refusal(&m, EDGERT_ERR_MALFORMED, "tensor 0 't0': dim 1 is -3");

  m = syn_default();
  m.op_inputs[1] = 3;
  expect_refusal(&m, EDGERT_ERR_MALFORMED, "operator 0 input 1: tensor 3 does not exist");
  m.op_inputs[1] = -1; /* optional input: allowed */
  er_graph g;
  char err[256];
  CHECK_OK(syn_import(&m, &g, err, sizeof err));
  er_graph_free(&g);

  m = syn_default();
  m.options[0] = (fbb_field){0, 1, 5};
  expect_refusal(&m, EDGERT_ERR_UNSUPPORTED, "operator 0 (ADD): fused activation SIGN_BIT");

  m = syn_default();
  m.options_type = 1; /* Conv2DOptions on an ADD */
  expect_refusal(&m, EDGERT_ERR_MALFORMED, "operator 0 (ADD): builtin options have type 1");

  m = syn_default();
  m.builtin_code = 3; /* CONV_2D with stride 0 */
  m.options_type = 1;
  m.n_options = 0;
  expect_refusal(&m, EDGERT_ERR_MALFORMED, "operator 0 (CONV_2D): stride_h is 0");

  m = syn_default();
  m.tensors[1].n_scales = 1;
  m.tensors[1].scales[0] = -1.0f;
  expect_refusal(&m, EDGERT_ERR_MALFORMED, "tensor 1 't1': scale is -1");
}

static void test_is_model(void) {
  size_t size;
  unsigned char *bytes = test_read_file(test_fixture("models/hello_world_int8.tflite"), &size);
  CHECK(bytes != NULL);
  if (!bytes) return;
  CHECK(er_tflite_is_model(bytes, size));
  CHECK(!er_tflite_is_model(bytes, 7));
  CHECK(!er_tflite_is_model(NULL, 100));
  CHECK(!er_tflite_is_model((const uint8_t *)"\0\0\0\0ONNX....", 12));
  er_graph g;
  char err[64];
  CHECK_EQ_INT(er_tflite_import(NULL, 10, NULL, &g, err, sizeof err), EDGERT_ERR_ARGUMENT);
  CHECK_EQ_INT(er_tflite_import(bytes, size, NULL, NULL, err, sizeof err), EDGERT_ERR_ARGUMENT);
  /* a tiny error buffer is respected and terminated */
  char tiny[8];
  CHECK_EQ_INT(er_tflite_import(bytes, 6, NULL, &g, tiny, sizeof tiny), EDGERT_ERR_MALFORMED);
  CHECK_EQ_INT(strlen(tiny), 7);
  free(bytes);
}

/* ---- corrupted input ---- */

/* One import of arbitrary bytes: OK, or an error with a message. A graph that imports also goes
 * through er_graph_finish, and every constant byte is read (so a sanitizer sees any bad pointer). */
static bool survives(const uint8_t *data, size_t size) {
  er_graph g;
  char err[512];
  err[0] = 'x';
  edgert_status st = er_tflite_import(data, size, NULL, &g, err, sizeof err);
  if (st != EDGERT_OK) {
    bool ok = err[0] != '\0' && strlen(err) < sizeof err && g.n_tensors == 0 && g.pool == NULL;
    if (!ok) fprintf(stderr, "status %d with message '%s'\n", (int)st, err);
    return ok;
  }
  unsigned sum = 0;
  for (int32_t i = 0; i < g.n_tensors; i++) {
    const er_tensor *t = &g.tensors[i];
    if (t->kind == ER_TENSOR_CONST)
      for (size_t k = 0; k < t->bytes; k++)
        sum += ((const uint8_t *)t->data)[k];
    if (t->q.channels > 0) sum += (unsigned)t->q.zero_points[t->q.channels - 1];
    sum += (unsigned)strlen(t->name);
  }
  for (int32_t n = 0; n < g.n_nodes; n++) {
    const er_node *node = &g.nodes[n];
    for (int32_t k = 0; k < node->n_inputs; k++)
      sum += (unsigned)node->inputs[k];
    for (int32_t k = 0; k < node->n_outputs; k++)
      sum += (unsigned)node->outputs[k];
    for (int32_t k = 0; k < node->n_intermediates; k++)
      sum += (unsigned)node->intermediates[k];
  }
  (void)sum;
  char err2[512];
  er_graph_finish(&g, NULL, err2, sizeof err2);
  er_graph_free(&g);
  return true;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint32_t rng(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (uint32_t)(rng_state >> 16);
}

static void test_every_truncation(void) {
  size_t size;
  unsigned char *bytes = test_read_file(test_fixture("models/hello_world_int8.tflite"), &size);
  CHECK(bytes != NULL);
  if (!bytes) return;
  int failures = 0;
  for (size_t len = 0; len < size; len++) {
    /* a fresh exact-size copy, so reading one byte past `len` is caught by a sanitizer */
    unsigned char *copy = malloc(len ? len : 1);
    memcpy(copy, bytes, len);
    if (!survives(copy, len) && failures++ < 5) fprintf(stderr, "truncation to %zu bytes\n", len);
    free(copy);
  }
  CHECK_EQ_INT(failures, 0);
  free(bytes);
}

static void flip_model(const char *rel, int rounds) {
  size_t size;
  unsigned char *bytes = test_read_file(test_fixture(rel), &size);
  CHECK(bytes != NULL);
  if (!bytes) return;
  unsigned char *copy = malloc(size);
  int failures = 0;
  for (int r = 0; r < rounds; r++) {
    memcpy(copy, bytes, size);
    int changes = 1 + (int)(rng() % 4);
    for (int c = 0; c < changes; c++) {
      size_t at = rng() % size;
      if (rng() & 1)
        copy[at] ^= (uint8_t)(1u << (rng() % 8)); /* one bit */
      else
        copy[at] = (uint8_t)rng(); /* one byte */
    }
    /* Most of these files are weights; aim half the changes at the first kilobytes of structure. */
    if (r & 1) {
      size_t at = rng() % (size < 4096 ? size : 4096);
      copy[at] = (uint8_t)rng();
    }
    bool ok = survives(copy, size);
    if (!ok && failures++ < 5) fprintf(stderr, "%s: flip round %d\n", rel, r);
  }
  CHECK_EQ_INT(failures, 0);
  free(copy);
  free(bytes);
}

static void test_random_flips(void) {
  flip_model("models/hello_world_int8.tflite", 3000);
  flip_model("models/keyword_scrambled.tflite", 1500);
  flip_model("models/trained_lstm_int8.tflite", 1500);
  flip_model("models/person_detect.tflite", 500);
  flip_model("seanet/transpose_conv/transpose_conv0.tflite", 1000);
}

/* Flips aimed at the structure of the small hand-built model, where every byte is table or vector. */
static void test_synthetic_flips(void) {
  static fbb b;
  syn_model m = syn_default();
  m.tensors[1].n_scales = 1;
  m.tensors[1].scales[0] = 0.5f;
  size_t size = syn_build(&b, &m);
  unsigned char *copy = malloc(size);
  int failures = 0;
  for (int r = 0; r < 4000; r++) {
    memcpy(copy, b.buf, size);
    copy[rng() % size] = (uint8_t)rng();
    if (r & 1) copy[rng() % size] ^= (uint8_t)(1u << (rng() % 8));
    if (!survives(copy, size) && failures++ < 5) fprintf(stderr, "synthetic flip round %d\n", r);
  }
  CHECK_EQ_INT(failures, 0);
  free(copy);
}

static void test_random_garbage(void) {
  int failures = 0;
  for (int r = 0; r < 2000; r++) {
    size_t size = rng() % 600;
    unsigned char *buf = malloc(size ? size : 1);
    for (size_t i = 0; i < size; i++)
      buf[i] = (uint8_t)rng();
    /* Small offsets make the reader go deeper than uniform noise would. */
    for (size_t i = 0; i + 4 <= size && (r & 1); i += 4) {
      uint32_t small = rng() % 64;
      buf[i] = (uint8_t)small;
      buf[i + 1] = buf[i + 2] = buf[i + 3] = 0;
    }
    if (size >= 8) memcpy(buf + 4, "TFL3", 4);
    if (!survives(buf, size) && failures++ < 5) fprintf(stderr, "garbage round %d\n", r);
    free(buf);
  }
  CHECK_EQ_INT(failures, 0);
}

void run_tests(void) {
  RUN(test_hello_world_int8);
  RUN(test_hello_world_float);
  RUN(test_person_detect);
  RUN(test_micro_speech);
  RUN(test_keyword_scrambled);
  RUN(test_trained_lstm);
  RUN(test_seanet_options);
  RUN(test_every_fixture_imports);
  RUN(test_custom_op_refused);
  RUN(test_synthetic_model_imports);
  RUN(test_add_without_options_table);
  RUN(test_external_buffer);
  RUN(test_per_channel_quantization);
  RUN(test_deprecated_code_rule);
  RUN(test_refusals);
  RUN(test_is_model);
  RUN(test_every_truncation);
  RUN(test_random_flips);
  RUN(test_synthetic_flips);
  RUN(test_random_garbage);
}
