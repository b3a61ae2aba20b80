"""PyTorch twins of the Ml.GanSdp models (same module trees, hence the same state-dict keys).

Usage: models_oracle.py batch DIR    -> runs the [command, dir] pairs of DIR/jobs.json with one interpreter
       models_oracle.py keys DIR      -> DIR/keys.txt with the state-dict keys of the model in DIR/cfg.json
       models_oracle.py forward DIR   -> loads DIR/state.npz, runs the forwards listed in cfg['modes'] on x.npy (y.npy)
       models_oracle.py sn DIR        -> spectral norm on one layer: training forwards, gradients, an eval forward
       models_oracle.py sn_init DIR   -> a spectrally normalized layer built after torch.manual_seed(cfg['seed'])
"""
import json
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils import spectral_norm

import oracle


class CBN(nn.Module):
    def __init__(self, c, k):
        super().__init__()
        self.bn = nn.BatchNorm2d(c, affine=False)
        self.gamma = nn.Embedding(k, c)
        self.beta = nn.Embedding(k, c)

    def forward(self, x, y):
        return self.bn(x) * self.gamma(y).view(-1, x.size(1), 1, 1) + self.beta(y).view(-1, x.size(1), 1, 1)


class Stack(nn.Sequential):
    def run(self, x, y, start=0, stop=None):
        layers = list(self)[start:stop]
        for m in layers:
            x = m(x, y) if isinstance(m, CBN) else m(x)
        return x


def sn(m, on):
    return spectral_norm(m) if on else m


def norm(c, k):
    return CBN(c, k) if k else nn.BatchNorm2d(c)


def dcgan_stages(c, nc, size, w, gen):
    if gen:
        return {64: [(c, 8*w, 4, 1, 0), (8*w, 4*w, 4, 2, 1), (4*w, 2*w, 4, 2, 1), (2*w, w, 4, 2, 1), (w, nc, 4, 2, 1)],
                32: [(c, 4*w, 4, 1, 0), (4*w, 2*w, 4, 2, 1), (2*w, w, 4, 2, 1), (w, nc, 4, 2, 1)],
                28: [(c, 4*w, 4, 1, 0), (4*w, 2*w, 3, 2, 1), (2*w, w, 4, 2, 1), (w, nc, 4, 2, 1)]}[size]
    return {64: [(nc, w, 4, 2, 1), (w, 2*w, 4, 2, 1), (2*w, 4*w, 4, 2, 1), (4*w, 8*w, 4, 2, 1), (8*w, 1, 4, 1, 0)],
            32: [(nc, w, 4, 2, 1), (w, 2*w, 4, 2, 1), (2*w, 4*w, 4, 2, 1), (4*w, 1, 4, 1, 0)],
            28: [(nc, w, 4, 2, 1), (w, 2*w, 4, 2, 1), (2*w, 4*w, 3, 2, 1), (4*w, 1, 4, 1, 0)]}[size]


class StackG(nn.Module):
    def __init__(self, main, nz, as_image):
        super().__init__()
        self.main, self.nz, self.as_image = main, nz, as_image

    def forward(self, z, y=None):
        z = z.view(-1, self.nz, 1, 1) if self.as_image else z.view(-1, self.nz)
        return self.main.run(z, y)


class StackD(nn.Module):
    def __init__(self, main, ends, embed=None):
        super().__init__()
        self.main, self.ends = main, ends
        if embed is not None:
            self.embed = embed
        else:
            self.embed = None

    def forward(self, x, y=None):
        feats = []
        h = x
        for i, m in enumerate(self.main):
            if i > self.ends[-1]:
                break
            h = m(h, y) if isinstance(m, CBN) else m(h)
            if i in self.ends:
                feats.append(h[:, :, None, None] if h.dim() == 2 else h)
        last = feats[-1]
        inp = last.flatten(1) if isinstance(self.main[self.ends[-1] + 1], nn.Linear) else last
        s = self.main.run(inp, y, self.ends[-1] + 1).reshape(-1)
        if self.embed is not None:
            s = s + (self.embed(y) * last.flatten(1)).sum(1)
        return s, feats


def mlp_g(c):
    main, f = Stack(), c['nz']
    for _ in range(c['depth']):
        main.extend([nn.Linear(f, c['w']), nn.ReLU()])
        f = c['w']
    main.append(nn.Linear(f, c['nc']))
    return StackG(main, c['nz'], False)


def mlp_d(c):
    main, f, ends, on = Stack(), c['nc'], [], c.get('sn', False)
    for _ in range(c['depth']):
        main.extend([sn(nn.Linear(f, c['w']), on), nn.LeakyReLU(0.2)])
        ends.append(len(main) - 1)
        f = c['w']
    main.append(sn(nn.Linear(f, 1), on))
    return StackD(main, ends)


def dcgan_g(c):
    main, st = Stack(), dcgan_stages(c['nz'], c['nc'], c['size'], c['w'], True)
    for i, (a, b, k, s, p) in enumerate(st):
        main.append(nn.ConvTranspose2d(a, b, k, s, p, bias=False))
        if i == len(st) - 1:
            main.append(nn.Tanh())
            break
        main.append(norm(b, c.get('classes', 0)))
        main.append(nn.ReLU())
    return StackG(main, c['nz'], True)


def dcgan_d(c):
    main, st, ends = Stack(), dcgan_stages(0, c['nc'], c['size'], c['w'], False), []
    bn = c.get('bn', True) and not c.get('sn', False)
    for i, (a, b, k, s, p) in enumerate(st):
        main.append(sn(nn.Conv2d(a, b, k, s, p, bias=False), c.get('sn', False)))
        if i == len(st) - 1:
            break
        if bn and i > 0:
            main.append(nn.BatchNorm2d(b))
        main.append(nn.LeakyReLU(0.2))
        ends.append(len(main) - 1)
    k = c.get('classes', 0)
    embed = sn(nn.Embedding(k, st[-1][0] * 16), c.get('sn', False)) if k else None
    return StackD(main, ends, embed)


def cnn_g(c):
    w, k = c['w'], c.get('classes', 0)
    top = 8 * w
    main = Stack(nn.Linear(c['nz'], 16 * top), nn.Unflatten(1, (top, 4, 4)), norm(top, k), nn.ReLU())
    ch = top
    while ch > w:
        main.extend([nn.ConvTranspose2d(ch, ch // 2, 4, 2, 1), norm(ch // 2, k), nn.ReLU()])
        ch //= 2
    main.extend([nn.Conv2d(w, c['nc'], 3, 1, 1), nn.Tanh()])
    return StackG(main, c['nz'], False)


def cnn_d(c):
    w, on, k = c['w'], c.get('sn', True), c.get('classes', 0)
    convs = [(c['nc'], w, 3, 1), (w, w, 4, 2), (w, 2*w, 3, 1), (2*w, 2*w, 4, 2), (2*w, 4*w, 3, 1), (4*w, 4*w, 4, 2), (4*w, 8*w, 3, 1)]
    main, ends = Stack(), []
    for a, b, kk, s in convs:
        main.extend([sn(nn.Conv2d(a, b, kk, s, 1), on), nn.LeakyReLU(0.1)])
        ends.append(len(main) - 1)
    main.append(sn(nn.Linear(16 * 8 * w, 1), on))
    return StackD(main, ends, sn(nn.Embedding(k, 16 * 8 * w), on) if k else None)


class GenBlock(nn.Module):
    def __init__(self, a, b, k):
        super().__init__()
        self.b1, self.c1, self.b2 = norm(a, k), nn.Conv2d(a, b, 3, 1, 1), norm(b, k)
        self.c2, self.c_sc = nn.Conv2d(b, b, 3, 1, 1), nn.Conv2d(a, b, 1, 1, 0)

    def forward(self, x, y):
        n = lambda m, t: m(t, y) if isinstance(m, CBN) else m(t)
        h = self.c1(F.interpolate(F.relu(n(self.b1, x)), scale_factor=2))
        h = self.c2(F.relu(n(self.b2, h)))
        return h + self.c_sc(F.interpolate(x, scale_factor=2))


class ResG(nn.Module):
    def __init__(self, c):
        super().__init__()
        ch, k = 4 * c['w'], c.get('classes', 0)
        self.nz, self.ch = c['nz'], ch
        self.l1 = nn.Linear(c['nz'], 16 * ch)
        self.block2, self.block3, self.block4 = GenBlock(ch, ch, k), GenBlock(ch, ch, k), GenBlock(ch, ch, k)
        self.b5, self.c5 = nn.BatchNorm2d(ch), nn.Conv2d(ch, c['nc'], 3, 1, 1)

    def forward(self, z, y=None):
        h = self.l1(z).view(-1, self.ch, 4, 4)
        for b in (self.block2, self.block3, self.block4):
            h = b(h, y)
        return torch.tanh(self.c5(F.relu(self.b5(h))))


class DisBlock(nn.Module):
    def __init__(self, a, b, down, opt, on):
        super().__init__()
        self.down, self.opt = down or opt, opt
        self.c1, self.c2 = sn(nn.Conv2d(a, b, 3, 1, 1), on), sn(nn.Conv2d(b, b, 3, 1, 1), on)
        if opt or a != b or down:
            self.c_sc = sn(nn.Conv2d(a, b, 1, 1, 0), on)
        else:
            self.c_sc = None

    def forward(self, x):
        h = self.c1(x if self.opt else F.relu(x))
        h = self.c2(F.relu(h))
        if self.down:
            h = F.avg_pool2d(h, 2)
        if self.c_sc is None:
            sc = x
        elif self.opt:
            sc = self.c_sc(F.avg_pool2d(x, 2))
        else:
            sc = self.c_sc(x)
            if self.down:
                sc = F.avg_pool2d(sc, 2)
        return h + sc


class ResD(nn.Module):
    def __init__(self, c):
        super().__init__()
        ch, on, k = 2 * c['w'], c.get('sn', True), c.get('classes', 0)
        self.block1 = DisBlock(c['nc'], ch, True, True, on)
        self.block2 = DisBlock(ch, ch, True, False, on)
        self.block3 = DisBlock(ch, ch, False, False, on)
        self.block4 = DisBlock(ch, ch, False, False, on)
        self.l5 = sn(nn.Linear(ch, 1), on)
        self.l_y = sn(nn.Embedding(k, ch), on) if k else None

    def forward(self, x, y=None):
        feats, h = [], x
        for b in (self.block1, self.block2, self.block3, self.block4):
            h = b(h)
            feats.append(h)
        h = F.relu(h).sum((2, 3))
        s = self.l5(h).reshape(-1)
        if self.l_y is not None:
            s = s + (self.l_y(y) * h).sum(1)
        return s, feats


BUILDERS = {'mlp_g': mlp_g, 'mlp_d': mlp_d, 'dcgan_g': dcgan_g, 'dcgan_d': dcgan_d, 'cnn_g': cnn_g, 'cnn_d': cnn_d, 'res_g': ResG, 'res_d': ResD}


def build(c):
    return BUILDERS[c['model']](c)


def load_npz(path):
    with np.load(path) as z:
        return {k: torch.from_numpy(z[k]) for k in z.files}


def cmd_keys(d, c):
    m = build(c)
    with open(d + '/keys.txt', 'w') as f:
        f.write('\n'.join(m.state_dict().keys()))


def cmd_forward(d, c):
    m = build(c).double() if c.get('double') else build(c)
    m.load_state_dict(load_npz(d + '/state.npz'))
    x = oracle.load(d + '/x.npy')
    y = oracle.load(d + '/y.npy') if c.get('classes', 0) else None
    for i, mode in enumerate(c['modes']):
        m.train(mode == 'train')
        out = m(x, y)
        if isinstance(out, tuple):
            oracle.save(f'{d}/out{i}.npy', out[0])
            for j, f in enumerate(out[1]):
                oracle.save(f'{d}/out{i}_f{j}.npy', f)
        else:
            oracle.save(f'{d}/out{i}.npy', out)
    np.savez(d + '/final.npz', **{k: v.detach().numpy() for k, v in m.state_dict().items()})
    # One more training forward and a backward pass: gradients of every parameter.
    m.train()
    out = m(x, y)
    if isinstance(out, tuple):
        loss = out[0].pow(2).mean() + sum(f.mean() for f in out[1])
    else:
        loss = out.pow(2).mean()
    loss.backward()
    np.savez(d + '/grads.npz', **{k: p.grad.numpy() for k, p in m.named_parameters()})


def sn_layer(c):
    t = c['layer']
    if t == 'linear':
        return nn.Linear(*c['args'])
    if t == 'conv':
        return nn.Conv2d(*c['args'])
    if t == 'convt':
        return nn.ConvTranspose2d(*c['args'])
    if t == 'embedding':
        return nn.Embedding(*c['args'])
    raise ValueError(t)


def cmd_sn(d, c):
    m = spectral_norm(sn_layer(c))
    m.load_state_dict(load_npz(d + '/state.npz'))
    x, g = oracle.load(d + '/x.npy'), oracle.load(d + '/g.npy')
    for i in range(c['steps']):
        out = m(x)
        oracle.save(f'{d}/out{i}.npy', out)
        (out * g).sum().backward()
    oracle.save(d + '/weight.npy', m.weight)
    oracle.save(d + '/u.npy', m.weight_u)
    oracle.save(d + '/v.npy', m.weight_v)
    oracle.save(d + '/grad.npy', m.weight_orig.grad)
    m.eval()
    oracle.save(d + '/eval.npy', m(x))
    oracle.save(d + '/u_after_eval.npy', m.weight_u)


def cmd_sn_init(d, c):
    torch.manual_seed(c['seed'])
    m = spectral_norm(sn_layer(c))
    np.savez(d + '/init.npz', **{k: v.detach().numpy() for k, v in m.state_dict().items()})


def weights_init(m):
    """pytorch/examples/dcgan's initialization."""
    name = m.__class__.__name__
    if name.find('Conv') != -1:
        nn.init.normal_(m.weight.data, 0.0, 0.02)
    elif name.find('BatchNorm') != -1:
        nn.init.normal_(m.weight.data, 1.0, 0.02)
        nn.init.constant_(m.bias.data, 0)


def cmd_dcgan_init(d, c):
    torch.manual_seed(c['seed'])
    m = build(c)
    m.apply(weights_init)
    np.savez(d + '/init.npz', **{k: v.detach().numpy() for k, v in m.state_dict().items()})


COMMANDS = {'dcgan_init': cmd_dcgan_init, 'keys': cmd_keys, 'forward': cmd_forward, 'sn': cmd_sn, 'sn_init': cmd_sn_init}


def run(cmd, d):
    with open(d + '/cfg.json') as f:
        cfg = json.load(f)
    COMMANDS[cmd](d, cfg)


if __name__ == '__main__':
    if sys.argv[1] == 'batch':  # DIR/jobs.json: [[command, dir], ...], one interpreter for all
        with open(sys.argv[2] + '/jobs.json') as f:
            for cmd, d in json.load(f):
                run(cmd, d)
    else:
        run(sys.argv[1], sys.argv[2])
