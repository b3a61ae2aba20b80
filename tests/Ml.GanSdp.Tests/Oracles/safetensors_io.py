"""A hand-written safetensors reader and writer (the safetensors package is not installed), used as the oracle
for Ml.GanSdp.Serialization.Safetensors. Follows the reference layout: u64 LE header length, JSON header padded
with spaces to a multiple of 8, data sorted by dtype (widest first) then name, packed without gaps."""
import json
import struct

import torch

CODES = {torch.bool: "BOOL", torch.uint8: "U8", torch.int8: "I8", torch.int16: "I16", torch.float16: "F16",
         torch.int32: "I32", torch.float32: "F32", torch.float64: "F64", torch.int64: "I64"}
DTYPES = {v: k for k, v in CODES.items()}
ORDER = {"BOOL": 0, "U8": 1, "I8": 2, "I16": 5, "F16": 7, "I32": 9, "F32": 11, "F64": 12, "I64": 13}


def raw(t):
    t = t.detach().contiguous().cpu()
    return t.view(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b""


def write(path, tensors, metadata=None):
    names = sorted(tensors, key=lambda n: (-ORDER[CODES[tensors[n].dtype]], n))
    header, offset, chunks = {}, 0, []
    if metadata:
        header["__metadata__"] = metadata
    for n in names:
        b = raw(tensors[n])
        header[n] = {"dtype": CODES[tensors[n].dtype], "shape": list(tensors[n].shape), "data_offsets": [offset, offset + len(b)]}
        offset += len(b)
        chunks.append(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(chunks))


def read(path):
    """Returns (tensors, metadata, header_length, names in data order); asserts the layout is strict."""
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    assert n % 8 == 0, "header length not a multiple of 8"
    text = data[8:8 + n].decode()
    assert text.rstrip(" ") == text.strip(), "header padding is not trailing spaces"
    header = json.loads(text)
    metadata = header.pop("__metadata__", {})
    body = data[8 + n:]
    entries = sorted(header.items(), key=lambda kv: tuple(kv[1]["data_offsets"]))
    end = 0
    out = {}
    for name, e in entries:
        b, f = e["data_offsets"]
        assert b == end, f"gap or overlap at {name}"
        end = f
        dt = DTYPES[e["dtype"]]
        chunk = bytearray(body[b:f])
        t = torch.frombuffer(chunk, dtype=dt) if len(chunk) else torch.empty(0, dtype=dt)
        out[name] = t.reshape(e["shape"]).clone()
    assert end == len(body), "data does not end with the last tensor"
    return out, metadata, n, [k for k, _ in entries]


def describe(tensors):
    """name -> {dtype, shape, hex}: what the tests compare byte for byte."""
    return {k: {"dtype": CODES[t.dtype], "shape": list(t.shape), "hex": raw(t).hex()} for k, t in tensors.items()}
