/* ONNX op mappers of the control family (see onnx_families.def): each maps one ONNX op, for a range of
 * opsets, to an IR op and its attrs. */
#include "formats/onnx/onnx_map.h"

const er_onnx_op_mapping er_onnx_ops_control[] = {
    {"", "", 0, NULL}, /* placeholder: never matches an op type */
};
const size_t er_onnx_ops_control_count = 0;
