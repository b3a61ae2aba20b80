"""Oracles of the DataSources tests, independent of .NET and SkiaSharp: IDX parsing with numpy + gzip, image
decoding with Pillow, and torchvision's make_grid + save_image conversion. Results are printed as JSON.

  idx <images> <labels> <n>              dims, the first n labels and images (flattened), pixel sum, label counts
  decode <file> <mode>                   Pillow's decode of <file> converted to mode RGB or L, as [C, H, W]
  make <dir>                             writes test images with Pillow: rgb.png rgba.png palette.png gray.png photo.jpg gray.jpg img.bmp
  grid <raw f32> <n> <c> <h> <w> <nrow> <padding> <pad_value> <lo> <hi> [labels csv]
                                         the uint8 grid torchvision computes (per-class rows when labels are given)
"""
import gzip
import json
import math
import sys

import numpy as np


def idx_parse(path):
    raw = open(path, "rb").read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    assert raw[0] == 0 and raw[1] == 0 and raw[2] == 8, "unsigned byte IDX expected"
    ndim = raw[3]
    dims = [int(d) for d in np.frombuffer(raw, dtype=">i4", count=ndim, offset=4)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def decode(path, mode):
    from PIL import Image
    with Image.open(path) as im:
        a = np.asarray(im.convert(mode), dtype=np.uint8)
    if a.ndim == 2:
        a = a[None, :, :]
    else:
        a = a.transpose(2, 0, 1)
    return a


def make(d):
    """Deterministic images written by Pillow (an encoder independent of SkiaSharp)."""
    import os
    from PIL import Image
    rng = np.random.default_rng(7)
    rgb = rng.integers(0, 256, size=(13, 17, 3), dtype=np.uint8)
    Image.fromarray(rgb, "RGB").save(os.path.join(d, "rgb.png"))
    rgba = rng.integers(0, 256, size=(9, 11, 4), dtype=np.uint8)
    Image.fromarray(rgba, "RGBA").save(os.path.join(d, "rgba.png"))
    Image.fromarray(rgb, "RGB").convert("P", palette=Image.ADAPTIVE, colors=16).save(os.path.join(d, "palette.png"))
    gray = rng.integers(0, 256, size=(10, 7), dtype=np.uint8)
    Image.fromarray(gray, "L").save(os.path.join(d, "gray.png"))
    yy, xx = np.mgrid[0:24, 0:32]
    smooth = np.stack([xx * 8, yy * 10, (xx + yy) * 4], axis=-1).astype(np.uint8)
    Image.fromarray(smooth, "RGB").save(os.path.join(d, "photo.jpg"), quality=90)
    Image.fromarray(smooth[:, :, 0], "L").save(os.path.join(d, "gray.jpg"), quality=90)
    Image.fromarray(rgb, "RGB").save(os.path.join(d, "img.bmp"))


def save_image_bytes(grid):
    """torchvision.utils.save_image's conversion of a [0, 1] grid to bytes."""
    import torch
    return grid.mul(255).add_(0.5).clamp_(0, 255).to(torch.uint8)


def plain_grid(x, nrow, padding, pad_value, lo, hi):
    import torchvision
    g = torchvision.utils.make_grid(x, nrow=nrow, padding=padding, pad_value=pad_value, normalize=True, value_range=(lo, hi))
    if x.shape[1] == 1:
        g = g[:1]  # make_grid repeats a single channel three times
    return save_image_bytes(g)


def class_grid(x, labels, nrow, padding, pad_value, lo, hi):
    """Per-class rows, written from the spec: class k's images (in order) fill ceil(n_k / cols) rows (at least one),
    cols = min(nrow, largest class); the normalisation is make_grid's (clamp to [lo, hi], scale to [0, 1])."""
    import torch
    n, c, h, w = x.shape
    x = x.clone().clamp_(min=lo, max=hi).sub_(lo).div_(max(hi - lo, 1e-5))
    k_max = max(labels)
    counts = [labels.count(k) for k in range(k_max + 1)]
    cols = min(nrow, max(counts))
    rows_of = [max(1, math.ceil(cnt / cols)) for cnt in counts]
    grid = torch.full((c, sum(rows_of) * (h + padding) + padding, cols * (w + padding) + padding), float(pad_value))
    top = 0
    for k in range(k_max + 1):
        members = [i for i in range(n) if labels[i] == k]
        for j, i in enumerate(members):
            r, q = top + j // cols, j % cols
            grid[:, r * (h + padding) + padding: r * (h + padding) + padding + h, q * (w + padding) + padding: q * (w + padding) + padding + w] = x[i]
        top += rows_of[k]
    return save_image_bytes(grid)


def main():
    cmd = sys.argv[1]
    if cmd == "idx":
        images, labels, n = idx_parse(sys.argv[2]), idx_parse(sys.argv[3]), int(sys.argv[4])
        print(json.dumps({"dims": list(images.shape), "label_count": int(labels.shape[0]),
                          "labels": labels[:n].tolist(), "images": images[:n].reshape(n, int(np.prod(images.shape[1:]))).tolist(),
                          "pixel_sum": int(images.sum(dtype=np.int64)),
                          "label_counts": np.bincount(labels, minlength=10).tolist()}))
    elif cmd == "decode":
        a = decode(sys.argv[2], sys.argv[3])
        print(json.dumps({"shape": list(a.shape), "values": a.reshape(-1).tolist()}))
    elif cmd == "make":
        make(sys.argv[2])
        print(json.dumps({"ok": True}))
    elif cmd == "grid":
        import torch
        torch.set_num_threads(1)
        path, n, c, h, w, nrow, padding = sys.argv[2], *map(int, sys.argv[3:9])
        pad_value, lo, hi = map(float, sys.argv[9:12])
        x = torch.from_numpy(np.fromfile(path, dtype="<f4").reshape(n, c, h, w).copy())
        if len(sys.argv) > 12:
            g = class_grid(x, [int(v) for v in sys.argv[12].split(",")], nrow, padding, pad_value, lo, hi)
        else:
            g = plain_grid(x, nrow, padding, pad_value, lo, hi)
        print(json.dumps({"shape": list(g.shape), "values": g.reshape(-1).tolist()}))
    else:
        raise SystemExit("unknown command " + cmd)


if __name__ == "__main__":
    main()
