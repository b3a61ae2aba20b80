"""PyTorch / NumPy oracle for the ONNX graph tests (tests/Ml.GanSdp.Tests/Onnx).

usage: onnx_oracle.py DIR
DIR/cases.json is a list of {"name": ..., "op": ..., "params": {...}}; the inputs of case NAME are DIR/NAME.INPUT.npy.
For each case this script writes DIR/NAME.expected.npy (and, for cases that make their own data, the arrays the C#
side needs, e.g. NAME.weight.npy). One interpreter start serves a whole test class. Threads pinned to 1.
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
torch.set_num_interop_threads(1)

U64 = np.uint64
GAMMA = 0x9E3779B97F4A7C15


def load(d, name, key):
    return np.load(os.path.join(d, f"{name}.{key}.npy"))


def t(a):
    return torch.from_numpy(np.ascontiguousarray(a))


# ---------------------------------------------------------------- the seeded latent, independently of the C# code

def splitmix64_bits(seeds, count):
    """x[n, k] = mix(seed_n + (k + 1) * gamma) mod 2^64 (SplitMix64 with state seed_n, outputs 1..count)."""
    with np.errstate(over="ignore"):
        s = seeds.astype(np.int64).view(U64).reshape(-1, 1)
        k = np.arange(1, count + 1, dtype=U64).reshape(1, -1)
        z = s + k * U64(GAMMA)
        z = (z ^ (z >> U64(30))) * U64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> U64(27))) * U64(0x94D049BB133111EB)
        return z ^ (z >> U64(31))


def seeded_latent(seeds, latent):
    """Box-Muller in float64 on the top 24 bits of each SplitMix64 output, rounded to float32 (SeededLatent's doc)."""
    pairs = (latent + 1) // 2
    a = (splitmix64_bits(seeds, 2 * pairs) >> U64(40)).astype(np.float64)
    a1, a2 = a[:, 0::2], a[:, 1::2]
    u1 = (16777216.0 - a1) * 2.0 ** -24
    u2 = a2 * 2.0 ** -24
    r = np.sqrt(np.log(u1) * -2.0)
    theta = u2 * (2 * np.pi)
    z = np.empty((len(seeds), 2 * pairs), dtype=np.float64)
    z[:, 0::2] = r * np.cos(theta)
    z[:, 1::2] = r * np.sin(theta)
    return z[:, :latent].astype(np.float32)


# ---------------------------------------------------------------- cases

def run_case(d, name, op, p):
    x = lambda key="x": t(load(d, name, key))
    if op == "conv":
        return F.conv2d(x(), x("w"), x("b"), stride=p["stride"], padding=p["padding"], dilation=p["dilation"], groups=p["groups"])
    if op == "conv_transpose":
        return F.conv_transpose2d(x(), x("w"), x("b"), stride=p["stride"], padding=p["padding"],
                                  output_padding=p["output_padding"], dilation=p["dilation"], groups=p["groups"])
    if op == "batch_norm":
        return F.batch_norm(x(), x("mean"), x("var"), x("scale"), x("bias"), training=False, eps=p["eps"])
    if op == "relu":
        return F.relu(x())
    if op == "leaky_relu":
        return F.leaky_relu(x(), p["alpha"])
    if op == "tanh":
        return torch.tanh(x())
    if op == "sigmoid":
        return torch.sigmoid(x())
    if op == "linear":
        return F.linear(x(), x("w"), x("b"))
    if op == "matmul":
        return torch.matmul(x("a"), x("b"))
    if op == "nearest2x":
        return F.interpolate(x(), scale_factor=2, mode="nearest")
    if op == "bilinear":
        return F.interpolate(x(), size=tuple(p["size"]), mode="bilinear", align_corners=False)
    if op == "max_pool":
        return F.max_pool2d(x(), p["kernel"], p["stride"], p["padding"], ceil_mode=p["ceil_mode"])
    if op == "avg_pool":
        return F.avg_pool2d(x(), p["kernel"], p["stride"], p["padding"], ceil_mode=p["ceil_mode"],
                            count_include_pad=p["count_include_pad"])
    if op == "global_avg_pool":
        return x().mean(dim=(2, 3), keepdim=True)
    if op == "clip":
        return torch.clamp(x(), p["min"], p["max"])
    if op == "softmax":
        return torch.softmax(x(), dim=p["dim"])
    if op == "argmax":
        return torch.argmax(x(), dim=p["dim"])
    if op == "elementwise":
        a, b = x("a"), x("b")
        return torch.stack([a + b, a - b, a * b, a / b])
    if op == "unary_math":
        v = x()
        return torch.stack([torch.log(v), torch.sqrt(v), torch.sin(v), torch.cos(v)])
    if op == "shapes":
        v = x()  # [2, 3, 4, 5]
        parts = [v.reshape(2, -1).flatten(), v.flatten(1).flatten(), v.permute(0, 2, 3, 1).flatten(),
                 torch.cat([v, v * 2], dim=1).flatten(), v.unsqueeze(1).unsqueeze(-1).flatten(),
                 v[:, 1:3, ::2, -2:].flatten()]
        return torch.cat(parts)
    if op == "gather":
        return x("data")[t(load(d, name, "idx"))]
    if op == "cast":
        return x().to(torch.int64)
    if op == "dcgan":
        return dcgan(d, name, p)
    if op == "latent_bits":
        return torch.from_numpy(splitmix64_bits(load(d, name, "seeds"), p["count"]).view(np.int64))
    if op == "latent":
        return torch.from_numpy(seeded_latent(load(d, name, "seeds"), p["latent"]))
    raise ValueError(f"unknown op {op}")


def dcgan(d, name, p):
    """[z, one-hot(key - 1)] -> ConvTranspose(k4, s1, p0) -> BN -> ReLU -> ConvTranspose(k4, s2, p1) -> Tanh
    (-> pixel range), random numpy weights (saved for the C# side), PyTorch eval mode. z is given (NAME.z.npy) or
    computed from seeds (NAME.seeds.npy) with the seeded-latent definition; with "classes" the raw ML.NET keys come in
    NAME.keys.npy (1-based) and rows with key 0 (missing label) come out as NaN."""
    rng = np.random.default_rng(p["seed"])
    L, c1, c, k = p["latent"], p["hidden"], p["channels"], p.get("classes", 0)
    w = {
        "w1": rng.normal(0, 0.2, (L + k, c1, 4, 4)), "b1": rng.normal(0, 0.1, c1),
        "gamma": rng.uniform(0.5, 1.5, c1), "beta": rng.normal(0, 0.1, c1),
        "mean": rng.normal(0, 0.1, c1), "var": rng.uniform(0.5, 2.0, c1),
        "w2": rng.normal(0, 0.2, (c1, c, 4, 4)), "b2": rng.normal(0, 0.1, c),
    }
    w = {key: v.astype(np.float32) for key, v in w.items()}
    for key, v in w.items():
        np.save(os.path.join(d, f"{name}.{key}.npy"), v)
    net = torch.nn.Sequential(
        torch.nn.ConvTranspose2d(L + k, c1, 4, 1, 0), torch.nn.BatchNorm2d(c1, eps=1e-5), torch.nn.ReLU(),
        torch.nn.ConvTranspose2d(c1, c, 4, 2, 1), torch.nn.Tanh())
    net.load_state_dict({
        "0.weight": t(w["w1"]), "0.bias": t(w["b1"]), "1.weight": t(w["gamma"]), "1.bias": t(w["beta"]),
        "1.running_mean": t(w["mean"]), "1.running_var": t(w["var"]), "1.num_batches_tracked": torch.tensor(0),
        "3.weight": t(w["w2"]), "3.bias": t(w["b2"])})
    net.eval()
    if os.path.exists(os.path.join(d, f"{name}.z.npy")):
        z = load(d, name, "z")
    else:
        z = seeded_latent(load(d, name, "seeds"), L)
    h = t(z)
    if k > 0:
        keys = load(d, name, "keys").astype(np.int64)
        onehot = np.zeros((len(keys), k), dtype=np.float32)
        for i, key in enumerate(keys):
            if key > 0:
                onehot[i, key - 1] = 1
        h = torch.cat([h, t(onehot)], dim=1)
    with torch.no_grad():
        y = net(h.reshape(-1, L + k, 1, 1))
    if "pixel_range" in p:
        lo, hi = p["pixel_range"]
        y = y * np.float32((hi - lo) / 2) + np.float32((hi + lo) / 2)
    if k > 0:
        y[t(keys == 0)] = float("nan")
    return y


def main():
    d = sys.argv[1]
    with open(os.path.join(d, "cases.json")) as f:
        cases = json.load(f)
    for c in cases:
        y = run_case(d, c["name"], c["op"], c.get("params", {}))
        y = y.detach().numpy() if isinstance(y, torch.Tensor) else y
        np.save(os.path.join(d, f"{c['name']}.expected.npy"), np.ascontiguousarray(y))


if __name__ == "__main__":
    main()
