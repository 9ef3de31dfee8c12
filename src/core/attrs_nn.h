/* Attrs of the IR ops of the nn family (added for ONNX models). Included by attrs.h. */
#ifndef EDGERT_CORE_ATTRS_NN_H
#define EDGERT_CORE_ATTRS_NN_H

#endif
