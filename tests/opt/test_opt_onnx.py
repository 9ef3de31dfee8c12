"""The graph optimizer at load, end to end on ONNX files built here with the onnx package: a model gives the
same outputs with the optimizer on and off (EDGERT_OPTIMIZE=0), and `edgert info` shows the nodes each
pass should remove gone and the ones it must keep still there: Conv/Gemm + BatchNormalization folding,
Relu / Clip (as inputs and as opset-6 attributes) / HardSwish / SiLU fusion, reshapes that keep the shape,
and the cases left alone (a second reader, a graph output)."""
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "pylib"))
from edgert_test import SOURCE, check, finish, info, run  # noqa: E402

try:
    import onnx
    from onnx import TensorProto, helper, numpy_helper
except ImportError as e:
    print(f"SKIP: the onnx package is not installed ({e})")
    sys.exit(0)

rng = np.random.default_rng(7)

# Fusions src/opt/opt.h turns on by default (GEMM's, and hard swish and SiLU, wait for their kernels).
OPT_H = open(os.path.join(SOURCE, "src", "opt", "opt.h")).read()
FUSE_INTO_GEMM = "#define ER_OPT_FUSE_INTO_GEMM 1" in OPT_H
FUSE_SMOOTH = "#define ER_OPT_FUSE_SMOOTH 1" in OPT_H


def const(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


def conv_weights(prefix, c_out, c_in, k, group=1):
    return [const(prefix + "_w", rng.uniform(-1, 1, (c_out, c_in // group, k, k)).astype(np.float32)),
            const(prefix + "_b", rng.uniform(-1, 1, c_out).astype(np.float32))]


def bn_params(prefix, c):
    return [const(prefix + "_scale", rng.uniform(0.5, 1.5, c).astype(np.float32)),
            const(prefix + "_bias", rng.uniform(-1, 1, c).astype(np.float32)),
            const(prefix + "_mean", rng.uniform(-1, 1, c).astype(np.float32)),
            const(prefix + "_var", rng.uniform(0.2, 2, c).astype(np.float32))]


def bn(prefix, x, y):
    return helper.make_node("BatchNormalization", [x] + [prefix + s for s in ("_scale", "_bias", "_mean", "_var")],
                            [y], epsilon=1e-3)


def model(nodes, inits, inputs, outputs, opset=13):
    g = helper.make_graph(nodes, "opt_test", inputs, outputs, inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 7
    return m


def f32(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def conv_bn_relu():
    inits = conv_weights("c1", 8, 3, 3) + bn_params("bn1", 8) + conv_weights("c2", 8, 8, 1) + bn_params("bn2", 8)
    nodes = [helper.make_node("Conv", ["x", "c1_w", "c1_b"], ["c1"], pads=[1, 1, 1, 1]),
             bn("bn1", "c1", "n1"), helper.make_node("Relu", ["n1"], ["r1"]),
             helper.make_node("Conv", ["r1", "c2_w", "c2_b"], ["c2"]), bn("bn2", "c2", "y")]
    return model(nodes, inits, [f32("x", ["N", 3, 9, 7])], [f32("y", None)]), (2, 3, 9, 7), {"CONV_ND": 2}


def gemm_bn_clip():
    inits = [const("w", rng.uniform(-1, 1, (6, 10)).astype(np.float32)),
             const("c", rng.uniform(-1, 1, 6).astype(np.float32)),
             const("lo", np.float32(0)), const("hi", np.float32(0.5))] + bn_params("bn", 6)
    nodes = [helper.make_node("Gemm", ["x", "w", "c"], ["g"], transB=1, alpha=0.8, beta=0.6), bn("bn", "g", "n"),
             helper.make_node("Clip", ["n", "lo", "hi"], ["y"])]
    return model(nodes, inits, [f32("x", [4, 10])], [f32("y", None)]), (4, 10), \
        {"GEMM": 1} if FUSE_INTO_GEMM else {"GEMM": 1, "CLIP": 1}


def conv_activations():
    """SiLU, HardSwish (opset 14) and Clip with min/max inputs after convs."""
    inits = conv_weights("a", 6, 3, 3) + conv_weights("b", 6, 6, 3, group=2) + conv_weights("c", 4, 6, 1) + [
        const("lo", np.float32(0)), const("hi", np.float32(6))]
    nodes = [helper.make_node("Conv", ["x", "a_w", "a_b"], ["a"], pads=[1, 1, 1, 1]),
             helper.make_node("Sigmoid", ["a"], ["s"]), helper.make_node("Mul", ["a", "s"], ["silu"]),
             helper.make_node("Conv", ["silu", "b_w", "b_b"], ["b"], group=2, strides=[2, 2]),
             helper.make_node("HardSwish", ["b"], ["hs"]),
             helper.make_node("Conv", ["hs", "c_w", "c_b"], ["c"]), helper.make_node("Clip", ["c", "lo", "hi"], ["y"])]
    smooth_left = {} if FUSE_SMOOTH else {"LOGISTIC": 1, "MUL": 1, "HARD_SWISH": 1}
    return model(nodes, inits, [f32("x", [1, 3, 8, 8])], [f32("y", None)], opset=14), (1, 3, 8, 8), \
        {"CONV_ND": 3, **smooth_left}


def reshape_keeps_shape():
    """A Reshape to [0, 5, -1, 0] after a conv with 5 output channels keeps the shape whatever the batch."""
    inits = conv_weights("a", 5, 2, 3) + [const("shape", np.array([0, 5, -1, 0], np.int64))]
    nodes = [helper.make_node("Conv", ["x", "a_w", "a_b"], ["a"], pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["a"], ["r"]),
             helper.make_node("Reshape", ["r", "shape"], ["same"]),
             helper.make_node("Sigmoid", ["same"], ["y"])]
    return model(nodes, inits, [f32("x", ["N", 2, 5, 5])], [f32("y", None)]), (3, 2, 5, 5), \
        {"CONV_ND": 1, "LOGISTIC": 1}


def clip_attributes_opset6():
    inits = conv_weights("a", 5, 2, 3)
    nodes = [helper.make_node("Conv", ["x", "a_w", "a_b"], ["a"], pads=[1, 1, 1, 1]),
             helper.make_node("Clip", ["a"], ["y"], min=0.0, max=6.0)]
    return model(nodes, inits, [f32("x", [1, 2, 5, 5])], [f32("y", None)], opset=6), (1, 2, 5, 5), {"CONV_ND": 1}


def left_alone():
    """The conv output read twice, a conv output that is a graph output, a BN on a graph input."""
    inits = conv_weights("a", 4, 4, 3) + conv_weights("b", 4, 4, 3) + bn_params("bn", 4)
    nodes = [helper.make_node("Conv", ["x", "a_w", "a_b"], ["a"], pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["a"], ["r"]), helper.make_node("Add", ["a", "r"], ["s"]),
             helper.make_node("Conv", ["s", "b_w", "b_b"], ["b"], pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["b"], ["y"]), bn("bn", "x", "z")]
    return model(nodes, inits, [f32("x", [1, 4, 6, 6])], [f32("y", None), f32("b", None), f32("z", None)]), \
        (1, 4, 6, 6), {"CONV_ND": 2, "RELU": 2, "ADD": 1, "BATCH_NORM": 1}


def ops_of(path, optimize):
    os.environ["EDGERT_OPTIMIZE"] = "1" if optimize else "0"
    try:
        return info(path)["ops"]
    finally:
        os.environ.pop("EDGERT_OPTIMIZE", None)


def outputs_of(path, x, optimize):
    os.environ["EDGERT_OPTIMIZE"] = "1" if optimize else "0"
    try:
        return run(path, [x])
    finally:
        os.environ.pop("EDGERT_OPTIMIZE", None)


with tempfile.TemporaryDirectory() as tmp:
    for build in (conv_bn_relu, gemm_bn_clip, conv_activations, reshape_keeps_shape, clip_attributes_opset6,
                  left_alone):
        m, shape, want_ops = build()
        path = os.path.join(tmp, build.__name__ + ".onnx")
        onnx.save(m, path)
        x = rng.uniform(-3, 3, shape).astype(np.float32)
        plain, optimized = outputs_of(path, x, False), outputs_of(path, x, True)
        ops_off, ops_on = ops_of(path, False), ops_of(path, True)
        check(ops_on == want_ops, f"{build.__name__}: ops {ops_on} with the optimizer, expected {want_ops}")
        worst = 0.0
        for a, b in zip(plain, optimized):
            check(a.shape == b.shape, f"{build.__name__}: shape {b.shape} vs {a.shape}")
            if a.shape == b.shape:
                worst = max(worst, float(np.max(np.abs(a - b) / (1 + np.abs(a)))))
        check(len(plain) == len(optimized) and worst <= 1e-5,
              f"{build.__name__}: optimized outputs differ by {worst:.2e} (relative)")
        print(f"{build.__name__}: {sum(ops_off.values())} -> {sum(ops_on.values())} nodes, "
              f"max |on - off| / (1 + |off|) = {worst:.1e}")
finish()
