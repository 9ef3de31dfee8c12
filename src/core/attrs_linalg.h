/* Attrs of the IR ops of the linalg family (added for ONNX models). Included by attrs.h. */
#ifndef EDGERT_CORE_ATTRS_LINALG_H
#define EDGERT_CORE_ATTRS_LINALG_H

#endif
