"""The models edgert ships (scripts/make_models.py: exported from PyTorch to ONNX) give PyTorch's own
outputs, saved by that script in tests/reference/, within 1e-4 relative (plus 1e-5 absolute for values
near zero), run through `edgert run` on the whole batch of reference inputs."""
import glob
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "pylib"))
from edgert_test import SOURCE, check, finish, run  # noqa: E402

references = sorted(glob.glob(os.path.join(SOURCE, "tests", "reference", "*.in.npy")))
check(len(references) >= 4, f"expected the reference outputs of 4 models, found {len(references)}")
for ref_in in references:
    name = os.path.basename(ref_in)[:-len(".in.npy")]
    model = os.path.join(SOURCE, "models", name + ".onnx")
    x = np.load(ref_in)
    want = np.load(ref_in.replace(".in.npy", ".out.npy"))
    try:
        got = run(model, [x])[0]
    except RuntimeError as e:
        check(False, f"{name}: {e}")
        continue
    # the share of the allowed error used, worst element: |diff| / (1e-5 + 1e-4 |PyTorch|); <= 1 passes
    used = float(np.max(np.abs(got - want) / (1e-5 + 1e-4 * np.abs(want)))) if got.shape == want.shape else float("inf")
    check(used <= 1.0, f"{name}: shape {got.shape} vs {want.shape}, {used:.3g} of the allowed error")
    print(f"{name}: {x.shape[0]} inputs, max |diff| {float(np.max(np.abs(got - want))):.2e}, "
          f"{used:.3f} of the allowed error (1e-4 relative + 1e-5)")
finish()
