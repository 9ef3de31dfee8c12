"""`make demo` (build/edgert-demo) on the shipped models flags exactly the sensor vectors PyTorch's own
reconstruction errors flag, and its top-1 digit for each sample is PyTorch's argmax (outputs saved by
scripts/make_models.py in tests/reference/)."""
import json
import os
import re
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "pylib"))
from edgert_test import CLI, SOURCE, check, finish  # noqa: E402

demo = os.path.join(os.path.dirname(CLI), "edgert-demo")
p = subprocess.run([demo, SOURCE], capture_output=True, text=True, timeout=300)
print(p.stdout)
check(p.returncode == 0, f"edgert-demo failed ({p.returncode}): {p.stderr.strip()}")

ref = os.path.join(SOURCE, "tests", "reference")
x, y = np.load(os.path.join(ref, "anomaly_autoencoder.in.npy")), np.load(os.path.join(ref, "anomaly_autoencoder.out.npy"))
threshold = json.load(open(os.path.join(SOURCE, "models", "anomaly_autoencoder.json")))["threshold"]
want_flagged = set(np.flatnonzero(((x - y) ** 2).mean(axis=1) > threshold).tolist())
got_flagged = {int(m) for m in re.findall(r"ANOMALY\s+vector\s+(\d+)", p.stdout)}
check(got_flagged == want_flagged, f"flagged {sorted(got_flagged)}, PyTorch flags {sorted(want_flagged)}")

labels = open(os.path.join(SOURCE, "models", "digits_labels.txt")).read().split()
want_top1 = [labels[i] for i in np.load(os.path.join(ref, "digits_cnn.out.npy")).argmax(axis=1)]
got_top1 = re.findall(r"digit\s+\d+:\s+(\w+)", p.stdout)
check(got_top1 == want_top1, f"top-1 {got_top1}, PyTorch {want_top1}")
check("latency" in p.stdout and " ms" in p.stdout, "the demo reports latency")
finish()
