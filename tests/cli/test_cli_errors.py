"""Bad input is expected: truncated, bit-flipped and garbage model files, missing files, wrong-shape,
wrong-dtype and non-npy inputs, wrong input counts, unknown options and thread counts out of range each
give exit code != 0 and one line on stderr naming what failed; --help works on every command; `run
--threads 2` writes what one thread does."""
import os
import random
import shutil
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "pylib"))
from edgert_test import check, cli, finish, fixture  # noqa: E402


def expect_error(args, must_mention):
    code, out, err = cli(*args, expect_ok=False)
    lines = [ln for ln in err.splitlines() if ln.strip()]
    check(code != 0 and code < 128, f"{args}: exit code {code} (want 1..127)")
    check(len(lines) == 1, f"{args}: stderr has {len(lines)} lines: {err!r}")
    check(must_mention.lower() in err.lower(), f"{args}: stderr {err.strip()!r} lacks {must_mention!r}")


tmp = tempfile.mkdtemp()
try:
    good = fixture("models", "hello_world_int8.tflite")
    data = open(good, "rb").read()
    x = os.path.join(tmp, "x.npy")
    np.save(x, np.zeros((1, 1), np.float32))
    out = os.path.join(tmp, "out")

    for cmd in ("info", "run"):
        code, stdout, _ = cli(cmd, "--help", expect_ok=False)
        check(code == 0 and "usage" in stdout, f"edgert {cmd} --help")
    code, stdout, _ = cli("--help", expect_ok=False)
    check(code == 0 and "usage" in stdout, "edgert --help")

    expect_error(["info", os.path.join(tmp, "missing.tflite")], "missing.tflite")
    expect_error(["frobnicate"], "unknown command")
    expect_error(["info", good, "--bogus"], "--bogus")

    garbage = os.path.join(tmp, "garbage.tflite")
    open(garbage, "wb").write(os.urandom(4096))
    expect_error(["info", garbage], "garbage.tflite")
    empty = os.path.join(tmp, "empty.tflite")
    open(empty, "wb").close()
    expect_error(["info", empty], "empty")

    # Every truncation must fail cleanly (never a crash: exit codes >= 128 are signals).
    trunc = os.path.join(tmp, "trunc.tflite")
    for n in list(range(0, 64)) + list(range(64, len(data), 97)):
        open(trunc, "wb").write(data[:n])
        code, _, err = cli("info", trunc, expect_ok=False)
        check(code != 0 and code < 128 and err.strip(), f"truncated to {n} bytes: exit {code}, stderr {err!r}")

    # Bit flips may leave a valid model; they must never crash.
    rng = random.Random(7)
    flipped = os.path.join(tmp, "flip.tflite")
    for _ in range(200):
        b = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
        open(flipped, "wb").write(bytes(b))
        code, _, err = cli("run", flipped, "--input", x, "--output-dir", out, expect_ok=False)
        check(code < 128, f"bit-flipped model crashed edgert (exit {code})")
        check(code == 0 or err.strip(), "bit-flipped model failed without a message")

    wrong_shape = os.path.join(tmp, "shape.npy")
    np.save(wrong_shape, np.zeros((1, 2), np.float32))
    expect_error(["run", good, "--input", wrong_shape, "--output-dir", out], "shape")
    wrong_dtype = os.path.join(tmp, "dtype.npy")
    np.save(wrong_dtype, np.zeros((1, 1), np.int32))
    expect_error(["run", good, "--input", wrong_dtype, "--output-dir", out], "dtype")
    not_npy = os.path.join(tmp, "text.npy")
    open(not_npy, "w").write("1.0\n")
    expect_error(["run", good, "--input", not_npy, "--output-dir", out], "npy")
    fortran = os.path.join(tmp, "fortran.npy")
    np.save(fortran, np.asfortranarray(np.zeros((2, 3), np.float32)))
    expect_error(["run", good, "--input", fortran, "--output-dir", out], "fortran")
    structured = os.path.join(tmp, "rec.npy")
    np.save(structured, np.zeros(3, dtype=[("a", "<f4")]))
    expect_error(["run", good, "--input", structured, "--output-dir", out], "dtype")
    nan = os.path.join(tmp, "nan.npy")
    np.save(nan, np.full((1, 1), np.nan, np.float32))
    expect_error(["run", good, "--input", nan, "--output-dir", out], "nan")
    expect_error(["run", good, "--output-dir", out], "input")
    expect_error(["run", good, "--input", x, "--input", x, "--output-dir", out], "input")
    expect_error(["run", good, "--input", x], "output-dir")
    expect_error(["run", good, "--input", os.path.join(tmp, "nope.npy"), "--output-dir", out], "nope.npy")

    # ONNX: truncations name the protobuf problem and its byte offset; flips never crash.
    source = os.environ.get("EDGERT_SOURCE", os.path.join(os.path.dirname(__file__), "..", ".."))
    onnx_model = os.path.join(source, "models", "digits_cnn.onnx")
    onnx_bytes = open(onnx_model, "rb").read()
    onnx_trunc = os.path.join(tmp, "trunc.onnx")
    for n in list(range(1, 40)) + list(range(40, len(onnx_bytes), 331)):
        open(onnx_trunc, "wb").write(onnx_bytes[:n])
        code, _, err = cli("info", onnx_trunc, expect_ok=False)
        check(code != 0 and code < 128 and err.strip(), f"ONNX truncated to {n} bytes: exit {code}, stderr {err!r}")
    expect_error(["info", onnx_trunc], "byte")
    digit = os.path.join(tmp, "digit.npy")
    np.save(digit, np.zeros((1, 1, 8, 8), np.float32))
    onnx_flip = os.path.join(tmp, "flip.onnx")
    for _ in range(200):
        b = bytearray(onnx_bytes)
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
        open(onnx_flip, "wb").write(bytes(b))
        code, _, err = cli("run", onnx_flip, "--input", digit, "--output-dir", out, expect_ok=False)
        check(code < 128, f"bit-flipped ONNX model crashed edgert (exit {code})")
        check(code == 0 or err.strip(), "bit-flipped ONNX model failed without a message")
    expect_error(["run", onnx_model, "--input", wrong_shape, "--output-dir", out], "expected [1, 1, 8, 8]")

    # The audio front ends use TFLite Micro's Signal custom ops, which come later: refused by name.
    for name in ("audio_preprocessor_float.tflite", "audio_preprocessor_int8.tflite"):
        expect_error(["info", fixture("models", name)], "custom op Signal")

    # --threads: a count out of range names the option (or the limit); two threads give the same output.
    expect_error(["run", good, "--input", x, "--output-dir", out, "--threads", "0"], "--threads")
    expect_error(["run", good, "--input", x, "--output-dir", out, "--threads", "65"], "64")
    expect_error(["run", good, "--input", x, "--output-dir", out, "--threads"], "--threads")
    person = fixture("models", "person_detect.tflite")
    image = os.path.join(tmp, "image.npy")
    np.save(image, np.random.default_rng(3).integers(-128, 128, (1, 96, 96, 1)).astype(np.int8))
    outputs = []
    for threads in ("1", "2"):
        code, _, err = cli("run", person, "--input", image, "--output-dir", os.path.join(tmp, "t" + threads),
                           "--threads", threads, expect_ok=False)
        if code == 0:
            outputs.append(np.load(os.path.join(tmp, "t" + threads, "output_0.npy")))
        else:  # a build without EDGERT_THREADS refuses more than one thread, and says so
            check(threads == "2" and "EDGERT_THREADS" in err, f"run --threads {threads}: exit {code}, {err!r}")
    if len(outputs) == 2:
        check(np.array_equal(outputs[0], outputs[1]), f"--threads 2 output {outputs[1]} != {outputs[0]}")

    # Resource limits from the command line: person_detect has 31 operators, 300 KB of weights and a
    # 1152-element tensor, so each tight limit refuses it naming the limit; bad values name the option;
    # limits it fits under change nothing.
    run_person = ["run", person, "--input", image, "--output-dir", os.path.join(tmp, "lim")]
    expect_error(run_person + ["--max-nodes", "30"], "31 operators")
    expect_error(run_person + ["--max-tensor-elements", "1000"], "1152 elements")
    expect_error(run_person + ["--max-arena-bytes", "100000"], "beyond the limit of 100000")
    expect_error(["info", person, "--max-nodes", "5"], "limit of 5")
    expect_error(["bench", person, "--max-tensor-elements", "100"], "limit of 100")
    for bad in ("0", "-3", "x", "99999999999"):
        expect_error(run_person + ["--max-nodes", bad], "--max-nodes")
    expect_error(run_person + ["--max-loop-iterations"], "--max-loop-iterations")
    code, _, err = cli(*run_person, "--max-nodes", "31", "--max-tensor-elements", "100000", "--max-arena-bytes",
                       "2000000", "--max-loop-iterations", "1", expect_ok=False)
    check(code == 0, f"run under limits person_detect fits: exit {code}, {err!r}")
    if code == 0 and outputs:
        check(np.array_equal(np.load(os.path.join(tmp, "lim", "output_0.npy")), outputs[0]),
              "run under limits gave another output")

    # A good run still works after all that.
    code, _, err = cli("run", good, "--input", x, "--output-dir", out, expect_ok=False)
    check(code == 0 and os.path.exists(os.path.join(out, "output_0.npy")), f"good run: {err}")
finally:
    shutil.rmtree(tmp)
finish()
