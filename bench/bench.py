"""edgert next to ONNX Runtime on the same models, inputs and machine; writes a markdown report.

Run through `make bench` (builds edgert, then bench/run.sh, which installs ONNX Runtime from npm). For
every float ONNX model, one after the other (interleaved, so both runtimes see the same machine load):
`edgert run` writes the reference output, then at each thread count `edgert bench` and ONNX Runtime
(../shared/tools/ort_bench.js) time the same input, and ONNX Runtime's output is compared with edgert's.
The int8 TFLite models run on edgert only (ONNX Runtime does not read .tflite), each next to its float
counterpart: from the fixtures where they have one, else written into the work dir at bench time
(bench/make_float_counterpart.py: person_detect's float32 twin; bench/make_mobilenet.py: a MobileNet v1
float/int8 pair from the same seeded random weights).

Runs per model come from a time budget per measurement (--budget), so the whole report fits in minutes
whatever edgert's speed: a slow model gets at least 3 timed runs, a tiny one up to --max-runs.
"""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# torchvision's classifiers, exported like tests/models/test_torchvision.py does (seeded random weights:
# no pretrained weights can be downloaded here; latency does not depend on the weight values).
ZOO = ["mobilenet_v2", "mobilenet_v3_small", "resnet18", "squeezenet1_1", "efficientnet_b0"]
SHIPPED = ["anomaly_autoencoder", "forecast_lstm", "forecast_gru", "digits_cnn"]
# (int8 model, float counterpart or None, input range). Names in GENERATED are written into the work dir
# at bench time (never committed); the others are TFLite Micro fixtures.
INT8 = [("person_detect.tflite", "person_detect_float.tflite", (0.0, 1.0)),
        ("mobilenet_v1_int8.tflite", "mobilenet_v1_float.tflite", (-1.0, 1.0)),
        ("micro_speech_quantized.tflite", None, (0.0, 1.0)),
        ("trained_lstm_int8.tflite", "trained_lstm.tflite", (0.0, 1.0)),
        ("hello_world_int8.tflite", "hello_world_float.tflite", (0.0, 2 * np.pi))]
GENERATED = {"person_detect_float.tflite": "make_float_counterpart.py",
             "mobilenet_v1_int8.tflite": "make_mobilenet.py", "mobilenet_v1_float.tflite": "make_mobilenet.py"}
# Rough ONNX Runtime p50 in ms at one thread on a 2-core x86 machine, to size its first run: its
# latency is known only after it has run. Unknown models count as 1 ms.
ORT_GUESS_MS = {"mobilenet_v2": 25, "mobilenet_v3_small": 7, "resnet18": 120, "squeezenet1_1": 15,
                "efficientnet_b0": 25}
# Output agreement: max |edgert - ORT| <= TOLERANCE * max |edgert| (float reassociation in fused and
# reordered kernels of either runtime). Relative to the output's scale: with random weights some
# classifiers give logits as small as 1e-9.
TOLERANCE = 1e-4


def outputs_agree(err, scale):
    return err <= TOLERANCE * scale if scale > 0 else err == 0


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--edgert", default=os.path.join(ROOT, "build", "edgert"))
    p.add_argument("--ort-tool", default=os.path.join(ROOT, "..", "shared", "tools", "ort_bench.js"))
    p.add_argument("--node-path", default=os.path.join(ROOT, ".deps", "bench", "node_modules"))
    p.add_argument("--fixtures", default=os.path.join(ROOT, "..", "shared", "fixtures", "tflite-micro"))
    p.add_argument("--work", default=os.path.join(ROOT, ".deps", "bench", "work"))
    p.add_argument("--out", default=os.path.join(HERE, "RESULTS.md"))
    p.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    p.add_argument("--budget", type=float, default=3.0, help="seconds of timed runs per measurement")
    p.add_argument("--max-runs", type=int, default=1000)
    p.add_argument("--rounds", type=int, default=5,
                   help="times each float model is measured at each thread count, both runtimes in turn; "
                        "p50 is the median of the rounds' p50s (on a shared VM a round in which other work "
                        "takes a core can run 1.5x slow; with 5 rounds two such rounds move no figure)")
    p.add_argument("--load-samples", type=int, default=7,
                   help="fresh processes whose load times give each load figure (their median)")
    p.add_argument("--only", default="", help="comma-separated model names to keep (default: all)")
    p.add_argument("--commit", default="", help="what the edgert binary was built from (default: this checkout)")
    return p.parse_args()


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def sh(args, env=None, timeout=900):
    args = [str(a) for a in args]
    try:
        return subprocess.run(args, capture_output=True, text=True, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(args, 124, "", f"timed out after {timeout} s")


def error_line(text):
    """The last line that names an error (node ends its traces with its version), else the last line."""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    named = [ln for ln in lines if "error" in ln.lower() or ln.startswith("edgert")]
    return (named or lines or ["no message"])[-1]


# ---------------------------------------------------------------- models and inputs

def export_zoo(names, out_dir):
    """Exports each torchvision model to out_dir/NAME.onnx; returns ({name: path}, versions or None)."""
    if not names:
        return {}, None
    r = subprocess.run([sys.executable, os.path.join(HERE, "export_zoo.py"), out_dir, *names], text=True,
                       stdout=subprocess.PIPE, timeout=1800)
    if r.returncode != 0:
        log("bench: exporting the torchvision models failed: skipping them")
        return {}, None
    d = json.loads(r.stdout.strip().splitlines()[-1])
    return {n: os.path.join(out_dir, n + ".onnx") for n in d["exported"]}, d["versions"]


def model_info(edgert, path):
    """edgert info --json, or {"error": message}."""
    r = sh([edgert, "info", path, "--json"])
    return json.loads(r.stdout) if r.returncode == 0 else {"error": error_line(r.stderr)}


def random_input(info, seed, low=-1.0, high=1.0):
    """Float32 values for input 0 (float32 for quantized inputs too: edgert quantizes them)."""
    shape = info["inputs"][0]["shape"]
    return np.random.default_rng(seed).uniform(low, high, shape).astype(np.float32)


# ---------------------------------------------------------------- runners

def edgert_run(edgert, model, x_path, out_dir, dequantize=False):
    """Runs once; returns (output 0 array or None, error or None)."""
    args = [edgert, "run", model, "--input", x_path, "--output-dir", out_dir]
    if dequantize:
        args.append("--dequantize")
    r = sh(args)
    if r.returncode != 0:
        return None, error_line(r.stderr)
    return np.load(os.path.join(out_dir, "output_0.npy")), None


def runs_for(seconds_per_run, budget, max_runs):
    return int(max(3, min(max_runs, budget / max(seconds_per_run, 1e-6))))


# The CPUs 1-thread runs are pinned to, a round at a time: on a VM one vCPU can run a third slower than
# the other for hours (its host core shared), and the scheduler's pick of CPU per process then outweighed
# every difference between the runtimes. Both runtimes' runs of a round get the same CPU, and the rounds
# take the CPUs in turn.
PIN_CPUS = sorted(os.sched_getaffinity(0)) if shutil.which("taskset") and hasattr(os, "sched_getaffinity") else []


def round_cpu(threads, round_index):
    """The CPU a round's runs at this thread count are pinned to, or None (more than one thread)."""
    return PIN_CPUS[round_index % len(PIN_CPUS)] if str(threads) == "1" and PIN_CPUS else None


def pinned(cmd, cpu):
    return ["taskset", "-c", str(cpu)] + cmd if cpu is not None else cmd


def edgert_bench_once(edgert, model, x_path, threads, runs, warmup, cpu=None):
    # Through sh, which forks edgert: on Linux a child starts with its parent's peak RSS (kept across
    # exec), and edgert reports its own peak, so its parent must be small, not this Python process.
    cmd = ["sh", "-c", '"$@"; exit $?', "sh", edgert, "bench", model, "--json", "--threads", threads,
           "--runs", runs, "--warmup", warmup]
    if x_path:
        cmd += ["--input", x_path]
    r = sh(pinned(cmd, cpu))
    if r.returncode != 0:
        return {"error": error_line(r.stderr)}
    d = json.loads(r.stdout)
    return {"p50": d["latency_ms"]["p50"], "rss_mb": d["peak_rss_kb"] / 1024.0, "load_ms": d["load_ms"],
            "runs": runs}


def edgert_bench(edgert, model, x_path, threads, est_s, args, budget=None, cpu=None):
    """Times model at threads (on one CPU when cpu is not None); est_s (seconds a run, None: unknown,
    measured by one probe run first) sizes the runs to the budget (seconds; default args.budget)."""
    if est_s is None:
        probe = edgert_bench_once(edgert, model, x_path, threads, 1, 0, cpu)
        if "error" in probe:
            return probe
        est_s = probe["p50"] / 1e3
    warmup = 1 if est_s > 0.2 else 5
    runs = runs_for(est_s, args.budget if budget is None else budget, args.max_runs)
    return edgert_bench_once(edgert, model, x_path, threads, runs, warmup, cpu)


def combine_rounds(results):
    """One result from the rounds of a measurement: the median of their p50s, the largest RSS and error,
    all their runs, and their loads (for median_load). An error in any round is the result."""
    for d in results:
        if "error" in d:
            return d
    out = dict(results[0])
    out["p50s"] = [d["p50"] for d in results]
    out["p50"] = float(np.median(out["p50s"]))
    out["rss_mb"] = max(d["rss_mb"] for d in results)
    out["runs"] = sum(d["runs"] for d in results)
    out["loads"] = [d["load_ms"] for d in results]
    errs = [d["max_abs_err"] for d in results if d.get("max_abs_err") is not None]
    if errs:
        out["max_abs_err"] = max(errs)
    return out


def median_load(first, more_loads):
    """Sets first["load_ms"] to the median of its loads (fresh processes each) and the extra samples: one
    load is often several times the typical one on a shared VM (a stalled page fault, another process)."""
    if "error" in first:
        return first
    loads = first["loads"] + [ms for ms in more_loads if ms is not None]
    first["load_ms"] = float(np.median(loads))
    first["load_samples"] = len(loads)
    return first


def edgert_loads(edgert, model, threads, count):
    """load_ms of count more fresh `edgert bench` processes (one run each)."""
    loads = []
    for _ in range(count):
        d = edgert_bench_once(edgert, model, None, threads, 1, 0)
        loads.append(d.get("load_ms"))
    return loads


def ort_loads(args, model, x_path, threads, count):
    """load_ms of count more fresh ORT processes (one run each)."""
    return [ort_bench_once(args, model, x_path, None, threads, 1).get("load_ms") for _ in range(count)]


def ort_bench_once(args, model, x_path, ref_path, threads, runs, cpu=None):
    # ort_bench.js adds 6 untimed runs of its own.
    env = dict(os.environ, NODE_PATH=args.node_path)
    cmd = ["node", args.ort_tool, model, x_path]
    if ref_path:
        cmd.append(ref_path)
    r = sh(pinned(cmd + ["--threads", threads, "--runs", runs], cpu), env=env)
    if r.returncode != 0:
        return {"error": error_line(r.stderr)}
    d = json.loads(r.stdout.strip().splitlines()[-1])
    return {"p50": d["median_ms"], "rss_mb": d["rss_mb"], "load_ms": d["load_ms"], "runs": runs,
            "max_abs_err": d["max_abs_err_vs_ref"]}


def ort_bench(args, model, x_path, ref_path, threads, est_s, cpu=None):
    return ort_bench_once(args, model, x_path, ref_path, threads, runs_for(est_s, args.budget, args.max_runs),
                          cpu)


def node_baseline_rss(args):
    """RSS of node with onnxruntime-node loaded and no session: the floor under every ORT RSS figure."""
    env = dict(os.environ, NODE_PATH=args.node_path)
    r = sh(["node", "-e", "require('onnxruntime-node'); console.log(process.memoryUsage().rss / 1048576)"],
           env=env)
    return float(r.stdout) if r.returncode == 0 else None


# ---------------------------------------------------------------- formatting

def fmt(v, digits=3):
    if v is None:
        return "—"
    if abs(v) >= 100:
        return f"{v:.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.{digits}g}"


def ratio(a, b):
    if a is None or not b:
        return "—"
    r = a / b
    return f"{r:.2f}" if r >= 0.1 else f"{r:.3f}"


def paired_ratio(a, b):
    """a's p50 over b's, as the median over rounds of each round's ratio when both were measured in the
    same rounds (a round's two figures come seconds apart, so a slow spell of the shared machine that spans
    a round moves both), else of the two p50s."""
    ra, rb = get(a, "p50s"), get(b, "p50s")
    if ra and rb and len(ra) == len(rb) and all(rb):
        return ratio(float(np.median([x / y for x, y in zip(ra, rb)])), 1.0)
    return ratio(get(a, "p50"), get(b, "p50"))


def brief(d):
    return f"{d['p50']:.4g} ms" if "p50" in d else d["error"]


def get(d, key):
    return None if d is None or "error" in d else d.get(key)


def plural(threads):
    return f"{threads} thread" + ("" if str(threads) == "1" else "s")


class Notes:
    """Failures, one line per distinct message (the model's path taken out) with the cases it hit."""

    def __init__(self):
        self.cases = {}

    def add(self, model, threads, who, message):
        generic = re.sub(r"\S+\.(onnx|tflite)\b", "MODEL", message)
        key = generic if generic.startswith(who.strip("`")) else f"{who}: {generic}"
        self.cases.setdefault(key, []).append((model, threads))

    def lines(self):
        out = []
        for message, cases in self.cases.items():
            threads = {t for _, t in cases}
            models = ", ".join(m for m, _ in cases)
            where = f"at {plural(threads.pop())}: {models}" if len(threads) == 1 and None not in threads else \
                ", ".join(m if t is None else f"{m} at {plural(t)}" for m, t in cases)
            out.append(f"- {message} ({where})")
        return ["", "Not measured:", ""] + out if out else []


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def machine_lines(args, ort_version, torch_version):
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    commit = args.commit
    if not commit:
        commit = sh(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"]).stdout.strip() or "unknown"
        if sh(["git", "-C", ROOT, "status", "--porcelain", "--", ".", ":!bench/RESULTS.md"]).stdout.strip():
            commit += " with uncommitted changes"
    version = sh([args.edgert, "--help"]).stdout.strip().rsplit("Version", 1)[-1].strip(" .") or "?"
    flags = set()
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith(("flags", "Features")):
                flags = set(line.split(":", 1)[1].split())
                break
    isa = [n for n in ("avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512_vnni", "avx_vnni",
                       "asimd", "asimddp") if n in flags]
    return [
        f"- machine: {cpu}, {os.cpu_count()} cores visible, {platform.system()} {platform.machine()}; "
        f"SIMD: {' '.join(isa) or 'none listed'}",
        f"- date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}, "
        f"load average at start {loadavg()}",
        f"- edgert {version}, commit {commit}",
        f"- ONNX Runtime {ort_version} (npm onnxruntime-node, CPU execution provider, graph optimizations "
        f"'all', node {sh(['node', '--version']).stdout.strip()})",
        f"- torchvision models exported with {torch_version}" if torch_version else "- no torchvision models",
    ]


# ---------------------------------------------------------------- main

def bench_float_models(args, models, threads):
    """Returns rows: (name, {threads: (edgert result, ort result)}, max abs diff, output scale, note)."""
    rows = []
    for name, path in models:
        log(f"bench: {name}")
        info = model_info(args.edgert, path)
        if "error" in info:
            failed = {"error": info["error"]}
            rows.append((name, {t: (failed, failed) for t in threads}, None, None, info["error"]))
            continue
        x_path = os.path.join(args.work, name + ".input.npy")
        np.save(x_path, random_input(info, seed=0))
        out_dir = os.path.join(args.work, name + ".out")
        ref, err = edgert_run(args.edgert, path, x_path, out_dir)
        ref_path = os.path.join(out_dir, "output_0.npy") if ref is not None else None
        rounds = {t: ([], []) for t in threads}
        edgert_est, ort_est = None, ORT_GUESS_MS.get(name, 1) / 1e3
        for r in range(args.rounds):
            for t in threads:
                cpu = round_cpu(t, r)
                e = edgert_bench(args.edgert, path, x_path, t, edgert_est, args, cpu=cpu)
                o = ort_bench(args, path, x_path, ref_path, t, ort_est, cpu)
                edgert_est = get(e, "p50") / 1e3 if get(e, "p50") else edgert_est
                ort_est = get(o, "p50") / 1e3 if get(o, "p50") else ort_est
                rounds[t][0].append(e)
                rounds[t][1].append(o)
                log(f"bench:   round {r + 1}, {t} thread(s): edgert {brief(e)}, ORT {brief(o)}")
        per_threads = {}
        extra = max(0, args.load_samples - args.rounds)
        for t in threads:
            e, o = combine_rounds(rounds[t][0]), combine_rounds(rounds[t][1])
            e = median_load(e, edgert_loads(args.edgert, path, t, extra) if "error" not in e else [])
            o = median_load(o, ort_loads(args, path, x_path, t, extra) if "error" not in o else [])
            per_threads[t] = (e, o)
        errs = [get(o, "max_abs_err") for _, o in per_threads.values() if get(o, "max_abs_err") is not None]
        scale = float(np.max(np.abs(ref))) if ref is not None and ref.size else None
        rows.append((name, per_threads, max(errs) if errs else None, scale, err))
    return rows


def generate_models(args, names):
    """Writes the GENERATED models among names into args.work; returns {name: error} for those that failed."""
    errors = {}
    scripts = sorted({GENERATED[n] for n in names if n in GENERATED})
    for script in scripts:
        if script == "make_float_counterpart.py":
            cmd = [os.path.join(args.fixtures, "models", "person_detect.tflite"),
                   os.path.join(args.work, "person_detect_float.tflite")]
        else:
            cmd = [args.edgert, args.work]
        t0 = time.time()
        r = sh([sys.executable, os.path.join(HERE, script), *cmd])
        made = [n for n in names if GENERATED.get(n) == script]
        if r.returncode != 0:
            log(f"bench: {script} failed: {error_line(r.stderr)}")
            errors.update({n: f"{script} failed: {error_line(r.stderr)}" for n in made})
        else:
            log(f"bench: {script} wrote {', '.join(made)} in {time.time() - t0:.1f} s")
    return errors


def int8_model_path(args, name):
    return os.path.join(args.work if name in GENERATED else os.path.join(args.fixtures, "models"), name)


def bench_int8_models(args, pairs, threads):
    rows = []
    generate_errors = generate_models(args, [n for pair in pairs for n in pair[:2] if n])
    for int8_name, float_name, (low, high) in pairs:
        path = int8_model_path(args, int8_name)
        if int8_name in generate_errors:
            failed = {"error": generate_errors[int8_name]}
            rows.append({"name": int8_name, "float": float_name, "error": failed["error"],
                         "t": {t: (failed, None) for t in threads}})
            continue
        if not os.path.exists(path):
            continue
        log(f"bench: {int8_name}")
        info = model_info(args.edgert, path)
        if "error" in info:
            failed = {"error": info["error"]}
            rows.append({"name": int8_name, "float": float_name, "error": info["error"],
                         "t": {t: (failed, None) for t in threads}})
            continue
        x_path = os.path.join(args.work, int8_name + ".input.npy")
        np.save(x_path, random_input(info, seed=0, low=low, high=high))
        q_out, q_err = edgert_run(args.edgert, path, x_path, os.path.join(args.work, int8_name + ".out"),
                                  dequantize=True)
        row = {"name": int8_name, "float": float_name, "error": q_err, "t": {}}
        f_path = int8_model_path(args, float_name) if float_name else None
        if f_path and float_name in generate_errors:
            row["float_error"], f_path = generate_errors[float_name], None
        if f_path:
            f_out, f_err = edgert_run(args.edgert, f_path, x_path, os.path.join(args.work, float_name + ".out"))
            if q_out is not None and f_out is not None and q_out.shape == f_out.shape:
                row["diff"] = float(np.max(np.abs(q_out - f_out)))
                row["scale"] = float(np.max(np.abs(f_out)))
            row["float_error"] = f_err
        q_est = f_est = None
        rounds = {t: ([], []) for t in threads}
        # As the float models: rounds, the two models in turn, so that a slow spell of the shared machine
        # lands on both; each round gets twice the budget's share (these models run in milliseconds).
        budget = 2 * args.budget / max(1, args.rounds)
        for r in range(args.rounds):
            for t in threads:
                # Random input of the model's own dtype (edgert bench's default): latency is data-independent.
                cpu = round_cpu(t, r)
                q = edgert_bench(args.edgert, path, None, t, q_est, args, budget, cpu)
                f = edgert_bench(args.edgert, f_path, None, t, f_est, args, budget, cpu) if f_path else None
                q_est = get(q, "p50") / 1e3 if get(q, "p50") else q_est
                f_est = get(f, "p50") / 1e3 if get(f, "p50") else f_est
                rounds[t][0].append(q)
                if f is not None:
                    rounds[t][1].append(f)
        for t in threads:
            q = combine_rounds(rounds[t][0])
            row["t"][t] = (median_load(q, []), median_load(combine_rounds(rounds[t][1]), []) if f_path else None)
        rows.append(row)
    return rows


def report(args, header_lines, rows, int8_rows, threads, baseline_rss, elapsed):
    out = ["# edgert vs ONNX Runtime", "",
           "Written by `make bench` (bench/run.sh, bench/bench.py); rerun it to refresh this file.", ""]
    out += header_lines
    out += [f"- whole run: {elapsed / 60:.1f} min, load average at the end {loadavg()} (other work on the "
            f"machine skews figures, the 2-thread ones most); timed runs per measurement sized to "
            f"~{args.budget:g} s (at least 3)", ""]

    if rows:
        out += float_section(args, rows, threads, baseline_rss)
    if int8_rows:
        out += [""] * bool(rows) + int8_section(int8_rows, threads)
    return "\n".join(out) + "\n"


def float_section(args, rows, threads, baseline_rss):
    out = ["## Float models: latency, memory, load", "",
           "Ratios are edgert / ONNX Runtime (below 1: edgert is faster or smaller). Each model is measured "
           f"{args.rounds} times at each thread count, the two runtimes in turn; p50 is the median over the "
           "rounds of the median over each round's timed runs (runs counts them all); a latency ratio (here and "
           "in the speedups) is the median over the rounds of the ratio within each round, whose two figures "
           "come seconds apart, so that a slow spell of the shared machine moves both"
           + (f"; at 1 thread both runtimes' runs of a round are pinned to one CPU (taskset), round r to "
              f"CPU {PIN_CPUS} [r mod {len(PIN_CPUS)}], as this VM's vCPUs need not run at one speed"
              if PIN_CPUS else "")
           + ". edgert's RSS is the "
           "peak of the whole `edgert bench` process; ONNX Runtime's is the RSS of its node process after the "
           "runs"
           + (f", of which ~{baseline_rss:.0f} MB is node with onnxruntime-node loaded and no session"
              if baseline_rss else "")
           + ". Load is reading and preparing the model (edgert: map, import, prepare, plan; ONNX Runtime: "
           f"InferenceSession.create), the median over {max(args.load_samples, args.rounds)} fresh processes of "
           "each. The max |diff| column is the largest |ONNX Runtime output - edgert output| over all thread "
           "counts and rounds, against max |edgert output| (same input, "
           f"uniform [-1, 1), seed 0); ok when <= {TOLERANCE:g} * max |y|. The torchvision models have seeded "
           "random weights (nothing can be downloaded here), which makes some outputs tiny.", ""]
    trows = []
    notes = Notes()
    for name, per_threads, err, scale, run_err in rows:
        if run_err:
            notes.add(name, None, "`edgert run`", run_err)
        for t in threads:
            e, o = per_threads[t]
            for who, d in (("edgert", e), ("ORT", o)):
                if "error" in d:
                    notes.add(name, t, who, d["error"])
            ok = "—"
            if err is not None and scale is not None:
                ok = "ok" if outputs_agree(err, scale) else "**MISMATCH**"
            trows.append([name, t, fmt(get(e, "p50")), fmt(get(o, "p50")), paired_ratio(e, o),
                          fmt(get(e, "rss_mb"), 2), fmt(get(o, "rss_mb"), 2),
                          ratio(get(e, "rss_mb"), get(o, "rss_mb")),
                          fmt(get(e, "load_ms"), 2), fmt(get(o, "load_ms"), 2),
                          ratio(get(e, "load_ms"), get(o, "load_ms")),
                          f"{get(e, 'runs') or '—'} / {get(o, 'runs') or '—'}",
                          f"{err:.2e} / {scale:.2g} {ok}" if err is not None and scale is not None else "—"])
    out.append(table(["model", "threads", "edgert p50 ms", "ORT p50 ms", "ratio", "edgert peak RSS MB",
                      "ORT RSS MB", "ratio", "edgert load ms", "ORT load ms", "ratio", "runs (edgert / ORT)",
                      "max \\|diff\\| / max \\|y\\|"], trows))
    out += notes.lines()

    if len(threads) > 1:
        t1, tn = threads[0], threads[-1]
        out += ["", f"## Speedup from {t1} to {tn} threads (p50 at {t1} / p50 at {tn}, paired by round)", ""]
        srows = []
        for name, per_threads, _, _, _ in rows:
            (e1, o1), (en, on) = per_threads[t1], per_threads[tn]
            srows.append([name, paired_ratio(e1, en), paired_ratio(o1, on)])
        out.append(table(["model", "edgert", "ONNX Runtime"], srows))
    return out


def int8_section(int8_rows, threads):
    out = ["## Int8 TFLite models (edgert only)", "",
           "ONNX Runtime does not read .tflite, so these run on edgert alone, each next to its float "
           "counterpart: from the same fixtures where one exists; person_detect_float is person_detect "
           "with its weights and biases dequantized and float32 activations "
           "(bench/make_float_counterpart.py); mobilenet_v1 (width 1.0, 224x224, 569 M multiply-adds) is "
           "built twice from the same seeded random weights, float32 and int8 quantized as the TFLite "
           "converter does, activation ranges calibrated on the float model (bench/make_mobilenet.py); "
           "micro_speech has none. Each pair is measured in rounds as the float models are, the int8 model "
           "and its counterpart in turn; p50 and load are medians over the rounds, int8 / float the median of "
           "the rounds' ratios. Random inputs of each "
           "model's own dtype for timing; the output diff "
           "is max |int8 output dequantized - float output| on the same float input (quantization "
           "error, not a bug) against max |float output|.", ""]
    irows = []
    for row in int8_rows:
        for t in threads:
            q, f = row["t"][t]
            diff, scale = row.get("diff"), row.get("scale")
            irows.append([row["name"], t, fmt(get(q, "p50")), fmt(get(q, "rss_mb"), 2),
                          fmt(get(q, "load_ms"), 2), row["float"] or "none",
                          fmt(get(f, "p50")), paired_ratio(q, f),
                          f"{diff:.3g} / {scale:.2g}" if diff is not None else "—"])
    out.append(table(["model", "threads", "edgert p50 ms", "peak RSS MB", "load ms", "float counterpart",
                      "float p50 ms", "int8 / float", "max \\|int8 - float\\| / max \\|float\\|"], irows))
    inotes = Notes()
    for row in int8_rows:
        if row["error"]:
            inotes.add(row["name"], None, "`edgert run`", row["error"])
        if row.get("float_error"):
            inotes.add(row["float"], None, "`edgert run`", row["float_error"])
        for t in threads:
            for who, d in zip((row["name"], row["float"]), row["t"][t]):
                if d and "error" in d:
                    inotes.add(who, t, "edgert", d["error"])
    out += inotes.lines()
    return out


def main():
    args = parse_args()
    start = time.time()
    threads = [t.strip() for t in args.threads.split(",") if t.strip()]
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    keep = (lambda n: n in only or n.replace(".tflite", "") in only) if only else (lambda n: True)
    os.makedirs(args.work, exist_ok=True)
    with open(os.path.join(args.node_path, "onnxruntime-node", "package.json")) as f:
        ort_version = json.load(f)["version"]

    zoo, torch_version = export_zoo([n for n in ZOO if keep(n)], args.work)
    header = machine_lines(args, ort_version, torch_version)
    models = [(n, zoo[n]) for n in ZOO if n in zoo]
    models += [(n, os.path.join(ROOT, "models", n + ".onnx")) for n in SHIPPED if keep(n)]
    rows = bench_float_models(args, models, threads)
    pairs = [(q, f, r) for q, f, r in INT8 if keep(q)]
    int8_rows = bench_int8_models(args, pairs, threads) if os.path.isdir(args.fixtures) else []
    text = report(args, header, rows, int8_rows, threads, node_baseline_rss(args), time.time() - start)
    with open(args.out, "w") as f:
        f.write(text)
    print(text)
    log(f"bench: wrote {args.out} in {(time.time() - start) / 60:.1f} min")
    bad = [r[0] for r in rows if r[2] is not None and r[3] is not None and not outputs_agree(r[2], r[3])]
    if bad:
        log(f"bench: ONNX Runtime and edgert outputs differ beyond tolerance on: {', '.join(bad)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
