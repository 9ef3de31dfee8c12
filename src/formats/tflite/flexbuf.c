/* FlexBuffers map reader: see flexbuf.h. Layout facts follow flatbuffers/flexbuffers.h (Reference,
 * Vector, Map, GetRoot); every read goes through read_uint/read_int, which check the bytes lie inside
 * the buffer. */
#include "formats/tflite/flexbuf.h"

#include <stdio.h>
#include <string.h>

/* Value types we tell apart (FlexBuffers' FBT_* numbers). */
enum {
  FBT_NULL = 0,
  FBT_INT = 1,
  FBT_UINT = 2,
  FBT_FLOAT = 3,
  FBT_INDIRECT_INT = 6,
  FBT_INDIRECT_UINT = 7,
  FBT_INDIRECT_FLOAT = 8,
  FBT_MAP = 9,
  FBT_BOOL = 26
};

/* A cap on entries looked at, so a hostile count cannot make a lookup crawl. */
#define FLEX_MAX_ENTRIES 4096u

static bool fail(char *err, size_t err_len, const char *what, size_t at) {
  if (err_len) snprintf(err, err_len, "custom options: %s at byte %zu", what, at);
  return false;
}

static bool valid_width(uint64_t w) { return w == 1 || w == 2 || w == 4 || w == 8; }

static bool in_bounds(size_t size, size_t pos, size_t len) { return pos <= size && len <= size - pos; }

static bool read_uint(const uint8_t *data, size_t size, size_t pos, unsigned width, uint64_t *out) {
  if (!in_bounds(size, pos, width)) return false;
  uint64_t v = 0;
  for (unsigned i = 0; i < width; i++)
    v |= (uint64_t)data[pos + i] << (8 * i);
  *out = v;
  return true;
}

/* Sign-extends a little-endian integer of `width` bytes. */
static bool read_int(const uint8_t *data, size_t size, size_t pos, unsigned width, int64_t *out) {
  uint64_t u;
  if (!read_uint(data, size, pos, width, &u)) return false;
  if (width < 8 && (u >> (8 * width - 1)) & 1u) u |= ~(uint64_t)0 << (8 * width);
  memcpy(out, &u, sizeof u);
  return true;
}

/* FlexBuffers floats are 4 or 8 bytes wide; other widths read as 0, as flexbuffers' ReadDouble does. */
static bool read_float(const uint8_t *data, size_t size, size_t pos, unsigned width, double *out) {
  uint64_t u;
  if (!read_uint(data, size, pos, width, &u)) return false;
  if (width == 4) {
    uint32_t bits = (uint32_t)u;
    float f;
    memcpy(&f, &bits, sizeof f);
    *out = f;
  } else if (width == 8) {
    memcpy(out, &u, sizeof u);
  } else {
    *out = 0.0;
  }
  return true;
}

/* The position an offset field at `pos` (of `width` bytes) points back to. */
static bool indirect(const uint8_t *data, size_t size, size_t pos, unsigned width, size_t *target) {
  uint64_t off;
  if (!read_uint(data, size, pos, width, &off) || off > pos) return false;
  *target = pos - (size_t)off;
  return true;
}

bool er_flex_root_map(const uint8_t *data, size_t size, er_flex_map *map, char *err, size_t err_len) {
  memset(map, 0, sizeof *map);
  if (!data || size < 3) return fail(err, err_len, "buffer too short for a FlexBuffers root", 0);
  uint8_t root_width = data[size - 1], packed = data[size - 2];
  if (!valid_width(root_width) || (size_t)root_width + 2 > size)
    return fail(err, err_len, "bad root byte width", size - 1);
  size_t root = size - 2 - root_width;
  if ((packed >> 2) != FBT_MAP) return fail(err, err_len, "root is not a map", size - 2);
  size_t values;
  if (!indirect(data, size, root, root_width, &values)) return fail(err, err_len, "bad map offset", root);
  unsigned width = 1u << (packed & 3u);
  /* The prefix: keys offset, keys width, count; each `width` bytes, just before the values. */
  if (values < 3u * width) return fail(err, err_len, "map prefix outside the buffer", values);
  size_t prefix = values - 3u * width;
  uint64_t keys_width, count;
  size_t keys;
  if (!indirect(data, size, prefix, width, &keys) ||
      !read_uint(data, size, prefix + width, width, &keys_width) ||
      !read_uint(data, size, prefix + 2u * width, width, &count))
    return fail(err, err_len, "bad map prefix", prefix);
  if (!valid_width(keys_width)) return fail(err, err_len, "bad key width", prefix + width);
  if (count > FLEX_MAX_ENTRIES) return fail(err, err_len, "map has too many entries", prefix + 2u * width);
  /* Values and their type bytes, and the key offsets, must all lie inside the buffer. */
  if (!in_bounds(size, values, (size_t)count * (width + 1u)) ||
      !in_bounds(size, keys, (size_t)count * keys_width))
    return fail(err, err_len, "map entries outside the buffer", values);
  map->data = data;
  map->size = size;
  map->values = values;
  map->width = (uint8_t)width;
  map->keys = keys;
  map->keys_width = (uint8_t)keys_width;
  map->count = count;
  return true;
}

/* True when the NUL-terminated key at `pos` equals `key` (the terminator must lie inside the buffer). */
static bool key_equals(const er_flex_map *m, size_t pos, const char *key) {
  size_t n = strlen(key);
  if (!in_bounds(m->size, pos, n + 1)) return false;
  return memcmp(m->data + pos, key, n) == 0 && m->data[pos + n] == 0;
}

/* Reads entry i (found under its key) into out. */
static bool read_entry(const er_flex_map *m, uint64_t i, er_flex_value *out, char *err, size_t err_len) {
  size_t at = m->values + (size_t)i * m->width;
  uint8_t packed = m->data[m->values + (size_t)m->count * m->width + (size_t)i];
  unsigned type = packed >> 2, target_width = 1u << (packed & 3u);
  size_t pos = at;
  unsigned width = m->width;
  if (type == FBT_INDIRECT_INT || type == FBT_INDIRECT_UINT || type == FBT_INDIRECT_FLOAT) {
    if (!indirect(m->data, m->size, at, m->width, &pos)) return fail(err, err_len, "bad indirect offset", at);
    width = target_width;
  }
  bool ok = true;
  int64_t iv = 0;
  uint64_t uv = 0;
  double fv = 0.0;
  switch (type) {
  case FBT_NULL: out->kind = ER_FLEX_NULL; return true;
  case FBT_INT:
  case FBT_INDIRECT_INT:
    out->kind = ER_FLEX_INT;
    ok = read_int(m->data, m->size, pos, width, &iv);
    fv = (double)iv;
    break;
  case FBT_UINT:
  case FBT_INDIRECT_UINT:
  case FBT_BOOL:
    out->kind = type == FBT_BOOL ? ER_FLEX_BOOL : ER_FLEX_UINT;
    ok = read_uint(m->data, m->size, pos, width, &uv);
    iv = (int64_t)uv;
    fv = (double)uv;
    break;
  case FBT_FLOAT:
  case FBT_INDIRECT_FLOAT:
    out->kind = ER_FLEX_FLOAT;
    ok = read_float(m->data, m->size, pos, width, &fv);
    /* flexbuffers casts the double to int64 (undefined out of range); we saturate and read NaN as 0. */
    if (fv != fv)
      iv = 0;
    else if (fv >= 9.2e18)
      iv = INT64_MAX;
    else if (fv <= -9.2e18)
      iv = INT64_MIN;
    else
      iv = (int64_t)fv;
    break;
  default: out->kind = ER_FLEX_OTHER; return true;
  }
  if (!ok) return fail(err, err_len, "value outside the buffer", pos);
  out->i = iv;
  out->f = fv;
  out->b = type == FBT_FLOAT || type == FBT_INDIRECT_FLOAT ? iv != 0 : uv != 0 || iv != 0;
  return true;
}

bool er_flex_map_get(const er_flex_map *m, const char *key, er_flex_value *out, char *err, size_t err_len) {
  memset(out, 0, sizeof *out);
  out->kind = ER_FLEX_ABSENT;
  for (uint64_t i = 0; i < m->count; i++) {
    size_t key_pos;
    if (!indirect(m->data, m->size, m->keys + (size_t)i * m->keys_width, m->keys_width, &key_pos))
      return fail(err, err_len, "bad key offset", m->keys + (size_t)i * m->keys_width);
    if (key_equals(m, key_pos, key)) return read_entry(m, i, out, err, err_len);
  }
  return true;
}
