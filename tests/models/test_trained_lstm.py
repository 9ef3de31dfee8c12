"""trained_lstm and trained_lstm_int8 (UNIDIRECTIONAL_SEQUENCE_LSTM over MNIST rows) classify the ten
sample digits correctly."""
import os
import sys

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "pylib"))
from edgert_test import check, finish, fixture, run  # noqa: E402

for name in ("trained_lstm.tflite", "trained_lstm_int8.tflite"):
    model = fixture("models", name)
    correct = 0
    for digit in range(10):
        img = np.asarray(Image.open(fixture("mnist_samples", f"sample{digit}.png")), dtype=np.float32)
        if img.max() > 1:  # normalized as TFLM's mnist_lstm/evaluate.py does
            img = img / 255.0
        x = img.reshape(1, 28, 28).astype(np.float32)
        scores = run(model, [x], dequantize=True)[0].reshape(-1)
        guess = int(np.argmax(scores))
        correct += guess == digit
        check(guess == digit, f"{name}: sample{digit}.png classified as {guess}")
    print(f"{name}: {correct}/10 digits correct")
finish()
