"""seanet: every per-layer int16x8 model (16-bit activations, 8-bit weights) made by TensorFlow gives
its golden csv output value for value."""
import glob
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "pylib"))
from edgert_test import check, finish, fixture, info, run  # noqa: E402


def read_csv(path):
    text = open(path).read().replace("\n", ",")
    return np.array([int(v) for v in text.split(",") if v.strip()], dtype=np.int64)


models = sorted(glob.glob(fixture("seanet", "*", "*.tflite")),
                key=lambda p: (os.path.dirname(p), int(re.sub(r"\D", "", os.path.basename(p)) or 0)))
check(len(models) == 127, f"expected 127 seanet models, found {len(models)}")
matched = 0
for model in models:
    stem = model[:-len(".tflite")]
    meta = info(model)
    inputs = []
    for k, spec in enumerate(meta["inputs"]):
        values = read_csv(glob.glob(f"{stem}_input{k}_*.csv")[0])
        dtype = np.dtype({"int16": np.int16, "int32": np.int32, "int8": np.int8}[spec["dtype"]])
        inputs.append(values.astype(dtype).reshape(spec["shape"]))
    try:
        out = run(model, inputs)[0].reshape(-1).astype(np.int64)
    except RuntimeError as e:
        check(False, f"{os.path.basename(model)}: {e}")
        continue
    golden = read_csv(glob.glob(f"{stem}_golden_*.csv")[0])
    same = out.shape == golden.shape and np.array_equal(out, golden)
    if not same and out.shape == golden.shape:
        bad = np.flatnonzero(out != golden)
        detail = f"{len(bad)} of {golden.size} differ, first at {bad[0]}: got {out[bad[0]]} want {golden[bad[0]]}"
    else:
        detail = f"shape {out.shape} vs golden {golden.shape}"
    matched += same
    check(same, f"{os.path.relpath(model, fixture('seanet'))}: {detail if not same else ''}")
print(f"seanet: {matched}/{len(models)} models equal their golden output")
finish()
