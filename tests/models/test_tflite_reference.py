"""edgert against TensorFlow Lite itself (WebAssembly build, ../shared/tools/tflite_ref.js) on the
fixture models it accepts, with seeded random inputs. Also proves the keyword (SVDF) and micro_speech
models load and run.

Float outputs agree within 1e-5 relative. Integer outputs: that build hands int8 FULLY_CONNECTED and
CONV layers to XNNPACK, which requantizes in float32 instead of TFLite's fixed-point multiplier, so a
layer's rounding can move by one step (hello_world_int8 at x = 2.5646: TFLite's reference arithmetic,
worked by hand, gives 70 as edgert does; XNNPACK gives 69). Integer outputs must therefore be within
2 steps, and the test prints how many are identical. Value-for-value exactness is proven where the
reference is exact: the seanet goldens (int16) and the kernel tests' vectors from TFLite's own tests."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "pylib"))
from edgert_test import check, finish, fixture, info, run, tflite_reference  # noqa: E402

MODELS = ["hello_world_float", "hello_world_int8", "micro_speech_quantized", "keyword_scrambled",
          "keyword_scrambled_8bit", "trained_lstm", "trained_lstm_int8"]
DTYPES = {"float32": np.float32, "int8": np.int8, "uint8": np.uint8, "int16": np.int16, "int32": np.int32}


def random_input(spec, rng):
    dtype = DTYPES[spec["dtype"]]
    if dtype == np.float32:
        return rng.uniform(-1.0, 1.0, size=spec["shape"]).astype(np.float32)
    lim = np.iinfo(dtype)
    return rng.integers(lim.min, lim.max, size=spec["shape"], endpoint=True).astype(dtype)


rng = np.random.default_rng(20261126)
for name in MODELS:
    model = fixture("models", name + ".tflite")
    meta = info(model)
    exact = [0, 0]
    for trial in range(3):
        inputs = [random_input(spec, rng) for spec in meta["inputs"]]
        ours = run(model, inputs)
        theirs = tflite_reference(model, inputs)
        check(len(ours) == len(theirs), f"{name}: {len(ours)} outputs vs TFLite {len(theirs)}")
        for k, (a, b) in enumerate(zip(ours, theirs)):
            b = b.reshape(a.shape) if a.size == b.size else b
            if a.dtype.kind == "f":
                ok = a.shape == b.shape and np.allclose(a, b, rtol=1e-5, atol=1e-6)
            else:
                ok = a.shape == b.shape and a.dtype == b.dtype
                ok = ok and int(np.max(np.abs(a.astype(np.int64) - b.astype(np.int64)), initial=0)) <= 2
                exact[0] += int(np.sum(a == b)) if a.shape == b.shape else 0
                exact[1] += a.size
            check(ok, f"{name} trial {trial} output {k}: edgert {a.reshape(-1)[:8]} vs TFLite {b.reshape(-1)[:8]}")
    print(f"{name}: compared with TensorFlow Lite ({exact[0]}/{exact[1]} integer outputs identical)")
finish()
