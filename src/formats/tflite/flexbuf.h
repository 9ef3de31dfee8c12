/* A small reader for FlexBuffers maps (the format of TFLite custom operators' custom_options), written
 * for bytes that may be truncated or hostile: every width, offset, count and key is checked against the
 * buffer before it is read; nothing recurses; nothing allocates. It reads what custom op options need: the
 * root map and its scalar values (null, int, uint, float, bool, inline or indirect), converted the way
 * flexbuffers::Reference::AsInt64 / AsDouble / AsBool convert them.
 *
 * FlexBuffers in brief: the buffer ends with the root's packed type and byte width; a packed type holds
 * the value type (high 6 bits) and the log2 byte width of what it points to (low 2 bits). Scalars sit
 * inline in their parent's width; maps, vectors, strings and indirect scalars are unsigned offsets back
 * from the referring position. A map of n entries is n values (each `width` bytes) followed by n packed
 * type bytes, preceded by the keys vector's offset, the keys' width and n; keys are offsets to
 * NUL-terminated strings. */
#ifndef EDGERT_FORMATS_TFLITE_FLEXBUF_H
#define EDGERT_FORMATS_TFLITE_FLEXBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
  const uint8_t *data;
  size_t size;
  size_t values;      /* byte offset of value 0 */
  uint8_t width;      /* bytes per value */
  size_t keys;        /* byte offset of key 0 */
  uint8_t keys_width; /* bytes per key offset */
  uint64_t count;
} er_flex_map;

typedef enum {
  ER_FLEX_ABSENT = 0, /* no such key: read as FlexBuffers' null */
  ER_FLEX_NULL,
  ER_FLEX_INT,
  ER_FLEX_UINT,
  ER_FLEX_FLOAT,
  ER_FLEX_BOOL,
  ER_FLEX_OTHER /* strings, vectors, maps, blobs: not scalars */
} er_flex_kind;

typedef struct {
  er_flex_kind kind;
  int64_t i; /* the value as AsInt64 gives it */
  double f;  /* as AsDouble gives it */
  bool b;    /* as AsBool gives it */
} er_flex_value;

/* Reads the root of data[0..size) as a map. On failure writes a one-line reason into err and returns
 * false. */
bool er_flex_root_map(const uint8_t *data, size_t size, er_flex_map *map, char *err, size_t err_len);

/* Looks `key` up in the map: out->kind is ER_FLEX_ABSENT when the map has no such key. Returns false
 * (with a reason in err) when the entry is malformed. */
bool er_flex_map_get(const er_flex_map *map, const char *key, er_flex_value *out, char *err, size_t err_len);

#endif
