/* Attrs of the IR ops of the control family (added for ONNX models). Included by attrs.h. */
#ifndef EDGERT_CORE_ATTRS_CONTROL_H
#define EDGERT_CORE_ATTRS_CONTROL_H

#endif
