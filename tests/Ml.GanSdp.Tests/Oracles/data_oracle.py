"""Oracles of the data/imaging tests: an independent image decoder (Pillow), IDX parsing with numpy, and
the PyTorch formulas of the image transforms. Arrays travel as .npy files."""
import gzip
import numpy as np


def pil_decode(path, mode="RGB"):
    """Decodes a file with Pillow (independent of OpenCV) into H x W x C uint8 (C = 1 for mode 'L')."""
    from PIL import Image
    with Image.open(path) as im:
        a = np.asarray(im.convert(mode), dtype=np.uint8)
    return a[:, :, None] if a.ndim == 2 else a


def idx_parse(path):
    """Parses an IDX file (gzip or raw) with numpy alone."""
    raw = open(path, "rb").read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    assert raw[0] == 0 and raw[1] == 0 and raw[2] == 8, "unsigned byte IDX expected"
    ndim = raw[3]
    dims = np.frombuffer(raw, dtype=">i4", count=ndim, offset=4)
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(tuple(int(d) for d in dims))


def make_grid_uint8(x, nrow=8, padding=2, pad_value=0.0):
    """torchvision.utils.make_grid(normalize=True, value_range=(-1, 1)) + save_image's conversion, in torch."""
    import math
    import torch
    x = x.clamp(-1, 1).add(1).div(2)
    n, c, h, w = x.shape
    xmaps = min(nrow, n)
    ymaps = int(math.ceil(float(n) / xmaps))
    height, width = h + padding, w + padding
    grid = x.new_full((c, height * ymaps + padding, width * xmaps + padding), pad_value)
    k = 0
    for y in range(ymaps):
        for xx in range(xmaps):
            if k >= n:
                break
            grid.narrow(1, y * height + padding, h).narrow(2, xx * width + padding, w).copy_(x[k])
            k += 1
    return grid.mul(255).add_(0.5).clamp_(0, 255).permute(1, 2, 0).to(torch.uint8)
