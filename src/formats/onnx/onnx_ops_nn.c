/* ONNX op mappers of the nn family (see onnx_families.def): each maps one ONNX op, for a range of
 * opsets, to an IR op and its attrs. */
#include "formats/onnx/onnx_map.h"

const er_onnx_op_mapping er_onnx_ops_nn[] = {
    {"", "", 0, NULL}, /* placeholder: never matches an op type */
};
const size_t er_onnx_ops_nn_count = 0;
