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
    ok = got.shape == want.shape and np.allclose(got, want, rtol=1e-4, atol=1e-5)
    worst = float(np.max(np.abs(got - want) / (np.abs(want) + 1e-5))) if got.shape == want.shape else float("inf")
    check(ok, f"{name}: shape {got.shape} vs {want.shape}, worst relative difference {worst:.3g}")
    print(f"{name}: {x.shape[0]} inputs, worst relative difference to PyTorch {worst:.2e}")
finish()
