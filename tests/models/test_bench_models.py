"""The float counterparts the bench writes for its int8 table are the networks they claim to be.

person_detect_float (bench/make_float_counterpart.py): on the fixture images its softmax is close to the
int8 model's dequantized one and makes the same call, and TensorFlow Lite itself gives the same output on
it. The MobileNet v1 pair (bench/make_mobilenet.py): TensorFlow Lite agrees with edgert on the float model,
the int8 model's probabilities stay close to the float model's, and TensorFlow Lite accepts the int8
model with outputs a few steps from edgert's: that build's XNNPACK requantizes in float32, which moves a
layer's rounding by one step (see test_tflite_reference.py), and those steps add up over 28 layers (2 at
the probabilities here; up to 13 in the middle layers)."""
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "pylib"))
import edgert_test  # noqa: E402
from edgert_test import check, finish, fixture, run, tflite_reference  # noqa: E402

BENCH = os.path.join(HERE, "..", "..", "bench")


def bmp_pixels(path):
    """An 8-bit BMP's pixels, top row first (as test_person_detect.py reads them)."""
    data = open(path, "rb").read()
    offset, = struct.unpack_from("<I", data, 10)
    width, height = struct.unpack_from("<ii", data, 18)
    row = (width + 3) & ~3
    rows = [data[offset + r * row: offset + r * row + width] for r in range(abs(height))]
    if height > 0:  # stored bottom-up
        rows.reverse()
    return np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(abs(height), width)


def make(script, *args):
    subprocess.run([sys.executable, os.path.join(BENCH, script), *map(str, args)], check=True)


def close_to_tflite(model, x, ours, what):
    theirs = tflite_reference(model, [x])[0]
    err = float(np.max(np.abs(ours - theirs)))
    print(f"{what}: max |edgert - TFLite| {err:.2e}")
    check(err <= 1e-5 * (1 + float(np.max(np.abs(theirs)))), f"{what}: edgert and TFLite differ by {err}")


def person_detect(tmp):
    int8_model, float_model = fixture("models", "person_detect.tflite"), os.path.join(tmp, "pd_float.tflite")
    make("make_float_counterpart.py", int8_model, float_model)
    for image, expect_person in (("person.bmp", True), ("no_person.bmp", False)):
        x = bmp_pixels(fixture("data", image)).view(np.int8).reshape(1, 96, 96, 1)
        xf = ((x.astype(np.float32) + 1) * np.float32(0.00784313772)).astype(np.float32)  # input quantization
        q = run(int8_model, [x], dequantize=True)[0].reshape(-1)
        f = run(float_model, [xf])[0].reshape(-1)
        print(f"person_detect {image}: int8 {q}, float {f}")
        check(np.max(np.abs(q - f)) <= 0.02, f"{image}: int8 {q} and float {f} probabilities differ")
        check((f[1] > f[0]) == expect_person, f"{image}: float twin says person={f[1]}, no person={f[0]}")
        close_to_tflite(float_model, xf, f, f"person_detect_float {image}")


def mobilenet(tmp):
    make("make_mobilenet.py", edgert_test.CLI, tmp)
    float_model, int8_model = (os.path.join(tmp, f"mobilenet_v1_{k}.tflite") for k in ("float", "int8"))
    x = np.random.default_rng(5).uniform(-1, 1, (1, 224, 224, 3)).astype(np.float32)
    f = run(float_model, [x])[0]
    q = run(int8_model, [x], dequantize=True)[0]
    err = float(np.max(np.abs(q - f)))
    print(f"mobilenet_v1: max probability float {f.max():.3f}, int8 {q.max():.3f}, max |int8 - float| {err:.4f}")
    check(f.max() > 0.02, f"mobilenet_v1: float softmax is flat (max {f.max()}), the test proves nothing")
    check(err <= 0.03, f"mobilenet_v1: int8 and float probabilities differ by {err}")
    close_to_tflite(float_model, x, f, "mobilenet_v1_float")
    xq = np.clip(np.round(x * 127.5) - 1, -128, 127).astype(np.int8)
    ours = run(int8_model, [xq])[0].astype(np.int32)
    theirs = tflite_reference(int8_model, [xq])[0].astype(np.int32)
    steps = int(np.max(np.abs(ours - theirs)))
    print(f"mobilenet_v1_int8: max |edgert - TFLite| {steps} steps, {np.mean(ours == theirs):.1%} identical")
    check(steps <= 4, f"mobilenet_v1_int8: edgert and TFLite differ by {steps} steps")


with tempfile.TemporaryDirectory() as work:
    person_detect(work)
    mobilenet(work)
finish()
