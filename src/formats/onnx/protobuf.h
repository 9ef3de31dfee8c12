/* A hand-written, bounds-checked reader of the protocol buffers wire format (the container of .onnx
 * files), so the runtime needs no protobuf library and the core still builds for microcontrollers. It
 * reads bytes that may be truncated, corrupted or hostile: every length is checked against the bytes
 * that enclose it, varints longer than 10 bytes or overflowing 64 bits are refused, group wire types
 * (deprecated, and never written by ONNX) are refused, and nothing here recurses: a caller walks one
 * message at a time and limits its own nesting. The first failure is kept as one line naming the byte
 * offset (from the start of the outermost buffer).
 *
 * The wire format in brief: a message is a sequence of fields; each starts with a varint key
 * (field_number << 3 | wire_type). Wire type 0 is a varint, 1 eight little-endian bytes, 2 a varint
 * length then that many bytes (strings, bytes, sub-messages, packed repeated scalars), 5 four
 * little-endian bytes; 3 and 4 open and close groups. */
#ifndef EDGERT_FORMATS_ONNX_PROTOBUF_H
#define EDGERT_FORMATS_ONNX_PROTOBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { ER_PB_VARINT = 0, ER_PB_I64 = 1, ER_PB_LEN = 2, ER_PB_I32 = 5 };

/* Where a failure is written; shared by every reader walking the same buffer. */
typedef struct {
  bool failed;
  char message[200];
} er_pb_error;

/* One message: the bytes [pos, end) of `base`, walked field by field. */
typedef struct {
  const uint8_t *base; /* start of the outermost buffer, for offsets in messages */
  size_t pos, end;
  er_pb_error *error;
} er_pb_reader;

typedef struct {
  uint32_t number;
  int wire;             /* ER_PB_VARINT, ER_PB_I64, ER_PB_LEN or ER_PB_I32 */
  uint64_t value;       /* varint, or the fixed 4/8 bytes as an unsigned integer */
  const uint8_t *bytes; /* ER_PB_LEN: the payload */
  size_t len;
  size_t offset; /* byte offset of the payload (LEN) or value in the outermost buffer */
} er_pb_field;

/* A reader over a whole buffer. */
void er_pb_init(er_pb_reader *r, const uint8_t *data, size_t size, er_pb_error *error);
/* A reader over a length-delimited field of r's buffer (a sub-message). */
void er_pb_sub(const er_pb_reader *r, const er_pb_field *f, er_pb_reader *sub);

/* Reads the next field: 1 when *f holds one, 0 at the end of the message, -1 on malformed bytes (the
 * error is recorded). Unknown fields are skipped simply by not looking at them. */
int er_pb_next(er_pb_reader *r, er_pb_field *f);

/* Records a failure at a byte offset (only the first is kept); returns false. */
bool er_pb_fail(er_pb_error *e, size_t offset, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Decodes one varint at data[*pos] (pos < len); false when truncated, longer than 10 bytes or beyond 64
 * bits. Advances *pos. */
bool er_pb_varint(const uint8_t *data, size_t len, size_t *pos, uint64_t *value);

/* Repeated scalar fields arrive either one field per value or packed into one LEN field. These walk
 * one field's values: `wire` is the element's wire type (ER_PB_VARINT, ER_PB_I32 or ER_PB_I64).
 * er_pb_count gives how many values the field holds (-1 when a packed payload is malformed, error
 * recorded); er_pb_value reads value k in order, with *cursor starting at 0. */
int64_t er_pb_count(const er_pb_field *f, int wire, er_pb_error *e);
bool er_pb_value(const er_pb_field *f, int wire, size_t *cursor, uint64_t *value);

/* Reinterpretations of raw wire values. */
static inline int64_t er_pb_int64(uint64_t v) { return (int64_t)v; }
float er_pb_float(uint64_t fixed32);
double er_pb_double(uint64_t fixed64);

#endif
