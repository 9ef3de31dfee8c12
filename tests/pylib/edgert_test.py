"""Helpers for Python tests that drive the edgert CLI: paths, running commands, .npy round trips."""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

FIXTURES = os.environ.get("EDGERT_FIXTURES", os.path.join(os.path.dirname(__file__), "../../../shared/fixtures/tflite-micro"))
CLI = os.environ.get("EDGERT_CLI", os.path.join(os.path.dirname(__file__), "../../build/edgert"))
SHARED = os.environ.get("EDGERT_SHARED", os.path.join(os.path.dirname(__file__), "../../../shared"))

SOURCE = os.environ.get("EDGERT_SOURCE", os.path.join(os.path.dirname(__file__), "..", ".."))
TFLITE_WASM = os.path.join(SOURCE, ".deps", "node_modules", "@tensorflow", "tfjs-tflite", "wasm")

failures = []


def fixture(*parts):
    return os.path.join(FIXTURES, *parts)


def check(cond, message):
    if not cond:
        failures.append(message)
        print("FAIL", message, file=sys.stderr)
    return cond


def cli(*args, expect_ok=True):
    """Runs the CLI; returns (exit code, stdout, stderr)."""
    p = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, timeout=600)
    if expect_ok and p.returncode != 0:
        raise RuntimeError(f"edgert {' '.join(map(str, args))} failed ({p.returncode}): {p.stderr.strip()}")
    return p.returncode, p.stdout, p.stderr


def info(model):
    return json.loads(cli("info", model, "--json")[1])


def run(model, inputs, dequantize=False):
    """Runs model on a list of numpy arrays; returns the list of output arrays."""
    with tempfile.TemporaryDirectory() as tmp:
        args = ["run", model]
        for k, x in enumerate(inputs):
            path = os.path.join(tmp, f"in{k}.npy")
            np.save(path, x)
            args += ["--input", path]
        out = os.path.join(tmp, "out")
        args += ["--output-dir", out]
        if dequantize:
            args.append("--dequantize")
        cli(*args)
        n = len([f for f in os.listdir(out) if f.startswith("output_")])
        return [np.load(os.path.join(out, f"output_{k}.npy")) for k in range(n)]


def finish():
    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        sys.exit(1)
    print("all checks passed")


def tflite_reference(model, inputs):
    """Runs TensorFlow Lite itself (../shared/tools/tflite_ref.js, WebAssembly) on numpy inputs and
    returns its outputs. Installed by scripts/install-deps.sh into .deps/."""
    if not os.path.isdir(TFLITE_WASM):
        raise RuntimeError(f"TensorFlow Lite reference missing at {TFLITE_WASM}: run scripts/install-deps.sh")
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for k, x in enumerate(inputs):
            paths.append(os.path.join(tmp, f"in{k}.npy"))
            np.save(paths[-1], x)
        env = dict(os.environ, TFLITE_WASM_DIR=TFLITE_WASM)
        runner = os.path.join(SHARED, "tools", "tflite_ref.js")
        p = subprocess.run(["node", runner, model, os.path.join(tmp, "out"), *paths], capture_output=True,
                           text=True, env=env, timeout=300)
        if p.returncode != 0:
            raise RuntimeError(f"TensorFlow Lite failed on {model}: {p.stderr.strip()}")
        n = len(json.loads(p.stdout.strip().splitlines()[-1])["outputs"])
        return [np.load(os.path.join(tmp, "out", f"output_{k}.npy")) for k in range(n)]
