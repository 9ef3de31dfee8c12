"""Writes MobileNet v1 (width 1.0, 224x224, 1000 classes: 4.2 M weights, 569 M multiply-adds) as a TFLite
pair for the bench's int8 table: float32, and int8 made from the same seeded random weights the way the
TFLite converter quantizes (per-channel symmetric int8 weights, int32 biases of scale input scale x weight
scale, asymmetric int8 activations whose ranges come from running the float model). Latency does not depend
on the weight values; the int8 model's error against the float one shows the quantization is sound.

The graph is the one in the TFLite model zoo (and person_detect, its 0.25-width 96x96 cousin): a 3x3
stride-2 convolution, 13 depthwise 3x3 + pointwise 1x1 blocks, all with fused ReLU6 and folded batch norm
(here: biases), a 7x7 average pool, a 1x1 convolution to the logits, reshape, softmax.

Calibration runs the float model with `edgert run` on a copy that lists every activation as a graph output,
on a few random inputs (uniform in [-1, 1), as the bench feeds it).

usage: make_mobilenet.py EDGERT OUT_DIR   (writes OUT_DIR/mobilenet_v1_float.tflite, mobilenet_v1_int8.tflite)
"""
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from make_float_counterpart import write_model  # noqa: E402

SIZE, WIDTH, CLASSES = 224, 1.0, 1000
# (output channels at width 1.0, stride) of the depthwise-separable blocks.
BLOCKS = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5 + [(1024, 2), (1024, 1)]
CALIBRATION_INPUTS = 4


def channels(c):
    return max(8, int(c * WIDTH))


def float_graph(seed=0):
    """The float model in read_model's layout. Weights are He-scaled so that activations keep their size
    through 28 layers without batch norm (ReLU6 then clips them as a trained model's would be)."""
    rng = np.random.default_rng(seed)
    tensors, operators = [], []

    def tensor(shape, data=None, name=None):
        tensors.append({"shape": list(shape), "type": "float32" if data is None or data.dtype != np.int32
                        else "int32", "name": name or f"t{len(tensors)}", "data": data, "scale": None,
                        "zero_point": None, "quantized_dimension": 0})
        return len(tensors) - 1

    def conv(x, h, cin, cout, k, stride, depthwise=False, act="RELU6", gain=2.0):
        fan_in = k * k * (1 if depthwise else cin)
        shape = (1, k, k, cout) if depthwise else (cout, k, k, cin)
        w = (rng.standard_normal(shape) * np.sqrt(gain / fan_in)).astype(np.float32)
        b = rng.uniform(-0.1, 0.1, cout).astype(np.float32)
        out_h = (h + stride - 1) // stride
        y = tensor([1, out_h, out_h, cout])
        options = {"padding": "SAME", "stride_w": stride, "stride_h": stride, "fused_activation_function": act}
        if depthwise:
            options["depth_multiplier"] = 1
        operators.append({"op": "DEPTHWISE_CONV_2D" if depthwise else "CONV_2D", "version": 1,
                          "inputs": [x, tensor(shape, w), tensor([cout], b)], "outputs": [y], "options": options})
        return y, out_h

    x = tensor([1, SIZE, SIZE, 3], name="input")
    c = channels(32)
    y, h = conv(x, SIZE, 3, c, 3, 2)
    for cout, stride in BLOCKS:
        y, h = conv(y, h, c, c, 3, stride, depthwise=True)
        y, h = conv(y, h, c, channels(cout), 1, 1)
        c = channels(cout)
    pooled = tensor([1, 1, 1, c])
    operators.append({"op": "AVERAGE_POOL_2D", "version": 1, "inputs": [y], "outputs": [pooled],
                      "options": {"padding": "VALID", "stride_w": 1, "stride_h": 1, "filter_width": h,
                                  "filter_height": h, "fused_activation_function": "NONE"}})
    # Gain 200: logits spread over several units (std ~3), so that softmax is not flat and its error says
    # something.
    logits, _ = conv(pooled, 1, c, CLASSES, 1, 1, act="NONE", gain=200.0)
    flat = tensor([1, CLASSES])
    shape = tensor([2], np.array([1, CLASSES], np.int32))
    operators.append({"op": "RESHAPE", "version": 1, "inputs": [logits, shape], "outputs": [flat],
                      "options": {"new_shape": [1, CLASSES]}})
    probs = tensor([1, CLASSES], name="probabilities")
    operators.append({"op": "SOFTMAX", "version": 1, "inputs": [flat], "outputs": [probs],
                      "options": {"beta": 1.0}})
    return {"tensors": tensors, "operators": operators, "inputs": [x], "outputs": [probs]}


def activations(model):
    """Ids of the tensors that are not constants, in the order they are produced (input first)."""
    ids = list(model["inputs"])
    for op in model["operators"]:
        ids += op["outputs"]
    return ids


def calibrate(edgert, model, work):
    """{tensor id: (min, max)} over CALIBRATION_INPUTS random inputs, from edgert running a copy of the
    float model whose outputs are all its activations."""
    ids = activations(model)
    path = os.path.join(work, "calibration.tflite")
    with open(path, "wb") as f:
        f.write(write_model(dict(model, outputs=ids[1:])))
    shape = model["tensors"][ids[0]]["shape"]
    ranges = {}
    rng = np.random.default_rng(1)
    for k in range(CALIBRATION_INPUTS):
        x = rng.uniform(-1, 1, shape).astype(np.float32)
        x_path, out = os.path.join(work, f"cal{k}.npy"), os.path.join(work, f"cal{k}")
        np.save(x_path, x)
        r = subprocess.run([edgert, "run", path, "--input", x_path, "--output-dir", out], capture_output=True,
                           text=True)
        if r.returncode != 0:
            sys.exit(f"make_mobilenet: calibration run failed: {r.stderr.strip()}")
        values = [x] + [np.load(os.path.join(out, f"output_{j}.npy")) for j in range(len(ids) - 1)]
        for t, v in zip(ids, values):
            lo, hi = ranges.get(t, (np.inf, -np.inf))
            ranges[t] = (min(lo, float(v.min())), max(hi, float(v.max())))
    return ranges


def activation_quant(lo, hi):
    """(scale, zero point) of an asymmetric int8 tensor covering [lo, hi] and 0 exactly."""
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    scale = (hi - lo) / 255.0 if hi > lo else 1.0
    zero_point = int(np.clip(np.round(-128 - lo / scale), -128, 127))
    return scale, zero_point


def int8_graph(model, ranges):
    """The int8 twin of the float model (same tensor ids), quantized from the calibration ranges."""
    tensors = [dict(t) for t in model["tensors"]]
    quant = {}
    for op in model["operators"]:  # producers run in order, so an op's input quantization is known
        x, y = op["inputs"][0], op["outputs"][0]
        if op["op"] in ("AVERAGE_POOL_2D", "RESHAPE"):
            quant[y] = quant[x]  # TFLite's int8 kernels for these do not rescale
        elif op["op"] == "SOFTMAX":
            quant[y] = (1.0 / 256.0, -128)
        else:
            quant.setdefault(x, activation_quant(*ranges[x]))
            quant[y] = activation_quant(*ranges[y])
            quantize_conv(tensors, op, quant[x][0])
    for t, (scale, zero_point) in quant.items():
        tensors[t] = dict(tensors[t], type="int8", scale=[scale], zero_point=[zero_point])
    versions = {"CONV_2D": 3, "DEPTHWISE_CONV_2D": 3, "AVERAGE_POOL_2D": 2, "RESHAPE": 1, "SOFTMAX": 2}
    operators = [dict(op, version=versions[op["op"]]) for op in model["operators"]]
    return dict(model, tensors=tensors, operators=operators)


def quantize_conv(tensors, op, input_scale):
    """Per-output-channel symmetric int8 weights and int32 biases of scale input_scale x weight scale."""
    w_id, b_id = op["inputs"][1], op["inputs"][2]
    w = tensors[w_id]["data"]
    axis = 3 if op["op"] == "DEPTHWISE_CONV_2D" else 0
    reduce = tuple(d for d in range(w.ndim) if d != axis)
    w_scale = np.maximum(np.abs(w).max(axis=reduce), 1e-12) / 127.0
    view = [1] * w.ndim
    view[axis] = w_scale.size
    q = np.clip(np.round(w / w_scale.reshape(view)), -127, 127).astype(np.int8)
    tensors[w_id] = dict(tensors[w_id], type="int8", data=q, scale=list(w_scale), zero_point=[0] * w_scale.size,
                         quantized_dimension=axis)
    b_scale = input_scale * w_scale
    qb = np.round(tensors[b_id]["data"] / b_scale).astype(np.int32)
    tensors[b_id] = dict(tensors[b_id], type="int32", data=qb, scale=list(b_scale),
                         zero_point=[0] * b_scale.size, quantized_dimension=0)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[-1])
    edgert, out_dir = sys.argv[1], sys.argv[2]
    model = float_graph()
    with open(os.path.join(out_dir, "mobilenet_v1_float.tflite"), "wb") as f:
        f.write(write_model(model, "MobileNet v1 1.0 224, seeded random weights, float32"))
    with tempfile.TemporaryDirectory() as work:
        ranges = calibrate(edgert, model, work)
    with open(os.path.join(out_dir, "mobilenet_v1_int8.tflite"), "wb") as f:
        f.write(write_model(int8_graph(model, ranges), "MobileNet v1 1.0 224, seeded random weights, int8"))


if __name__ == "__main__":
    main()
