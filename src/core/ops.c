/* Names of the op kinds, for messages, `edgert info` and profiles. */
#include "core/ops.h"

static const char *const op_names[ER_OP_COUNT] = {
#define ER_OP(id, name) [ER_OP_##id] = name,
#include "core/ops.def"
#undef ER_OP
};

const char *er_op_name(er_op op) {
  if ((unsigned)op >= ER_OP_COUNT) return "?";
  return op_names[op];
}

bool er_op_reads_only_shapes(er_op op) {
  switch (op) {
  case ER_OP_SHAPE:
  case ER_OP_ONNX_SHAPE:
  case ER_OP_SIZE: return true;
  default: return false;
  }
}
