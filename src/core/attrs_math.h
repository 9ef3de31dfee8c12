/* Attrs of the IR ops of the math family (added for ONNX models). Included by attrs.h. */
#ifndef EDGERT_CORE_ATTRS_MATH_H
#define EDGERT_CORE_ATTRS_MATH_H

#include <stdbool.h>

/* The parameters of the unary ops of unary_float.c and of ELU, named as ONNX names them:
 * ELU, CELU: alpha. SELU: alpha, gamma. HARD_SIGMOID: max(0, min(1, alpha * x + beta)).
 * THRESHOLDED_RELU: alpha is the threshold. SHRINK: lambd (in alpha) and bias (in beta). */
typedef struct {
  float alpha, beta, gamma;
} er_unary_params_attrs;

/* IS_INF: which infinities count. */
typedef struct {
  bool detect_negative, detect_positive;
} er_is_inf_attrs;

/* BIT_SHIFT: input 0 shifted by input 1 bits, left or right (unsigned dtypes). */
typedef struct {
  bool left;
} er_bit_shift_attrs;

#endif
