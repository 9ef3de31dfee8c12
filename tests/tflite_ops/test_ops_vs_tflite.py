"""edgert's kernels, op by op, against TensorFlow Lite itself.

For many ops and dtypes this writes single-op .tflite models (tests/pylib/tflite_builder.py) with seeded
random shapes (odd sizes, broadcasting, every padding mode, strides, dilations, fused activations, slice
masks...), random data and random quantization parameters; runs each through edgert (the CLI) and through
TensorFlow Lite compiled to WebAssembly (tests/pylib/tflite_batch_ref.js, all models in one process), and
compares:

- float32 outputs within rtol 1e-5, atol 1e-5 (NaN only where TFLite has NaN);
- integer and bool outputs value for value, with one exception, the XNNPACK delegate. TFLite's WebAssembly
  build hands many int8 ops to XNNPACK, which requantizes through float32 (or its own fixed-point
  variants) instead of TFLite's quantized multiplier + shift with double rounding, so a value can land
  one step away from what TFLite's own kernel (and edgert) computes. The runner asks TFLite's profiler
  which node ran where: when the op ran inside XNNPACK ("TfLiteXNNPackDelegate") an integer output may
  differ by at most 1 and the table counts how many cases were still identical; when TFLite ran its own
  kernel the comparison is exact. Observed with this build and seed: int8 ADD, SUB, MUL, CONV_2D,
  DEPTHWISE_CONV_2D, FULLY_CONNECTED, TRANSPOSE_CONV, MAX_POOL_2D, LEAKY_RELU, LOGISTIC, RESIZE_BILINEAR,
  CONCATENATION, PAD, SPLIT, TRANSPOSE, DEPTH_TO_SPACE and QUANTIZE int8->int8 ran in XNNPACK (the run
  prints the list and the "xnn" column counts the cases). Two more exceptions, each worked by hand (see
  SINGLE_ROUNDING_KERNELS and the QUANTIZE generator): this build's own int8 CONV_2D, BATCH_MATMUL and
  FULLY_CONNECTED kernels requantize with one rounding instead of TFLite's reference double rounding, and its QUANTIZE
  from float multiplies by the reciprocal scale, so exact halves may round the other way.
- Conv-like ops (CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV, FULLY_CONNECTED) run twice: with constant
  weights (what converters write; TFLite uses XNNPACK for float and int8) and with the weights fed as a
  model input, which makes TFLite use its own kernel, so those compare exactly. XNNPACK in this build
  gets convolutions with a stride larger than the kernel wrong, so constant-weight cases avoid them.
- Limits of this TFLite build that shape the cases: no int64 tensors through its JavaScript API (int64
  goes in and out through a CAST to and from int32 inside the model), TRANSPOSE_CONV only up to version 3
  (no fused activation), BROADCAST_TO version 2, TRANSPOSE up to 5-D, variable tensors without buffers.

A configuration TFLite refuses is skipped with TFLite's reason. A configuration edgert refuses as
unsupported (its message says "not supported"/"unsupported") is listed as a gap, not a failure; any other
edgert error, a missing or misshapen output, or a value mismatch fails the test. Set EDGERT_DIFFTEST_ONLY
to a comma-separated list of op names to run only those; EDGERT_DIFFTEST_KEEP=1 keeps the temp dir.
"""
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zlib

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "pylib"))
from edgert_test import TFLITE_WASM, check, finish, run  # noqa: E402
from tflite_builder import NUMPY_TYPES, ModelBuilder  # noqa: E402

SEED = 20261127
REPEAT = int(os.environ.get("EDGERT_DIFFTEST_REPEAT", "3"))
FLOAT_RTOL = 1e-5
FLOAT_ATOL = 1e-5
XNNPACK_NODE = "TfLiteXNNPackDelegate"
# TFLite kernels of this build that round requantization once (ruy's MultiplyByQuantizedMultiplier:
# (acc * multiplier + 2^(30 - shift)) >> (31 - shift)) instead of TFLite's reference double rounding
# (SaturatingRoundingDoublingHighMul, then RoundingDivideByPOT) that edgert implements. Worked by hand on
# CONV_2D int8 (per-tensor, SAME s2x2): acc 760, multiplier 1807446175, shift -8, exact -12.5013 steps:
# double rounding -12 (edgert), single rounding -13 (TFLite). BATCH_MATMUL int8 likewise ([5,1] x [8,1]^T:
# TFLite 69, double rounding 70 = edgert, single rounding 69). Integer outputs may differ by 1 here.
# FULLY_CONNECTED int8 too: in [2,3,9] -> 5 units, RELU_N1_TO_1, one value's exact result is 0.499 steps
# above the zero point: single rounding gives 0 (TFLite), reference double rounding 1 (edgert, worked in
# Python with TFLite's SaturatingRoundingDoublingHighMul + RoundingDivideByPOT).
SINGLE_ROUNDING_KERNELS = {("CONV_2D", "int8"), ("BATCH_MATMUL", "int8"), ("FULLY_CONNECTED", "int8")}
ONLY = {s.strip().upper() for s in os.environ.get("EDGERT_DIFFTEST_ONLY", "").split(",") if s.strip()}
RUNNER = os.path.join(os.path.dirname(__file__), "..", "pylib", "tflite_batch_ref.js")

rng = np.random.default_rng(SEED)
TMP = tempfile.mkdtemp(prefix="edgert-difftest-")
CASES = []
GENERATORS = []


class Case:
    """One model: the op it tests, a dtype label for the table, a description, and its inputs."""

    def __init__(self, op, dtype, desc, model_path, inputs, float_tol=None):
        self.op, self.dtype, self.desc, self.model, self.inputs = op, dtype, desc, model_path, inputs
        self.float_tol = float_tol or (FLOAT_RTOL, FLOAT_ATOL)
        self.ref = None        # TFLite's result record from the runner
        self.ref_outputs = None
        self.ours = None       # edgert's outputs, or an error string
        self.status = None     # "ok", "mismatch", "edgert-error", "edgert-gap", "tflite-refused"
        self.detail = ""
        self.max_diff = 0.0
        self.exact = False
        self.xnnpack = False
        self.one_step_ok = None  # per output: bool mask of values allowed to differ by one step


def add(op, dtype, desc, m, inputs, float_tol=None):
    """Writes model m and queues it with its inputs (numpy arrays in model-input order)."""
    k = len(CASES)
    path = os.path.join(TMP, f"case{k:04d}_{op.lower()}.tflite")
    with open(path, "wb") as f:
        f.write(m.finish())
    CASES.append(Case(op, dtype, desc, path, [np.array(x, order="C") for x in inputs], float_tol))


def generator(*ops):
    """Registers a function making cases for `ops` (used for EDGERT_DIFFTEST_ONLY)."""
    def wrap(fn):
        GENERATORS.append((ops, fn))
        return fn
    return wrap


# ---------------------------------------------------------------------------------------------------
# random data, shapes and quantization

def rand(shape, dtype, lo=None, hi=None):
    shape = tuple(int(d) for d in shape)
    if dtype == "float32":
        return rng.uniform(-1.0 if lo is None else lo, 1.0 if hi is None else hi, shape).astype(np.float32)
    if dtype == "bool":
        return rng.random(shape) < 0.5
    info = np.iinfo(NUMPY_TYPES[dtype])
    lo = info.min if lo is None else lo
    hi = info.max if hi is None else hi
    return rng.integers(lo, hi, shape, endpoint=True).astype(NUMPY_TYPES[dtype])


def qparams(dtype, scale_range=None):
    """Random quantization of an activation: int8 asymmetric, int16 symmetric (TFLite's int16x8 scheme)."""
    if dtype == "int8":
        lo, hi = scale_range or (-2.5, -0.5)
        return {"scale": float(10 ** rng.uniform(lo, hi)), "zero_point": int(rng.integers(-50, 50))}
    if dtype == "int16":
        lo, hi = scale_range or (-4.5, -2.5)
        return {"scale": float(10 ** rng.uniform(lo, hi)), "zero_point": 0}
    if dtype == "uint8":
        lo, hi = scale_range or (-2.5, -0.5)
        return {"scale": float(10 ** rng.uniform(lo, hi)), "zero_point": int(rng.integers(80, 170))}
    return {}


def is_quant(dtype):
    return dtype in ("int8", "int16", "uint8")


def int64_input(m, shape):
    """An int64 activation. TFLite's WebAssembly runner cannot feed or read int64 tensors, so the model
    takes int32 and CASTs it (values stay in int32 range)."""
    x32 = m.input(shape, "int32")
    x64 = m.tensor(shape, "int64")
    m.op("CAST", [x32], [x64], {"in_data_type": "int32", "out_data_type": "int64"})
    return x64


def int64_output(m, t64, shape):
    """Reads an int64 result through a CAST to int32 (see int64_input); call after the tested op."""
    y = m.output(m.tensor(shape, "int32"))
    m.op("CAST", [t64], [y], {"in_data_type": "int64", "out_data_type": "int32"})
    return y


def new_input(m, shape, dtype, **q):
    return int64_input(m, shape) if dtype == "int64" else m.input(shape, dtype, **q)


def new_output(m, shape, dtype, **q):
    """The tested op's output tensor; for int64 a pending one that finish_output() routes out."""
    return m.tensor(shape, dtype, **q) if dtype == "int64" else m.output(m.tensor(shape, dtype, **q))


def finish_output(m, t, shape, dtype):
    if dtype == "int64":
        int64_output(m, t, shape)


def feed(x):
    """What the runner feeds for an array meant for an int64 input (see int64_input)."""
    return x.astype(np.int32) if x.dtype == np.int64 else x


def rand_shape(rank=None, lo=1, hi=7):
    rank = int(rng.integers(1, 5)) if rank is None else rank
    return [int(d) for d in rng.integers(lo, hi, rank, endpoint=True)]


def broadcast_partner(shape):
    """A shape that broadcasts against `shape`: some dims set to 1, maybe fewer leading dims."""
    other = [d if rng.random() < 0.5 else 1 for d in shape]
    drop = int(rng.integers(0, len(shape) + 1)) if rng.random() < 0.4 else 0
    return other[drop:] if drop < len(shape) else [1]


def act_name():
    return str(rng.choice(["NONE", "RELU", "RELU6", "RELU_N1_TO_1"]))


def float_range_for(dtype, q):
    """The real range a quantized tensor covers (for choosing float-equivalent data)."""
    info = np.iinfo(NUMPY_TYPES[dtype])
    return (info.min - q["zero_point"]) * q["scale"], (info.max - q["zero_point"]) * q["scale"]


# ---------------------------------------------------------------------------------------------------
# elementwise binary, comparison, logical, select, add_n

BINARY_DTYPES = {
    "ADD": ["float32", "int32", "int64", "int8", "int16"],
    "SUB": ["float32", "int32", "int64", "int8", "int16"],
    "MUL": ["float32", "int32", "int64", "int8", "int16"],
    "DIV": ["float32", "int32"],
    "MINIMUM": ["float32", "int32", "int64", "int8", "int16"],
    "MAXIMUM": ["float32", "int32", "int64", "int8", "int16"],
    "SQUARED_DIFFERENCE": ["float32", "int32", "int8"],
    "POW": ["float32", "int32"],
    "FLOOR_DIV": ["float32", "int32", "int16", "int8"],
    "FLOOR_MOD": ["float32", "int32", "int64", "int16", "int8"],
}
ACTIVATION_OPS = {"ADD", "SUB", "MUL", "DIV"}


def binary_case(op, dtype, shape_a, shape_b, options):
    m = ModelBuilder()
    qa, qb, qo = qparams(dtype), qparams(dtype), qparams(dtype)
    if op in ("MINIMUM", "MAXIMUM"):  # TFLite compares raw values: one quantization for all three
        qb = qo = qa
    if op in ("FLOOR_DIV", "FLOOR_MOD") and dtype in ("int8", "int16"):
        qa = qb = qo = {}  # plain integers
    out_shape = list(np.broadcast_shapes(tuple(shape_a), tuple(shape_b)))
    a = new_input(m, shape_a, dtype, **qa)
    b = new_input(m, shape_b, dtype, **qb)
    y = new_output(m, out_shape, dtype, **qo)
    m.op(op, [a, b], [y], options)
    finish_output(m, y, out_shape, dtype)
    if dtype == "float32":
        xa, xb = rand(shape_a, dtype, -4, 4), rand(shape_b, dtype, -4, 4)
        if op == "POW":
            xa, xb = rand(shape_a, dtype, 0.1, 3), rand(shape_b, dtype, -2, 2)
        if op in ("DIV", "FLOOR_DIV", "FLOOR_MOD"):
            xb = np.where(np.abs(xb) < 0.25, np.float32(0.5), xb).astype(np.float32)
    elif dtype in ("int32", "int64") or not qa:
        lim = {"ADD": 1 << 20, "SUB": 1 << 20, "MUL": 1 << 10, "POW": 3}.get(op, 1000)
        if dtype in ("int8", "int16"):
            lim = 100
        xa, xb = rand(shape_a, dtype, -lim, lim), rand(shape_b, dtype, -lim, lim)
        if op == "POW":
            xa, xb = rand(shape_a, dtype, -4, 4), rand(shape_b, dtype, 0, 6)
        if op in ("DIV", "FLOOR_DIV", "FLOOR_MOD"):
            xb = np.where(xb == 0, 7, xb).astype(xb.dtype)
    else:
        xa, xb = rand(shape_a, dtype), rand(shape_b, dtype)
    desc = f"{shape_a} {shape_b} {options or ''} q={qa},{qb}->{qo}" if qa else f"{shape_a} {shape_b} {options or ''}"
    add(op, dtype, desc, m, [feed(xa), feed(xb)])


@generator(*BINARY_DTYPES)
def gen_binary():
    for op, dtypes in BINARY_DTYPES.items():
        for dtype in dtypes:
            for trial in range(4):
                shape = rand_shape()
                other = list(shape) if trial == 0 else broadcast_partner(shape)
                if trial == 3:
                    shape, other = other, shape
                options = {}
                if op in ACTIVATION_OPS and dtype != "int64":
                    options["fused_activation_function"] = "NONE" if trial == 0 else act_name()
                if op in ("ADD", "SUB") and dtype == "int16":
                    options["pot_scale_int16"] = False  # general scales (the power-of-two path is below)
                binary_case(op, dtype, shape, other, options)
    # int16 ADD/SUB with power-of-two scales take TFLite's shift-only path
    for op in ("ADD", "SUB"):
        for trial in range(3):
            shape = rand_shape()
            m = ModelBuilder()
            sa, sb, so = (2.0 ** -int(rng.integers(8, 13)) for _ in range(3))
            sa = so  # TFLite's shift-only path wants one input on the output's scale
            a = m.input(shape, "int16", scale=sa, zero_point=0)
            b = m.input(shape, "int16", scale=sb, zero_point=0)
            y = m.output(m.tensor(shape, "int16", scale=so, zero_point=0))
            m.op(op, [a, b], [y], {"fused_activation_function": act_name(), "pot_scale_int16": True})
            add(op, "int16", f"{shape} pot scales {sa},{sb}->{so}", m, [rand(shape, "int16"), rand(shape, "int16")])


COMPARE_OPS = ["EQUAL", "NOT_EQUAL", "LESS", "LESS_EQUAL", "GREATER", "GREATER_EQUAL"]


@generator(*COMPARE_OPS)
def gen_compare():
    for op in COMPARE_OPS:
        dtypes = ["float32", "int32", "int64", "int8", "int16"]  # int16: TFLite refuses (skipped with its reason)
        if op in ("EQUAL", "NOT_EQUAL"):
            dtypes.append("bool")
        for dtype in dtypes:
            for trial in range(3):
                shape = rand_shape()
                other = list(shape) if trial == 0 else broadcast_partner(shape)
                m = ModelBuilder()
                qa = qparams(dtype)
                qb = qparams(dtype) if trial == 2 else qa
                a = new_input(m, shape, dtype, **qa)
                b = new_input(m, other, dtype, **qb)
                y = m.output(m.tensor(np.broadcast_shapes(tuple(shape), tuple(other)), "bool"))
                m.op(op, [a, b], [y])
                if dtype == "float32":  # coarse values so that equal pairs occur
                    xa = (rng.integers(-3, 4, shape) / 2).astype(np.float32)
                    xb = (rng.integers(-3, 4, other) / 2).astype(np.float32)
                elif dtype == "bool":
                    xa, xb = rand(shape, dtype), rand(other, dtype)
                else:
                    xa, xb = rand(shape, dtype, -3, 3), rand(other, dtype, -3, 3)
                    if trial == 2:
                        xa, xb = rand(shape, dtype), rand(other, dtype)
                add(op, dtype, f"{shape} {other} q={qa},{qb}", m, [feed(xa), feed(xb)])


@generator("LOGICAL_AND", "LOGICAL_OR", "LOGICAL_NOT")
def gen_logical():
    for op in ("LOGICAL_AND", "LOGICAL_OR"):
        for trial in range(3):
            shape = rand_shape()
            other = list(shape) if trial == 0 else broadcast_partner(shape)
            m = ModelBuilder()
            a, b = m.input(shape, "bool"), m.input(other, "bool")
            y = m.output(m.tensor(np.broadcast_shapes(tuple(shape), tuple(other)), "bool"))
            m.op(op, [a, b], [y])
            add(op, "bool", f"{shape} {other}", m, [rand(shape, "bool"), rand(other, "bool")])
    for trial in range(2):
        shape = rand_shape()
        m = ModelBuilder()
        a = m.input(shape, "bool")
        y = m.output(m.tensor(shape, "bool"))
        m.op("LOGICAL_NOT", [a], [y])
        add("LOGICAL_NOT", "bool", f"{shape}", m, [rand(shape, "bool")])


@generator("SELECT", "SELECT_V2")
def gen_select():
    for dtype in ("float32", "int32", "int8", "int16", "bool"):
        for trial in range(4):
            shape = rand_shape(rank=int(rng.integers(1, 5)))
            cond_shape = list(shape)
            if trial == 1 and len(shape) > 1:
                cond_shape = [shape[0]]  # TFLite SELECT (v1): a rank-1 condition picks whole rows
            q = qparams(dtype)
            m = ModelBuilder()
            c = m.input(cond_shape, "bool")
            a, b = m.input(shape, dtype, **q), m.input(shape, dtype, **q)
            y = m.output(m.tensor(shape, dtype, **q))
            op = "SELECT_V2" if trial == 3 else "SELECT"
            if op == "SELECT_V2":
                cond_shape = broadcast_partner(shape)
                m = ModelBuilder()
                c = m.input(cond_shape, "bool")
                a, b = m.input(shape, dtype, **q), m.input(shape, dtype, **q)
                y = m.output(m.tensor(shape, dtype, **q))
            m.op(op, [c, a, b], [y])
            add(op, dtype, f"cond {cond_shape} x {shape}", m,
                [rand(cond_shape, "bool"), rand(shape, dtype), rand(shape, dtype)])


@generator("ADD_N")
def gen_add_n():
    for dtype in ("float32", "int32"):
        for n in (2, 3, 5):
            shape = rand_shape()
            m = ModelBuilder()
            xs = [m.input(shape, dtype) for _ in range(n)]
            y = m.output(m.tensor(shape, dtype))
            m.op("ADD_N", xs, [y])
            add("ADD_N", dtype, f"{n} x {shape}", m, [rand(shape, dtype, -1000, 1000) if dtype == "int32"
                                                      else rand(shape, dtype) for _ in range(n)])


# ---------------------------------------------------------------------------------------------------
# unary math and activations

FLOAT_UNARY = {  # op: (lo, hi) of random inputs
    "RELU": (-4, 4), "RELU6": (-8, 8), "RELU_N1_TO_1": (-3, 3), "ELU": (-4, 4), "HARD_SWISH": (-5, 5),
    "LOGISTIC": (-8, 8), "TANH": (-4, 4), "EXP": (-10, 10), "LOG": (0.01, 50), "SQRT": (0, 50),
    "RSQRT": (0.01, 50), "SQUARE": (-10, 10), "ABS": (-10, 10), "NEG": (-10, 10), "FLOOR": (-10, 10),
    "CEIL": (-10, 10), "ROUND": (-10, 10), "SIN": (-6, 6), "COS": (-6, 6), "GELU": (-5, 5),
}
QUANT_UNARY = {  # op: dtypes; output quantization fixed by TFLite where it has to be
    "RELU": ["int8", "int16"], "RELU6": ["int8", "int16"], "RELU_N1_TO_1": ["int8"], "ELU": ["int8"],
    "HARD_SWISH": ["int8"], "LOGISTIC": ["int8", "int16"], "TANH": ["int8", "int16"], "ABS": ["int8", "int16"],
    "RSQRT": ["int8"], "SQRT": ["int8"], "LOG": ["int8"], "EXP": ["int8", "int16"], "NEG": ["int8"],
    "SQUARE": ["int8"], "GELU": ["int8"], "LEAKY_RELU": ["int8", "int16"],
}
FIXED_OUTPUT_Q = {
    ("LOGISTIC", "int8"): {"scale": 1 / 256, "zero_point": -128},
    ("LOGISTIC", "int16"): {"scale": 1 / 32768, "zero_point": 0},
    ("TANH", "int8"): {"scale": 1 / 128, "zero_point": 0},
    ("TANH", "int16"): {"scale": 1 / 32768, "zero_point": 0},
}


def unary_case(op, dtype, shape, x, q_in=None, q_out=None, options=None, float_tol=None):
    m = ModelBuilder()
    a = m.input(shape, dtype, **(q_in or {}))
    y = m.output(m.tensor(shape, dtype, **(q_out or {})))
    m.op(op, [a], [y], options)
    add(op, dtype, f"{shape} {options or ''} q={q_in}->{q_out}" if q_in else f"{shape} {options or ''}", m, [x],
        float_tol)


@generator(*FLOAT_UNARY, *QUANT_UNARY, "LEAKY_RELU")
def gen_unary():
    for op, (lo, hi) in FLOAT_UNARY.items():
        for trial in range(2):
            shape = rand_shape()
            x = rand(shape, "float32", lo, hi)
            if op == "ROUND" or trial == 1 and op in ("FLOOR", "CEIL"):
                x.reshape(-1)[::3] = (rng.integers(-20, 20, x.reshape(-1)[::3].shape) + 0.5).astype(np.float32)
            options = {"approximate": bool(trial)} if op == "GELU" else None
            unary_case(op, "float32", shape, x, options=options)
    for trial in range(3):
        shape = rand_shape()
        unary_case("LEAKY_RELU", "float32", shape, rand(shape, "float32", -4, 4),
                   options={"alpha": float(rng.choice([0.01, 0.2, 0.5, 1.7]))})
    for op, dtypes in QUANT_UNARY.items():
        for dtype in dtypes:
            for trial in range(3):
                shape = rand_shape()
                q_in = qparams(dtype)
                q_out = FIXED_OUTPUT_Q.get((op, dtype)) or qparams(dtype)
                if op in ("RSQRT", "SQRT", "LOG"):  # keep real inputs positive
                    q_in["zero_point"] = -128
                x = rand(shape, dtype)
                if op in ("RSQRT", "LOG"):
                    x = np.maximum(x, q_in["zero_point"] + 1).astype(x.dtype)
                options = None
                if op == "LEAKY_RELU":
                    options = {"alpha": float(rng.choice([0.01, 0.2, 0.5, 1.7]))}
                if op == "GELU":
                    options = {"approximate": bool(trial % 2)}
                unary_case(op, dtype, shape, x, q_in, q_out, options)


@generator("PRELU")
def gen_prelu():
    for dtype in ("float32", "int8"):
        for trial in range(4):
            shape = rand_shape(rank=int(rng.integers(2, 5)))
            alpha_shape = [shape[-1]] if trial % 2 == 0 else [1] * (len(shape) - 1) + [shape[-1]]
            if trial == 3:
                alpha_shape = broadcast_partner(shape)
            m = ModelBuilder()
            q_in, q_a, q_out = qparams(dtype), qparams(dtype), qparams(dtype)
            x = m.input(shape, dtype, **q_in)
            alpha_data = rand(alpha_shape, dtype, -0.5, 1.5) if dtype == "float32" else rand(alpha_shape, dtype)
            a = m.const(alpha_data, dtype, **q_a)
            y = m.output(m.tensor(shape, dtype, **q_out))
            m.op("PRELU", [x, a], [y])
            add("PRELU", dtype, f"{shape} alpha {alpha_shape}", m, [rand(shape, dtype, -4, 4) if dtype == "float32"
                                                                   else rand(shape, dtype)])


@generator("SOFTMAX", "LOG_SOFTMAX", "L2_NORMALIZATION")
def gen_softmax():
    for trial in range(4):
        shape = rand_shape()
        beta = float(rng.choice([1.0, 0.5, 2.0, 0.123]))
        unary_case("SOFTMAX", "float32", shape, rand(shape, "float32", -6, 6), options={"beta": beta})
        unary_case("LOG_SOFTMAX", "float32", shape, rand(shape, "float32", -6, 6))
        unary_case("L2_NORMALIZATION", "float32", shape, rand(shape, "float32", -3, 3))
    softmax_q = [("int8", "int8", {"scale": 1 / 256, "zero_point": -128}),
                 ("int8", "int16", {"scale": 1 / 65536, "zero_point": -32768}),
                 ("int16", "int16", {"scale": 1 / 32768, "zero_point": 0})]
    for din, dout, q_out in softmax_q:
        for trial in range(4):
            shape = rand_shape()
            beta = float(rng.choice([1.0, 0.5, 2.0, 0.123]))
            m = ModelBuilder()
            q_in = qparams(din)
            a = m.input(shape, din, **q_in)
            y = m.output(m.tensor(shape, dout, **q_out))
            m.op("SOFTMAX", [a], [y], {"beta": beta})
            add("SOFTMAX", f"{din}->{dout}", f"{shape} beta {beta} q={q_in}", m, [rand(shape, din)])
    for trial in range(3):
        shape = rand_shape()
        unary_case("LOG_SOFTMAX", "int8", shape, rand(shape, "int8"), qparams("int8"),
                   {"scale": 16 / 256, "zero_point": 127})
        unary_case("L2_NORMALIZATION", "int8", shape, rand(shape, "int8"), qparams("int8"),
                   {"scale": 1 / 128, "zero_point": 0})


# ---------------------------------------------------------------------------------------------------
# type conversion

@generator("QUANTIZE", "DEQUANTIZE", "CAST")
def gen_convert():
    quantize_pairs = [("float32", "int8"), ("float32", "int16"), ("float32", "uint8"), ("int8", "int8"),
                      ("int16", "int16"), ("int16", "int8"), ("int8", "int16"), ("int16", "int32"),
                      ("uint8", "int8"), ("int8", "uint8")]
    for din, dout in quantize_pairs:
        for trial in range(3):
            shape = rand_shape()
            q_in, q_out = qparams(din), qparams(dout)
            if dout == "int32":
                q_out = {"scale": q_in["scale"] * float(rng.choice([1.0, 0.5, 0.3])), "zero_point": 0}
            m = ModelBuilder()
            a = m.input(shape, din, **q_in)
            y = m.output(m.tensor(shape, dout, **q_out))
            m.op("QUANTIZE", [a], [y])
            if din == "float32":
                lo, hi = float_range_for(dout, q_out)
                x = rand(shape, "float32", lo * 1.2, hi * 1.2)  # a little beyond the range: saturation
                x.reshape(-1)[::4] = ((rng.integers(-40, 40, x.reshape(-1)[::4].shape) + 0.5)
                                      * q_out["scale"]).astype(np.float32)  # exact halves: rounding
            else:
                x = rand(shape, din)
            add("QUANTIZE", f"{din}->{dout}", f"{shape} q={q_in}->{q_out}", m, [x])
            if din == "float32":
                # TFLite's default (optimized) QUANTIZE kernel rounds x * (1 / scale); its reference
                # kernel, TFLite Micro and edgert round x / scale. At an exact half the two can land one
                # step apart (observed: float32->int16, -2.5 steps gives -2 in TFLite, -3 by division).
                steps = np.abs(x.astype(np.float64) / q_out["scale"])
                CASES[-1].one_step_ok = [np.abs(steps - np.floor(steps) - 0.5) < 1e-3]
    for din in ("int8", "int16", "uint8"):
        for trial in range(2):
            shape = rand_shape()
            q_in = qparams(din)
            m = ModelBuilder()
            a = m.input(shape, din, **q_in)
            y = m.output(m.tensor(shape, "float32"))
            m.op("DEQUANTIZE", [a], [y])
            add("DEQUANTIZE", f"{din}->float32", f"{shape} q={q_in}", m, [rand(shape, din)])
    cast_pairs = [("float32", "int32"), ("int32", "float32"), ("int32", "int64"), ("int64", "int32"),
                  ("bool", "float32"), ("float32", "bool"), ("int32", "bool"), ("bool", "int32"),
                  ("int8", "int32"), ("int32", "int8"), ("uint8", "float32"), ("float32", "uint8"),
                  ("int16", "int32"), ("int8", "float32"), ("float32", "int8"), ("int32", "int16"),
                  ("float32", "int64"), ("int64", "float32"), ("int16", "float32"), ("uint8", "int32")]
    for din, dout in cast_pairs:
        shape = rand_shape()
        m = ModelBuilder()
        a = new_input(m, shape, din)
        y = new_output(m, shape, dout)
        m.op("CAST", [a], [y], {"in_data_type": din, "out_data_type": dout})
        finish_output(m, y, shape, dout)
        if din == "float32":
            # float to a narrower integer outside its range is undefined in C and C++: stay inside
            lo, hi = {"int8": (-128, 127), "uint8": (0, 255)}.get(dout, (-300, 300))
            x = rand(shape, din, lo, hi)
            x.reshape(-1)[::3] = 0.0
        elif din in ("int32", "int64"):
            x = rand(shape, din, -300, 300)
            x.reshape(-1)[::3] = 0
        else:
            x = rand(shape, din)
        add("CAST", f"{din}->{dout}", f"{shape}{' (int64 via int32 CAST)' if 'int64' in (din, dout) else ''}",
            m, [feed(x)])


# ---------------------------------------------------------------------------------------------------
# convolution and matrix multiplication

def per_channel_weights(shape, axis, dtype="int8"):
    """Symmetric int8 weights with one random scale per channel along `axis`."""
    w = rand(shape, dtype, -127, 127)
    scales = [float(10 ** rng.uniform(-3, -1.5)) for _ in range(shape[axis])]
    return w, scales


def bias_for(m, n, in_scale, w_scales, dtype, float_bias=False):
    if float_bias:
        return m.const(rand([n], "float32", -1, 1), "float32")
    if dtype == "int16":  # int16x8: 64-bit bias
        return m.const(rng.integers(-(1 << 20), 1 << 20, n).astype(np.int64), "int64",
                       scale=[in_scale * s for s in w_scales], zero_point=[0] * n)
    return m.const(rng.integers(-5000, 5000, n).astype(np.int32), "int32",
                   scale=[in_scale * s for s in w_scales], zero_point=[0] * n)


def conv_out(size, k, stride, dilation, padding):
    eff = (k - 1) * dilation + 1
    return (size + stride - 1) // stride if padding == "SAME" else (size - eff + stride) // stride


def out_q(dtype, in_q, w_scales, k_elems):
    """An output quantization that keeps typical accumulations inside the output range."""
    if dtype == "float32":
        return {}
    typical = in_q["scale"] * float(np.mean(w_scales)) * 127 * (128 if dtype == "int8" else 32768) \
        * np.sqrt(k_elems) * 0.8
    q = {"scale": float(typical / (128 if dtype == "int8" else 32768) * rng.uniform(0.5, 2.0)),
         "zero_point": int(rng.integers(-20, 20)) if dtype == "int8" else 0}
    return q


class Weights:
    """Weights for a conv-like op, either constant (as converters write them; TFLite then hands float and
    int8 layers to XNNPACK) or fed as a model input ("dynamic"; XNNPACK wants constant weights, so
    TFLite runs its own kernel and the comparison is exact)."""

    def __init__(self, m, data, dtype, dynamic, **q):
        self.data = data
        self.dynamic = dynamic
        self.id = m.input(list(data.shape), dtype, **q) if dynamic else m.const(data, dtype, **q)

    def feeds(self):
        return [self.data] if self.dynamic else []


def conv_geometry(h, w, kh, kw, sh, sw, dh, dw, padding):
    return conv_out(h, kh, sh, dh, padding), conv_out(w, kw, sw, dw, padding)


@generator("CONV_2D", "DEPTHWISE_CONV_2D")
def gen_conv():
    for op in ("CONV_2D", "DEPTHWISE_CONV_2D"):
        for dtype in ("float32", "int8", "int16"):
            for trial in range(10):
                dynamic = trial >= 5
                n = int(rng.integers(1, 3))
                h, w = (int(v) for v in rng.integers(3, 12, 2))
                cin = int(rng.integers(1, 6))
                kh, kw = (int(v) for v in rng.integers(1, 4, 2))
                sh, sw = (int(v) for v in rng.integers(1, 4, 2))
                dh, dw = (1, 1) if trial % 3 else (int(v) for v in rng.integers(1, 3, 2))
                if trial % 3 == 0:
                    sh = sw = 1  # TFLite's dilated kernels want stride 1 in some paths
                if not dynamic:
                    # XNNPACK (this build) gets convolutions with a stride larger than the kernel wrong
                    # (depthwise returns the bias alone; CONV_2D int8 was off by up to 87 steps where
                    # numpy and edgert agree); TFLite's own kernel, used with dynamic weights, gets them
                    # right, so only dynamic cases go there.
                    sh, sw = min(sh, kh), min(sw, kw)
                padding = "SAME" if trial % 2 == 0 else "VALID"
                if padding == "VALID" and ((kh - 1) * dh + 1 > h or (kw - 1) * dw + 1 > w):
                    padding = "SAME"
                oh, ow = conv_geometry(h, w, kh, kw, sh, sw, dh, dw, padding)
                if op == "CONV_2D":
                    cout = int(rng.integers(1, 7))
                    wshape, qaxis = [cout, kh, kw, cin], 0
                else:
                    mult = int(rng.integers(1, 3))
                    cout = cin * mult
                    wshape, qaxis = [1, kh, kw, cout], 3
                q_in = qparams(dtype)
                m = ModelBuilder()
                x = m.input([n, h, w, cin], dtype, **q_in)
                if dtype == "float32":
                    wt = Weights(m, rand(wshape, "float32"), "float32", dynamic)
                    w_scales = [1.0]
                    bias = m.const(rand([cout], "float32"), "float32")  # TFLite requires a bias here
                else:
                    wdata, w_scales = per_channel_weights(wshape, qaxis)
                    if trial % 5 == 4:  # per-tensor weights
                        w_scales = [w_scales[0]]
                    wt = Weights(m, wdata, "int8", dynamic, scale=w_scales, zero_point=[0] * len(w_scales),
                                 quantized_dimension=qaxis)
                    full_scales = w_scales * cout if len(w_scales) == 1 else w_scales
                    bias = bias_for(m, cout, q_in["scale"], full_scales, dtype)
                q_o = out_q(dtype, q_in, w_scales, kh * kw * (cin if op == "CONV_2D" else 1))
                y = m.output(m.tensor([n, oh, ow, cout], dtype, **q_o))
                act = "NONE" if trial % 5 < 2 else act_name()
                opts = {"padding": padding, "stride_w": sw, "stride_h": sh, "fused_activation_function": act,
                        "dilation_w_factor": dw, "dilation_h_factor": dh}
                if op == "DEPTHWISE_CONV_2D":
                    opts["depth_multiplier"] = cout // cin
                m.op(op, [x, wt.id, bias], [y], opts, version=1 if dtype == "float32" else 3)
                add(op, dtype, f"in {[n, h, w, cin]} w {wshape} {padding} s{sh}x{sw} d{dh}x{dw} {act}"
                    f"{' per-tensor' if len(w_scales) == 1 and dtype != 'float32' else ''}"
                    f"{' dynamic weights' if dynamic else ''}", m, [rand([n, h, w, cin], dtype)] + wt.feeds())


@generator("TRANSPOSE_CONV")
def gen_transpose_conv():
    for dtype in ("float32", "int8", "int16"):
        for trial in range(8):
            dynamic = trial >= 4
            n = int(rng.integers(1, 3))
            h, w = (int(v) for v in rng.integers(2, 7, 2))
            cin, cout = (int(v) for v in rng.integers(1, 5, 2))
            kh, kw = (int(v) for v in rng.integers(1, 4, 2))
            sh, sw = (int(v) for v in rng.integers(1, 4, 2))
            padding = "SAME" if trial % 2 == 0 else "VALID"
            if padding == "VALID":
                oh, ow = (h - 1) * sh + kh, (w - 1) * sw + kw
            else:
                oh, ow = h * sh, w * sw
            with_bias = trial % 4 < 3
            q_in = qparams(dtype)
            m = ModelBuilder()
            oshape = m.const(np.array([n, oh, ow, cout], np.int32), "int32")
            if dtype == "float32":
                wt = Weights(m, rand([cout, kh, kw, cin], "float32"), "float32", dynamic)
                w_scales = [1.0]
                bias = m.const(rand([cout], "float32"), "float32") if with_bias else -1
            else:
                wdata, w_scales = per_channel_weights([cout, kh, kw, cin], 0)
                wt = Weights(m, wdata, "int8", dynamic, scale=w_scales, zero_point=[0] * cout, quantized_dimension=0)
                bias = bias_for(m, cout, q_in["scale"], w_scales, dtype) if with_bias else -1
            x = m.input([n, h, w, cin], dtype, **q_in)
            q_o = out_q(dtype, q_in, w_scales, kh * kw * cin / max(sh * sw, 1))
            y = m.output(m.tensor([n, oh, ow, cout], dtype, **q_o))
            # this TFLite build has TRANSPOSE_CONV up to version 3, which ignores fused activations
            m.op("TRANSPOSE_CONV", [oshape, wt.id, x, bias], [y],
                 {"padding": padding, "stride_w": sw, "stride_h": sh, "fused_activation_function": "NONE"},
                 version=3)
            # model inputs in subgraph order: dynamic weights were added before x
            feeds = wt.feeds() + [rand([n, h, w, cin], dtype)]
            add("TRANSPOSE_CONV", dtype, f"in {[n, h, w, cin]} w {[cout, kh, kw, cin]} {padding} s{sh}x{sw}"
                f"{'' if with_bias else ' no bias'}{' dynamic weights' if dynamic else ''}", m, feeds)


@generator("FULLY_CONNECTED")
def gen_fully_connected():
    for dtype in ("float32", "int8", "int16"):
        for trial in range(10):
            dynamic = trial >= 5
            k = int(rng.integers(1, 40))
            units = int(rng.integers(1, 12))
            in_shape = [int(rng.integers(1, 4)), k] if trial % 5 < 3 else [2, int(rng.integers(1, 4)), k]
            keep = trial % 5 == 4
            out_shape = in_shape[:-1] + [units] if keep else [int(np.prod(in_shape[:-1])), units]
            with_bias = trial % 5 != 1
            q_in = qparams(dtype)
            m = ModelBuilder()
            x = m.input(in_shape, dtype, **q_in)
            if dtype == "float32":
                wt = Weights(m, rand([units, k], "float32"), "float32", dynamic)
                bias = m.const(rand([units], "float32"), "float32") if with_bias else -1
                w_scale = [1.0]
            else:
                w_scale = [float(10 ** rng.uniform(-3, -1.5))]
                wt = Weights(m, rand([units, k], "int8", -127, 127), "int8", dynamic, scale=w_scale, zero_point=[0])
                bias = bias_for(m, units, q_in["scale"], w_scale * units, dtype) if with_bias else -1
            y = m.output(m.tensor(out_shape, dtype, **out_q(dtype, q_in, w_scale, k)))
            act = "NONE" if trial % 5 < 2 else act_name()
            m.op("FULLY_CONNECTED", [x, wt.id, bias], [y], {"fused_activation_function": act, "keep_num_dims": keep},
                 version=1 if dtype == "float32" else (4 if dtype == "int8" else 7))
            add("FULLY_CONNECTED", dtype, f"in {in_shape} units {units} {act} keep={keep}"
                f"{'' if with_bias else ' no bias'}{' dynamic weights' if dynamic else ''}", m,
                [rand(in_shape, dtype)] + wt.feeds())


@generator("BATCH_MATMUL")
def gen_batch_matmul():
    for dtype in ("float32", "int8", "int16"):
        for trial in range(5):
            b_dims = rand_shape(rank=int(rng.integers(0, 3)), hi=3)
            b_other = [d if rng.random() < 0.6 else 1 for d in b_dims]
            r, c, k = (int(v) for v in rng.integers(1, 9, 3))
            adj_x, adj_y = bool(trial & 1), bool(trial & 2)
            xs = b_dims + ([k, r] if adj_x else [r, k])
            ys = b_other + ([c, k] if adj_y else [k, c])
            out = list(np.broadcast_shapes(tuple(b_dims), tuple(b_other))) + [r, c]
            qx, qy = qparams(dtype), qparams(dtype)
            if dtype == "int8":
                qy["zero_point"] = 0 if trial != 4 else qy["zero_point"]
            qo = {}
            if dtype != "float32":
                qo = {"scale": qx["scale"] * qy["scale"] * (128 if dtype == "int8" else 32768) * np.sqrt(k)
                      * rng.uniform(0.5, 2) * 0.3, "zero_point": int(rng.integers(-10, 10)) if dtype == "int8" else 0}
            m = ModelBuilder()
            a = m.input(xs, dtype, **qx)
            b = m.input(ys, dtype, **qy)
            y = m.output(m.tensor(out, dtype, **qo))
            m.op("BATCH_MATMUL", [a, b], [y], {"adj_x": adj_x, "adj_y": adj_y})
            add("BATCH_MATMUL", dtype, f"{xs} x {ys} adj {adj_x},{adj_y} q={qx},{qy}->{qo}", m,
                [rand(xs, dtype), rand(ys, dtype)])


# ---------------------------------------------------------------------------------------------------
# pooling and reductions

@generator("AVERAGE_POOL_2D", "MAX_POOL_2D", "L2_POOL_2D")
def gen_pool():
    for op, dtypes in (("AVERAGE_POOL_2D", ["float32", "int8", "int16"]), ("MAX_POOL_2D", ["float32", "int8", "int16"]),
                       ("L2_POOL_2D", ["float32"])):
        for dtype in dtypes:
            for trial in range(5):
                n, h, w, c = 1 + trial % 2, *(int(v) for v in rng.integers(2, 10, 2)), int(rng.integers(1, 6))
                fh, fw = (int(v) for v in rng.integers(1, 4, 2))
                sh, sw = (int(v) for v in rng.integers(1, 4, 2))
                padding = "SAME" if trial % 2 == 0 or fh > h or fw > w else "VALID"
                oh, ow = conv_out(h, fh, sh, 1, padding), conv_out(w, fw, sw, 1, padding)
                q = qparams(dtype)
                m = ModelBuilder()
                x = m.input([n, h, w, c], dtype, **q)
                y = m.output(m.tensor([n, oh, ow, c], dtype, **q))
                act = "NONE" if trial < 2 else act_name()
                m.op(op, [x], [y], {"padding": padding, "stride_w": sw, "stride_h": sh, "filter_width": fw,
                                   "filter_height": fh, "fused_activation_function": act})
                add(op, dtype, f"in {[n, h, w, c]} f{fh}x{fw} s{sh}x{sw} {padding} {act}", m,
                    [rand([n, h, w, c], dtype, -3, 3) if dtype == "float32" else rand([n, h, w, c], dtype)])


REDUCE_DTYPES = {"MEAN": ["float32", "int8", "int16"], "SUM": ["float32", "int32", "int8", "int16"],
                 "REDUCE_MAX": ["float32", "int32", "int8", "int16"], "REDUCE_MIN": ["float32", "int32", "int8", "int16"],
                 "REDUCE_PROD": ["float32", "int32", "int8"]}


@generator(*REDUCE_DTYPES)
def gen_reduce():
    for op, dtypes in REDUCE_DTYPES.items():
        for dtype in dtypes:
            for trial in range(4):
                shape = rand_shape(rank=int(rng.integers(1, 5)), hi=6)
                rank = len(shape)
                naxes = int(rng.integers(1, rank + 1))
                axes = sorted(int(a) for a in rng.choice(rank, naxes, replace=False))
                if trial == 0 and rank == 4 and op == "MEAN":
                    axes = [1, 2]  # the spatial mean TFLite has a special kernel for
                given = [a - rank if rng.random() < 0.3 else a for a in axes]
                keep = bool(trial % 2)
                out = [1 if i in axes else d for i, d in enumerate(shape)] if keep else \
                    [d for i, d in enumerate(shape) if i not in axes]
                q_in = qparams(dtype)
                q_out = q_in if op in ("REDUCE_MAX", "REDUCE_MIN") or (trial == 2 and dtype != "int16") else qparams(dtype)
                if op == "SUM" and dtype == "int16":
                    q_out = q_in  # TFLite's int16 SUM wants one scale
                elif op in ("SUM", "REDUCE_PROD") and is_quant(dtype):
                    # An output scale that holds the result: TFLite's rescaling int8 SUM casts without
                    # saturating (reference_ops::QuantizedMeanOrSum), so an overflow wraps around there.
                    span = np.prod([shape[a] for a in axes])
                    q_out = dict(q_out, scale=q_in["scale"] * span * (2.0 if op == "SUM" else 1.0))
                m = ModelBuilder()
                x = m.input(shape, dtype, **q_in)
                ax = m.const(np.array(given, np.int32), "int32")
                y = m.output(m.tensor(out, dtype, **q_out))
                m.op(op, [x, ax], [y], {"keep_dims": keep})
                if dtype == "float32":
                    data = rand(shape, dtype, 0.5, 1.5) if op == "REDUCE_PROD" else rand(shape, dtype, -4, 4)
                elif dtype == "int32":
                    data = rand(shape, dtype, -3, 3) if op == "REDUCE_PROD" else rand(shape, dtype, -10000, 10000)
                elif op == "SUM" and dtype == "int16":
                    # TFLite sums int16 in int16 and wraps on overflow; keep the sums in range
                    lim = 32767 // int(np.prod([shape[a] for a in axes]))
                    data = rand(shape, dtype, -lim, lim)
                else:
                    data = rand(shape, dtype)
                add(op, dtype, f"{shape} axes {given} keep={keep} q={q_in}->{q_out}", m, [data])


@generator("ARG_MAX", "ARG_MIN")
def gen_arg():
    for op in ("ARG_MAX", "ARG_MIN"):
        for dtype in ("float32", "int8", "int32", "uint8"):
            for trial in range(3):
                shape = rand_shape()
                axis = int(rng.integers(-len(shape), len(shape)))
                out_type = "int32" if trial != 1 else "int64"
                out = [d for i, d in enumerate(shape) if i != axis % len(shape)]
                m = ModelBuilder()
                x = m.input(shape, dtype, **qparams(dtype))
                ax = m.const(np.array([axis], np.int32), "int32")
                y = new_output(m, out, out_type)
                m.op(op, [x, ax], [y], {"output_type": out_type})
                finish_output(m, y, out, out_type)
                data = rand(shape, dtype, -3, 3) if dtype != "float32" else rand(shape, dtype)
                add(op, dtype, f"{shape} axis {axis} -> {out_type}", m, [data])  # small ints: ties


# ---------------------------------------------------------------------------------------------------
# shape and data movement

MOVE_DTYPES = ["float32", "int8", "int16", "int32", "bool"]


def movement_input(m, shape, dtype):
    q = qparams(dtype)
    return m.input(shape, dtype, **q), q, rand(shape, dtype)


@generator("RESHAPE", "SQUEEZE", "EXPAND_DIMS", "TRANSPOSE", "SHAPE", "ZEROS_LIKE")
def gen_reshape_family():
    for dtype in MOVE_DTYPES:
        shape = rand_shape()
        total = int(np.prod(shape))
        new = [total] if rng.random() < 0.5 else [1, total, 1]
        for how in ("tensor", "options", "minus1"):
            m = ModelBuilder()
            x, q, data = movement_input(m, shape, dtype)
            y = m.output(m.tensor(new, dtype, **q))
            target = list(new)
            if how == "minus1":
                target[new.index(total)] = -1
            if how == "options":
                m.op("RESHAPE", [x], [y], {"new_shape": target})
            else:
                m.op("RESHAPE", [x, m.const(np.array(target, np.int32), "int32")], [y], {"new_shape": target})
            add("RESHAPE", dtype, f"{shape} -> {target} via {how}", m, [data])
        # SQUEEZE
        shape = [1, int(rng.integers(2, 5)), 1, int(rng.integers(1, 4))]
        for dims in ([], [0], [-2], [0, 2]):
            out = [d for i, d in enumerate(shape) if not ((i in [x % 4 for x in dims]) if dims else d == 1)]
            m = ModelBuilder()
            x, q, data = movement_input(m, shape, dtype)
            y = m.output(m.tensor(out, dtype, **q))
            m.op("SQUEEZE", [x], [y], {"squeeze_dims": dims})
            add("SQUEEZE", dtype, f"{shape} dims {dims}", m, [data])
        # EXPAND_DIMS
        shape = rand_shape(rank=int(rng.integers(1, 4)))
        for axis in (0, len(shape), -1, int(rng.integers(-len(shape) - 1, len(shape) + 1))):
            pos = axis if axis >= 0 else len(shape) + 1 + axis
            out = shape[:pos] + [1] + shape[pos:]
            m = ModelBuilder()
            x, q, data = movement_input(m, shape, dtype)
            y = m.output(m.tensor(out, dtype, **q))
            m.op("EXPAND_DIMS", [x, m.const(np.array([axis], np.int32), "int32")], [y])
            add("EXPAND_DIMS", dtype, f"{shape} axis {axis}", m, [data])
        # TRANSPOSE
        for rank in (1, 2, 3, 4, 5):  # TFLite's TRANSPOSE stops at 5-D (6-D in newer versions)
            shape = rand_shape(rank=rank, hi=4 if rank > 4 else 6)
            perm = [int(p) for p in rng.permutation(rank)]
            m = ModelBuilder()
            x, q, data = movement_input(m, shape, dtype)
            y = m.output(m.tensor([shape[p] for p in perm], dtype, **q))
            m.op("TRANSPOSE", [x, m.const(np.array(perm, np.int32), "int32")], [y])
            add("TRANSPOSE", dtype, f"{shape} perm {perm}", m, [data])
    for dtype in ("float32", "int8", "int32", "bool"):
        for out_type in ("int32", "int64"):
            shape = rand_shape()
            m = ModelBuilder()
            x, q, data = movement_input(m, shape, dtype)
            y = new_output(m, [len(shape)], out_type)
            m.op("SHAPE", [x], [y], {"out_type": out_type})
            finish_output(m, y, [len(shape)], out_type)
            add("SHAPE", dtype, f"{shape} -> {out_type}", m, [data])
    for dtype in ("float32", "int32", "int64"):
        shape = rand_shape()
        m = ModelBuilder()
        x = new_input(m, shape, dtype)
        y = new_output(m, shape, dtype)
        m.op("ZEROS_LIKE", [x], [y])
        finish_output(m, y, shape, dtype)
        add("ZEROS_LIKE", dtype, f"{shape}", m, [feed(rand(shape, dtype, -100, 100) if dtype != "float32" else rand(shape, dtype))])


@generator("CONCATENATION", "PACK", "UNPACK", "SPLIT", "SPLIT_V")
def gen_concat_split():
    for dtype in MOVE_DTYPES:
        for trial in range(4):
            rank = int(rng.integers(1, 5))
            base = rand_shape(rank=rank)
            axis = int(rng.integers(-rank, rank))
            n = int(rng.integers(1, 5))
            shapes = []
            for _ in range(n):
                s = list(base)
                s[axis] = int(rng.integers(1, 5))
                shapes.append(s)
            out = list(base)
            out[axis] = sum(s[axis] for s in shapes)
            m = ModelBuilder()
            q = qparams(dtype)
            # one quantization for all: TFLite refuses mixed int8 scales, and for int16 it copies raw
            # values without rescaling (edgert rescales), a configuration converters never write
            same_q = True
            ins = [m.input(s, dtype, **(q if same_q else qparams(dtype))) for s in shapes]
            y = m.output(m.tensor(out, dtype, **q))
            act = "NONE" if dtype != "float32" or trial < 2 else act_name()
            m.op("CONCATENATION", ins, [y], {"axis": axis, "fused_activation_function": act})
            add("CONCATENATION", dtype, f"{shapes} axis {axis} {act}{'' if same_q else ' mixed q'}", m,
                [rand(s, dtype, -3, 3) if dtype == "float32" else rand(s, dtype) for s in shapes])
        # PACK / UNPACK
        for trial in range(2):
            shape = rand_shape(rank=int(rng.integers(1, 4)))
            n = int(rng.integers(1, 5))
            axis = int(rng.integers(-len(shape) - 1, len(shape) + 1))
            pos = axis if axis >= 0 else len(shape) + 1 + axis
            out = shape[:pos] + [n] + shape[pos:]
            q = qparams(dtype)
            m = ModelBuilder()
            ins = [m.input(shape, dtype, **q) for _ in range(n)]
            y = m.output(m.tensor(out, dtype, **q))
            m.op("PACK", ins, [y], {"values_count": n, "axis": axis})
            add("PACK", dtype, f"{n} x {shape} axis {axis}", m, [rand(shape, dtype) for _ in range(n)])
            m = ModelBuilder()
            x = m.input(out, dtype, **q)
            outs = [m.output(m.tensor(shape, dtype, **q)) for _ in range(n)]
            m.op("UNPACK", [x], outs, {"num": n, "axis": axis})
            add("UNPACK", dtype, f"{out} axis {axis} into {n}", m, [rand(out, dtype)])
        # SPLIT / SPLIT_V
        for trial in range(2):
            rank = int(rng.integers(1, 5))
            shape = rand_shape(rank=rank)
            axis = int(rng.integers(-rank, rank))
            n = int(rng.choice([1, 2, 3]))
            shape[axis] = n * int(rng.integers(1, 4))
            q = qparams(dtype)
            m = ModelBuilder()
            ax = m.const(np.array(axis, np.int32), "int32", shape=[])
            x = m.input(shape, dtype, **q)
            piece = list(shape)
            piece[axis] = shape[axis] // n
            outs = [m.output(m.tensor(piece, dtype, **q)) for _ in range(n)]
            m.op("SPLIT", [ax, x], outs, {"num_splits": n})
            add("SPLIT", dtype, f"{shape} axis {axis} into {n}", m, [rand(shape, dtype)])
            # SPLIT_V with one size left to -1
            shape = rand_shape(rank=rank)
            shape[axis] = int(rng.integers(2, 9))
            sizes = []
            left = shape[axis]
            while left > 0:
                s = int(rng.integers(0 if sizes else 1, left + 1))
                sizes.append(s)
                left -= s
            given = list(sizes)
            if len(given) > 1 and trial == 1:
                given[int(rng.integers(0, len(given)))] = -1
            m = ModelBuilder()
            x = m.input(shape, dtype, **q)
            outs = []
            for s in sizes:
                p = list(shape)
                p[axis] = s
                outs.append(m.output(m.tensor(p, dtype, **q)))
            m.op("SPLIT_V", [x, m.const(np.array(given, np.int32), "int32"),
                             m.const(np.array(axis, np.int32), "int32", shape=[])], outs, {"num_splits": len(sizes)})
            add("SPLIT_V", dtype, f"{shape} sizes {given} axis {axis}", m, [rand(shape, dtype)])


def strided_slice_reference_shape(shape, begin, end, strides, begin_mask, end_mask, shrink_mask):
    """Output shape of a strided slice without ellipsis/new-axis masks, by numpy's own slicing."""
    idx = []
    for i, d in enumerate(shape):
        b = None if begin_mask >> i & 1 else begin[i]
        e = None if end_mask >> i & 1 else end[i]
        if shrink_mask >> i & 1:
            idx.append(begin[i])
        else:
            idx.append(slice(b, e, strides[i]))
    return list(np.empty(shape)[tuple(idx)].shape)


@generator("SLICE", "STRIDED_SLICE")
def gen_slice():
    for dtype in MOVE_DTYPES:
        for trial in range(3):
            shape = rand_shape()
            begin = [int(rng.integers(0, d)) for d in shape]
            size = [int(rng.integers(1, d - b + 1)) if rng.random() < 0.7 else -1 for d, b in zip(shape, begin)]
            out = [d - b if s == -1 else s for d, b, s in zip(shape, begin, size)]
            m = ModelBuilder()
            x, q, data = movement_input(m, shape, dtype)
            y = m.output(m.tensor(out, dtype, **q))
            m.op("SLICE", [x, m.const(np.array(begin, np.int32), "int32"), m.const(np.array(size, np.int32), "int32")],
                 [y])
            add("SLICE", dtype, f"{shape} begin {begin} size {size}", m, [data])
        for trial in range(6):
            shape = rand_shape()
            rank = len(shape)
            begin, end, strides = [], [], []
            for d in shape:
                s = int(rng.choice([1, 1, 2, 3, -1, -2]))
                b = int(rng.integers(-d, d))
                e = int(rng.integers(-d - 1, d + 1))
                begin.append(b)
                end.append(e)
                strides.append(s)
            begin_mask = int(rng.integers(0, 1 << rank))
            end_mask = int(rng.integers(0, 1 << rank))
            shrink = 0
            if trial >= 3:  # shrink an axis: TFLite then reads begin only (stride 1)
                ax = int(rng.integers(0, rank))
                shrink = 1 << ax
                strides[ax] = 1
                begin_mask &= ~shrink
                end_mask &= ~shrink
            out = strided_slice_reference_shape(shape, begin, end, strides, begin_mask, end_mask, shrink)
            if 0 in out:
                continue  # empty results: TFLite and numpy agree, nothing to compare
            m = ModelBuilder()
            x, q, data = movement_input(m, shape, dtype)
            y = m.output(m.tensor(out, dtype, **q))
            m.op("STRIDED_SLICE", [x, m.const(np.array(begin, np.int32), "int32"),
                                   m.const(np.array(end, np.int32), "int32"),
                                   m.const(np.array(strides, np.int32), "int32")], [y],
                 {"begin_mask": begin_mask, "end_mask": end_mask, "shrink_axis_mask": shrink})
            add("STRIDED_SLICE", dtype, f"{shape} b{begin} e{end} s{strides} masks b{begin_mask} e{end_mask} "
                f"shrink{shrink}", m, [data])
    # ellipsis and new-axis masks: fixed cases with shapes from numpy's slicing
    for dtype in ("float32", "int8"):
        shape = [2, 3, 4, 5]
        specs = [  # begin, end, strides, ellipsis, new_axis, shrink, numpy index
            ([0, 1], [0, 3], [1, 1], 1, 0, 0, (Ellipsis, slice(1, 3))),
            ([1, 0, 0], [2, 0, 0], [1, 1, 1], 2, 0, 1, (1, Ellipsis, slice(0, 0))),
            ([0, 0, 1], [0, 0, 4], [1, 1, 2], 0, 2, 0, (slice(0, 0), None, slice(1, 4, 2))),
            ([0, 0, 0], [1, 0, 2], [1, 1, 1], 2, 1, 0, (None, Ellipsis, slice(0, 2))),
        ]
        for begin, end, strides, ell, newax, shrink, index in specs:
            begin_mask = end_mask = 0
            # numpy index above stands for the intended slice; empty (0:0) entries become masks
            for i, sl in enumerate(index):
                if isinstance(sl, slice) and sl.start == 0 and sl.stop == 0:
                    begin_mask |= 1 << i
                    end_mask |= 1 << i
            fixed = tuple(slice(None) if isinstance(sl, slice) and sl.start == 0 and sl.stop == 0 else sl
                          for sl in index)
            out = list(np.empty(shape)[fixed].shape)
            m = ModelBuilder()
            x, q, data = movement_input(m, shape, dtype)
            y = m.output(m.tensor(out, dtype, **q))
            m.op("STRIDED_SLICE", [x, m.const(np.array(begin, np.int32), "int32"),
                                   m.const(np.array(end, np.int32), "int32"),
                                   m.const(np.array(strides, np.int32), "int32")], [y],
                 {"begin_mask": begin_mask, "end_mask": end_mask, "ellipsis_mask": ell, "new_axis_mask": newax,
                  "shrink_axis_mask": shrink})
            add("STRIDED_SLICE", dtype, f"{shape} b{begin} e{end} s{strides} ellipsis{ell} new{newax} shrink{shrink}",
                m, [data])


@generator("PAD", "PADV2", "MIRROR_PAD")
def gen_pad():
    for dtype in ("float32", "int8", "int16", "int32"):
        for trial in range(3):
            shape = rand_shape()
            pads = [[int(rng.integers(0, 3)), int(rng.integers(0, 3))] for _ in shape]
            out = [d + a + b for d, (a, b) in zip(shape, pads)]
            m = ModelBuilder()
            x, q, data = movement_input(m, shape, dtype)
            y = m.output(m.tensor(out, dtype, **q))
            m.op("PAD", [x, m.const(np.array(pads, np.int32), "int32")], [y])
            add("PAD", dtype, f"{shape} pads {pads}", m, [data])
            m = ModelBuilder()
            x, q, data = movement_input(m, shape, dtype)
            y = m.output(m.tensor(out, dtype, **q))
            value = rand([], dtype)
            m.op("PADV2", [x, m.const(np.array(pads, np.int32), "int32"),
                           m.const(np.array(value).reshape([]), dtype, shape=[], **q)], [y])
            add("PADV2", dtype, f"{shape} pads {pads} value {value}", m, [data])
            for mode in ("REFLECT", "SYMMETRIC"):
                limit = 0 if mode == "REFLECT" else 1
                mpads = [[int(rng.integers(0, d + limit)), int(rng.integers(0, d + limit))] for d in shape]
                out = [d + a + b for d, (a, b) in zip(shape, mpads)]
                m = ModelBuilder()
                x, q, data = movement_input(m, shape, dtype)
                y = m.output(m.tensor(out, dtype, **q))
                m.op("MIRROR_PAD", [x, m.const(np.array(mpads, np.int32), "int32")], [y], {"mode": mode})
                add("MIRROR_PAD", dtype, f"{shape} pads {mpads} {mode}", m, [data])


@generator("GATHER", "TILE", "BROADCAST_TO", "FILL")
def gen_gather_tile():
    for dtype in MOVE_DTYPES:
        for trial in range(4):
            shape = rand_shape()
            rank = len(shape)
            axis = int(rng.integers(-rank, rank))
            batch_dims = 0
            idx_shape = rand_shape(rank=int(rng.integers(1, 3)), hi=4)
            if trial == 3 and rank >= 2:
                batch_dims = 1
                axis = int(rng.integers(1, rank))
                idx_shape = [shape[0]] + idx_shape[:1]
            a = axis % rank
            idx_type = "int32" if trial != 2 else "int64"
            indices = rng.integers(0, shape[a], idx_shape).astype(NUMPY_TYPES[idx_type])
            out = shape[:a] + idx_shape[batch_dims:] + shape[a + 1:]
            m = ModelBuilder()
            x, q, data = movement_input(m, shape, dtype)
            # int64 indices as a constant: the runner cannot feed int64 (see int64_input)
            ind = m.input(idx_shape, idx_type) if idx_type == "int32" else m.const(indices, "int64")
            y = m.output(m.tensor(out, dtype, **q))
            m.op("GATHER", [x, ind], [y], {"axis": axis, "batch_dims": batch_dims})
            add("GATHER", dtype, f"{shape} idx {idx_shape} ({idx_type}) axis {axis} batch_dims {batch_dims}", m,
                [data, indices] if idx_type == "int32" else [data])
        for trial in range(2):
            shape = rand_shape(hi=4)
            mult = [int(rng.integers(1, 4)) for _ in shape]
            m = ModelBuilder()
            x, q, data = movement_input(m, shape, dtype)
            y = m.output(m.tensor([d * k for d, k in zip(shape, mult)], dtype, **q))
            m.op("TILE", [x, m.const(np.array(mult, np.int32), "int32")], [y])
            add("TILE", dtype, f"{shape} multiples {mult}", m, [data])
        for trial in range(2):
            out = rand_shape(hi=5)
            shape = broadcast_partner(out)
            m = ModelBuilder()
            x, q, data = movement_input(m, shape, dtype)
            y = m.output(m.tensor(out, dtype, **q))
            m.op("BROADCAST_TO", [x, m.const(np.array(out, np.int32), "int32")], [y], version=2)
            add("BROADCAST_TO", dtype, f"{shape} -> {out}", m, [data])
    for dtype in ("float32", "int32", "int64", "bool", "int8", "int16"):
        out = rand_shape()
        m = ModelBuilder()
        q = qparams(dtype)
        value = new_input(m, [], dtype, **q)
        y = new_output(m, out, dtype, **q)
        m.op("FILL", [m.const(np.array(out, np.int32), "int32"), value], [y])
        finish_output(m, y, out, dtype)
        add("FILL", dtype, f"{out} (scalar value input)", m, [feed(rand([], dtype))])


@generator("SPACE_TO_DEPTH", "DEPTH_TO_SPACE", "SPACE_TO_BATCH_ND", "BATCH_TO_SPACE_ND")
def gen_space():
    for dtype in ("float32", "int8", "int16", "int32"):
        for trial in range(2):
            bs = int(rng.integers(2, 4))
            n, h, w, c = int(rng.integers(1, 3)), bs * int(rng.integers(1, 4)), bs * int(rng.integers(1, 4)), \
                int(rng.integers(1, 4))
            m = ModelBuilder()
            x, q, data = movement_input(m, [n, h, w, c], dtype)
            y = m.output(m.tensor([n, h // bs, w // bs, c * bs * bs], dtype, **q))
            m.op("SPACE_TO_DEPTH", [x], [y], {"block_size": bs})
            add("SPACE_TO_DEPTH", dtype, f"{[n, h, w, c]} block {bs}", m, [data])
            m = ModelBuilder()
            x, q, data = movement_input(m, [n, h // bs, w // bs, c * bs * bs], dtype)
            y = m.output(m.tensor([n, h, w, c], dtype, **q))
            m.op("DEPTH_TO_SPACE", [x], [y], {"block_size": bs})
            add("DEPTH_TO_SPACE", dtype, f"{[n, h // bs, w // bs, c * bs * bs]} block {bs}", m, [data])
        for trial in range(3):
            bh, bw = (int(v) for v in rng.integers(1, 4, 2))
            n, h, w, c = int(rng.integers(1, 3)), *(int(v) for v in rng.integers(1, 7, 2)), int(rng.integers(1, 4))
            pads = [[int(rng.integers(0, 3)), 0], [int(rng.integers(0, 3)), 0]]
            pads[0][1] = (-(h + pads[0][0])) % bh
            pads[1][1] = (-(w + pads[1][0])) % bw
            ph, pw = h + sum(pads[0]), w + sum(pads[1])
            m = ModelBuilder()
            x, q, data = movement_input(m, [n, h, w, c], dtype)
            y = m.output(m.tensor([n * bh * bw, ph // bh, pw // bw, c], dtype, **q))
            m.op("SPACE_TO_BATCH_ND", [x, m.const(np.array([bh, bw], np.int32), "int32"),
                                       m.const(np.array(pads, np.int32), "int32")], [y])
            add("SPACE_TO_BATCH_ND", dtype, f"{[n, h, w, c]} block {[bh, bw]} pads {pads}", m, [data])
            # the inverse with crops
            m = ModelBuilder()
            x, q, data = movement_input(m, [n * bh * bw, ph // bh, pw // bw, c], dtype)
            y = m.output(m.tensor([n, h, w, c], dtype, **q))
            m.op("BATCH_TO_SPACE_ND", [x, m.const(np.array([bh, bw], np.int32), "int32"),
                                       m.const(np.array(pads, np.int32), "int32")], [y])
            add("BATCH_TO_SPACE_ND", dtype, f"{[n * bh * bw, ph // bh, pw // bw, c]} block {[bh, bw]} crops {pads}",
                m, [data])


@generator("RESIZE_BILINEAR", "RESIZE_NEAREST_NEIGHBOR")
def gen_resize():
    for op in ("RESIZE_BILINEAR", "RESIZE_NEAREST_NEIGHBOR"):
        for dtype in ("float32", "int8", "int16"):
            for align, half in ((False, False), (True, False), (False, True), (False, False)):
                n, h, w, c = int(rng.integers(1, 3)), *(int(v) for v in rng.integers(1, 7, 2)), int(rng.integers(1, 4))
                oh, ow = (int(v) for v in rng.integers(1, 13, 2))
                m = ModelBuilder()
                x, q, data = movement_input(m, [n, h, w, c], dtype)
                if dtype == "float32":
                    data = rand([n, h, w, c], dtype, -3, 3)
                y = m.output(m.tensor([n, oh, ow, c], dtype, **q))
                m.op(op, [x, m.const(np.array([oh, ow], np.int32), "int32")], [y],
                     {"align_corners": align, "half_pixel_centers": half}, version=3 if half else 1)
                add(op, dtype, f"{[n, h, w, c]} -> {[oh, ow]} align={align} half={half}", m, [data])


# ---------------------------------------------------------------------------------------------------
# recurrent

@generator("SVDF")
def gen_svdf():
    for dtype in ("float32", "int8"):
        for trial in range(4):
            batch, n_in = int(rng.integers(1, 4)), int(rng.integers(1, 10))
            units, rank, memory = int(rng.integers(1, 6)), int(rng.integers(1, 3)), int(rng.integers(2, 7))
            filters = units * rank
            act = "NONE" if trial < 2 and dtype == "float32" else "RELU"  # TFLite's int8 SVDF requires RELU
            m = ModelBuilder()
            if dtype == "float32":
                x = m.input([batch, n_in], "float32")
                wf = m.const(rand([filters, n_in], "float32"), "float32")
                wt = m.const(rand([filters, memory], "float32"), "float32")
                bias = m.const(rand([units], "float32"), "float32") if trial != 1 else -1
                state = m.tensor([batch, memory * filters], "float32", is_variable=True)
                y = m.output(m.tensor([batch, units], "float32"))
                data = rand([batch, n_in], "float32")
            else:
                q_in = qparams("int8")
                x = m.input([batch, n_in], "int8", **q_in)
                wf_scale = float(10 ** rng.uniform(-3, -1.5))
                wf = m.const(rand([filters, n_in], "int8", -127, 127), "int8", scale=wf_scale, zero_point=0)
                state_scale = float(10 ** rng.uniform(-4, -2.5))
                wt_scale = float(10 ** rng.uniform(-5, -3.5))
                wt = m.const(rand([filters, memory], "int16"), "int16", scale=wt_scale, zero_point=0)
                bias = m.const(rng.integers(-3000, 3000, units).astype(np.int32), "int32",
                               scale=state_scale * wt_scale, zero_point=0) if trial != 1 else -1
                state = m.tensor([batch, memory * filters], "int16", scale=state_scale, zero_point=0,
                                 is_variable=True)
                y = m.output(m.tensor([batch, units], "int8", **qparams("int8")))
                data = rand([batch, n_in], "int8")
            m.op("SVDF", [x, wf, wt, bias, state], [y], {"rank": rank, "fused_activation_function": act})
            add("SVDF", dtype, f"batch {batch} in {n_in} units {units} rank {rank} memory {memory} {act}"
                f"{' no bias' if bias == -1 else ''}", m, [data])


@generator("UNIDIRECTIONAL_SEQUENCE_LSTM")
def gen_lstm():
    variants = [{}, {"cifg": True}, {"peephole": True}, {"projection": True}, {"time_major": True},
                {"cifg": True, "peephole": True, "projection": True, "clip": True}]
    for v in variants:
        batch, steps, n_in, cells = (int(x) for x in rng.integers(1, 5, 4))
        n_out = int(rng.integers(1, 5)) if v.get("projection") else cells
        m = ModelBuilder()
        time_major = bool(v.get("time_major"))
        in_shape = [steps, batch, n_in] if time_major else [batch, steps, n_in]
        x = m.input(in_shape, "float32")

        def w(shape, present=True):
            return m.const(rand(shape, "float32", -0.6, 0.6), "float32") if present else -1
        cifg = bool(v.get("cifg"))
        peep = bool(v.get("peephole"))
        proj = bool(v.get("projection"))
        ins = [x,
               w([cells, n_in], not cifg), w([cells, n_in]), w([cells, n_in]), w([cells, n_in]),
               w([cells, n_out], not cifg), w([cells, n_out]), w([cells, n_out]), w([cells, n_out]),
               w([cells], peep and not cifg), w([cells], peep), w([cells], peep),
               w([cells], not cifg), w([cells]), w([cells]), w([cells]),
               w([n_out, cells], proj), w([n_out], proj and rng.random() < 0.5)]
        ins.append(m.tensor([batch, n_out], "float32", is_variable=True))  # TFLite: variables have no buffer
        ins.append(m.tensor([batch, cells], "float32", is_variable=True))
        ins += [-1, -1, -1, -1]
        out_shape = [steps, batch, n_out] if time_major else [batch, steps, n_out]
        y = m.output(m.tensor(out_shape, "float32"))
        opts = {"fused_activation_function": "TANH", "time_major": time_major}
        if v.get("clip"):
            opts.update(cell_clip=0.8, proj_clip=0.5)
        m.op("UNIDIRECTIONAL_SEQUENCE_LSTM", ins, [y], opts)
        add("UNIDIRECTIONAL_SEQUENCE_LSTM", "float32", f"in {in_shape} cells {cells} out {n_out} {v}", m,
            [rand(in_shape, "float32")])


# ---------------------------------------------------------------------------------------------------
# running and comparing

def run_tflite(cases):
    """All cases through one TFLite process (restarted after a crash, skipping the culprit)."""
    env = dict(os.environ, TFLITE_WASM_DIR=TFLITE_WASM)
    pending = list(range(len(cases)))
    while pending:
        jobs = [{"model": cases[i].model, "inputs": [], "outdir": cases[i].model + ".tflite_out"} for i in pending]
        for job, i in zip(jobs, pending):
            for k, x in enumerate(cases[i].inputs):
                path = f"{cases[i].model}.in{k}.npy"
                np.save(path, x)
                job["inputs"].append(path)
        jobs_path = os.path.join(TMP, "jobs.json")
        with open(jobs_path, "w") as f:
            json.dump(jobs, f)
        p = subprocess.run(["node", RUNNER, jobs_path], capture_output=True, text=True, env=env, timeout=900)
        done = 0
        for line in p.stdout.splitlines():
            if not line.startswith("{"):
                continue
            rec = json.loads(line)
            cases[pending[rec["index"]]].ref = rec
            done = rec["index"] + 1
        if done < len(pending):  # the process died on pending[done]
            cases[pending[done]].ref = {"ok": False, "error": f"TFLite process died: {p.stderr.strip()[-300:]}",
                                        "log": ""}
            done += 1
        pending = pending[done:]
    for c in cases:
        if c.ref.get("ok"):
            c.ref_outputs = []
            for k, meta in enumerate(c.ref["outputs"]):
                y = np.load(f"{c.model}.tflite_out/output_{k}.npy")
                if meta["dtype"] == "bool":
                    y = y.astype(bool)
                c.ref_outputs.append(y.reshape(meta["shape"]))


def run_edgert(case):
    try:
        case.ours = run(case.model, case.inputs)
    except RuntimeError as e:
        case.ours = str(e)


def compare(c):
    if not c.ref.get("ok"):
        c.status = "tflite-refused"
        c.detail = (c.ref.get("error", "") + " | " + c.ref.get("log", "").replace("\n", " | "))[:300]
        return
    nodes = c.ref.get("nodes", [])
    # An empty node list (the profiler failed three times) cannot say which kernel ran: treat it as XNNPACK.
    c.xnnpack = XNNPACK_NODE in nodes or not nodes
    if isinstance(c.ours, str):
        c.ours = c.ours.split("edgert run: ")[-1].split(".tflite: ")[-1]  # the CLI's reason alone
        low = c.ours.lower()
        refused = "not supported" in low or "unsupported" in low or "; supported:" in low
        c.status = "edgert-gap" if refused else "edgert-error"
        c.detail = c.ours[-300:]
        return
    if len(c.ours) != len(c.ref_outputs):
        c.status, c.detail = "mismatch", f"{len(c.ours)} outputs, TFLite has {len(c.ref_outputs)}"
        return
    c.exact = True
    for k, (a, b) in enumerate(zip(c.ours, c.ref_outputs)):
        if a.shape != b.shape or a.dtype != b.dtype:
            c.status = "mismatch"
            c.exact = False
            c.detail = f"output {k}: {a.dtype}{list(a.shape)}, TFLite {b.dtype}{list(b.shape)}"
            return
        if a.dtype.kind == "f":
            rtol, atol = c.float_tol
            nan_ok = np.array_equal(np.isnan(a), np.isnan(b))
            diff = np.abs(a.astype(np.float64) - b.astype(np.float64))
            diff = np.where(np.isnan(a) & np.isnan(b), 0.0, diff)
            bad = ~(diff <= atol + rtol * np.abs(b.astype(np.float64)))
            c.max_diff = max(c.max_diff, float(np.max(diff, initial=0.0)))
            c.exact = c.exact and bool(np.array_equal(a, b, equal_nan=True))
            ok = nan_ok and not bad.any()
        else:
            diff = np.abs(a.astype(np.int64) - b.astype(np.int64))
            worst = int(np.max(diff, initial=0))
            c.max_diff = max(c.max_diff, worst)
            c.exact = c.exact and worst == 0
            one_step = c.xnnpack or (c.op, c.dtype) in SINGLE_ROUNDING_KERNELS
            bad = diff > (1 if one_step else 0)
            if c.one_step_ok is not None:
                bad &= ~(c.one_step_ok[k].reshape(bad.shape) & (diff <= 1))
            ok = not bad.any()
        if not ok:
            c.status = "mismatch"
            a1, b1, bad1 = np.atleast_1d(a), np.atleast_1d(b), np.atleast_1d(bad)
            firsts = [f"[{','.join(map(str, ix))}] edgert {a1[tuple(ix)]!r} TFLite {b1[tuple(ix)]!r}"
                      for ix in np.argwhere(bad1)[:4]]
            ran = "XNNPACK" if c.xnnpack else "TFLite's own kernel"
            c.detail = f"output {k}: {int(np.sum(bad))}/{bad.size} values differ (max {c.max_diff:g}, TFLite ran " \
                f"{ran}); " + "; ".join(firsts)
            return
    c.status = "ok"


def main():
    started = time.time()
    global rng
    for ops, fn in GENERATORS:
        if ONLY and not ONLY.intersection(ops):
            continue
        for rep in range(REPEAT):  # each round draws new shapes and parameters
            rng = np.random.default_rng([SEED, zlib.crc32(fn.__name__.encode()), rep])  # same cases with ONLY
            fn()
    cases = [c for c in CASES if not ONLY or c.op in ONLY]
    print(f"{len(cases)} single-op models in {TMP}")
    run_tflite(cases)
    t_ref = time.time()
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(run_edgert, cases))
    t_ours = time.time()
    for c in cases:
        compare(c)

    rows = {}
    for c in cases:
        r = rows.setdefault((c.op, c.dtype), {"cases": 0, "compared": 0, "exact": 0, "xnn": 0, "max": 0.0,
                                              "fail": 0, "refused": 0, "gap": 0})
        r["cases"] += 1
        if c.status in ("ok", "mismatch") and c.ref_outputs is not None and not isinstance(c.ours, str):
            r["compared"] += 1
            r["exact"] += int(c.exact)
            r["xnn"] += int(c.xnnpack)
            r["max"] = max(r["max"], c.max_diff)
        r["fail"] += int(c.status in ("mismatch", "edgert-error"))
        r["refused"] += int(c.status == "tflite-refused")
        r["gap"] += int(c.status == "edgert-gap")
    print(f"\n{'op':30s} {'dtype':16s} {'cases':>5s} {'cmp':>4s} {'exact':>5s} {'xnn':>4s} {'max diff':>10s} "
          f"{'FAIL':>4s} {'tfl-skip':>8s} {'gap':>4s}")
    for (op, dtype), r in sorted(rows.items()):
        print(f"{op:30s} {dtype:16s} {r['cases']:5d} {r['compared']:4d} {r['exact']:5d} {r['xnn']:4d} "
              f"{r['max']:10.3g} {r['fail'] or '':>4} {r['refused'] or '':>8} {r['gap'] or '':>4}")

    skipped = [c for c in cases if c.status == "tflite-refused"]
    gaps = [c for c in cases if c.status == "edgert-gap"]
    bad = [c for c in cases if c.status in ("mismatch", "edgert-error")]
    if skipped:
        print(f"\nSkipped, TFLite refuses ({len(skipped)}):")
        seen = set()
        for c in skipped:
            key = (c.op, c.dtype, c.detail[:80])
            if key not in seen:
                seen.add(key)
                print(f"  {c.op} {c.dtype}: {c.detail}")
    if gaps:
        print(f"\nNot supported by edgert, supported by TFLite ({len(gaps)}):")
        seen = set()
        for c in gaps:
            if (c.op, c.dtype) not in seen:
                seen.add((c.op, c.dtype))
                print(f"  {c.op} {c.dtype}: {c.detail.strip()}")
    for c in bad:
        check(False, f"{c.op} {c.dtype} [{os.path.basename(c.model)}] {c.desc}: {c.status}: {c.detail}")
    xnn = sorted({f"{op} {dtype}" for (op, dtype), r in rows.items() if r["xnn"] and "float32" not in dtype})
    print(f"\nInteger ops TFLite ran in XNNPACK on this run (one step allowed): {', '.join(xnn) or 'none'}")
    compared = sum(r["compared"] for r in rows.values())
    print(f"\n{len(cases)} cases: {compared} compared, {len(bad)} failed, {len(skipped)} refused by TFLite, "
          f"{len(gaps)} unsupported by edgert; TFLite {t_ref - started:.1f}s, edgert {t_ours - t_ref:.1f}s")
    if os.environ.get("EDGERT_DIFFTEST_KEEP"):
        print(f"models and inputs kept in {TMP}")
    elif bad:  # keep only what reproduces the failures
        keep = {os.path.basename(c.model) for c in bad}
        for name in os.listdir(TMP):
            if not any(name.startswith(k) for k in keep):
                path = os.path.join(TMP, name)
                shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
        print(f"failing models, their inputs (.inK.npy) and TFLite's outputs kept in {TMP}")
    else:
        shutil.rmtree(TMP, ignore_errors=True)
    finish()


if __name__ == "__main__":
    main()
