/* The protocol buffers wire-format reader: field keys, varints, fixed-width values, length-delimited
 * payloads and packed repeated scalars, each checked against the bytes of its enclosing message. */
#include "formats/onnx/protobuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

bool er_pb_fail(er_pb_error *e, size_t offset, const char *fmt, ...) {
  if (!e || e->failed) return false;
  char msg[160];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  snprintf(e->message, sizeof e->message, "malformed protobuf at byte %zu: %s", offset, msg);
  e->failed = true;
  return false;
}

void er_pb_init(er_pb_reader *r, const uint8_t *data, size_t size, er_pb_error *error) {
  r->base = data;
  r->pos = 0;
  r->end = size;
  r->error = error;
}

void er_pb_sub(const er_pb_reader *r, const er_pb_field *f, er_pb_reader *sub) {
  sub->base = r->base;
  sub->pos = f->offset;
  sub->end = f->offset + f->len;
  sub->error = r->error;
}

bool er_pb_varint(const uint8_t *data, size_t len, size_t *pos, uint64_t *value) {
  uint64_t v = 0;
  for (int i = 0; i < 10; i++) {
    if (*pos >= len) return false;
    uint8_t b = data[(*pos)++];
    /* the tenth byte may only carry the 64th bit */
    if (i == 9 && (b & 0xfe)) return false;
    v |= (uint64_t)(b & 0x7f) << (7 * i);
    if (!(b & 0x80)) {
      *value = v;
      return true;
    }
  }
  return false;
}

static uint64_t little_endian(const uint8_t *p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; i--)
    v = (v << 8) | p[i];
  return v;
}

int er_pb_next(er_pb_reader *r, er_pb_field *f) {
  if (r->error && r->error->failed) return -1;
  if (r->pos >= r->end) return 0;
  size_t start = r->pos;
  uint64_t key;
  if (!er_pb_varint(r->base, r->end, &r->pos, &key))
    return er_pb_fail(r->error, start, "field key is truncated or too long"), -1;
  memset(f, 0, sizeof *f);
  f->wire = (int)(key & 7);
  uint64_t number = key >> 3;
  if (number == 0 || number > 536870911u)
    return er_pb_fail(r->error, start, "field number %llu is invalid", (unsigned long long)number), -1;
  f->number = (uint32_t)number;
  f->offset = r->pos;
  switch (f->wire) {
  case ER_PB_VARINT:
    if (!er_pb_varint(r->base, r->end, &r->pos, &f->value))
      return er_pb_fail(r->error, f->offset, "varint of field %u is truncated or too long", f->number), -1;
    return 1;
  case ER_PB_I64:
  case ER_PB_I32: {
    size_t width = f->wire == ER_PB_I64 ? 8 : 4;
    if (r->end - r->pos < width)
      return er_pb_fail(r->error, f->offset, "fixed-width field %u is truncated", f->number), -1;
    f->value = little_endian(r->base + r->pos, (int)width);
    r->pos += width;
    return 1;
  }
  case ER_PB_LEN: {
    uint64_t len;
    if (!er_pb_varint(r->base, r->end, &r->pos, &len))
      return er_pb_fail(r->error, f->offset, "length of field %u is truncated or too long", f->number), -1;
    if (len > r->end - r->pos)
      return er_pb_fail(r->error, f->offset, "field %u claims %llu bytes but its message has %zu left",
                        f->number, (unsigned long long)len, r->end - r->pos),
             -1;
    f->offset = r->pos;
    f->bytes = r->base + r->pos;
    f->len = (size_t)len;
    r->pos += (size_t)len;
    return 1;
  }
  case 3:
  case 4:
    return er_pb_fail(r->error, start, "field %u uses the group wire type, which is not supported",
                      f->number),
           -1;
  default: return er_pb_fail(r->error, start, "field %u has unknown wire type %d", f->number, f->wire), -1;
  }
}

int64_t er_pb_count(const er_pb_field *f, int wire, er_pb_error *e) {
  if (f->wire == wire) return 1;
  if (f->wire != ER_PB_LEN) {
    er_pb_fail(e, f->offset, "repeated field %u has wire type %d, expected %d or packed", f->number, f->wire,
               wire);
    return -1;
  }
  if (wire == ER_PB_I32 || wire == ER_PB_I64) {
    size_t width = wire == ER_PB_I64 ? 8 : 4;
    if (f->len % width) {
      er_pb_fail(e, f->offset, "packed field %u has %zu bytes, not a multiple of %zu", f->number, f->len,
                 width);
      return -1;
    }
    return (int64_t)(f->len / width);
  }
  int64_t count = 0;
  size_t pos = 0;
  uint64_t v;
  while (pos < f->len) {
    if (!er_pb_varint(f->bytes, f->len, &pos, &v)) {
      er_pb_fail(e, f->offset + pos, "packed varint of field %u is truncated or too long", f->number);
      return -1;
    }
    count++;
  }
  return count;
}

bool er_pb_value(const er_pb_field *f, int wire, size_t *cursor, uint64_t *value) {
  if (f->wire == wire) {
    if (*cursor) return false;
    *cursor = 1;
    *value = f->value;
    return true;
  }
  if (f->wire != ER_PB_LEN || *cursor >= f->len) return false;
  if (wire == ER_PB_VARINT) return er_pb_varint(f->bytes, f->len, cursor, value);
  size_t width = wire == ER_PB_I64 ? 8 : 4;
  if (f->len - *cursor < width) return false;
  *value = little_endian(f->bytes + *cursor, (int)width);
  *cursor += width;
  return true;
}

float er_pb_float(uint64_t fixed32) {
  uint32_t bits = (uint32_t)fixed32;
  float v;
  memcpy(&v, &bits, sizeof v);
  return v;
}

double er_pb_double(uint64_t fixed64) {
  double v;
  memcpy(&v, &fixed64, sizeof v);
  return v;
}
