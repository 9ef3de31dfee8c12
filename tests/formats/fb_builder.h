/* A tiny FlatBuffers writer for tests: lays objects out front to back in a fixed buffer (each vtable
 * just before its table, children after their parents, so every offset points forward as the format
 * requires) and patches reference fields once their targets exist. Every field gets an 8-byte slot;
 * that is valid FlatBuffers, only less compact than what flatc writes. */
#ifndef EDGERT_TEST_FB_BUILDER_H
#define EDGERT_TEST_FB_BUILDER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define FBB_CAP 16384
#define FBB_MAX_FIELDS 16

typedef struct {
  uint8_t buf[FBB_CAP];
  size_t len;
  int overflow;
} fbb;

/* One table field: id in the schema, byte width (1, 4 or 8; 4 for references) and value. */
typedef struct {
  int id;
  int size;
  uint64_t value;
} fbb_field;

static inline void fbb_store(fbb *b, size_t pos, uint64_t v, int size) {
  if (pos + (size_t)size > FBB_CAP) {
    b->overflow = 1;
    return;
  }
  for (int i = 0; i < size; i++)
    b->buf[pos + (size_t)i] = (uint8_t)(v >> (8 * i));
}

static inline size_t fbb_reserve(fbb *b, size_t n, size_t align) {
  while (b->len % align)
    b->len++;
  size_t pos = b->len;
  if (pos + n > FBB_CAP) {
    b->overflow = 1;
    return 0;
  }
  memset(b->buf + pos, 0, n);
  b->len += n;
  return pos;
}

/* Writes vtable + table; pos_out[i] receives the position of field i (for patching references). */
static inline size_t fbb_table(fbb *b, const fbb_field *f, int n, size_t *pos_out) {
  int max_id = -1;
  for (int i = 0; i < n; i++)
    if (f[i].id > max_id) max_id = f[i].id;
  size_t vt_size = 4 + 2 * (size_t)(max_id + 1);
  size_t inline_size = 4 + 8 * (size_t)n;
  size_t vt = fbb_reserve(b, vt_size, 4);
  size_t table = fbb_reserve(b, inline_size, 8);
  fbb_store(b, vt, vt_size, 2);
  fbb_store(b, vt + 2, inline_size, 2);
  fbb_store(b, table, (uint64_t)(uint32_t)(int32_t)(table - vt), 4);
  for (int i = 0; i < n; i++) {
    size_t slot = 4 + 8 * (size_t)i;
    fbb_store(b, vt + 4 + 2 * (size_t)f[i].id, slot, 2);
    fbb_store(b, table + slot, f[i].value, f[i].size);
    if (pos_out) pos_out[i] = table + slot;
  }
  return table;
}

/* A vector of `count` elements of `elem` bytes, data aligned to 16 (as TFLite buffers are); returns the
 * position of its length word. */
static inline size_t fbb_vector(fbb *b, size_t elem, uint32_t count, const void *data) {
  while ((b->len + 4) % 16)
    b->len++;
  size_t pos = fbb_reserve(b, 4 + elem * count, 4);
  fbb_store(b, pos, count, 4);
  if (data && !b->overflow) memcpy(b->buf + pos + 4, data, elem * count);
  return pos;
}

static inline size_t fbb_string(fbb *b, const char *s) {
  size_t n = strlen(s);
  size_t pos = fbb_reserve(b, 4 + n + 1, 4);
  fbb_store(b, pos, n, 4);
  if (!b->overflow) memcpy(b->buf + pos + 4, s, n);
  return pos;
}

/* Points the reference stored at `at` to `target`. */
static inline void fbb_link(fbb *b, size_t at, size_t target) {
  fbb_store(b, at, (uint64_t)(target - at), 4);
}

/* Position of element i of a vector of references whose length word is at `vec`. */
static inline size_t fbb_elem(size_t vec, int i) { return vec + 4 + 4 * (size_t)i; }

#endif
