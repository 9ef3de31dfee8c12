/* The one custom op edgert runs, end to end through the TFLite importer: a model whose only operator is
 * TFLite_Detection_PostProcess with FlexBuffers custom_options (those of TFLite's
 * detection_postprocess_test.cc) loads, runs, and gives that test's FloatTest answers; the same model
 * with regular NMS gives RegularNMS's. Other custom names stay refused by name; broken custom options
 * (not FlexBuffers, truncated, a non-number option, a non-FlexBuffers format) are refused as malformed or
 * unsupported without crashing. */
#include <stdlib.h>

#include "edgert.h"
#include "fb_builder.h"
#include "flex_builder.h"
#include "test.h"

static const float boxes6[24] = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 1.0f, 0.0f, 0.0f, 0.0f, -1.0f, 0.0f, 0.0f,
                                 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 1.0f, 0.0f, 0.0f, 0.0f, 0.0f,  0.0f, 0.0f};
static const float scores6[18] = {0.f, .9f,  .8f,  0.f, .75f, .72f, 0.f, .6f, .5f,
                                  0.f, .93f, .95f, 0.f, .5f,  .4f,  0.f, .3f, .2f};
static const float anchors6[24] = {0.5f, 0.5f,  1.0f, 1.0f, 0.5f, 0.5f,   1.0f, 1.0f,
                                   0.5f, 0.5f,  1.0f, 1.0f, 0.5f, 10.5f,  1.0f, 1.0f,
                                   0.5f, 10.5f, 1.0f, 1.0f, 0.5f, 100.5f, 1.0f, 1.0f};

typedef struct {
  const char *name;
  const uint8_t *options;
  size_t options_len;
  int8_t options_format;
} custom_model;

/* Tensors: 0 boxes [1, 6, 4], 1 scores [1, 6, 3], 2 anchors [6, 4] (constant, buffer 1), 3..6 the four
 * outputs with no shape (prepare sets them). */
static size_t write_tensor(fbb *b, size_t slot, int ndim, const int32_t *dims, uint32_t buffer, int index) {
  size_t pos[4];
  fbb_field f[4] = {{0, 4, 0}, {1, 1, 0 /* FLOAT32 */}, {2, 4, buffer}, {3, 4, 0}};
  fbb_link(b, slot, fbb_table(b, f, 4, pos));
  fbb_link(b, pos[0], fbb_vector(b, 4, (uint32_t)ndim, dims));
  char name[16];
  snprintf(name, sizeof name, "t%d", index);
  fbb_link(b, pos[3], fbb_string(b, name));
  return 0;
}

static size_t build_model(fbb *b, const custom_model *m) {
  memset(b, 0, sizeof *b);
  fbb_reserve(b, 8, 4);
  memcpy(b->buf + 4, "TFL3", 4);
  size_t mpos[4];
  fbb_field model[4] = {{0, 4, 3}, {1, 4, 0}, {2, 4, 0}, {4, 4, 0}};
  fbb_link(b, 0, fbb_table(b, model, 4, mpos));
  size_t codes = fbb_vector(b, 4, 1, NULL);
  fbb_link(b, mpos[1], codes);
  size_t cpos[3];
  fbb_field code[3] = {{0, 1, 32}, {3, 4, 32}, {1, 4, 0}};
  fbb_link(b, fbb_elem(codes, 0), fbb_table(b, code, 3, cpos));
  fbb_link(b, cpos[2], fbb_string(b, m->name));
  size_t subgraphs = fbb_vector(b, 4, 1, NULL);
  fbb_link(b, mpos[2], subgraphs);
  size_t spos[4];
  fbb_field sg[4] = {{0, 4, 0}, {1, 4, 0}, {2, 4, 0}, {3, 4, 0}};
  fbb_link(b, fbb_elem(subgraphs, 0), fbb_table(b, sg, 4, spos));
  size_t tensors = fbb_vector(b, 4, 7, NULL);
  fbb_link(b, spos[0], tensors);
  write_tensor(b, fbb_elem(tensors, 0), 3, (int32_t[]){1, 6, 4}, 0, 0);
  write_tensor(b, fbb_elem(tensors, 1), 3, (int32_t[]){1, 6, 3}, 0, 1);
  write_tensor(b, fbb_elem(tensors, 2), 2, (int32_t[]){6, 4}, 1, 2);
  for (int i = 3; i < 7; i++)
    write_tensor(b, fbb_elem(tensors, i), 0, NULL, 0, i);
  fbb_link(b, spos[1], fbb_vector(b, 4, 2, (int32_t[]){0, 1}));
  fbb_link(b, spos[2], fbb_vector(b, 4, 4, (int32_t[]){3, 4, 5, 6}));
  size_t ops = fbb_vector(b, 4, 1, NULL);
  fbb_link(b, spos[3], ops);
  size_t opos[5];
  fbb_field op[5] = {{0, 4, 0}, {1, 4, 0}, {2, 4, 0}, {5, 4, 0}, {6, 1, (uint8_t)m->options_format}};
  fbb_link(b, fbb_elem(ops, 0), fbb_table(b, op, 5, opos));
  fbb_link(b, opos[1], fbb_vector(b, 4, 3, (int32_t[]){0, 1, 2}));
  fbb_link(b, opos[2], fbb_vector(b, 4, 4, (int32_t[]){3, 4, 5, 6}));
  fbb_link(b, opos[3], fbb_vector(b, 1, (uint32_t)m->options_len, m->options));
  size_t buffers = fbb_vector(b, 4, 2, NULL);
  fbb_link(b, mpos[3], buffers);
  fbb_link(b, fbb_elem(buffers, 0), fbb_table(b, NULL, 0, NULL));
  size_t bpos[1];
  fbb_field bf[1] = {{0, 4, 0}};
  fbb_link(b, fbb_elem(buffers, 1), fbb_table(b, bf, 1, bpos));
  fbb_link(b, bpos[0], fbb_vector(b, 1, sizeof anchors6, anchors6));
  CHECK(!b->overflow);
  return b->len;
}

static edgert_status load(const custom_model *m, fbb *b, edgert_model **model) {
  size_t len = build_model(b, m);
  return edgert_model_load_buffer(b->buf, len, model);
}

static void run_and_check(const custom_model *m, const float *want_boxes, const float *want_classes,
                          const float *want_scores, float want_count) {
  static fbb b;
  edgert_model *model = NULL;
  edgert_status st = load(m, &b, &model);
  CHECK_OK(st);
  if (st != EDGERT_OK) {
    fprintf(stderr, "%s\n", model ? edgert_model_error(model) : "no model");
    edgert_model_free(model);
    return;
  }
  CHECK(strcmp(edgert_model_op_name(model, 0), "DETECTION_POSTPROCESS") == 0);
  edgert_interpreter *it = NULL;
  st = edgert_interpreter_create(model, NULL, &it);
  CHECK_OK(st);
  if (st == EDGERT_OK) {
    CHECK_OK(edgert_interpreter_set_input(it, 0, boxes6, sizeof boxes6));
    CHECK_OK(edgert_interpreter_set_input(it, 1, scores6, sizeof scores6));
    st = edgert_interpreter_invoke(it);
    CHECK_OK(st);
    if (st == EDGERT_OK) {
      const float *boxes = edgert_interpreter_output_data(it, 0),
                  *classes = edgert_interpreter_output_data(it, 1);
      const float *scores = edgert_interpreter_output_data(it, 2),
                  *count = edgert_interpreter_output_data(it, 3);
      for (int i = 0; i < 12; i++)
        CHECK_NEAR(boxes[i], want_boxes[i], 3e-4);
      for (int i = 0; i < 3; i++) {
        CHECK_NEAR(classes[i], want_classes[i], 1e-4);
        CHECK_NEAR(scores[i], want_scores[i], 1e-4);
      }
      CHECK_NEAR(count[0], want_count, 1e-4);
    }
  }
  if (st != EDGERT_OK) fprintf(stderr, "%s\n", it ? edgert_interpreter_error(it) : "no interpreter");
  edgert_interpreter_free(it);
  edgert_model_free(model);
}

static void detection_postprocess_imports_and_matches_tflite(void) {
  uint8_t options[512];
  custom_model m = {"TFLite_Detection_PostProcess", options, fx_detection_options(options, 1, 0), 0};
  run_and_check(&m,
                (const float[]){0.0f, 10.0f, 1.0f, 11.0f, 0.0f, 0.0f, 1.0f, 1.0f, 0.0f, 100.0f, 1.0f, 101.0f},
                (const float[]){1, 0, 0}, (const float[]){0.95f, 0.9f, 0.3f}, 3);
  m.options_len = fx_detection_options(options, 1, 1);
  run_and_check(&m,
                (const float[]){0.0f, 10.0f, 1.0f, 11.0f, 0.0f, 10.0f, 1.0f, 11.0f, 0.0f, 0.0f, 0.0f, 0.0f},
                (const float[]){1, 0, 0}, (const float[]){0.95f, 0.93f, 0.0f}, 2);
}

static edgert_status load_status(const custom_model *m, char *msg, size_t len) {
  static fbb b;
  edgert_model *model = NULL;
  edgert_status st = load(m, &b, &model);
  snprintf(msg, len, "%s", model ? edgert_model_error(model) : "");
  edgert_model_free(model);
  return st;
}

static void other_custom_ops_and_broken_options_are_refused(void) {
  uint8_t options[512];
  char msg[256];
  size_t n = fx_detection_options(options, 1, 0);
  custom_model m = {"TFLite_Detection_PostProcessX", options, n, 0};
  CHECK_EQ_INT(load_status(&m, msg, sizeof msg), EDGERT_ERR_UNSUPPORTED);
  CHECK_MSG(strstr(msg, "unsupported custom op TFLite_Detection_PostProcessX") != NULL, "%s", msg);
  m.name = "TFLite_Detection_PostProcess";
  m.options_format = 1;
  CHECK_EQ_INT(load_status(&m, msg, sizeof msg), EDGERT_ERR_UNSUPPORTED);
  m.options_format = 0;
  for (size_t len = 0; len < n; len++) {
    m.options_len = len;
    CHECK(load_status(&m, msg, sizeof msg) != EDGERT_OK);
  }
  const fx_entry text[] = {{"max_detections", FX_STRING, 0}};
  m.options_len = fx_map(options, text, 1);
  CHECK_EQ_INT(load_status(&m, msg, sizeof msg), EDGERT_ERR_MALFORMED);
}

void run_tests(void) {
  RUN(detection_postprocess_imports_and_matches_tflite);
  RUN(other_custom_ops_and_broken_options_are_refused);
}
