/* The table from op kind to kernel. Each family of kernels lists its entries in a kernels_*.def file as
 * ER_KERNEL(op, symbol); adding an op adds one line there. */
#include "core/kernel.h"

#define ER_KERNEL(op, sym) extern const er_kernel sym;
#include "ops/kernels_activation.def"
#include "ops/kernels_conv.def"
#include "ops/kernels_elementwise.def"
#include "ops/kernels_extra.def"
#include "ops/kernels_math.def"
#include "ops/kernels_nn.def"
#include "ops/kernels_tensor.def"
#include "ops/kernels_linalg.def"
#include "ops/kernels_sequence.def"
#include "ops/kernels_control.def"
#include "ops/kernels_recurrent.def"
#include "ops/kernels_reduce.def"
#include "ops/kernels_shape.def"
#include "ops/kernels_vision.def"
#undef ER_KERNEL

static const er_kernel *const kernels[ER_OP_COUNT] = {
#define ER_KERNEL(op, sym) [op] = &sym,
#include "ops/kernels_activation.def"
#include "ops/kernels_conv.def"
#include "ops/kernels_elementwise.def"
#include "ops/kernels_extra.def"
#include "ops/kernels_math.def"
#include "ops/kernels_nn.def"
#include "ops/kernels_tensor.def"
#include "ops/kernels_linalg.def"
#include "ops/kernels_sequence.def"
#include "ops/kernels_control.def"
#include "ops/kernels_recurrent.def"
#include "ops/kernels_reduce.def"
#include "ops/kernels_shape.def"
#include "ops/kernels_vision.def"
#undef ER_KERNEL
};

const er_kernel *er_kernel_for(er_op op) {
  if ((unsigned)op >= ER_OP_COUNT) return NULL;
  return kernels[op];
}
