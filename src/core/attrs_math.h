/* Attrs of the IR ops of the math family (added for ONNX models). Included by attrs.h. */
#ifndef EDGERT_CORE_ATTRS_MATH_H
#define EDGERT_CORE_ATTRS_MATH_H

#endif
