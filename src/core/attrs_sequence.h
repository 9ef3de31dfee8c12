/* Attrs of the IR ops of the sequence family (added for ONNX models). Included by attrs.h. */
#ifndef EDGERT_CORE_ATTRS_SEQUENCE_H
#define EDGERT_CORE_ATTRS_SEQUENCE_H

#endif
