/* A defensive reader for FlatBuffers binary data (the container of .tflite files), written for bytes
 * that may be truncated, corrupted or hostile. Every offset, vtable, vector length and field position is
 * checked against the buffer before it is read; values are assembled byte by byte (little-endian, as
 * the format defines), so nothing depends on alignment or host byte order; nothing recurses. A reader keeps
 * the first failure as one line naming what was wrong and at which byte offset; callers add their own context
 * (which tensor, which operator) and stop.
 *
 * FlatBuffers in brief: a table starts with a signed 32-bit offset back to its vtable; the vtable holds
 * its own size, the table's inline size, then one 16-bit offset per field (0 = absent, use the schema
 * default). Fields that are tables, vectors or strings hold an unsigned 32-bit offset relative to the
 * field's own position. A vector (and a string) starts with a 32-bit element count. */
#ifndef EDGERT_FORMATS_TFLITE_FLATBUF_H
#define EDGERT_FORMATS_TFLITE_FLATBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
  const uint8_t *data;
  size_t size;
  bool failed;
  char error[200]; /* the first failure, "... at byte N" */
} er_fb;

/* A table whose header and vtable were checked. `present` is false for an absent table: reading its
 * fields gives the schema defaults. */
typedef struct {
  bool present;
  size_t pos;           /* byte offset of the table in the buffer */
  size_t vtable;        /* byte offset of its vtable */
  uint16_t vtable_size; /* bytes of vtable, at least 4 */
  uint16_t inline_size; /* bytes of the table's inline part, starting at pos */
} er_fb_table;

/* A vector whose elements were checked to lie inside the buffer. Absent vectors have count 0. */
typedef struct {
  bool present;
  size_t pos;     /* byte offset of element 0 */
  uint32_t count; /* number of elements */
  size_t elem_size;
} er_fb_vector;

void er_fb_init(er_fb *fb, const uint8_t *data, size_t size);

/* Records a failure (only the first one is kept) and returns false, for use in return statements. */
bool er_fb_fail(er_fb *fb, size_t offset, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The root table: a 32-bit offset at byte 0. */
bool er_fb_root(er_fb *fb, er_fb_table *root);

/* True when `field` is present in table t (an absent table has no fields). */
bool er_fb_has(er_fb *fb, const er_fb_table *t, int field);

/* Scalar fields; `def` is the schema default used when the field (or the table) is absent. */
bool er_fb_u8(er_fb *fb, const er_fb_table *t, int field, uint8_t def, uint8_t *out);
bool er_fb_i8(er_fb *fb, const er_fb_table *t, int field, int8_t def, int8_t *out);
bool er_fb_bool(er_fb *fb, const er_fb_table *t, int field, bool def, bool *out);
bool er_fb_i32(er_fb *fb, const er_fb_table *t, int field, int32_t def, int32_t *out);
bool er_fb_u32(er_fb *fb, const er_fb_table *t, int field, uint32_t def, uint32_t *out);
bool er_fb_u64(er_fb *fb, const er_fb_table *t, int field, uint64_t def, uint64_t *out);
bool er_fb_f32(er_fb *fb, const er_fb_table *t, int field, float def, float *out);

/* Reference fields. An absent field gives out->present == false (and count 0 for vectors). */
bool er_fb_table_field(er_fb *fb, const er_fb_table *t, int field, er_fb_table *out);
bool er_fb_vector_field(er_fb *fb, const er_fb_table *t, int field, size_t elem_size, er_fb_vector *out);
/* A string's bytes (not necessarily NUL-terminated) and length; NULL and 0 when absent. */
bool er_fb_string_field(er_fb *fb, const er_fb_table *t, int field, const char **str, size_t *len);

/* Elements of a checked vector; index must be below v->count (checked). */
bool er_fb_vec_i32(er_fb *fb, const er_fb_vector *v, uint32_t index, int32_t *out);
bool er_fb_vec_i64(er_fb *fb, const er_fb_vector *v, uint32_t index, int64_t *out);
bool er_fb_vec_f32(er_fb *fb, const er_fb_vector *v, uint32_t index, float *out);
/* Element `index` of a vector of tables (elem_size 4: offsets relative to each element). */
bool er_fb_vec_table(er_fb *fb, const er_fb_vector *v, uint32_t index, er_fb_table *out);
/* Element `index` of a vector of strings. */
bool er_fb_vec_string(er_fb *fb, const er_fb_vector *v, uint32_t index, const char **str, size_t *len);

/* The address of a vector's first element inside the buffer (for zero-copy byte data). */
static inline const uint8_t *er_fb_vec_bytes(const er_fb *fb, const er_fb_vector *v) {
  return fb->data + v->pos;
}

#endif
