/* Attrs of the IR ops of the tensor family (added for ONNX models). Included by attrs.h. */
#ifndef EDGERT_CORE_ATTRS_TENSOR_H
#define EDGERT_CORE_ATTRS_TENSOR_H

#endif
