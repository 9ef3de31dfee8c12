"""Writes the float32 twin of a quantized .tflite model: the same operators, options and shapes, with each
quantized constant (int8 weights, int32 biases) dequantized with its own, possibly per-channel, scale and
zero point, and every quantized activation made float32 without quantization. The bench times it next to
the int8 model (the fixtures have no float person_detect); generated at bench time, never committed.

usage: make_float_counterpart.py INT8_MODEL FLOAT_MODEL
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tests", "pylib"))
from tflite_builder import ModelBuilder  # noqa: E402
from tflite_reader import read_model  # noqa: E402

QUANTIZED = ("int8", "uint8", "int16", "int32")


def dequantize(t):
    """Float32 values of quantized constant tensor t (per-channel along its quantized dimension)."""
    q = t["data"].astype(np.float64)
    scale, zp = np.asarray(t["scale"], np.float64), np.asarray(t["zero_point"], np.float64)
    if scale.size > 1:
        # A bias is 1-D whatever dimension its quantization names (person_detect's say 3).
        axis = t["quantized_dimension"] if q.ndim > 1 else 0
        view = [1] * q.ndim
        view[axis] = scale.size
        scale, zp = scale.reshape(view), zp.reshape(view)
    return ((q - zp) * scale).astype(np.float32)


def float_tensor(t):
    """t as a float32 tensor (a dict in read_model's layout), or t unchanged when it is not quantized
    (shape operands and the like)."""
    if t["type"] not in QUANTIZED or t["scale"] is None:
        return t
    data = dequantize(t) if t["data"] is not None else None
    return dict(t, type="float32", data=data, scale=None, zero_point=None, quantized_dimension=0)


def float_model(model):
    return dict(model, tensors=[float_tensor(t) for t in model["tensors"]],
                operators=[dict(op, version=1) for op in model["operators"]])


def write_model(model, description="edgert bench model"):
    """.tflite bytes of a model in read_model's layout."""
    m = ModelBuilder(description)
    for t in model["tensors"]:
        m.tensor(t["shape"], t["type"], data=t["data"], scale=t["scale"], zero_point=t["zero_point"],
                 quantized_dimension=t["quantized_dimension"], name=t["name"])
    for op in model["operators"]:
        m.op(op["op"], op["inputs"], op["outputs"], options=op["options"], version=op["version"])
    m.inputs, m.outputs = list(model["inputs"]), list(model["outputs"])
    return m.finish()


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[-1])
    with open(sys.argv[1], "rb") as f:
        model = read_model(f.read())
    with open(sys.argv[2], "wb") as f:
        f.write(write_model(float_model(model), "float32 twin of " + os.path.basename(sys.argv[1])))


if __name__ == "__main__":
    main()
