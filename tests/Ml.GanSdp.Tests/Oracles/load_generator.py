#!/usr/bin/env python3
"""Loads an Ml.GanSdp model zip into the equivalent PyTorch DCGAN generator and generates images.

The zip holds manifest.json and generator.safetensors (and generator_ema.safetensors when the run kept an EMA,
which is what Ml.GanSdp samples with). safetensors is parsed by hand (the package is not needed): a little-endian
u64 header length, a JSON header {name: {dtype, shape, data_offsets}}, then the raw little-endian data.

Usage: load_generator.py MODEL.zip Z.npy OUT.npy [LABELS.npy] [--entry generator.safetensors]
       load_generator.py MODEL.zip --seed SEED --count N OUT.npy     (z = torch.randn(N, nz, generator=manual_seed(SEED)))
Writes OUT.npy: float32 N x C x H x W in [-1, 1], computed in eval mode.
"""
import json
import struct
import sys
import zipfile

import numpy as np
import torch
import torch.nn as nn

DTYPES = {"F32": torch.float32, "F64": torch.float64, "F16": torch.float16, "I64": torch.int64, "I32": torch.int32,
          "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8, "BOOL": torch.bool}


def read_safetensors(data):
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    header.pop("__metadata__", None)
    body = data[8 + n:]
    out = {}
    for name, e in header.items():
        b, f = e["data_offsets"]
        dt = DTYPES[e["dtype"]]
        t = torch.frombuffer(bytearray(body[b:f]), dtype=dt) if f > b else torch.empty(0, dtype=dt)
        out[name] = t.reshape(e["shape"]).clone()
    return out


class CBN(nn.Module):
    """Conditional batch norm: BN without affine, then per-class gain and bias (Embeddings)."""

    def __init__(self, c, k):
        super().__init__()
        self.bn = nn.BatchNorm2d(c, affine=False)
        self.gamma = nn.Embedding(k, c)
        self.beta = nn.Embedding(k, c)

    def forward(self, x, y):
        return self.bn(x) * self.gamma(y).view(-1, x.size(1), 1, 1) + self.beta(y).view(-1, x.size(1), 1, 1)


class DcganGenerator(nn.Module):
    """pytorch/examples' DCGAN generator (module tree 'main', so the state-dict keys are main.0.weight, ...)."""

    STAGES = {64: lambda nz, w, nc: [(nz, 8*w, 4, 1, 0), (8*w, 4*w, 4, 2, 1), (4*w, 2*w, 4, 2, 1), (2*w, w, 4, 2, 1), (w, nc, 4, 2, 1)],
              32: lambda nz, w, nc: [(nz, 4*w, 4, 1, 0), (4*w, 2*w, 4, 2, 1), (2*w, w, 4, 2, 1), (w, nc, 4, 2, 1)],
              28: lambda nz, w, nc: [(nz, 4*w, 4, 1, 0), (4*w, 2*w, 3, 2, 1), (2*w, w, 4, 2, 1), (w, nc, 4, 2, 1)]}

    def __init__(self, nz, nc, size, w, classes=0):
        super().__init__()
        self.nz = nz
        stages = self.STAGES[size](nz, w, nc)
        self.main = nn.Sequential()
        for i, (a, b, k, s, p) in enumerate(stages):
            self.main.append(nn.ConvTranspose2d(a, b, k, s, p, bias=False))
            if i == len(stages) - 1:
                self.main.append(nn.Tanh())
                break
            self.main.append(CBN(b, classes) if classes else nn.BatchNorm2d(b))
            self.main.append(nn.ReLU())

    def forward(self, z, y=None):
        x = z.view(-1, self.nz, 1, 1)
        for m in self.main:
            x = m(x, y) if isinstance(m, CBN) else m(x)
        return x


def load(path, entry=None):
    with zipfile.ZipFile(path) as z:
        manifest = json.loads(z.read("manifest.json"))
        if manifest.get("format") != "ml-gansdp-model":
            raise SystemExit(f"{path}: not an Ml.GanSdp model file")
        if manifest["format_version"] > 1:
            raise SystemExit(f"{path}: format version {manifest['format_version']} is newer than this script (1)")
        names = z.namelist()
        entry = entry or ("generator_ema.safetensors" if "generator_ema.safetensors" in names else "generator.safetensors")
        state = read_safetensors(z.read(entry))
    o = manifest["model_options"]
    if manifest["architecture"] != "Dcgan":
        raise SystemExit(f"{path}: this script rebuilds DCGAN generators; the model is {manifest['architecture']}")
    g = DcganGenerator(o["latent_size"], o["channels"], o["image_size"], o["width"], o.get("num_classes", 0))
    result = g.load_state_dict(state, strict=False)
    bad_missing = [k for k in result.missing_keys if not k.endswith("num_batches_tracked")]
    if bad_missing or result.unexpected_keys:
        raise SystemExit(f"state dict mismatch: missing {bad_missing}, unexpected {result.unexpected_keys}")
    return g.eval(), manifest


def main(argv):
    entry = None
    if "--entry" in argv:
        i = argv.index("--entry")
        entry = argv[i + 1]
        del argv[i:i + 2]
    g, manifest = load(argv[0], entry)
    nz = manifest["latent_size"]
    if argv[1] == "--seed":
        seed, count, out = int(argv[2]), int(argv[4]), argv[5]
        z = torch.randn(count, nz, generator=torch.Generator().manual_seed(seed))
        labels = torch.arange(count) % manifest["num_classes"] if manifest["num_classes"] else None
    else:
        z = torch.from_numpy(np.load(argv[1])).float()
        out = argv[2]
        labels = torch.from_numpy(np.load(argv[3])).long() if len(argv) > 3 else None
    with torch.no_grad():
        x = g(z, labels)
    np.save(out, x.numpy().astype(np.float32))


if __name__ == "__main__":
    main(sys.argv[1:])
