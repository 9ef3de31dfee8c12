/* The op kinds of the IR (from ops.def) and their names. */
#ifndef EDGERT_CORE_OPS_H
#define EDGERT_CORE_OPS_H

#include <stdbool.h>

typedef enum {
#define ER_OP(id, name) ER_OP_##id,
#include "core/ops.def"
#undef ER_OP
  ER_OP_COUNT
} er_op;

const char *er_op_name(er_op op);
/* Ops whose result depends only on their inputs' shapes, never their data (SHAPE, SIZE): folded at
 * prepare whatever their inputs, since shapes are known then. */
bool er_op_reads_only_shapes(er_op op);

#endif
