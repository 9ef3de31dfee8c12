"""Writes small .tflite models (one op, or a few) for tests, with Debian's python3-flatbuffers and no
generated code: every table is written field by field with the slot numbers of TFLite's schema
(tensorflow/lite/schema/schema.fbs; field N of a table is its N-th declared field, a union counting as
two: its type tag, then its value).

    m = ModelBuilder()
    x = m.input([1, 5, 5, 3], "int8", scale=0.5, zero_point=-3)
    w = m.const(weights, scale=[0.1, 0.2], zero_point=[0, 0], quantized_dimension=0)
    y = m.tensor([1, 5, 5, 2], "int8", scale=0.25, zero_point=1)
    m.op("CONV_2D", [x, w, b], [y], options={"padding": "SAME", "stride_w": 1, "stride_h": 1})
    m.output(y)
    open(path, "wb").write(m.finish())
"""
import flatbuffers
import numpy as np

# enum TensorType
TENSOR_TYPES = {"float32": 0, "float16": 1, "int32": 2, "uint8": 3, "int64": 4, "string": 5, "bool": 6,
                "int16": 7, "int8": 9, "float64": 10}
NUMPY_TYPES = {"float32": np.float32, "float16": np.float16, "int32": np.int32, "uint8": np.uint8,
               "int64": np.int64, "bool": np.bool_, "int16": np.int16, "int8": np.int8, "float64": np.float64}

# enum BuiltinOperator (the ones tests use; add more as needed)
BUILTIN_CODES = {
    "ADD": 0, "AVERAGE_POOL_2D": 1, "CONCATENATION": 2, "CONV_2D": 3, "DEPTHWISE_CONV_2D": 4,
    "DEPTH_TO_SPACE": 5, "DEQUANTIZE": 6, "FLOOR": 8, "FULLY_CONNECTED": 9, "L2_NORMALIZATION": 11,
    "L2_POOL_2D": 12, "LOGISTIC": 14, "MAX_POOL_2D": 17, "MUL": 18, "RELU": 19, "RELU_N1_TO_1": 20,
    "RELU6": 21, "RESHAPE": 22, "RESIZE_BILINEAR": 23, "SOFTMAX": 25, "SPACE_TO_DEPTH": 26, "SVDF": 27,
    "TANH": 28, "PAD": 34, "GATHER": 36, "BATCH_TO_SPACE_ND": 37, "SPACE_TO_BATCH_ND": 38, "TRANSPOSE": 39,
    "MEAN": 40, "SUB": 41, "DIV": 42, "SQUEEZE": 43, "UNIDIRECTIONAL_SEQUENCE_LSTM": 44, "STRIDED_SLICE": 45,
    "EXP": 47, "SPLIT": 49, "LOG_SOFTMAX": 50, "CAST": 53, "PRELU": 54, "MAXIMUM": 55, "ARG_MAX": 56,
    "MINIMUM": 57, "LESS": 58, "NEG": 59, "PADV2": 60, "GREATER": 61, "GREATER_EQUAL": 62, "LESS_EQUAL": 63,
    "SELECT": 64, "SLICE": 65, "SIN": 66, "TRANSPOSE_CONV": 67, "TILE": 69, "EXPAND_DIMS": 70, "EQUAL": 71,
    "NOT_EQUAL": 72, "LOG": 73, "SUM": 74, "SQRT": 75, "RSQRT": 76, "SHAPE": 77, "POW": 78, "ARG_MIN": 79,
    "REDUCE_PROD": 81, "REDUCE_MAX": 82, "PACK": 83, "LOGICAL_OR": 84, "LOGICAL_AND": 86, "LOGICAL_NOT": 87,
    "UNPACK": 88, "REDUCE_MIN": 89, "FLOOR_DIV": 90, "SQUARE": 92, "ZEROS_LIKE": 93, "FILL": 94,
    "FLOOR_MOD": 95, "RESIZE_NEAREST_NEIGHBOR": 97, "LEAKY_RELU": 98, "SQUARED_DIFFERENCE": 99,
    "MIRROR_PAD": 100, "ABS": 101, "SPLIT_V": 102, "CEIL": 104, "ADD_N": 106, "COS": 108, "ELU": 111,
    "QUANTIZE": 114, "ROUND": 116, "HARD_SWISH": 117, "SELECT_V2": 123, "BATCH_MATMUL": 126,
    "BROADCAST_TO": 130, "GELU": 150,
}

# union BuiltinOptions, in declaration order: the tag of a member is its position + 1 (0 is NONE).
BUILTIN_OPTIONS_UNION = [
    "Conv2DOptions", "DepthwiseConv2DOptions", "ConcatEmbeddingsOptions", "LSHProjectionOptions",
    "Pool2DOptions", "SVDFOptions", "RNNOptions", "FullyConnectedOptions", "SoftmaxOptions",
    "ConcatenationOptions", "AddOptions", "L2NormOptions", "LocalResponseNormalizationOptions", "LSTMOptions",
    "ResizeBilinearOptions", "CallOptions", "ReshapeOptions", "SkipGramOptions", "SpaceToDepthOptions",
    "EmbeddingLookupSparseOptions", "MulOptions", "PadOptions", "GatherOptions", "BatchToSpaceNDOptions",
    "SpaceToBatchNDOptions", "TransposeOptions", "ReducerOptions", "SubOptions", "DivOptions",
    "SqueezeOptions", "SequenceRNNOptions", "StridedSliceOptions", "ExpOptions", "TopKV2Options",
    "SplitOptions", "LogSoftmaxOptions", "CastOptions", "DequantizeOptions", "MaximumMinimumOptions",
    "ArgMaxOptions", "LessOptions", "NegOptions", "PadV2Options", "GreaterOptions", "GreaterEqualOptions",
    "LessEqualOptions", "SelectOptions", "SliceOptions", "TransposeConvOptions", "SparseToDenseOptions",
    "TileOptions", "ExpandDimsOptions", "EqualOptions", "NotEqualOptions", "ShapeOptions", "PowOptions",
    "ArgMinOptions", "FakeQuantOptions", "PackOptions", "LogicalOrOptions", "OneHotOptions",
    "LogicalAndOptions", "LogicalNotOptions", "UnpackOptions", "FloorDivOptions", "SquareOptions",
    "ZerosLikeOptions", "FillOptions", "BidirectionalSequenceLSTMOptions", "BidirectionalSequenceRNNOptions",
    "UnidirectionalSequenceLSTMOptions", "FloorModOptions", "RangeOptions", "ResizeNearestNeighborOptions",
    "LeakyReluOptions", "SquaredDifferenceOptions", "MirrorPadOptions", "AbsOptions", "SplitVOptions",
    "UniqueOptions", "ReverseV2Options", "AddNOptions", "GatherNdOptions", "CosOptions", "WhereOptions",
    "RankOptions", "ReverseSequenceOptions", "MatrixDiagOptions", "QuantizeOptions", "MatrixSetDiagOptions",
    "HardSwishOptions", "IfOptions", "WhileOptions", "DepthToSpaceOptions", "NonMaxSuppressionV4Options",
    "NonMaxSuppressionV5Options", "ScatterNdOptions", "SelectV2Options", "DensifyOptions",
    "SegmentSumOptions", "BatchMatMulOptions", "CumsumOptions", "CallOnceOptions", "BroadcastToOptions",
    "Rfft2dOptions", "Conv3DOptions", "HashtableOptions", "HashtableFindOptions", "HashtableImportOptions",
    "HashtableSizeOptions", "VarHandleOptions", "ReadVariableOptions", "AssignVariableOptions",
    "RandomOptions", "BucketizeOptions", "GeluOptions",
]

# The fields of each options table, in slot order, as (name, kind). Kinds: i8 (enums: padding,
# activation, types, modes), i32, f32, bool, ivec ([int]).
OPTION_FIELDS = {
    "Conv2DOptions": [("padding", "i8"), ("stride_w", "i32"), ("stride_h", "i32"),
                      ("fused_activation_function", "i8"), ("dilation_w_factor", "i32"),
                      ("dilation_h_factor", "i32"), ("quantized_bias_type", "i8")],
    "DepthwiseConv2DOptions": [("padding", "i8"), ("stride_w", "i32"), ("stride_h", "i32"),
                               ("depth_multiplier", "i32"), ("fused_activation_function", "i8"),
                               ("dilation_w_factor", "i32"), ("dilation_h_factor", "i32")],
    "Pool2DOptions": [("padding", "i8"), ("stride_w", "i32"), ("stride_h", "i32"), ("filter_width", "i32"),
                      ("filter_height", "i32"), ("fused_activation_function", "i8")],
    "SVDFOptions": [("rank", "i32"), ("fused_activation_function", "i8"),
                    ("asymmetric_quantize_inputs", "bool")],
    "FullyConnectedOptions": [("fused_activation_function", "i8"), ("weights_format", "i8"),
                              ("keep_num_dims", "bool"), ("asymmetric_quantize_inputs", "bool"),
                              ("quantized_bias_type", "i8")],
    "SoftmaxOptions": [("beta", "f32")],
    "ConcatenationOptions": [("axis", "i32"), ("fused_activation_function", "i8")],
    "AddOptions": [("fused_activation_function", "i8"), ("pot_scale_int16", "bool")],
    "SubOptions": [("fused_activation_function", "i8"), ("pot_scale_int16", "bool")],
    "MulOptions": [("fused_activation_function", "i8")],
    "DivOptions": [("fused_activation_function", "i8")],
    "L2NormOptions": [("fused_activation_function", "i8")],
    "ResizeBilinearOptions": [("new_height", "i32"), ("new_width", "i32"), ("align_corners", "bool"),
                              ("half_pixel_centers", "bool")],
    "ResizeNearestNeighborOptions": [("align_corners", "bool"), ("half_pixel_centers", "bool")],
    "ReshapeOptions": [("new_shape", "ivec")],
    "SpaceToDepthOptions": [("block_size", "i32")],
    "DepthToSpaceOptions": [("block_size", "i32")],
    "GatherOptions": [("axis", "i32"), ("batch_dims", "i32")],
    "ReducerOptions": [("keep_dims", "bool")],
    "SqueezeOptions": [("squeeze_dims", "ivec")],
    "StridedSliceOptions": [("begin_mask", "i32"), ("end_mask", "i32"), ("ellipsis_mask", "i32"),
                            ("new_axis_mask", "i32"), ("shrink_axis_mask", "i32"), ("offset", "bool")],
    "SplitOptions": [("num_splits", "i32")],
    "SplitVOptions": [("num_splits", "i32")],
    "CastOptions": [("in_data_type", "i8"), ("out_data_type", "i8")],
    "ArgMaxOptions": [("output_type", "i8")],
    "ArgMinOptions": [("output_type", "i8")],
    "TransposeConvOptions": [("padding", "i8"), ("stride_w", "i32"), ("stride_h", "i32"),
                             ("fused_activation_function", "i8"), ("quantized_bias_type", "i8")],
    "ShapeOptions": [("out_type", "i8")],
    "PackOptions": [("values_count", "i32"), ("axis", "i32")],
    "UnpackOptions": [("num", "i32"), ("axis", "i32")],
    "UnidirectionalSequenceLSTMOptions": [("fused_activation_function", "i8"), ("cell_clip", "f32"),
                                          ("proj_clip", "f32"), ("time_major", "bool"),
                                          ("asymmetric_quantize_inputs", "bool"),
                                          ("diagonal_recurrent_tensors", "bool")],
    "LeakyReluOptions": [("alpha", "f32")],
    "MirrorPadOptions": [("mode", "i8")],
    "BatchMatMulOptions": [("adj_x", "bool"), ("adj_y", "bool"), ("asymmetric_quantize_inputs", "bool")],
    "GeluOptions": [("approximate", "bool")],
}
# Tables with no fields: the union tag alone says which.
for _name in BUILTIN_OPTIONS_UNION:
    OPTION_FIELDS.setdefault(_name, [])

# Which options table each builtin writes by default (ops not listed write none).
OP_OPTIONS = {
    "CONV_2D": "Conv2DOptions", "DEPTHWISE_CONV_2D": "DepthwiseConv2DOptions",
    "AVERAGE_POOL_2D": "Pool2DOptions", "MAX_POOL_2D": "Pool2DOptions", "L2_POOL_2D": "Pool2DOptions",
    "SVDF": "SVDFOptions", "FULLY_CONNECTED": "FullyConnectedOptions", "SOFTMAX": "SoftmaxOptions",
    "CONCATENATION": "ConcatenationOptions", "ADD": "AddOptions", "SUB": "SubOptions", "MUL": "MulOptions",
    "DIV": "DivOptions", "L2_NORMALIZATION": "L2NormOptions", "RESIZE_BILINEAR": "ResizeBilinearOptions",
    "RESIZE_NEAREST_NEIGHBOR": "ResizeNearestNeighborOptions", "RESHAPE": "ReshapeOptions",
    "SPACE_TO_DEPTH": "SpaceToDepthOptions", "DEPTH_TO_SPACE": "DepthToSpaceOptions",
    "GATHER": "GatherOptions", "MEAN": "ReducerOptions", "SUM": "ReducerOptions",
    "REDUCE_MAX": "ReducerOptions", "REDUCE_MIN": "ReducerOptions", "REDUCE_PROD": "ReducerOptions",
    "SQUEEZE": "SqueezeOptions", "STRIDED_SLICE": "StridedSliceOptions", "SPLIT": "SplitOptions",
    "SPLIT_V": "SplitVOptions", "CAST": "CastOptions", "ARG_MAX": "ArgMaxOptions", "ARG_MIN": "ArgMinOptions",
    "TRANSPOSE_CONV": "TransposeConvOptions", "SHAPE": "ShapeOptions", "PACK": "PackOptions",
    "UNPACK": "UnpackOptions", "UNIDIRECTIONAL_SEQUENCE_LSTM": "UnidirectionalSequenceLSTMOptions",
    "LEAKY_RELU": "LeakyReluOptions", "MIRROR_PAD": "MirrorPadOptions", "BATCH_MATMUL": "BatchMatMulOptions",
    "GELU": "GeluOptions", "PAD": "PadOptions", "PADV2": "PadV2Options", "TRANSPOSE": "TransposeOptions",
    "EXP": "ExpOptions", "LOG_SOFTMAX": "LogSoftmaxOptions", "MAXIMUM": "MaximumMinimumOptions",
    "MINIMUM": "MaximumMinimumOptions", "LESS": "LessOptions", "NEG": "NegOptions",
    "GREATER": "GreaterOptions", "GREATER_EQUAL": "GreaterEqualOptions", "LESS_EQUAL": "LessEqualOptions",
    "SELECT": "SelectOptions", "SELECT_V2": "SelectV2Options", "SLICE": "SliceOptions", "TILE": "TileOptions",
    "EXPAND_DIMS": "ExpandDimsOptions", "EQUAL": "EqualOptions", "NOT_EQUAL": "NotEqualOptions",
    "POW": "PowOptions", "LOGICAL_OR": "LogicalOrOptions", "LOGICAL_AND": "LogicalAndOptions",
    "LOGICAL_NOT": "LogicalNotOptions", "FLOOR_DIV": "FloorDivOptions", "SQUARE": "SquareOptions",
    "ZEROS_LIKE": "ZerosLikeOptions", "FILL": "FillOptions", "FLOOR_MOD": "FloorModOptions",
    "SQUARED_DIFFERENCE": "SquaredDifferenceOptions", "ABS": "AbsOptions", "ADD_N": "AddNOptions",
    "COS": "CosOptions", "QUANTIZE": "QuantizeOptions", "DEQUANTIZE": "DequantizeOptions",
    "HARD_SWISH": "HardSwishOptions", "BROADCAST_TO": "BroadcastToOptions",
    "SPACE_TO_BATCH_ND": "SpaceToBatchNDOptions", "BATCH_TO_SPACE_ND": "BatchToSpaceNDOptions",
}

# Symbolic values accepted for enum-valued option fields.
ENUM_VALUES = {
    "SAME": 0, "VALID": 1,  # Padding
    "NONE": 0, "RELU": 1, "RELU_N1_TO_1": 2, "RELU6": 3, "TANH": 4, "SIGN_BIT": 5,  # ActivationFunctionType
    "REFLECT": 0, "SYMMETRIC": 1,  # MirrorPadMode
}
ENUM_VALUES.update(TENSOR_TYPES)


class ModelBuilder:
    """Collects tensors, buffers and operators of one subgraph, then writes the model with finish()."""

    def __init__(self, description="edgert test model"):
        self.description = description
        self.tensors = []          # dicts: shape, type, buffer, name, quant, is_variable
        self.buffers = [b""]       # buffer 0 is the empty sentinel the schema asks for
        self.opcodes = []          # (builtin code, version)
        self.operators = []        # dicts: opcode, inputs, outputs, options (name, fields)
        self.inputs = []
        self.outputs = []

    # ---- tensors ----

    def tensor(self, shape, dtype, data=None, scale=None, zero_point=None, quantized_dimension=0,
               name=None, is_variable=False):
        """Adds a tensor and returns its index. data (array-like) makes it constant; scale and
        zero_point (numbers, or lists for per-channel) quantize it."""
        buffer = 0
        if data is not None:
            arr = np.ascontiguousarray(np.asarray(data, dtype=NUMPY_TYPES[dtype]))
            assert arr.size == int(np.prod(shape, dtype=np.int64)), f"data has {arr.size} values for {shape}"
            buffer = len(self.buffers)
            self.buffers.append(arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes())
        quant = None
        if scale is not None:
            scales = [float(s) for s in np.atleast_1d(scale)]
            zps = [int(z) for z in np.atleast_1d(zero_point if zero_point is not None else 0)]
            if len(zps) == 1 and len(scales) > 1:
                zps = zps * len(scales)
            quant = (scales, zps, int(quantized_dimension))
        self.tensors.append({"shape": [int(d) for d in shape], "type": TENSOR_TYPES[dtype], "buffer": buffer,
                             "name": name or f"t{len(self.tensors)}", "quant": quant,
                             "is_variable": bool(is_variable)})
        return len(self.tensors) - 1

    def input(self, shape, dtype, **kw):
        t = self.tensor(shape, dtype, **kw)
        self.inputs.append(t)
        return t

    def const(self, data, dtype=None, shape=None, **kw):
        arr = np.asarray(data)
        dtype = dtype or arr.dtype.name
        if dtype == "bool_":
            dtype = "bool"
        return self.tensor(arr.shape if shape is None else shape, dtype, data=arr, **kw)

    def output(self, t):
        self.outputs.append(t)
        return t

    # ---- operators ----

    def op(self, name, inputs, outputs, options=None, version=1, options_table=None):
        """Adds builtin `name` (e.g. "CONV_2D"). inputs may hold -1 for an absent optional input.
        options: dict of field name -> value for the op's options table (OP_OPTIONS, or options_table);
        enum fields take names ("SAME", "RELU6", "int32") or numbers."""
        key = (BUILTIN_CODES[name], int(version))
        if key not in self.opcodes:
            self.opcodes.append(key)
        table = options_table or OP_OPTIONS.get(name)
        fields = dict(options or {})
        if fields and not table:
            raise ValueError(f"{name} takes no options, got {sorted(fields)}")
        if table:
            known = {f for f, _ in OPTION_FIELDS[table]}
            unknown = set(fields) - known
            if unknown:
                raise ValueError(f"{table} has no field(s) {sorted(unknown)}")
        self.operators.append({"opcode": self.opcodes.index(key), "inputs": [int(i) for i in inputs],
                               "outputs": [int(o) for o in outputs], "table": table, "fields": fields})

    # ---- writing ----

    def finish(self):
        """The model as bytes (schema version 3, file identifier TFL3)."""
        b = flatbuffers.Builder(4096)
        b.ForceDefaults(True)  # write every field we set, even when it equals the schema default
        buffers = [self._buffer(b, data) for data in self.buffers]
        opcodes = [self._opcode(b, code, version) for code, version in self.opcodes]
        tensors = [self._tensor(b, t) for t in self.tensors]
        operators = [self._operator(b, op) for op in self.operators]
        subgraph = self._subgraph(b, tensors, operators)
        description = b.CreateString(self.description)
        opcodes_vec = _offset_vector(b, opcodes)
        subgraphs_vec = _offset_vector(b, [subgraph])
        buffers_vec = _offset_vector(b, buffers)
        b.StartObject(8)  # Model
        b.PrependUint32Slot(0, 3, 0)  # version
        b.PrependUOffsetTRelativeSlot(1, opcodes_vec, 0)
        b.PrependUOffsetTRelativeSlot(2, subgraphs_vec, 0)
        b.PrependUOffsetTRelativeSlot(3, description, 0)
        b.PrependUOffsetTRelativeSlot(4, buffers_vec, 0)
        model = b.EndObject()
        b.Finish(model, file_identifier=b"TFL3")
        return bytes(b.Output())

    @staticmethod
    def _buffer(b, data):
        vec = None
        if data:
            b.StartVector(1, len(data), 16)  # force_align: 16
            b.head = b.head - len(data)
            b.Bytes[b.head:b.head + len(data)] = data
            vec = b.EndVector()
        b.StartObject(3)  # Buffer
        if vec is not None:
            b.PrependUOffsetTRelativeSlot(0, vec, 0)
        return b.EndObject()

    @staticmethod
    def _opcode(b, code, version):
        b.StartObject(4)  # OperatorCode
        b.PrependInt8Slot(0, min(code, 127), 0)  # deprecated_builtin_code
        b.PrependInt32Slot(2, version, 1)
        b.PrependInt32Slot(3, code, 0)  # builtin_code
        return b.EndObject()

    @staticmethod
    def _tensor(b, t):
        name = b.CreateString(t["name"])
        shape = _scalar_vector(b, t["shape"], "i32")
        quant = None
        if t["quant"] is not None:
            scales, zps, qdim = t["quant"]
            scale_vec = _scalar_vector(b, scales, "f32")
            zp_vec = _scalar_vector(b, zps, "i64")
            b.StartObject(7)  # QuantizationParameters
            b.PrependUOffsetTRelativeSlot(2, scale_vec, 0)
            b.PrependUOffsetTRelativeSlot(3, zp_vec, 0)
            b.PrependInt32Slot(6, qdim, 0)
            quant = b.EndObject()
        b.StartObject(10)  # Tensor
        b.PrependUOffsetTRelativeSlot(0, shape, 0)
        b.PrependInt8Slot(1, t["type"], 0)
        b.PrependUint32Slot(2, t["buffer"], 0)
        b.PrependUOffsetTRelativeSlot(3, name, 0)
        if quant is not None:
            b.PrependUOffsetTRelativeSlot(4, quant, 0)
        if t["is_variable"]:
            b.PrependBoolSlot(5, True, False)
        return b.EndObject()

    @staticmethod
    def _options(b, table, fields):
        spec = OPTION_FIELDS[table]
        vectors = {}
        for name, kind in spec:
            if kind == "ivec" and name in fields:
                vectors[name] = _scalar_vector(b, [int(v) for v in fields[name]], "i32")
        b.StartObject(max(len(spec), 1))
        for slot, (name, kind) in enumerate(spec):
            if name not in fields:
                continue
            value = fields[name]
            if kind == "i8":
                b.PrependInt8Slot(slot, ENUM_VALUES[value] if isinstance(value, str) else int(value), 0)
            elif kind == "i32":
                b.PrependInt32Slot(slot, int(value), 0)
            elif kind == "f32":
                b.PrependFloat32Slot(slot, float(value), 0.0)
            elif kind == "bool":
                b.PrependBoolSlot(slot, bool(value), False)
            elif kind == "ivec":
                b.PrependUOffsetTRelativeSlot(slot, vectors[name], 0)
        return b.EndObject()

    def _operator(self, b, op):
        inputs = _scalar_vector(b, op["inputs"], "i32")
        outputs = _scalar_vector(b, op["outputs"], "i32")
        options = self._options(b, op["table"], op["fields"]) if op["table"] else None
        b.StartObject(9)  # Operator
        b.PrependUint32Slot(0, op["opcode"], 0)
        b.PrependUOffsetTRelativeSlot(1, inputs, 0)
        b.PrependUOffsetTRelativeSlot(2, outputs, 0)
        if options is not None:
            b.PrependUint8Slot(3, BUILTIN_OPTIONS_UNION.index(op["table"]) + 1, 0)
            b.PrependUOffsetTRelativeSlot(4, options, 0)
        return b.EndObject()

    def _subgraph(self, b, tensors, operators):
        tensors_vec = _offset_vector(b, tensors)
        inputs = _scalar_vector(b, self.inputs, "i32")
        outputs = _scalar_vector(b, self.outputs, "i32")
        operators_vec = _offset_vector(b, operators)
        name = b.CreateString("main")
        b.StartObject(5)  # SubGraph
        b.PrependUOffsetTRelativeSlot(0, tensors_vec, 0)
        b.PrependUOffsetTRelativeSlot(1, inputs, 0)
        b.PrependUOffsetTRelativeSlot(2, outputs, 0)
        b.PrependUOffsetTRelativeSlot(3, operators_vec, 0)
        b.PrependUOffsetTRelativeSlot(4, name, 0)
        return b.EndObject()


def _scalar_vector(b, values, kind):
    size, prepend = {"i32": (4, b.PrependInt32), "f32": (4, b.PrependFloat32),
                     "i64": (8, b.PrependInt64)}[kind]
    b.StartVector(size, len(values), size)
    for v in reversed(values):
        prepend(v)
    return b.EndVector()


def _offset_vector(b, offsets):
    b.StartVector(4, len(offsets), 4)
    for o in reversed(offsets):
        b.PrependUOffsetTRelative(o)
    return b.EndVector()
