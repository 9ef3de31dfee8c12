/* Tests of the ONNX importer (src/formats/onnx/onnx_import.c, onnx_proto.c, onnx_ops_core.c): tensors of
 * every encoding the ONNX spec allows (onnx/onnx.proto3: typed fields, raw_data, external data), shapes
 * with symbolic dims, attributes read and refused, Constant/Identity/Dropout mapped without kernels,
 * models of the ONNX backend test data when installed, and the error messages of bad models. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/graph.h"
#include "edgert.h"
#include "formats/onnx/onnx_import.h"
#include "pb_builder.h"
#include "test.h"

static er_tensor decode(const pbw *w, er_graph *owner, edgert_status *st) {
  er_tensor t;
  memset(&t, 0, sizeof t);
  char err[256] = "";
  *st = er_onnx_read_tensor(w->buf, w->len, owner, &t, err, sizeof err);
  if (*st != EDGERT_OK) fprintf(stderr, "  (decode: %s)\n", err);
  return t;
}

static void test_tensor_typed_fields_decode_per_spec(void) {
  er_graph owner;
  memset(&owner, 0, sizeof owner);
  edgert_status st;
  pbw w;
  int64_t d3[1] = {3}, d2x2[2] = {2, 2};
  /* int8 values live in int32_data, negative ones as sign-extended varints */
  onnx_tensor_header(&w, "a", ONNX_INT8, 1, d3);
  pbw_int(&w, 5, -128);
  pbw_int(&w, 5, 0);
  pbw_int(&w, 5, 127);
  er_tensor t = decode(&w, &owner, &st);
  CHECK_OK(st);
  CHECK(t.dtype == EDGERT_INT8 && t.ndim == 1 && t.dims[0] == 3 && t.bytes == 3);
  if (st == EDGERT_OK) CHECK(((int8_t *)t.data)[0] == -128 && ((int8_t *)t.data)[2] == 127);
  /* float16 bits in int32_data: 0x3c00 is 1.0 */
  onnx_tensor_header(&w, "h", ONNX_FLOAT16, 1, d3);
  pbw_int(&w, 5, 0x3c00);
  pbw_int(&w, 5, 0xc000);
  pbw_int(&w, 5, 0);
  t = decode(&w, &owner, &st);
  CHECK_OK(st);
  if (st == EDGERT_OK) CHECK(((uint16_t *)t.data)[0] == 0x3c00 && ((uint16_t *)t.data)[1] == 0xc000);
  /* floats packed, 2x2 */
  onnx_tensor_header(&w, "f", ONNX_FLOAT, 2, d2x2);
  float fv[4] = {1.5f, -2.0f, 0.25f, 8.0f};
  pbw_bytes(&w, 4, fv, sizeof fv);
  t = decode(&w, &owner, &st);
  CHECK_OK(st);
  CHECK(t.dtype == EDGERT_FLOAT32 && t.ndim == 2 && t.bytes == 16);
  if (st == EDGERT_OK) CHECK(((float *)t.data)[3] == 8.0f && ((float *)t.data)[1] == -2.0f);
  /* int64, double, uint64 and bool */
  onnx_tensor_header(&w, "i", ONNX_INT64, 1, d3);
  pbw_int(&w, 7, INT64_MIN);
  pbw_int(&w, 7, -1);
  pbw_int(&w, 7, INT64_MAX);
  t = decode(&w, &owner, &st);
  CHECK_OK(st);
  if (st == EDGERT_OK) CHECK(((int64_t *)t.data)[0] == INT64_MIN && ((int64_t *)t.data)[2] == INT64_MAX);
  onnx_tensor_header(&w, "d", ONNX_DOUBLE, 0, NULL);
  double dv = -3.25;
  pbw_bytes(&w, 10, &dv, sizeof dv);
  t = decode(&w, &owner, &st);
  CHECK_OK(st);
  CHECK(t.dtype == EDGERT_FLOAT64 && t.ndim == 0);
  if (st == EDGERT_OK) CHECK(*(double *)t.data == -3.25);
  onnx_tensor_header(&w, "u", ONNX_UINT64, 1, d3);
  pbw_int(&w, 11, 1);
  pbw_int(&w, 11, (int64_t)UINT64_MAX);
  pbw_int(&w, 11, 3);
  t = decode(&w, &owner, &st);
  CHECK_OK(st);
  if (st == EDGERT_OK) CHECK(((uint64_t *)t.data)[1] == UINT64_MAX);
  onnx_tensor_header(&w, "b", ONNX_BOOL, 1, d3);
  pbw_int(&w, 5, 1);
  pbw_int(&w, 5, 0);
  pbw_int(&w, 5, 1);
  t = decode(&w, &owner, &st);
  CHECK_OK(st);
  CHECK(t.dtype == EDGERT_BOOL);
  er_graph_free(&owner);
}

static void test_raw_data_is_zero_copy_when_aligned(void) {
  er_graph owner;
  memset(&owner, 0, sizeof owner);
  int64_t d2[1] = {2};
  pbw w;
  onnx_tensor_header(&w, NULL, ONNX_FLOAT, 1, d2);
  float v[2] = {3.0f, -1.0f};
  /* pad so the payload lands on a 4-byte boundary of the (aligned) buffer, then off it */
  for (int shift = 0; shift < 4; shift++) {
    pbw x = w;
    for (int k = 0; k < shift; k++)
      pbw_int(&x, 12 + 3, 0); /* unknown varint fields, skipped (field 15) */
    pbw_bytes(&x, 9, v, sizeof v);
    edgert_status st;
    er_tensor t = decode(&x, &owner, &st);
    CHECK_OK(st);
    if (st != EDGERT_OK) continue;
    bool inside = (const uint8_t *)t.data >= x.buf && (const uint8_t *)t.data < x.buf + x.len;
    CHECK(inside == ((uintptr_t)(x.buf + x.len - 8) % 4 == 0));
    CHECK(((float *)t.data)[0] == 3.0f && ((float *)t.data)[1] == -1.0f);
  }
  er_graph_free(&owner);
}

static void test_bad_tensors_are_refused(void) {
  er_graph owner;
  memset(&owner, 0, sizeof owner);
  int64_t d3[1] = {3};
  pbw w;
  char err[256];
  er_tensor t;
  onnx_tensor_header(&w, NULL, ONNX_STRING, 1, d3);
  pbw_str(&w, 6, "a");
  CHECK(er_onnx_read_tensor(w.buf, w.len, &owner, &t, err, sizeof err) == EDGERT_ERR_UNSUPPORTED);
  CHECK(strstr(err, "string") != NULL);
  onnx_tensor_header(&w, NULL, ONNX_FLOAT, 1, d3);
  pbw_float(&w, 4, 1.0f); /* one value for three elements */
  CHECK(er_onnx_read_tensor(w.buf, w.len, &owner, &t, err, sizeof err) == EDGERT_ERR_MALFORMED);
  onnx_tensor_header(&w, NULL, ONNX_FLOAT, 1, d3);
  pbw_bytes(&w, 9, "abcd", 4); /* raw bytes for one float */
  CHECK(er_onnx_read_tensor(w.buf, w.len, &owner, &t, err, sizeof err) == EDGERT_ERR_MALFORMED);
  onnx_tensor_header(&w, NULL, ONNX_FLOAT, 1, d3);
  pbw_int(&w, 14, 1); /* external data, but no model folder */
  CHECK(er_onnx_read_tensor(w.buf, w.len, &owner, &t, err, sizeof err) == EDGERT_ERR_UNSUPPORTED);
  int64_t big[1] = {
      (int64_t)1 << 32}; /* 16 GiB of floats claimed, no values given: refused before allocating */
  onnx_tensor_header(&w, NULL, ONNX_FLOAT, 1, big);
  CHECK(er_onnx_read_tensor(w.buf, w.len, &owner, &t, err, sizeof err) == EDGERT_ERR_MALFORMED);
  int64_t huge[3] = {1 << 30, 1 << 30, 1 << 30};
  onnx_tensor_header(&w, NULL, ONNX_FLOAT, 3, huge);
  CHECK(er_onnx_read_tensor(w.buf, w.len, &owner, &t, err, sizeof err) != EDGERT_OK);
  er_graph_free(&owner);
}

static int64_t input_dims[2] = {-1, 3};

/* Graph with one float input x of input_dims ([N,3] unless a test changes it), the given nodes and outputs.
 */
static size_t build_model(pbw *model, int n_nodes, const pbw *nodes, int n_outputs, const pbw *outputs,
                          const pbw *initializer, int opset) {
  static pbw graph, in;
  onnx_value_info(&in, "x", ONNX_FLOAT, 2, input_dims);
  memset(&graph, 0, sizeof graph);
  for (int i = 0; i < n_nodes; i++)
    pbw_msg(&graph, 1, &nodes[i]);
  if (initializer) pbw_msg(&graph, 5, initializer);
  pbw_msg(&graph, 11, &in);
  for (int i = 0; i < n_outputs; i++)
    pbw_msg(&graph, 12, &outputs[i]);
  onnx_model(model, &graph, opset);
  return model->len;
}

static edgert_status load(const pbw *m, edgert_model **model) {
  return edgert_model_load_buffer(m->buf, m->len, model);
}

static void test_identity_and_symbolic_dims(void) {
  static pbw m, node, out;
  const char *x[] = {"x"}, *y[] = {"y"};
  int64_t dims[2] = {-1, 3};
  onnx_node(&node, "Identity", "id", 1, x, 1, y, 0, NULL);
  onnx_value_info(&out, "y", ONNX_FLOAT, 2, dims);
  build_model(&m, 1, &node, 1, &out, NULL, 13);
  edgert_model *model = NULL;
  CHECK_OK(load(&m, &model));
  edgert_tensor_info info;
  CHECK_OK(edgert_model_input_info(model, 0, &info));
  CHECK(info.ndim == 2 && info.dims[0] == 1 && info.dims[1] == 3 && info.dynamic_dims == 1u);
  CHECK(info.dtype == EDGERT_FLOAT32 && strcmp(info.name, "x") == 0);
  edgert_interpreter *it = NULL;
  CHECK_OK(edgert_interpreter_create(model, NULL, &it));
  int64_t four[2] = {4, 3};
  CHECK_OK(edgert_interpreter_resize_input(it, 0, 2, four));
  float in[12];
  for (int i = 0; i < 12; i++)
    in[i] = (float)i - 5.5f;
  CHECK_OK(edgert_interpreter_set_input(it, 0, in, sizeof in));
  CHECK_OK(edgert_interpreter_invoke(it));
  const float *out_data = edgert_interpreter_output_data(it, 0);
  CHECK(out_data && memcmp(out_data, in, sizeof in) == 0);
  edgert_interpreter_free(it);
  edgert_model_free(model);
}

static void test_constant_attributes_become_constants(void) {
  static pbw m, nodes[3], outs[3], attrs[3];
  const char *a[] = {"a"}, *b[] = {"b"}, *c[] = {"c"};
  memset(attrs, 0, sizeof attrs);
  pbw_str(&attrs[0], 1, "value_float");
  pbw_float(&attrs[0], 2, 2.5f);
  pbw_int(&attrs[0], 20, 1);
  pbw_str(&attrs[1], 1, "value_ints");
  pbw_int(&attrs[1], 8, 4);
  pbw_int(&attrs[1], 8, -9);
  pbw_int(&attrs[1], 20, 7);
  int64_t d1[1] = {1};
  pbw t;
  onnx_tensor_header(&t, NULL, ONNX_UINT8, 1, d1);
  pbw_bytes(&t, 9, "\x07", 1);
  pbw_str(&attrs[2], 1, "value");
  pbw_msg(&attrs[2], 5, &t);
  pbw_int(&attrs[2], 20, 4);
  onnx_node(&nodes[0], "Constant", "c0", 0, NULL, 1, a, 1, &attrs[0]);
  onnx_node(&nodes[1], "Constant", "c1", 0, NULL, 1, b, 1, &attrs[1]);
  onnx_node(&nodes[2], "Constant", "c2", 0, NULL, 1, c, 1, &attrs[2]);
  int64_t two[1] = {2};
  onnx_value_info(&outs[0], "a", ONNX_FLOAT, 0, NULL);
  onnx_value_info(&outs[1], "b", ONNX_INT64, 1, two);
  onnx_value_info(&outs[2], "c", ONNX_UINT8, 1, d1);
  build_model(&m, 3, nodes, 3, outs, NULL, 13);
  edgert_model *model = NULL;
  CHECK_OK(load(&m, &model));
  CHECK_EQ_INT(edgert_model_op_count(model), 0);
  edgert_interpreter *it = NULL;
  CHECK_OK(edgert_interpreter_create(model, NULL, &it));
  CHECK_OK(edgert_interpreter_invoke(it));
  const float *fa = edgert_interpreter_output_data(it, 0);
  const int64_t *ib = edgert_interpreter_output_data(it, 1);
  const uint8_t *uc = edgert_interpreter_output_data(it, 2);
  CHECK(fa && *fa == 2.5f);
  CHECK(ib && ib[0] == 4 && ib[1] == -9);
  CHECK(uc && uc[0] == 7);
  edgert_tensor_info info;
  CHECK_OK(edgert_interpreter_output_info(it, 1, &info));
  CHECK(info.dtype == EDGERT_INT64 && info.ndim == 1 && info.dims[0] == 2);
  edgert_interpreter_free(it);
  edgert_model_free(model);
}

static void test_dropout_forwards_and_masks(void) {
  static pbw m, node, outs[2], attr;
  const char *x[] = {"x"}, *ym[] = {"y", "mask"};
  memset(&attr, 0, sizeof attr);
  pbw_str(&attr, 1, "ratio");
  pbw_float(&attr, 2, 0.3f);
  pbw_int(&attr, 20, 1);
  int64_t dims[2] = {2, 3};
  onnx_node(&node, "Dropout", "drop", 1, x, 2, ym, 1, &attr);
  onnx_value_info(&outs[0], "y", ONNX_FLOAT, 2, dims);
  onnx_value_info(&outs[1], "mask", ONNX_BOOL, 2, dims);
  /* the mask needs a static input shape: this x has a symbolic dim, refused with a message */
  build_model(&m, 1, &node, 2, outs, NULL, 10);
  edgert_model *model = NULL;
  CHECK(load(&m, &model) == EDGERT_ERR_UNSUPPORTED);
  CHECK(strstr(edgert_model_error(model), "Dropout node 'drop' (ai.onnx opset 10)") != NULL);
  edgert_model_free(model);
  input_dims[0] = 2; /* static [2, 3]: the mask is a constant of all true */
  build_model(&m, 1, &node, 2, outs, NULL, 10);
  CHECK_OK(load(&m, &model));
  edgert_interpreter *it = NULL;
  CHECK_OK(edgert_interpreter_create(model, NULL, &it));
  float in[6] = {1, 2, 3, 4, 5, 6};
  CHECK_OK(edgert_interpreter_set_input(it, 0, in, sizeof in));
  CHECK_OK(edgert_interpreter_invoke(it));
  const float *y = edgert_interpreter_output_data(it, 0);
  const uint8_t *mask = edgert_interpreter_output_data(it, 1);
  CHECK(y && memcmp(y, in, sizeof in) == 0);
  CHECK(mask && mask[0] == 1 && mask[5] == 1);
  edgert_interpreter_free(it);
  edgert_model_free(model);
  input_dims[0] = -1;
  pbw one_out;
  onnx_node(&one_out, "Dropout", "drop", 1, x, 1, ym, 1, &attr);
  build_model(&m, 1, &one_out, 1, outs, NULL, 10);
  CHECK_OK(load(&m, &model));
  CHECK_EQ_INT(edgert_model_op_count(model), 0);
  edgert_model_free(model);
}

/* ONNX lets an initializer share a graph input's name (a default the caller may override): edgert keeps
 * it a constant, so the model has no input. */
static void test_input_with_initializer_is_constant(void) {
  static pbw m, node, out, init;
  const char *x[] = {"x"}, *y[] = {"y"};
  int64_t dims[2] = {1, 3};
  onnx_tensor_header(&init, "x", ONNX_FLOAT, 2, dims);
  float v[3] = {7, 8, 9};
  pbw_bytes(&init, 4, v, sizeof v);
  onnx_node(&node, "Identity", "id", 1, x, 1, y, 0, NULL);
  onnx_value_info(&out, "y", ONNX_FLOAT, 2, dims);
  build_model(&m, 1, &node, 1, &out, &init, 13);
  edgert_model *model = NULL;
  CHECK_OK(load(&m, &model));
  CHECK_EQ_INT(edgert_model_input_count(model), 0);
  edgert_interpreter *it = NULL;
  CHECK_OK(edgert_interpreter_create(model, NULL, &it));
  const float *y0 = edgert_interpreter_output_data(it, 0);
  CHECK(y0 && y0[0] == 7 && y0[2] == 9);
  edgert_interpreter_free(it);
  edgert_model_free(model);
}

static void test_errors_name_the_node(void) {
  static pbw m, node, out, attr;
  const char *x[] = {"x"}, *y[] = {"y"}, *nope[] = {"nope"};
  int64_t dims[2] = {-1, 3};
  onnx_value_info(&out, "y", ONNX_FLOAT, 2, dims);
  edgert_model *model = NULL;

  onnx_node(&node, "FancyOp", "n0", 1, x, 1, y, 0, NULL);
  build_model(&m, 1, &node, 1, &out, NULL, 13);
  CHECK(load(&m, &model) == EDGERT_ERR_UNSUPPORTED);
  CHECK_MSG(strstr(edgert_model_error(model), "unsupported op ai.onnx::FancyOp (opset 13) at node 0 'n0'"),
            "%s", edgert_model_error(model));
  edgert_model_free(model);

  memset(&attr, 0, sizeof attr);
  pbw_str(&attr, 1, "color");
  pbw_int(&attr, 3, 1);
  pbw_int(&attr, 20, 2);
  onnx_node(&node, "Identity", "n1", 1, x, 1, y, 1, &attr);
  build_model(&m, 1, &node, 1, &out, NULL, 13);
  CHECK(load(&m, &model) == EDGERT_ERR_UNSUPPORTED);
  CHECK_MSG(strstr(edgert_model_error(model),
                   "Identity node 'n1' (ai.onnx opset 13): attribute 'color' is not supported"),
            "%s", edgert_model_error(model));
  edgert_model_free(model);

  memset(&attr, 0, sizeof attr);
  pbw_str(&attr, 1, "ratio");
  pbw_int(&attr, 3, 1);
  pbw_int(&attr, 20, 2); /* an int where Dropout wants a float */
  onnx_node(&node, "Dropout", "n2", 1, x, 1, y, 1, &attr);
  build_model(&m, 1, &node, 1, &out, NULL, 7);
  CHECK(load(&m, &model) == EDGERT_ERR_MALFORMED);
  CHECK_MSG(strstr(edgert_model_error(model), "attribute 'ratio' is int, expected float"), "%s",
            edgert_model_error(model));
  edgert_model_free(model);

  onnx_node(&node, "Identity", "n3", 1, nope, 1, y, 0, NULL);
  build_model(&m, 1, &node, 1, &out, NULL, 13);
  CHECK(load(&m, &model) == EDGERT_ERR_MALFORMED);
  CHECK(strstr(edgert_model_error(model), "input 'nope'") != NULL);
  edgert_model_free(model);

  /* a domain the model does not import */
  onnx_node(&node, "Identity", "n4", 1, x, 1, y, 0, NULL);
  pbw_str(&node, 7, "com.example");
  build_model(&m, 1, &node, 1, &out, NULL, 13);
  CHECK(load(&m, &model) == EDGERT_ERR_UNSUPPORTED);
  CHECK(strstr(edgert_model_error(model), "unsupported op com.example::Identity") != NULL);
  edgert_model_free(model);
}

static void test_other_bytes_are_not_a_model(void) {
  const uint8_t junk[] = "this is plain text, not a model";
  edgert_model *model = NULL;
  CHECK(edgert_model_load_buffer(junk, sizeof junk, &model) == EDGERT_ERR_UNSUPPORTED);
  CHECK(strstr(edgert_model_error(model), "not a TFLite or ONNX model") != NULL);
  edgert_model_free(model);
  /* a ModelProto cut inside its graph: malformed, with the byte offset */
  static pbw m, node, out;
  const char *x[] = {"x"}, *y[] = {"y"};
  onnx_node(&node, "Identity", "id", 1, x, 1, y, 0, NULL);
  onnx_value_info(&out, "y", ONNX_FLOAT, 0, NULL);
  build_model(&m, 1, &node, 1, &out, NULL, 13);
  CHECK(er_onnx_is_model(m.buf, m.len));
  char err[256];
  er_graph g;
  CHECK(er_onnx_import(m.buf, m.len - 3, NULL, NULL, &g, err, sizeof err) == EDGERT_ERR_MALFORMED);
  CHECK_MSG(strstr(err, "malformed protobuf at byte") != NULL, "%s", err);
  CHECK(g.n_tensors == 0 && g.pool == NULL);
}

static void write_file(const char *path, const void *data, size_t len) {
  FILE *f = fopen(path, "wb");
  if (!f) return;
  fwrite(data, 1, len, f);
  fclose(f);
}

static void external_entry(pbw *t, const char *key, const char *value) {
  pbw kv = {0};
  pbw_str(&kv, 1, key);
  pbw_str(&kv, 2, value);
  pbw_msg(t, 13, &kv);
}

/* An initializer w (3 floats) stored in weights.bin at offset 4, output through Identity. */
static void test_external_data_is_read_beside_the_model(void) {
  char dir[] = "/tmp/edgert_onnx_extXXXXXX";
  if (!mkdtemp(dir)) {
    CHECK(!"mkdtemp");
    return;
  }
  char path[256], weights[256];
  snprintf(weights, sizeof weights, "%s/weights.bin", dir);
  float w[4] = {0, 1.5f, -2.5f, 4.0f};
  write_file(weights, w, sizeof w);
  static pbw m, node, out, init;
  int64_t d3[1] = {3};
  const char *location[] = {"weights.bin", "../weights.bin", "/etc/passwd"};
  for (int k = 0; k < 3; k++) {
    onnx_tensor_header(&init, "w", ONNX_FLOAT, 1, d3);
    external_entry(&init, "location", location[k]);
    external_entry(&init, "offset", "4");
    external_entry(&init, "length", "12");
    pbw_int(&init, 14, 1);
    const char *win[] = {"w"}, *y[] = {"y"};
    onnx_node(&node, "Identity", "id", 1, win, 1, y, 0, NULL);
    onnx_value_info(&out, "y", ONNX_FLOAT, 1, d3);
    build_model(&m, 1, &node, 1, &out, &init, 13);
    snprintf(path, sizeof path, "%s/model.onnx", dir);
    write_file(path, m.buf, m.len);
    edgert_model *model = NULL;
    edgert_status st = edgert_model_load_file(path, &model);
    if (k == 0) {
      CHECK_OK(st);
      edgert_interpreter *it = NULL;
      CHECK_OK(edgert_interpreter_create(model, NULL, &it));
      const float *y0 = edgert_interpreter_output_data(it, 0);
      CHECK(y0 && y0[0] == 1.5f && y0[1] == -2.5f && y0[2] == 4.0f);
      edgert_interpreter_free(it);
    } else {
      CHECK(st == EDGERT_ERR_MALFORMED);
      CHECK(strstr(edgert_model_error(model), "leaves the model's folder") != NULL);
    }
    edgert_model_free(model);
    /* from a buffer there is no folder: refused */
    CHECK(edgert_model_load_buffer(m.buf, m.len, &model) != EDGERT_OK);
    edgert_model_free(model);
  }
  unlink(path);
  unlink(weights);
  rmdir(dir);
}

/* If with branches that read an outer activation (captured) and an outer initializer (copied as a
 * constant), as graph.h describes. Runs once the control family maps If; skipped before. */
static void test_subgraphs_capture_outer_values(void) {
  static pbw m, graph, then_g, else_g, if_node, add, id, attrs[2], in_cond, in_x, out, then_out, else_out,
      init;
  int64_t d3[1] = {3};
  const char *xw[] = {"x", "w"}, *t[] = {"t"}, *x[] = {"x"}, *e[] = {"e"}, *cond[] = {"cond"}, *y[] = {"y"};
  onnx_node(&add, "Add", "add", 2, xw, 1, t, 0, NULL);
  onnx_value_info(&then_out, "t", ONNX_FLOAT, 1, d3);
  memset(&then_g, 0, sizeof then_g);
  pbw_msg(&then_g, 1, &add);
  pbw_str(&then_g, 2, "then");
  pbw_msg(&then_g, 12, &then_out);
  onnx_node(&id, "Identity", "id", 1, x, 1, e, 0, NULL);
  onnx_value_info(&else_out, "e", ONNX_FLOAT, 1, d3);
  memset(&else_g, 0, sizeof else_g);
  pbw_msg(&else_g, 1, &id);
  pbw_str(&else_g, 2, "else");
  pbw_msg(&else_g, 12, &else_out);
  memset(attrs, 0, sizeof attrs);
  pbw_str(&attrs[0], 1, "then_branch");
  pbw_msg(&attrs[0], 6, &then_g);
  pbw_int(&attrs[0], 20, 5);
  pbw_str(&attrs[1], 1, "else_branch");
  pbw_msg(&attrs[1], 6, &else_g);
  pbw_int(&attrs[1], 20, 5);
  onnx_node(&if_node, "If", "if", 1, cond, 1, y, 2, attrs);
  onnx_tensor_header(&init, "w", ONNX_FLOAT, 1, d3);
  float w[3] = {1, 2, 3};
  pbw_bytes(&init, 4, w, sizeof w);
  onnx_value_info(&in_cond, "cond", ONNX_BOOL, 0, NULL);
  onnx_value_info(&in_x, "x", ONNX_FLOAT, 1, d3);
  onnx_value_info(&out, "y", ONNX_FLOAT, 1, d3);
  memset(&graph, 0, sizeof graph);
  pbw_msg(&graph, 1, &if_node);
  pbw_msg(&graph, 5, &init);
  pbw_msg(&graph, 11, &in_cond);
  pbw_msg(&graph, 11, &in_x);
  pbw_msg(&graph, 12, &out);
  onnx_model(&m, &graph, 13);
  er_graph g;
  char err[512];
  edgert_status st = er_onnx_import(m.buf, m.len, NULL, NULL, &g, err, sizeof err);
  if (st != EDGERT_OK && strstr(err, "unsupported op ai.onnx::If")) {
    printf("  (skipped: If is not mapped yet)\n");
    return;
  }
  CHECK_MSG(st == EDGERT_OK, "%s", err);
  if (st != EDGERT_OK) return;
  CHECK_EQ_INT(g.n_subgraphs, 2);
  CHECK_EQ_INT(g.n_nodes, 1);
  int32_t x_id = g.inputs[1];
  if (g.n_subgraphs == 2 && g.n_nodes == 1) {
    const er_graph *then_branch = &g.subgraphs[0], *else_branch = &g.subgraphs[1];
    CHECK_EQ_INT(then_branch->n_formal_inputs, 0);
    CHECK_EQ_INT(then_branch->n_captures, 1);
    CHECK_EQ_INT(then_branch->n_inputs, 1);
    if (then_branch->n_captures == 1) CHECK_EQ_INT(then_branch->captures[0], x_id);
    bool has_w = false; /* the initializer is a constant inside the branch, not a capture */
    for (int32_t i = 0; i < then_branch->n_tensors; i++)
      if (!strcmp(then_branch->tensors[i].name, "w")) has_w = then_branch->tensors[i].kind == ER_TENSOR_CONST;
    CHECK(has_w);
    CHECK_EQ_INT(else_branch->n_captures, 1);
    /* the If node lists the captured outer values after its own inputs */
    const er_node *node = &g.nodes[0];
    CHECK(node->n_inputs >= 3 && node->inputs[node->n_inputs - 1] == x_id &&
          node->inputs[node->n_inputs - 2] == x_id);
  }
  er_graph_free(&g);
}

/* The ONNX backend test data, when installed (Debian's libonnx-testdata). */
static void test_reads_backend_test_models(void) {
  const char *root = "/usr/share/libonnx-testdata/data/node";
  char path[512];
  snprintf(path, sizeof path, "%s/test_abs/model.onnx", root);
  FILE *f = fopen(path, "rb");
  if (!f) {
    printf("  (skipped: %s not installed)\n", root);
    return;
  }
  fclose(f);
  edgert_model *model = NULL;
  CHECK_OK(edgert_model_load_file(path, &model));
  edgert_tensor_info info;
  CHECK_OK(edgert_model_input_info(model, 0, &info));
  CHECK(info.dtype == EDGERT_FLOAT32 && info.ndim == 3 && info.dims[0] == 3 && info.dims[1] == 4 &&
        info.dims[2] == 5);
  edgert_model_free(model);
  /* input_0.pb of test_abs: 60 floats of shape [3, 4, 5] */
  snprintf(path, sizeof path, "%s/test_abs/test_data_set_0/input_0.pb", root);
  size_t size;
  unsigned char *bytes = test_read_file(path, &size);
  CHECK(bytes != NULL);
  if (!bytes) return;
  er_graph owner;
  memset(&owner, 0, sizeof owner);
  er_tensor t;
  char err[256];
  CHECK_OK(er_onnx_read_tensor(bytes, size, &owner, &t, err, sizeof err));
  CHECK(t.dtype == EDGERT_FLOAT32 && t.ndim == 3 && t.bytes == 240);
  er_graph_free(&owner);
  free(bytes);
}

void run_tests(void) {
  RUN(test_tensor_typed_fields_decode_per_spec);
  RUN(test_raw_data_is_zero_copy_when_aligned);
  RUN(test_bad_tensors_are_refused);
  RUN(test_identity_and_symbolic_dims);
  RUN(test_constant_attributes_become_constants);
  RUN(test_dropout_forwards_and_masks);
  RUN(test_input_with_initializer_is_constant);
  RUN(test_errors_name_the_node);
  RUN(test_other_bytes_are_not_a_model);
  RUN(test_external_data_is_read_beside_the_model);
  RUN(test_subgraphs_capture_outer_values);
  RUN(test_reads_backend_test_models);
}
