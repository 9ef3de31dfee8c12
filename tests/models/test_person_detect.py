"""person_detect (MobileNet-v1 0.25 int8): person.bmp scores person above no person, no_person.bmp the
reverse. Input as the upstream TFLM test feeds it: BMP pixels, top row first, bytes copied unchanged into
the int8 tensor."""
import os
import struct
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "pylib"))
from edgert_test import check, finish, fixture, run  # noqa: E402


def bmp_pixels(path):
    data = open(path, "rb").read()
    offset, = struct.unpack_from("<I", data, 10)
    width, height = struct.unpack_from("<ii", data, 18)
    bpp, = struct.unpack_from("<H", data, 28)
    assert bpp == 8, f"{path}: {bpp} bits per pixel"
    row = (width + 3) & ~3
    rows = [data[offset + r * row: offset + r * row + width] for r in range(abs(height))]
    if height > 0:  # stored bottom-up
        rows.reverse()
    return np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(abs(height), width)


model = fixture("models", "person_detect.tflite")
for image, expect_person in (("person.bmp", True), ("no_person.bmp", False)):
    pixels = bmp_pixels(fixture("data", image))
    x = pixels.view(np.int8).reshape(1, 96, 96, 1)
    scores = run(model, [x])[0].reshape(-1)
    no_person, person = int(scores[0]), int(scores[1])
    print(f"{image}: person {person} no_person {no_person}")
    check((person > no_person) == expect_person, f"{image}: person={person} no_person={no_person}")
finish()
