"""torchvision's image classifiers, exported by PyTorch (Debian python3-torch, python3-torchvision) to
ONNX on demand, give PyTorch's own outputs within 1e-4 relative: mobilenet_v2, mobilenet_v3_small,
resnet18, squeezenet1_1, efficientnet_b0. Weights are seeded random (no downloads here); the models are
written to a temporary folder, not the repository. Skips with a message when PyTorch is absent."""
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "pylib"))
from edgert_test import check, finish, run  # noqa: E402

try:
    import torch
    import torchvision
except ImportError as e:
    print(f"SKIP: PyTorch/torchvision not installed ({e}); scripts/install-deps.sh installs them")
    sys.exit(0)

torch.set_num_threads(1)
MODELS = ["mobilenet_v2", "mobilenet_v3_small", "resnet18", "squeezenet1_1", "efficientnet_b0"]
with tempfile.TemporaryDirectory() as tmp:
    for name in MODELS:
        torch.manual_seed(0)
        model = getattr(torchvision.models, name)().eval()
        x = torch.from_numpy(np.random.default_rng(0).uniform(-1, 1, (1, 3, 224, 224)).astype(np.float32))
        path = os.path.join(tmp, name + ".onnx")
        torch.onnx.export(model, x, path, opset_version=13, input_names=["input"], output_names=["logits"])
        with torch.no_grad():
            want = model(x).numpy()
        got = run(path, [x.numpy()])[0]
        scale = float(np.max(np.abs(want)))
        worst = float(np.max(np.abs(got - want))) / scale if got.shape == want.shape else float("inf")
        check(got.shape == want.shape and np.allclose(got, want, rtol=1e-4, atol=1e-4 * scale),
              f"{name}: shape {got.shape} vs {want.shape}, max |diff| / max |y| = {worst:.2e}")
        print(f"{name}: max |edgert - PyTorch| / max |PyTorch| = {worst:.2e}")
finish()
