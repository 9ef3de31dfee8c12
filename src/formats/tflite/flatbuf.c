/* Bounds-checked FlatBuffers access (see flatbuf.h). Positions are size_t byte offsets from the start of
 * the buffer; every check is written as "fits in what is left" so no sum can overflow. */
#include "formats/tflite/flatbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void er_fb_init(er_fb *fb, const uint8_t *data, size_t size) {
  memset(fb, 0, sizeof *fb);
  fb->data = data;
  fb->size = size;
}

bool er_fb_fail(er_fb *fb, size_t offset, const char *fmt, ...) {
  if (fb->failed) return false;
  fb->failed = true;
  char what[150];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  snprintf(fb->error, sizeof fb->error, "%s at byte %zu (file is %zu bytes)", what, offset, fb->size);
  return false;
}

/* True when `len` bytes starting at `pos` lie inside the buffer. */
static bool fits(const er_fb *fb, size_t pos, size_t len) { return pos <= fb->size && len <= fb->size - pos; }

/* Little-endian loads; callers have checked that the bytes fit. */
static uint16_t load_u16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static uint32_t load_u32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static uint64_t load_u64(const uint8_t *p) {
  return (uint64_t)load_u32(p) | ((uint64_t)load_u32(p + 4) << 32);
}

/* Reads the header and vtable of the table at `pos`. */
static bool table_at(er_fb *fb, size_t pos, er_fb_table *out) {
  memset(out, 0, sizeof *out);
  if (!fits(fb, pos, 4)) return er_fb_fail(fb, pos, "table starts past the end of the data");
  /* The vtable lies at pos - soffset; soffset is signed, so it may sit before or after the table. */
  int64_t soffset = (int32_t)load_u32(fb->data + pos);
  int64_t vtable = (int64_t)pos - soffset;
  if (vtable < 0 || (uint64_t)vtable > fb->size || !fits(fb, (size_t)vtable, 4))
    return er_fb_fail(fb, pos, "table's vtable offset %lld points outside the data", (long long)soffset);
  uint16_t vtable_size = load_u16(fb->data + vtable);
  uint16_t inline_size = load_u16(fb->data + vtable + 2);
  if (vtable_size < 4 || (vtable_size & 1) || !fits(fb, (size_t)vtable, vtable_size))
    return er_fb_fail(fb, (size_t)vtable, "vtable size %u is invalid or runs past the end", vtable_size);
  if (inline_size < 4 || !fits(fb, pos, inline_size))
    return er_fb_fail(fb, pos, "table size %u is invalid or runs past the end", inline_size);
  out->present = true;
  out->pos = pos;
  out->vtable = (size_t)vtable;
  out->vtable_size = vtable_size;
  out->inline_size = inline_size;
  return true;
}

/* Position of `field`'s `width` bytes in table t, or 0 (with true) when absent. */
static bool field_pos(er_fb *fb, const er_fb_table *t, int field, size_t width, size_t *pos) {
  *pos = 0;
  if (!t->present || field < 0) return true;
  size_t slot = 4 + 2 * (size_t)field;
  if (slot + 2 > t->vtable_size) return true; /* written by an older schema: absent */
  uint16_t voffset = load_u16(fb->data + t->vtable + slot);
  if (voffset == 0) return true;
  /* Offsets below 4 would overlap the vtable offset itself. */
  if (voffset < 4 || (size_t)voffset + width > t->inline_size)
    return er_fb_fail(fb, t->vtable + slot,
                      "field %d (offset %u, %zu bytes) lies outside its table of %u bytes", field, voffset,
                      width, t->inline_size);
  *pos = t->pos + voffset;
  return true;
}

bool er_fb_has(er_fb *fb, const er_fb_table *t, int field) {
  size_t pos = 0;
  return field_pos(fb, t, field, 1, &pos) && pos != 0;
}

/* Reads a little-endian scalar of `width` bytes into *raw; false only on a malformed field. */
static bool scalar(er_fb *fb, const er_fb_table *t, int field, size_t width, bool *present, uint64_t *raw) {
  size_t pos = 0;
  if (!field_pos(fb, t, field, width, &pos)) return false;
  *present = pos != 0;
  if (!*present) return true;
  const uint8_t *p = fb->data + pos;
  *raw = width == 1 ? p[0] : width == 2 ? load_u16(p) : width == 4 ? load_u32(p) : load_u64(p);
  return true;
}

bool er_fb_u8(er_fb *fb, const er_fb_table *t, int field, uint8_t def, uint8_t *out) {
  bool present;
  uint64_t raw = 0;
  if (!scalar(fb, t, field, 1, &present, &raw)) return false;
  *out = present ? (uint8_t)raw : def;
  return true;
}

bool er_fb_i8(er_fb *fb, const er_fb_table *t, int field, int8_t def, int8_t *out) {
  uint8_t u;
  if (!er_fb_u8(fb, t, field, (uint8_t)def, &u)) return false;
  *out = (int8_t)u;
  return true;
}

bool er_fb_bool(er_fb *fb, const er_fb_table *t, int field, bool def, bool *out) {
  uint8_t u;
  if (!er_fb_u8(fb, t, field, def ? 1 : 0, &u)) return false;
  *out = u != 0;
  return true;
}

bool er_fb_u32(er_fb *fb, const er_fb_table *t, int field, uint32_t def, uint32_t *out) {
  bool present;
  uint64_t raw = 0;
  if (!scalar(fb, t, field, 4, &present, &raw)) return false;
  *out = present ? (uint32_t)raw : def;
  return true;
}

bool er_fb_i32(er_fb *fb, const er_fb_table *t, int field, int32_t def, int32_t *out) {
  uint32_t u;
  if (!er_fb_u32(fb, t, field, (uint32_t)def, &u)) return false;
  *out = (int32_t)u;
  return true;
}

bool er_fb_u64(er_fb *fb, const er_fb_table *t, int field, uint64_t def, uint64_t *out) {
  bool present;
  uint64_t raw = 0;
  if (!scalar(fb, t, field, 8, &present, &raw)) return false;
  *out = present ? raw : def;
  return true;
}

bool er_fb_f32(er_fb *fb, const er_fb_table *t, int field, float def, float *out) {
  bool present;
  uint64_t raw = 0;
  if (!scalar(fb, t, field, 4, &present, &raw)) return false;
  if (!present) {
    *out = def;
    return true;
  }
  uint32_t bits = (uint32_t)raw;
  memcpy(out, &bits, sizeof *out);
  return true;
}

/* Follows the 32-bit offset stored at `at` (relative to `at`) to a target that has at least 4 bytes. */
static bool follow(er_fb *fb, size_t at, size_t *target) {
  uint32_t off = load_u32(fb->data + at);
  if (off > fb->size - at || !fits(fb, at + off, 4))
    return er_fb_fail(fb, at, "offset %u points outside the data", off);
  *target = at + off;
  return true;
}

/* Position of the offset-valued `field`, or 0 when absent. */
static bool ref_field(er_fb *fb, const er_fb_table *t, int field, size_t *target) {
  size_t pos = 0;
  *target = 0;
  if (!field_pos(fb, t, field, 4, &pos)) return false;
  if (pos == 0) return true;
  return follow(fb, pos, target);
}

bool er_fb_table_field(er_fb *fb, const er_fb_table *t, int field, er_fb_table *out) {
  size_t target;
  memset(out, 0, sizeof *out);
  if (!ref_field(fb, t, field, &target)) return false;
  if (target == 0) return true;
  return table_at(fb, target, out);
}

/* A vector (or string, with elem_size 1) whose length word is at `pos`. */
static bool vector_at(er_fb *fb, size_t pos, size_t elem_size, er_fb_vector *out) {
  memset(out, 0, sizeof *out);
  uint32_t count = load_u32(fb->data + pos);
  size_t first = pos + 4;
  if (elem_size && (size_t)count > (fb->size - first) / elem_size)
    return er_fb_fail(fb, pos, "vector of %u elements of %zu bytes runs past the end", count, elem_size);
  out->present = true;
  out->pos = first;
  out->count = count;
  out->elem_size = elem_size;
  return true;
}

bool er_fb_vector_field(er_fb *fb, const er_fb_table *t, int field, size_t elem_size, er_fb_vector *out) {
  size_t target;
  memset(out, 0, sizeof *out);
  if (!ref_field(fb, t, field, &target)) return false;
  if (target == 0) return true;
  return vector_at(fb, target, elem_size, out);
}

bool er_fb_string_field(er_fb *fb, const er_fb_table *t, int field, const char **str, size_t *len) {
  er_fb_vector v;
  *str = NULL;
  *len = 0;
  if (!er_fb_vector_field(fb, t, field, 1, &v)) return false;
  if (!v.present) return true;
  *str = (const char *)er_fb_vec_bytes(fb, &v);
  *len = v.count;
  return true;
}

/* Position of element `index` of v, checked against its count and element size. */
static bool element(er_fb *fb, const er_fb_vector *v, uint32_t index, size_t elem_size, size_t *pos) {
  if (index >= v->count || v->elem_size != elem_size)
    return er_fb_fail(fb, v->pos, "element %u of a vector of %u read as %zu bytes", index, v->count,
                      elem_size);
  *pos = v->pos + (size_t)index * elem_size;
  return true;
}

bool er_fb_vec_i32(er_fb *fb, const er_fb_vector *v, uint32_t index, int32_t *out) {
  size_t pos = 0;
  if (!element(fb, v, index, 4, &pos)) return false;
  *out = (int32_t)load_u32(fb->data + pos);
  return true;
}

bool er_fb_vec_i64(er_fb *fb, const er_fb_vector *v, uint32_t index, int64_t *out) {
  size_t pos = 0;
  if (!element(fb, v, index, 8, &pos)) return false;
  *out = (int64_t)load_u64(fb->data + pos);
  return true;
}

bool er_fb_vec_f32(er_fb *fb, const er_fb_vector *v, uint32_t index, float *out) {
  size_t pos = 0;
  if (!element(fb, v, index, 4, &pos)) return false;
  uint32_t bits = load_u32(fb->data + pos);
  memcpy(out, &bits, sizeof *out);
  return true;
}

bool er_fb_vec_table(er_fb *fb, const er_fb_vector *v, uint32_t index, er_fb_table *out) {
  size_t pos = 0, target = 0;
  memset(out, 0, sizeof *out);
  if (!element(fb, v, index, 4, &pos) || !follow(fb, pos, &target)) return false;
  return table_at(fb, target, out);
}

bool er_fb_vec_string(er_fb *fb, const er_fb_vector *v, uint32_t index, const char **str, size_t *len) {
  size_t pos = 0, target = 0;
  er_fb_vector chars;
  *str = NULL;
  *len = 0;
  if (!element(fb, v, index, 4, &pos) || !follow(fb, pos, &target) || !vector_at(fb, target, 1, &chars))
    return false;
  *str = (const char *)er_fb_vec_bytes(fb, &chars);
  *len = chars.count;
  return true;
}

bool er_fb_root(er_fb *fb, er_fb_table *root) {
  memset(root, 0, sizeof *root);
  if (!fits(fb, 0, 8)) return er_fb_fail(fb, 0, "too short for a FlatBuffer (needs at least 8 bytes)");
  size_t target;
  if (!follow(fb, 0, &target)) return false;
  if (target < 4) return er_fb_fail(fb, 0, "root table offset %zu overlaps the header", target);
  return table_at(fb, target, root);
}
