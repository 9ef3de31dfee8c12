/* The FlexBuffers map reader (src/formats/tflite/flexbuf.c): the options map TFLite's
 * detection_postprocess_test.cc writes reads back with flexbuffers' conversions; missing keys read as
 * absent; a root that is not a map, bad widths and offsets are refused; and every truncation and every
 * single-byte corruption of a valid map is either refused or read without leaving the buffer (run under
 * the sanitizer build to see the latter). */
#include <stdlib.h>

#include "flex_builder.h"
#include "formats/tflite/flexbuf.h"
#include "test.h"

static const char *const detection_keys[] = {"detections_per_class",
                                             "h_scale",
                                             "max_classes_per_detection",
                                             "max_detections",
                                             "nms_iou_threshold",
                                             "nms_score_threshold",
                                             "num_classes",
                                             "use_regular_nms",
                                             "w_scale",
                                             "x_scale",
                                             "y_scale",
                                             "absent_key"};

static void flexbuf_reads_detection_options(void) {
  uint8_t buf[1024];
  size_t n = fx_detection_options(buf, 2, 1);
  er_flex_map m;
  char err[160];
  CHECK(er_flex_root_map(buf, n, &m, err, sizeof err));
  CHECK_EQ_INT(m.count, 11);
  er_flex_value v;
  CHECK(er_flex_map_get(&m, "max_detections", &v, err, sizeof err));
  CHECK_EQ_INT(v.kind, ER_FLEX_INT);
  CHECK_EQ_INT(v.i, 3);
  CHECK(er_flex_map_get(&m, "max_classes_per_detection", &v, err, sizeof err));
  CHECK_EQ_INT(v.i, 2);
  CHECK(er_flex_map_get(&m, "nms_iou_threshold", &v, err, sizeof err));
  CHECK_EQ_INT(v.kind, ER_FLEX_FLOAT);
  CHECK_NEAR(v.f, 0.5, 0);
  CHECK(er_flex_map_get(&m, "y_scale", &v, err, sizeof err));
  CHECK_NEAR(v.f, 10.0, 0);
  CHECK_EQ_INT(v.i, 10);
  CHECK(er_flex_map_get(&m, "use_regular_nms", &v, err, sizeof err));
  CHECK_EQ_INT(v.kind, ER_FLEX_BOOL);
  CHECK(v.b);
  CHECK(er_flex_map_get(&m, "num_classes", &v, err, sizeof err));
  CHECK_NEAR(v.f, 2.0, 0);
  CHECK(er_flex_map_get(&m, "absent_key", &v, err, sizeof err));
  CHECK_EQ_INT(v.kind, ER_FLEX_ABSENT);
  CHECK(er_flex_map_get(&m, "max_detection", &v, err, sizeof err)); /* a prefix of a key is not the key */
  CHECK_EQ_INT(v.kind, ER_FLEX_ABSENT);
}

static void flexbuf_refuses_non_maps_and_bad_headers(void) {
  uint8_t buf[1024];
  size_t n = fx_detection_options(buf, 1, 0);
  er_flex_map m;
  char err[160];
  uint8_t copy[1024];
  memcpy(copy, buf, n);
  copy[n - 2] = FX_INT << 2; /* root is an int */
  CHECK(!er_flex_root_map(copy, n, &m, err, sizeof err));
  memcpy(copy, buf, n);
  copy[n - 1] = 3; /* root width 3 */
  CHECK(!er_flex_root_map(copy, n, &m, err, sizeof err));
  memcpy(copy, buf, n);
  fx_put32(copy, n - 6, 0x7fffffff); /* map offset before the buffer */
  CHECK(!er_flex_root_map(copy, n, &m, err, sizeof err));
  CHECK(!er_flex_root_map(buf, 2, &m, err, sizeof err));
  CHECK(!er_flex_root_map(NULL, 0, &m, err, sizeof err));
}

/* Reads every key; returns without touching bytes outside data[0..size) (checked by ASan builds). */
static void read_all(const uint8_t *data, size_t size) {
  er_flex_map m;
  char err[160];
  if (!er_flex_root_map(data, size, &m, err, sizeof err)) return;
  for (size_t k = 0; k < sizeof detection_keys / sizeof detection_keys[0]; k++) {
    er_flex_value v;
    (void)er_flex_map_get(&m, detection_keys[k], &v, err, sizeof err);
  }
}

static void flexbuf_survives_truncation_and_corruption(void) {
  uint8_t buf[1024];
  size_t n = fx_detection_options(buf, 1, 1);
  for (size_t len = 0; len < n; len++) {
    uint8_t *cut = malloc(len ? len : 1); /* exact size, so ASan sees any overread */
    memcpy(cut, buf + (n - len), len);    /* keep the end: the root lives there */
    read_all(cut, len);
    memcpy(cut, buf, len);
    read_all(cut, len);
    free(cut);
  }
  uint8_t *copy = malloc(n);
  const uint8_t values[] = {0x00, 0x01, 0x04, 0x7f, 0x80, 0xfe, 0xff};
  for (size_t at = 0; at < n; at++) {
    for (size_t k = 0; k < sizeof values; k++) {
      memcpy(copy, buf, n);
      copy[at] = values[k];
      read_all(copy, n);
    }
  }
  free(copy);
  CHECK(1);
}

void run_tests(void) {
  RUN(flexbuf_reads_detection_options);
  RUN(flexbuf_refuses_non_maps_and_bad_headers);
  RUN(flexbuf_survives_truncation_and_corruption);
}
