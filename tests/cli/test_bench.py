"""`edgert bench`: the JSON report has the keys DESIGN.md's CLI contract names (plus kernel_bytes),
consistent statistics (min <= p50 <= p95 <= p99 <= max), the arena and kernel data sizes `edgert info`
reports, per-op counts equal to runs x ops of that kind with --profile, --threads 2 runs and says so,
and bad arguments (including more than 64 threads) fail with one line."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "pylib"))
from edgert_test import SOURCE, check, cli, finish, fixture, info  # noqa: E402

for model in (fixture("models", "person_detect.tflite"), fixture("models", "hello_world_int8.tflite"),
              os.path.join(SOURCE, "models", "digits_cnn.onnx")):
    out = json.loads(cli("bench", model, "--json", "--runs", "12", "--warmup", "2", "--profile")[1])
    for key in ("load_ms", "latency_ms", "peak_rss_kb", "arena_bytes", "kernel_bytes", "model_bytes", "threads",
                "runs"):
        check(key in out, f"{model}: key {key} missing")
    lat = out["latency_ms"]
    check(lat["min"] <= lat["p50"] <= lat["p95"] <= lat["p99"] <= lat["max"], f"{model}: percentiles {lat}")
    check(lat["min"] <= lat["mean"] <= lat["max"] and lat["std"] >= 0, f"{model}: mean/std {lat}")
    check(out["runs"] == 12 and out["threads"] == 1, f"{model}: runs/threads {out['runs']} {out['threads']}")
    meta = info(model)
    check(out["arena_bytes"] == meta["arena_bytes"] and out["model_bytes"] == meta["model_bytes"] and
          out["kernel_bytes"] == meta["kernel_bytes"],
          f"{model}: arena/kernel/model bytes {out['arena_bytes']}/{out['kernel_bytes']}/{out['model_bytes']} "
          f"vs info {meta}")
    counts = {p["op"]: p["count"] for p in out["profile"]}
    for op, n in meta["ops"].items():
        if op in counts:  # ops folded at prepare never run
            check(counts[op] == 12 * n, f"{model}: {op} ran {counts[op]} times, expected {12 * n}")
    check(out["peak_rss_kb"] > 0, f"{model}: peak RSS {out['peak_rss_kb']}")
    print(f"{os.path.basename(model)}: p50 {lat['p50']:.4f} ms, arena {out['arena_bytes']} bytes")

text = cli("bench", fixture("models", "hello_world_float.tflite"), "--runs", "3")[1]
check("p50" in text and "throughput" in text and "kernel data" in text, f"text report: {text}")
code, stdout, err = cli("bench", fixture("models", "person_detect.tflite"), "--json", "--runs", "3", "--threads", "2",
                        expect_ok=False)
if code == 0:
    two = json.loads(stdout)
    check(two["threads"] == 2 and two["runs"] == 3, f"--threads 2: {two}")
else:  # a build without EDGERT_THREADS refuses, and says so
    check("EDGERT_THREADS" in err and len(err.strip().splitlines()) == 1, f"--threads 2: exit {code}, {err!r}")
for args, mention in ((["--runs", "0"], "--runs"), (["--threads", "0"], "--threads"), (["--threads", "65"], "64"),
                      (["--bogus"], "--bogus")):
    code, _, err = cli("bench", fixture("models", "hello_world_float.tflite"), *args, expect_ok=False)
    check(code != 0 and code < 128 and len(err.strip().splitlines()) == 1 and mention in err,
          f"bench {args}: exit {code}, stderr {err!r}")
code, stdout, _ = cli("bench", "--help", expect_ok=False)
check(code == 0 and "usage" in stdout, "bench --help")
finish()
