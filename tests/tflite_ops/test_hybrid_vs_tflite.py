"""edgert's hybrid kernels against TensorFlow Lite itself.

"Hybrid" (dynamic range quantized) models are what the TFLite converter writes with Optimize.DEFAULT and no
representative dataset: float32 activations, int8 weights with float scales (per tensor, or per channel for
convolutions), float32 biases. The kernel quantizes its float input at every invoke, multiplies in int8 and
scales the int32 sums back to float. This writes seeded random single-op hybrid models
(tests/pylib/tflite_builder.py) of FULLY_CONNECTED (symmetric and asymmetric input quantization, per-tensor
and per-channel weights), CONV_2D (per-tensor weights: symmetric; per-channel: asymmetric), DEPTHWISE_CONV_2D,
BATCH_MATMUL, SVDF and UNIDIRECTIONAL_SEQUENCE_LSTM, runs each through edgert (the CLI) and through TensorFlow
Lite compiled to WebAssembly (tests/pylib/tflite_batch_ref.js, one process for all models), and compares the
float outputs within rtol 1e-5, atol 1e-5. The int8 values and integer sums are the same on both sides;
what remains is float rounding in the scaling, which is far below that bound.

Not compared: FULLY_CONNECTED with per-channel int8 weights. This TFLite build reads only the per-tensor
weight scale in its hybrid FC kernel, which is 0 for a per-channel tensor, and so returns the bias alone
(observed: every output equal to its bias whatever the input). edgert scales each unit by its own channel
scale, which is what current TFLite's EvalHybridDense passes its MatrixBatchVectorMultiplyAccumulate for;
tests/ops/test_fully_connected.c covers that path. Nor BATCH_MATMUL with two or more batch dims: TFLite's
reference BatchMatMul (scaling factors) finds a row's scale and zero point at (b0 + b1 + b2) * rows + row
(it tests a dim's stride against 1 where it means the dim), so with batch dims [2, 2] the batches (0, 1)
and (1, 0) share one scale and every value of the second half is scaled by the wrong row's factor
(observed: exactly the b1 = 1 half off, by the ratio of two rows' scales). edgert uses each row's own.

A case TFLite refuses is listed as skipped with TFLite's reason; a case edgert refuses, a missing output or
a mismatch fails. EDGERT_DIFFTEST_ONLY (comma-separated op names) runs only those ops, EDGERT_DIFFTEST_REPEAT
sets the rounds per generator (default 3), EDGERT_DIFFTEST_KEEP=1 keeps the temp dir.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zlib

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "pylib"))
from edgert_test import TFLITE_WASM, check, finish, run  # noqa: E402
from tflite_builder import ModelBuilder  # noqa: E402

SEED = 20261203
REPEAT = int(os.environ.get("EDGERT_DIFFTEST_REPEAT", "3"))
RTOL = 1e-5
ATOL = 1e-5
ONLY = {s.strip().upper() for s in os.environ.get("EDGERT_DIFFTEST_ONLY", "").split(",") if s.strip()}
RUNNER = os.path.join(os.path.dirname(__file__), "..", "pylib", "tflite_batch_ref.js")
TMP = tempfile.mkdtemp(prefix="edgert-hybrid-")
rng = np.random.default_rng(SEED)
CASES = []
GENERATORS = []


def generator(op):
    def wrap(fn):
        GENERATORS.append((op, fn))
        return fn
    return wrap


def add(op, desc, m, inputs):
    path = os.path.join(TMP, f"case{len(CASES):04d}_{op.lower()}.tflite")
    with open(path, "wb") as f:
        f.write(m.finish())
    CASES.append({"op": op, "desc": desc, "model": path, "inputs": [np.ascontiguousarray(x) for x in inputs]})


def floats(shape, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, tuple(int(d) for d in shape)).astype(np.float32)


def int8_weights(shape, axis=None):
    """int8 weights and their scales: one scale, or one per slice along `axis`."""
    w = rng.integers(-127, 128, tuple(shape)).astype(np.int8)
    if axis is None:
        return w, [float(10 ** rng.uniform(-2.5, -1))]
    return w, [float(s) for s in 10 ** rng.uniform(-2.5, -1, shape[axis])]


def activation():
    return str(rng.choice(["NONE", "RELU", "RELU6", "RELU_N1_TO_1"]))


def input_data(shape):
    """Float input; now and then a row of zeros or one sign only, which moves the asymmetric zero point to
    an end of the int8 range."""
    x = floats(shape, -2.0, 2.0)
    kind = rng.random()
    if kind < 0.15:
        x = np.abs(x)
    elif kind < 0.3:
        x = -np.abs(x)
    elif kind < 0.4 and x.ndim >= 2:
        x[0] = 0.0
    return x.astype(np.float32)


# ---------------------------------------------------------------------------------------------------
# generators

@generator("FULLY_CONNECTED")
def gen_fully_connected():
    for trial in range(8):
        asymmetric = trial % 2 == 1
        per_channel = False  # see the module docstring: this TFLite build's hybrid FC is per-tensor only
        k, units = int(rng.integers(1, 40)), int(rng.integers(1, 12))
        in_shape = [int(rng.integers(1, 4)), k] if trial < 6 else [2, int(rng.integers(1, 4)), k]
        keep = trial == 7
        out_shape = in_shape[:-1] + [units] if keep else [int(np.prod(in_shape[:-1])), units]
        m = ModelBuilder()
        x = m.input(in_shape, "float32")
        wdata, scales = int8_weights([units, k], 0 if per_channel else None)
        w = m.const(wdata, "int8", scale=scales, zero_point=[0] * len(scales), quantized_dimension=0)
        bias = m.const(floats([units]), "float32") if trial != 4 else -1
        y = m.output(m.tensor(out_shape, "float32"))
        act = "NONE" if trial < 2 else activation()
        m.op("FULLY_CONNECTED", [x, w, bias], [y], {"fused_activation_function": act, "keep_num_dims": keep,
                                                    "asymmetric_quantize_inputs": asymmetric}, version=9)
        add("FULLY_CONNECTED", f"in {in_shape} units {units} {act} {'asym' if asymmetric else 'sym'}"
            f"{' per-channel' if per_channel else ''}{'' if bias != -1 else ' no bias'}", m, [input_data(in_shape)])


def conv_out(size, k, stride, dilation, padding):
    eff = (k - 1) * dilation + 1
    return (size + stride - 1) // stride if padding == "SAME" else (size - eff + stride) // stride


@generator("CONV_2D")
def gen_conv():
    for trial in range(8):
        per_channel = trial % 2 == 1
        n = int(rng.integers(1, 3))
        h, w = (int(v) for v in rng.integers(3, 10, 2))
        cin, cout = int(rng.integers(1, 5)), int(rng.integers(2, 6))
        kh, kw = (int(v) for v in rng.integers(1, 4, 2))
        sh, sw = (int(v) for v in rng.integers(1, 3, 2))
        dh, dw = (1, 1) if trial < 6 or per_channel else (2, 1)
        padding = "VALID" if trial % 4 < 2 else "SAME"
        if padding == "VALID" and ((kh - 1) * dh + 1 > h or (kw - 1) * dw + 1 > w):
            padding = "SAME"
        oh, ow = conv_out(h, kh, sh, dh, padding), conv_out(w, kw, sw, dw, padding)
        m = ModelBuilder()
        x = m.input([n, h, w, cin], "float32")
        wdata, scales = int8_weights([cout, kh, kw, cin], 0 if per_channel else None)
        wt = m.const(wdata, "int8", scale=scales, zero_point=[0] * len(scales), quantized_dimension=0)
        bias = m.const(floats([cout]), "float32")
        y = m.output(m.tensor([n, oh, ow, cout], "float32"))
        act = activation()
        m.op("CONV_2D", [x, wt, bias], [y], {"padding": padding, "stride_w": sw, "stride_h": sh,
                                             "fused_activation_function": act, "dilation_w_factor": dw,
                                             "dilation_h_factor": dh}, version=2)
        add("CONV_2D", f"in {[n, h, w, cin]} w {[cout, kh, kw, cin]} {padding} s{sh}x{sw} d{dh}x{dw} {act}"
            f"{' per-channel' if per_channel else ''}", m, [input_data([n, h, w, cin])])


@generator("DEPTHWISE_CONV_2D")
def gen_depthwise():
    for trial in range(6):
        n = int(rng.integers(1, 3))
        h, w = (int(v) for v in rng.integers(3, 10, 2))
        cin, mult = int(rng.integers(1, 5)), int(rng.integers(1, 3))
        cout = cin * mult
        kh, kw = (int(v) for v in rng.integers(1, 4, 2))
        sh, sw = (int(v) for v in rng.integers(1, 3, 2))
        dh, dw = (1, 1) if trial < 4 else (2, 2)
        padding = "VALID" if trial % 2 == 0 else "SAME"
        if padding == "VALID" and ((kh - 1) * dh + 1 > h or (kw - 1) * dw + 1 > w):
            padding = "SAME"
        oh, ow = conv_out(h, kh, sh, dh, padding), conv_out(w, kw, sw, dw, padding)
        m = ModelBuilder()
        x = m.input([n, h, w, cin], "float32")
        wdata, scales = int8_weights([1, kh, kw, cout], 3)
        wt = m.const(wdata, "int8", scale=scales, zero_point=[0] * cout, quantized_dimension=3)
        bias = m.const(floats([cout]), "float32")
        y = m.output(m.tensor([n, oh, ow, cout], "float32"))
        act = activation()
        m.op("DEPTHWISE_CONV_2D", [x, wt, bias], [y], {"padding": padding, "stride_w": sw, "stride_h": sh,
                                                       "depth_multiplier": mult, "fused_activation_function": act,
                                                       "dilation_w_factor": dw, "dilation_h_factor": dh}, version=4)
        add("DEPTHWISE_CONV_2D", f"in {[n, h, w, cin]} w {[1, kh, kw, cout]} {padding} s{sh}x{sw} d{dh}x{dw} {act}",
            m, [input_data([n, h, w, cin])])


@generator("BATCH_MATMUL")
def gen_batch_matmul():
    for trial in range(6):
        asymmetric = trial % 2 == 1
        batch = [int(v) for v in rng.integers(1, 4, int(rng.integers(0, 2)))]  # one batch dim at most: see top
        r, c, k = (int(v) for v in rng.integers(1, 9, 3))
        adj_x, adj_y = trial >= 4, trial in (2, 3, 5)
        xs = batch + ([k, r] if adj_x else [r, k])
        ws = ([k] if not adj_y else [c]) + ([c] if not adj_y else [k])
        ws = (batch[-1:] if trial == 3 and batch else []) + ws
        out = list(np.broadcast_shapes(tuple(batch), tuple(ws[:-2]))) + [r, c]
        m = ModelBuilder()
        x = m.input(xs, "float32")
        wdata, scales = int8_weights(ws)
        wt = m.const(wdata, "int8", scale=scales, zero_point=[0])
        y = m.output(m.tensor(out, "float32"))
        m.op("BATCH_MATMUL", [x, wt], [y], {"adj_x": adj_x, "adj_y": adj_y, "asymmetric_quantize_inputs": asymmetric},
             version=4)
        add("BATCH_MATMUL", f"{xs} x {ws} adj {adj_x},{adj_y} {'asym' if asymmetric else 'sym'}", m, [input_data(xs)])


@generator("SVDF")
def gen_svdf():
    for trial in range(6):
        asymmetric = trial % 2 == 1
        batch, n_in, units, rank, memory = (int(v) for v in rng.integers(1, 5, 5))
        filters = units * rank
        m = ModelBuilder()
        x = m.input([batch, n_in], "float32")
        wf_data, wf_scale = int8_weights([filters, n_in])
        wf = m.const(wf_data, "int8", scale=wf_scale, zero_point=[0])
        wt_data, wt_scale = int8_weights([filters, memory])
        wt = m.const(wt_data, "int8", scale=wt_scale, zero_point=[0])
        bias = m.const(floats([units]), "float32") if trial != 2 else -1
        state = m.tensor([batch, memory * filters], "float32", is_variable=True)
        y = m.output(m.tensor([batch, units], "float32"))
        act = "NONE" if trial < 2 else activation()
        m.op("SVDF", [x, wf, wt, bias, state], [y], {"rank": rank, "fused_activation_function": act,
                                                      "asymmetric_quantize_inputs": asymmetric}, version=4)
        add("SVDF", f"batch {batch} in {n_in} units {units} rank {rank} memory {memory} {act} "
            f"{'asym' if asymmetric else 'sym'}", m, [input_data([batch, n_in])])


@generator("UNIDIRECTIONAL_SEQUENCE_LSTM")
def gen_lstm():
    variants = [{}, {"asym": True}, {"cifg": True}, {"peephole": True, "asym": True}, {"projection": True},
                {"time_major": True}, {"cifg": True, "peephole": True, "projection": True, "clip": True, "asym": True}]
    for v in variants:
        batch, steps, n_in, cells = (int(x) for x in rng.integers(1, 5, 4))
        n_out = int(rng.integers(1, 5)) if v.get("projection") else cells
        time_major = bool(v.get("time_major"))
        in_shape = [steps, batch, n_in] if time_major else [batch, steps, n_in]
        m = ModelBuilder()
        x = m.input(in_shape, "float32")

        def wq(shape, present=True):
            if not present:
                return -1
            data, scale = int8_weights(shape)
            return m.const(data, "int8", scale=scale, zero_point=[0])

        def wf(shape, present=True):
            return m.const(floats(shape, -0.5, 0.5), "float32") if present else -1
        cifg, peep, proj = bool(v.get("cifg")), bool(v.get("peephole")), bool(v.get("projection"))
        ins = [x,
               wq([cells, n_in], not cifg), wq([cells, n_in]), wq([cells, n_in]), wq([cells, n_in]),
               wq([cells, n_out], not cifg), wq([cells, n_out]), wq([cells, n_out]), wq([cells, n_out]),
               wq([cells], peep and not cifg), wq([cells], peep), wq([cells], peep),
               wf([cells], not cifg), wf([cells]), wf([cells]), wf([cells]),
               wq([n_out, cells], proj), wf([n_out], proj and rng.random() < 0.5)]
        ins.append(m.tensor([batch, n_out], "float32", is_variable=True))
        ins.append(m.tensor([batch, cells], "float32", is_variable=True))
        ins += [-1, -1, -1, -1]
        out_shape = [steps, batch, n_out] if time_major else [batch, steps, n_out]
        y = m.output(m.tensor(out_shape, "float32"))
        opts = {"fused_activation_function": "TANH", "time_major": time_major,
                "asymmetric_quantize_inputs": bool(v.get("asym"))}
        if v.get("clip"):
            opts.update(cell_clip=0.8, proj_clip=0.5)
        m.op("UNIDIRECTIONAL_SEQUENCE_LSTM", ins, [y], opts, version=2)
        add("UNIDIRECTIONAL_SEQUENCE_LSTM", f"in {in_shape} cells {cells} out {n_out} {v}", m, [input_data(in_shape)])


# ---------------------------------------------------------------------------------------------------
# running and comparing

def run_tflite(cases):
    """TFLite's outputs for every case, from one runner process (restarted past a case that kills it)."""
    env = dict(os.environ, TFLITE_WASM_DIR=TFLITE_WASM)
    pending = list(range(len(cases)))
    while pending:
        jobs = []
        for i in pending:
            c = cases[i]
            paths = []
            for k, x in enumerate(c["inputs"]):
                paths.append(f"{c['model']}.in{k}.npy")
                np.save(paths[-1], x)
            jobs.append({"model": c["model"], "inputs": paths, "outdir": c["model"] + ".tflite_out"})
        jobs_path = os.path.join(TMP, "jobs.json")
        with open(jobs_path, "w") as f:
            json.dump(jobs, f)
        p = subprocess.run(["node", RUNNER, jobs_path], capture_output=True, text=True, env=env, timeout=900)
        done = 0
        for line in p.stdout.splitlines():
            if line.startswith("{"):
                rec = json.loads(line)
                cases[pending[rec["index"]]]["ref"] = rec
                done = rec["index"] + 1
        if done < len(pending):
            cases[pending[done]]["ref"] = {"ok": False, "error": "TFLite died: " + p.stderr.strip()[-300:]}
            done += 1
        pending = pending[done:]


def compare(c):
    ref = c["ref"]
    if not ref.get("ok"):
        return "skipped", (ref.get("error", "") + " | " + ref.get("log", "").replace("\n", " | "))[:300]
    try:
        ours = run(c["model"], c["inputs"])
    except RuntimeError as e:
        return "error", str(e).split(".tflite: ")[-1][-300:]
    theirs = [np.load(f"{c['model']}.tflite_out/output_{k}.npy").reshape(meta["shape"])
              for k, meta in enumerate(ref["outputs"])]
    if len(ours) != len(theirs):
        return "mismatch", f"{len(ours)} outputs, TFLite has {len(theirs)}"
    worst = 0.0
    for k, (a, b) in enumerate(zip(ours, theirs)):
        if a.shape != b.shape or a.dtype != b.dtype:
            return "mismatch", f"output {k}: {a.dtype}{list(a.shape)}, TFLite {b.dtype}{list(b.shape)}"
        diff = np.abs(a.astype(np.float64) - b.astype(np.float64))
        worst = max(worst, float(np.max(diff, initial=0.0)))
        bad = ~(diff <= ATOL + RTOL * np.abs(b.astype(np.float64)))
        if bad.any():
            ix = [tuple(i) for i in np.argwhere(bad)[:3]]
            return "mismatch", f"output {k}: {int(bad.sum())}/{bad.size} differ (max {worst:.3g}); " + \
                "; ".join(f"{list(i)} edgert {a[i]!r} TFLite {b[i]!r}" for i in ix)
    c["max_diff"] = worst
    return "ok", "xnnpack" if "TfLiteXNNPackDelegate" in ref.get("nodes", []) else ""


def main():
    global rng
    for op, fn in GENERATORS:
        if ONLY and op not in ONLY:
            continue
        for rep in range(REPEAT):
            rng = np.random.default_rng([SEED, zlib.crc32(fn.__name__.encode()), rep])
            fn()
    print(f"{len(CASES)} hybrid single-op models in {TMP}")
    run_tflite(CASES)
    rows = {}
    for c in CASES:
        status, detail = compare(c)
        c["status"], c["detail"] = status, detail
        r = rows.setdefault(c["op"], {"cases": 0, "ok": 0, "max": 0.0, "skipped": 0, "fail": 0, "xnn": 0})
        r["cases"] += 1
        r["ok"] += status == "ok"
        r["xnn"] += status == "ok" and detail == "xnnpack"
        r["skipped"] += status == "skipped"
        r["fail"] += status in ("error", "mismatch")
        r["max"] = max(r["max"], c.get("max_diff", 0.0))
    print(f"\n{'op':30s} {'cases':>5s} {'ok':>4s} {'xnn':>4s} {'max diff':>10s} {'FAIL':>4s} {'tfl-skip':>8s}")
    for op, r in sorted(rows.items()):
        print(f"{op:30s} {r['cases']:5d} {r['ok']:4d} {r['xnn']:4d} {r['max']:10.3g} {r['fail'] or '':>4} "
              f"{r['skipped'] or '':>8}")
    for c in CASES:
        if c["status"] == "skipped":
            print(f"  skipped (TFLite refuses) {c['op']} {c['desc']}: {c['detail']}")
    bad = [c for c in CASES if c["status"] in ("error", "mismatch")]
    for c in bad:
        check(False, f"{c['op']} [{os.path.basename(c['model'])}] {c['desc']}: {c['status']}: {c['detail']}")
    if os.environ.get("EDGERT_DIFFTEST_KEEP") or bad:
        print(f"models, inputs and TFLite's outputs kept in {TMP}")
    else:
        shutil.rmtree(TMP, ignore_errors=True)
    finish()


if __name__ == "__main__":
    main()
