"""Reads a .tflite model's first subgraph into plain Python (tensors, buffers, operators with their options),
with Debian's python3-flatbuffers and no generated code: the mirror of tests/pylib/tflite_builder.py, whose
slot tables (field N of a table is its N-th declared field in tensorflow/lite/schema/schema.fbs, a union
counting as two) it reuses, so that a model read here can be written back with its ModelBuilder.

    model = read_model(open(path, "rb").read())
    model["tensors"][k] -> {"shape", "type" (numpy dtype name), "name", "data" (array or None),
                            "scale", "zero_point" (lists or None), "quantized_dimension"}
    model["operators"][k] -> {"op" (builtin name), "version", "inputs", "outputs", "options" (dict)}
"""
import os
import sys

import flatbuffers
from flatbuffers import number_types as N
from flatbuffers.table import Table
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "pylib"))
from tflite_builder import (BUILTIN_CODES, BUILTIN_OPTIONS_UNION, ENUM_VALUES, NUMPY_TYPES,  # noqa: E402
                            OPTION_FIELDS, TENSOR_TYPES)

TYPE_NAMES = {code: name for name, code in TENSOR_TYPES.items()}
OP_NAMES = {code: name for name, code in BUILTIN_CODES.items()}
# Enum option fields written back by name, so that a model read here prints and rewrites readably.
PADDING_NAMES = {0: "SAME", 1: "VALID"}
ACTIVATION_NAMES = {v: k for k, v in ENUM_VALUES.items() if k in
                    ("NONE", "RELU", "RELU_N1_TO_1", "RELU6", "TANH", "SIGN_BIT")}


def _table_at(buf, pos):
    return Table(buf, pos)


def _root(buf):
    return Table(buf, flatbuffers.encode.Get(N.UOffsetTFlags.packer_type, buf, 0))


def _field_pos(t, slot):
    """Absolute position of field `slot`'s value, or 0 when absent."""
    o = t.Offset(4 + 2 * slot)
    return t.Pos + o if o else 0


def _scalar(t, slot, flags, default):
    o = t.Offset(4 + 2 * slot)
    return t.Get(flags, t.Pos + o) if o else default


def _sub_table(t, slot):
    o = t.Offset(4 + 2 * slot)
    return Table(t.Bytes, t.Indirect(t.Pos + o)) if o else None


def _tables(t, slot):
    o = t.Offset(4 + 2 * slot)
    if not o:
        return []
    start, n = t.Vector(o), t.VectorLen(o)
    return [Table(t.Bytes, t.Indirect(start + 4 * k)) for k in range(n)]


def _numbers(t, slot, dtype):
    o = t.Offset(4 + 2 * slot)
    if not o:
        return None
    start, n = t.Vector(o), t.VectorLen(o)
    return np.frombuffer(t.Bytes, dtype=np.dtype(dtype).newbyteorder("<"), count=n, offset=start)


def _string(t, slot):
    o = t.Offset(4 + 2 * slot)
    return t.String(t.Pos + o).decode() if o else ""


def _options(table, fields):
    out = {}
    for slot, (name, kind) in enumerate(fields):
        if kind == "i8":
            v = _scalar(table, slot, N.Int8Flags, None)
        elif kind == "i32":
            v = _scalar(table, slot, N.Int32Flags, None)
        elif kind == "f32":
            v = _scalar(table, slot, N.Float32Flags, None)
        elif kind == "bool":
            v = _scalar(table, slot, N.BoolFlags, None)
        else:  # ivec
            v = _numbers(table, slot, "<i4")
            v = None if v is None else [int(x) for x in v]
        if v is None:
            continue
        if name == "padding":
            v = PADDING_NAMES.get(v, v)
        elif name == "fused_activation_function":
            v = ACTIVATION_NAMES.get(v, v)
        out[name] = v
    return out


def read_model(buf):
    """The first subgraph of the .tflite bytes `buf` (see the module comment for the layout)."""
    buf = bytearray(buf)
    model = _root(buf)
    buffers = []
    for b in _tables(model, 4):
        data = _numbers(b, 0, "u1")
        offset = _scalar(b, 1, N.Uint64Flags, 0)  # large models keep data after the flatbuffer
        if data is None and offset:
            size = _scalar(b, 2, N.Uint64Flags, 0)
            data = np.frombuffer(buf, dtype=np.uint8, count=size, offset=offset)
        buffers.append(data)
    opcodes = []
    for oc in _tables(model, 1):
        code = max(_scalar(oc, 0, N.Int8Flags, 0), _scalar(oc, 3, N.Int32Flags, 0))
        opcodes.append((OP_NAMES.get(code, f"BUILTIN_{code}"), _scalar(oc, 2, N.Int32Flags, 1)))
    subgraph = _tables(model, 2)[0]
    tensors = []
    for t in _tables(subgraph, 0):
        shape = [int(d) for d in _numbers(t, 0, "<i4")] if _field_pos(t, 0) else []
        dtype = TYPE_NAMES[_scalar(t, 1, N.Int8Flags, 0)]
        raw = buffers[_scalar(t, 2, N.Uint32Flags, 0)]
        data = None
        if raw is not None and raw.size:
            data = np.frombuffer(raw.tobytes(), dtype=np.dtype(NUMPY_TYPES[dtype]).newbyteorder("<"))
            data = data.reshape(shape).astype(NUMPY_TYPES[dtype])
        entry = {"shape": shape, "type": dtype, "name": _string(t, 3), "data": data, "scale": None,
                 "zero_point": None, "quantized_dimension": 0}
        q = _sub_table(t, 4)
        if q is not None and _field_pos(q, 2):
            entry["scale"] = [float(s) for s in _numbers(q, 2, "<f4")]
            zps = _numbers(q, 3, "<i8")
            entry["zero_point"] = [int(z) for z in zps] if zps is not None else [0] * len(entry["scale"])
            entry["quantized_dimension"] = _scalar(q, 6, N.Int32Flags, 0)
        tensors.append(entry)
    operators = []
    for op in _tables(subgraph, 3):
        name, version = opcodes[_scalar(op, 0, N.Uint32Flags, 0)]
        options = {}
        tag = _scalar(op, 3, N.Uint8Flags, 0)
        if tag:
            table_name = BUILTIN_OPTIONS_UNION[tag - 1]
            options = _options(_sub_table(op, 4), OPTION_FIELDS[table_name])
        operators.append({"op": name, "version": version, "inputs": [int(i) for i in _numbers(op, 1, "<i4")],
                          "outputs": [int(i) for i in _numbers(op, 2, "<i4")], "options": options})
    return {"tensors": tensors, "operators": operators,
            "inputs": [int(i) for i in _numbers(subgraph, 1, "<i4")],
            "outputs": [int(i) for i in _numbers(subgraph, 2, "<i4")]}
