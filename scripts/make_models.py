#!/usr/bin/python3
"""Makes the small models edgert ships, with PyTorch (Debian python3-torch) and scikit-learn's bundled
digits (python3-sklearn), deterministically (fixed seeds, one thread). Writes:

  models/anomaly_autoencoder.onnx  16 sensor features -> reconstruction (MLP autoencoder)
  models/anomaly_autoencoder.json  the anomaly threshold on mean squared reconstruction error
  data/sensor_stream.npy           200 feature vectors with injected faults; data/sensor_stream_labels.npy
  models/digits_cnn.onnx           8x8 grayscale digit -> 10 class scores (small CNN)
  models/digits_labels.txt         class names, one per line
  data/digits_samples.npy          20 held-out digits [20, 1, 8, 8]; data/digits_samples_labels.npy
  models/forecast_lstm.onnx, models/forecast_gru.onnx
                                   24 past readings -> next 4 (sliding-window, multi-step forecasting)
  data/forecast_windows.npy        windows for them

and, for each model, PyTorch's own outputs on those inputs (tests/reference/<model>.{in,out}.npy), which
the tests compare edgert with. Usage: /usr/bin/python3 scripts/make_models.py [--out DIR]
"""
import argparse
import json
import os

import numpy as np
import torch
from torch import nn

torch.manual_seed(0)
torch.set_num_threads(1)
OPSET = 13


def export(model, example, path, names=("input", "output"), dynamic_batch=True):
    model.eval()
    axes = {names[0]: {0: "batch"}, names[1]: {0: "batch"}} if dynamic_batch else None
    torch.onnx.export(model, example, path, input_names=[names[0]], output_names=[names[1]],
                      opset_version=OPSET, dynamic_axes=axes, do_constant_folding=True)


def save_reference(root, name, x, model):
    ref = os.path.join(root, "tests", "reference")
    os.makedirs(ref, exist_ok=True)
    with torch.no_grad():
        y = model(torch.from_numpy(x)).numpy()
    np.save(os.path.join(ref, f"{name}.in.npy"), x)
    np.save(os.path.join(ref, f"{name}.out.npy"), y.astype(np.float32))


def train(model, x, y, epochs, lr=1e-2, loss_fn=None):
    loss_fn = loss_fn or nn.MSELoss()
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    for _ in range(epochs):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
    return float(loss)


# ---- anomaly detection on sensor feature vectors ----

def sensor_data(rng, n):
    """Feature vectors of a healthy machine: 4 latent factors (load, speed, temperature, vibration)
    mixed into 16 correlated features, plus a little noise."""
    mix = np.random.default_rng(7).normal(size=(4, 16)).astype(np.float32)
    latent = rng.normal(size=(n, 4)).astype(np.float32)
    return latent @ mix * 0.5 + rng.normal(scale=0.05, size=(n, 16)).astype(np.float32)


def make_anomaly(root):
    rng = np.random.default_rng(1)
    train_x = sensor_data(rng, 4000)
    model = nn.Sequential(nn.Linear(16, 12), nn.ReLU(), nn.Linear(12, 4), nn.ReLU(), nn.Linear(4, 12),
                          nn.ReLU(), nn.Linear(12, 16))
    loss = train(model, train_x, train_x, 1500, lr=5e-3)
    with torch.no_grad():
        err = ((model(torch.from_numpy(train_x)) - torch.from_numpy(train_x)) ** 2).mean(dim=1).numpy()
    threshold = float(np.percentile(err, 99.5) * 1.5)
    stream = sensor_data(rng, 200)
    labels = np.zeros(200, dtype=bool)
    for i in (37, 38, 90, 141, 142, 143, 177):  # faults: a stuck sensor, a spike, a drifting group
        kind = i % 3
        if kind == 0:
            stream[i, 3] = 4.0
        elif kind == 1:
            stream[i] += rng.normal(scale=1.5, size=16).astype(np.float32)
        else:
            stream[i, 8:12] += 2.5
        labels[i] = True
    export(model, torch.from_numpy(stream[:1]), os.path.join(root, "models", "anomaly_autoencoder.onnx"))
    with open(os.path.join(root, "models", "anomaly_autoencoder.json"), "w") as f:
        json.dump({"threshold": threshold, "features": 16, "score": "mean squared reconstruction error"}, f,
                  indent=1)
    np.save(os.path.join(root, "data", "sensor_stream.npy"), stream)
    np.save(os.path.join(root, "data", "sensor_stream_labels.npy"), labels)
    save_reference(root, "anomaly_autoencoder", stream, model)
    print(f"anomaly_autoencoder: train loss {loss:.4f}, threshold {threshold:.4f}")


# ---- image classification ----

class DigitsCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 16, 3, padding=1),
                                      nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(16 * 4 * 4, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


def make_digits(root):
    from sklearn.datasets import load_digits
    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
    y = digits.target.astype(np.int64)
    train_x, train_y, test_x, test_y = x[:1500], y[:1500], x[1500:], y[1500:]
    model = DigitsCNN()
    train(model, train_x, train_y, 120, lr=1e-2, loss_fn=nn.CrossEntropyLoss())
    model.eval()
    with torch.no_grad():
        accuracy = float((model(torch.from_numpy(test_x)).argmax(1).numpy() == test_y).mean())
    export(model, torch.from_numpy(test_x[:1]), os.path.join(root, "models", "digits_cnn.onnx"))
    with open(os.path.join(root, "models", "digits_labels.txt"), "w") as f:
        f.write("\n".join(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]) + "\n")
    np.save(os.path.join(root, "data", "digits_samples.npy"), test_x[:20])
    np.save(os.path.join(root, "data", "digits_samples_labels.npy"), test_y[:20])
    save_reference(root, "digits_cnn", test_x[:20], model)
    print(f"digits_cnn: held-out accuracy {accuracy:.3f} on {len(test_y)} digits")


# ---- time-series forecasting ----

class Forecaster(nn.Module):
    def __init__(self, cell):
        super().__init__()
        self.rnn = cell(input_size=1, hidden_size=16, batch_first=True)
        self.head = nn.Linear(16, 4)

    def forward(self, x):  # x: [batch, 24, 1] -> next 4 readings
        out, _ = self.rnn(x)
        return self.head(out[:, -1, :])


def series(n):
    t = np.arange(n, dtype=np.float32)
    return (np.sin(t * 0.3) + 0.5 * np.sin(t * 0.05) + 0.01 * t % 1.0).astype(np.float32)


def make_forecast(root):
    s = series(600)
    windows = np.stack([s[i:i + 24] for i in range(0, 560)])[:, :, None]
    targets = np.stack([s[i + 24:i + 28] for i in range(0, 560)])
    for name, cell in (("forecast_lstm", nn.LSTM), ("forecast_gru", nn.GRU)):
        torch.manual_seed(0)
        model = Forecaster(cell)
        loss = train(model, windows[:480], targets[:480], 300, lr=1e-2)
        export(model, torch.from_numpy(windows[:1]), os.path.join(root, "models", f"{name}.onnx"))
        save_reference(root, name, windows[480:496], model)
        print(f"{name}: train loss {loss:.5f}")
    np.save(os.path.join(root, "data", "forecast_windows.npy"), windows[480:496])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), ".."))
    root = os.path.abspath(parser.parse_args().out)
    os.makedirs(os.path.join(root, "models"), exist_ok=True)
    os.makedirs(os.path.join(root, "data"), exist_ok=True)
    make_anomaly(root)
    make_digits(root)
    make_forecast(root)


if __name__ == "__main__":
    main()
