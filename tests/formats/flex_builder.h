/* A tiny FlexBuffers map writer for tests: keys, the keys vector, the map (4-byte values) and the root,
 * laid out front to back as flexbuffers::Builder lays them out. Entries must be given sorted by key, as
 * FlexBuffers maps are. */
#ifndef EDGERT_TEST_FLEX_BUILDER_H
#define EDGERT_TEST_FLEX_BUILDER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum { FX_INT = 1, FX_UINT = 2, FX_FLOAT = 3, FX_STRING = 5, FX_BOOL = 26 };

typedef struct {
  const char *key;
  int type; /* FX_INT, FX_FLOAT, FX_BOOL (FX_STRING writes a 0 offset: a malformed-value case) */
  double value;
} fx_entry;

static inline void fx_put32(uint8_t *buf, size_t at, uint32_t v) {
  for (int i = 0; i < 4; i++)
    buf[at + (size_t)i] = (uint8_t)(v >> (8 * i));
}

/* Writes the map into buf (at least 64 + 24 bytes per entry); returns its size. */
static inline size_t fx_map(uint8_t *buf, const fx_entry *e, int n) {
  size_t pos = 0, key_pos[32];
  for (int i = 0; i < n; i++) {
    key_pos[i] = pos;
    size_t len = strlen(e[i].key) + 1;
    memcpy(buf + pos, e[i].key, len);
    pos += len;
  }
  while (pos % 4)
    buf[pos++] = 0;
  fx_put32(buf, pos, (uint32_t)n); /* keys vector length */
  size_t keys = pos + 4;
  for (int i = 0; i < n; i++)
    fx_put32(buf, keys + 4 * (size_t)i, (uint32_t)(keys + 4 * (size_t)i - key_pos[i]));
  size_t prefix = keys + 4 * (size_t)n;
  fx_put32(buf, prefix, (uint32_t)(prefix - keys)); /* back to the keys */
  fx_put32(buf, prefix + 4, 4);                     /* key width */
  fx_put32(buf, prefix + 8, (uint32_t)n);           /* entries */
  size_t values = prefix + 12;
  for (int i = 0; i < n; i++) {
    uint32_t bits = 0;
    if (e[i].type == FX_FLOAT) {
      float f = (float)e[i].value;
      memcpy(&bits, &f, 4);
    } else if (e[i].type != FX_STRING) {
      bits = (uint32_t)(int32_t)e[i].value;
    }
    fx_put32(buf, values + 4 * (size_t)i, bits);
    buf[values + 4 * (size_t)n + (size_t)i] = (uint8_t)(e[i].type << 2 | 2);
  }
  size_t root = values + 5 * (size_t)n;
  fx_put32(buf, root, (uint32_t)(root - values));
  buf[root + 4] = 9 << 2 | 2; /* a map of 4-byte values */
  buf[root + 5] = 4;          /* root width */
  return root + 6;
}

/* The options of TFLite's detection_postprocess_test.cc, sorted by key. */
static inline size_t fx_detection_options(uint8_t *buf, int max_classes_per_detection, int regular) {
  const fx_entry e[] = {
      {"detections_per_class", FX_INT, 1},
      {"h_scale", FX_FLOAT, 5.0},
      {"max_classes_per_detection", FX_INT, max_classes_per_detection},
      {"max_detections", FX_INT, 3},
      {"nms_iou_threshold", FX_FLOAT, 0.5},
      {"nms_score_threshold", FX_FLOAT, 0.0},
      {"num_classes", FX_INT, 2},
      {"use_regular_nms", FX_BOOL, regular},
      {"w_scale", FX_FLOAT, 5.0},
      {"x_scale", FX_FLOAT, 10.0},
      {"y_scale", FX_FLOAT, 10.0},
  };
  return fx_map(buf, e, (int)(sizeof e / sizeof e[0]));
}

#endif
