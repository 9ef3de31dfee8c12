/* LOGICAL_AND, LOGICAL_OR and LOGICAL_XOR (ONNX Xor) on bool tensors with numpy broadcasting (TFLite
 * logical.cc). Bools are read as bytes so that a stray byte other than 0 or 1 still counts as true and the
 * output stays 0 or 1. */
#include "ops/broadcast.h"

typedef struct {
  er_bcast plan;
  er_op op;
} logical_data;

static edgert_status logical_prepare(er_op_ctx *ctx) {
  er_tensor *a, *b, *out;
  edgert_status st = er_binary_io(ctx, &a, &b, &out);
  if (st == EDGERT_OK) st = er_check_dtype(ctx, a, EDGERT_BOOL, "input 0");
  if (st == EDGERT_OK) st = er_check_dtype(ctx, out, EDGERT_BOOL, "output");
  if (st != EDGERT_OK) return st;
  logical_data *p = er_persist_alloc(ctx, sizeof *p);
  if (!p) return EDGERT_ERR_NO_MEMORY;
  p->op = ctx->node->op;
  ctx->op_data = p;
  return er_broadcast_prepare(ctx, 2, (const er_tensor *const[]){a, b}, out, &p->plan);
}

static edgert_status logical_eval(er_op_ctx *ctx) {
  const logical_data *p = ctx->op_data;
  const er_tensor *a = er_input(ctx, 0), *b = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  if (p->op == ER_OP_LOGICAL_AND)
    ER_BCAST_BINARY(&p->plan, uint8_t, a->data, uint8_t, b->data, bool, out->data, x != 0 && y != 0);
  else if (p->op == ER_OP_LOGICAL_OR)
    ER_BCAST_BINARY(&p->plan, uint8_t, a->data, uint8_t, b->data, bool, out->data, x != 0 || y != 0);
  else
    ER_BCAST_BINARY(&p->plan, uint8_t, a->data, uint8_t, b->data, bool, out->data, (x != 0) != (y != 0));
  return EDGERT_OK;
}

const er_kernel er_kernel_logical_and = {.prepare = logical_prepare, .eval = logical_eval};
const er_kernel er_kernel_logical_or = {.prepare = logical_prepare, .eval = logical_eval};
const er_kernel er_kernel_logical_xor = {.prepare = logical_prepare, .eval = logical_eval};
