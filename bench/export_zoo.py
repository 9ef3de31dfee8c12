"""Exports torchvision classifiers to ONNX the way tests/models/test_torchvision.py does: seeded random
weights (no pretrained weights can be downloaded here; latency does not depend on their values), opset 13,
input "input" [1, 3, 224, 224]. Run in its own process so that the benchmark's process, whose children
inherit its peak RSS on Linux, stays small.
usage: export_zoo.py OUT_DIR NAME...   (prints one JSON line: {"versions": ..., "exported": [NAME...]})"""
import json
import os
import sys
import time

try:
    import torch
    import torchvision
except ImportError as e:
    print(f"bench: PyTorch/torchvision missing ({e}): no torchvision models", file=sys.stderr)
    print(json.dumps({"versions": None, "exported": []}))
    sys.exit(0)

torch.set_num_threads(1)
out_dir, names = sys.argv[1], sys.argv[2:]
for name in names:
    torch.manual_seed(0)
    model = getattr(torchvision.models, name)().eval()
    t0 = time.time()
    torch.onnx.export(model, torch.zeros(1, 3, 224, 224), os.path.join(out_dir, name + ".onnx"), opset_version=13,
                      input_names=["input"], output_names=["logits"])
    print(f"bench: exported {name} in {time.time() - t0:.1f} s", file=sys.stderr)
print(json.dumps({"versions": f"torch {torch.__version__}, torchvision {torchvision.__version__}",
                  "exported": names}))
