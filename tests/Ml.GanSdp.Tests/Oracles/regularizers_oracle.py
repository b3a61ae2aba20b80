"""Reference formulas for the regularizers (float64), written independently of the C# code from the papers.

usage: regularizers_oracle.py <mode> <io dir> <golden sdp dir>
Reads the inputs (.npy) the test wrote to <io dir>; writes value.npy and grad_<i>.npy (gradients of the value
with respect to the golden discriminator's parameters, in order, or the generator's for zcr_gen).
"""
import sys
import torch
import torch.nn.functional as F
import oracle

mode, io, golden = sys.argv[1], sys.argv[2], sys.argv[3]
NAMES = ["blocks.0.0.weight", "blocks.0.0.bias", "blocks.1.0.weight", "blocks.1.0.bias", "out.weight", "out.bias"]
W = [oracle.load(f"{golden}/w_{n}.npy").clone().requires_grad_() for n in NAMES]


def D(x):
    b0 = F.leaky_relu(F.conv2d(x, W[0], W[1], stride=1, padding=1), 0.2)
    b1 = F.leaky_relu(F.conv2d(b0, W[2], W[3], stride=2, padding=1), 0.2)
    return F.linear(b1.flatten(1), W[4], W[5]).flatten(), [b0, b1]


def inp(name):
    return oracle.load(f"{io}/{name}.npy")


def input_grad(x):
    x = x.detach().clone().requires_grad_()
    s, _ = D(x)
    g, = torch.autograd.grad(s.sum(), x, create_graph=True)
    return g.flatten(1)


def shift_flip(x, dx, dy, flip, s, padmode):
    n, c, h, w = x.shape
    p = F.pad(x, (s, s, s, s), mode=padmode) if s > 0 else x
    out = []
    for i in range(n):
        y = p[i, :, s + int(dy[i]):s + int(dy[i]) + h, s + int(dx[i]):s + int(dx[i]) + w]
        out.append(torch.flip(y, [2]) if int(flip[i]) else y)
    return torch.stack(out)


def G(z, gw, gb):
    return torch.tanh(F.linear(z, gw, gb)).reshape(z.shape[0], 1, 8, 8)


params = W
if mode == "wgan-gp":
    real, fake, eps = inp("real"), inp("fake"), inp("eps")
    e = eps.view(-1, 1, 1, 1)
    xhat = e * real + (1 - e) * fake
    value = ((input_grad(xhat).norm(2, dim=1) - 1) ** 2).mean()
elif mode in ("r1", "r2"):
    value = (input_grad(inp("points")) ** 2).sum(1).mean()
elif mode == "dragan":
    real, u = inp("real"), inp("u")
    scale = float(inp("scale"))
    xp = real + scale * real.std(unbiased=False) * u
    value = ((input_grad(xp).norm(2, dim=1) - 1) ** 2).mean()
elif mode == "cr":
    x = inp("x")
    s = int(inp("max_shift")); padmode = "reflect" if int(inp("reflect")) else "constant"
    aug = shift_flip(x, inp("dx"), inp("dy"), inp("flip"), s, padmode)
    oracle.save(f"{io}/augmented_py.npy", aug)
    value = ((D(x)[0] - D(aug)[0]) ** 2).mean()
elif mode == "zcr_dis":
    z, dz, gw, gb = inp("z"), inp("dz"), inp("gw"), inp("gb")
    with torch.no_grad():
        fake = G(z, gw, gb)
        pert = G(z + dz, gw, gb)
    value = ((D(fake)[0] - D(pert)[0]) ** 2).mean()
elif mode == "zcr_gen":
    z, dz = inp("z"), inp("dz")
    gw, gb = inp("gw").requires_grad_(), inp("gb").requires_grad_()
    params = [gw, gb]
    value = ((G(z, gw, gb) - G(z + dz, gw, gb)).flatten(1) ** 2).sum(1).mean()
elif mode == "fm":
    real, fake = inp("real"), inp("fake").requires_grad_()
    _, fr = D(real)
    _, ff = D(fake)
    value = ((fr[-1].detach().mean((2, 3)).mean(0) - ff[-1].mean((2, 3)).mean(0)) ** 2).sum()
    params = W + [fake]
else:
    raise SystemExit(f"unknown mode {mode}")

oracle.save(f"{io}/value.npy", value)
# Parameters the value does not depend on (biases of the last layer for input-gradient penalties) get zeros.
for i, (p, g) in enumerate(zip(params, torch.autograd.grad(value, params, allow_unused=True))):
    oracle.save(f"{io}/grad_{i}.npy", torch.zeros_like(p) if g is None else g)
