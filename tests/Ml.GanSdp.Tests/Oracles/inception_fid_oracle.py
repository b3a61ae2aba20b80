"""Reference for Ml.GanSdp.Metrics.InceptionV3Fid: the FID variant of Inception-v3 built in PyTorch.

The network is torchvision's Inception-v3 (layer names and shapes as torchvision documents them, which is what
pytorch-fid's weights file uses) with the FID-specific blocks of TensorFlow's 2015-12-05 graph:
  * Mixed_5b..5d, Mixed_6b..6e and Mixed_7b: the pool branch averages with count_include_pad=False;
  * Mixed_7c: the pool branch takes a 3x3 max (stride 1, padding 1) instead of an average;
  * fc has 1008 classes (unused for FID).
Weights are random (seeded); batch-norm statistics are calibrated on all four input images so every activation is
of unit scale and the comparison is meaningful. Batch-norm biases are drawn from U(0.5, 1.5), so most ReLUs pass
(about 83% of block 2's outputs are positive): with biases around 0 the random network is chaotic and amplifies float32
rounding about a thousandfold by block 2 (PyTorch 1.13's own float32 and float64 results then differ by 2.0e-3 there,
against 9.7e-5 with these biases; inputs 2.6e-6 apart gave block-2 outputs 2.4e-3 apart), which would make a 1e-4
parity test measure the weights' conditioning rather than the code.

Usage: inception_fid_oracle.py OUT_DIR
Writes OUT_DIR/weights.npz (state dict, torchvision names), rgb.npy (2x3x40x52 in [0,1]), gray.npy (2x1x28x28),
and for each of these inputs X:
  * X_prepared.npy: pytorch-fid's preprocessing of X in float32 (resize to 299x299, 2x-1), and X_resized64.npy:
    the bilinear resize of X computed in float64;
  * X299.npy: X resized to 299x299 in float32 (still an image in [0,1]) and X299_block{0,1,2,3}.npy, the four block
    outputs pytorch-fid's InceptionV3 returns for it, which are also its outputs for X itself (resizing a 299x299
    image to 299x299 is the identity, asserted). Feeding X299 lets a test compare the network alone on equal inputs;
    feeding X compares the whole pipeline.
"""
import sys

import numpy as np
import torch
import torch.nn.functional as F
import torchvision.models.inception as tvi


class FIDInceptionA(tvi.InceptionA):
    def _forward(self, x):
        b1 = self.branch1x1(x)
        b5 = self.branch5x5_2(self.branch5x5_1(x))
        b3 = self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
        bp = self.branch_pool(F.avg_pool2d(x, kernel_size=3, stride=1, padding=1, count_include_pad=False))
        return [b1, b5, b3, bp]


class FIDInceptionC(tvi.InceptionC):
    def _forward(self, x):
        b1 = self.branch1x1(x)
        b7 = self.branch7x7_3(self.branch7x7_2(self.branch7x7_1(x)))
        bd = x
        for m in (self.branch7x7dbl_1, self.branch7x7dbl_2, self.branch7x7dbl_3, self.branch7x7dbl_4, self.branch7x7dbl_5):
            bd = m(bd)
        bp = self.branch_pool(F.avg_pool2d(x, kernel_size=3, stride=1, padding=1, count_include_pad=False))
        return [b1, b7, bd, bp]


class _FIDInceptionE(tvi.InceptionE):
    def pool(self, x):
        raise NotImplementedError

    def _forward(self, x):
        b1 = self.branch1x1(x)
        b3 = self.branch3x3_1(x)
        b3 = torch.cat([self.branch3x3_2a(b3), self.branch3x3_2b(b3)], 1)
        bd = self.branch3x3dbl_2(self.branch3x3dbl_1(x))
        bd = torch.cat([self.branch3x3dbl_3a(bd), self.branch3x3dbl_3b(bd)], 1)
        bp = self.branch_pool(self.pool(x))
        return [b1, b3, bd, bp]


class FIDInceptionE_1(_FIDInceptionE):
    def pool(self, x):
        return F.avg_pool2d(x, kernel_size=3, stride=1, padding=1, count_include_pad=False)


class FIDInceptionE_2(_FIDInceptionE):
    def pool(self, x):
        return F.max_pool2d(x, kernel_size=3, stride=1, padding=1)


def fid_inception_v3():
    """torchvision's Inception-v3 with the FID blocks swapped in (1008 classes, no auxiliary head)."""
    m = tvi.inception_v3(weights=None, aux_logits=False, init_weights=False, num_classes=1008)
    m.Mixed_5b = FIDInceptionA(192, pool_features=32)
    m.Mixed_5c = FIDInceptionA(256, pool_features=64)
    m.Mixed_5d = FIDInceptionA(288, pool_features=64)
    m.Mixed_6b = FIDInceptionC(768, channels_7x7=128)
    m.Mixed_6c = FIDInceptionC(768, channels_7x7=160)
    m.Mixed_6d = FIDInceptionC(768, channels_7x7=160)
    m.Mixed_6e = FIDInceptionC(768, channels_7x7=192)
    m.Mixed_7b = FIDInceptionE_1(1280)
    m.Mixed_7c = FIDInceptionE_2(2048)
    return m


BLOCKS = [
    ["Conv2d_1a_3x3", "Conv2d_2a_3x3", "Conv2d_2b_3x3", "maxpool1"],
    ["Conv2d_3b_1x1", "Conv2d_4a_3x3", "maxpool2"],
    ["Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_6a", "Mixed_6b", "Mixed_6c", "Mixed_6d", "Mixed_6e"],
    ["Mixed_7a", "Mixed_7b", "Mixed_7c", "avgpool"],
]


def preprocess(x):
    """pytorch-fid: bilinear resize to 299x299 (align_corners=False), then 2x-1; grayscale repeated to RGB."""
    if x.shape[1] == 1:
        x = x.repeat(1, 3, 1, 1)
    x = F.interpolate(x, size=(299, 299), mode="bilinear", align_corners=False)
    return 2 * x - 1


def blocks(model, x, preprocessed=False):
    outs = []
    if not preprocessed:
        x = preprocess(x)
    for names in BLOCKS:
        for n in names:
            x = getattr(model, n)(x)
        outs.append(x)
    return outs


def seeded_model(calibration, seed=0):
    torch.manual_seed(seed)
    m = fid_inception_v3()
    with torch.no_grad():
        for mod in m.modules():
            if isinstance(mod, torch.nn.BatchNorm2d):
                mod.weight.uniform_(0.5, 1.5)
                mod.bias.uniform_(0.5, 1.5)
                mod.momentum = 1.0  # running stats := statistics of the calibration batch
        m.train()
        blocks(m, calibration, preprocessed=True)
        m.eval()
        for mod in m.modules():
            if isinstance(mod, torch.nn.BatchNorm2d):
                mod.momentum = 0.1
    return m


def main(out):
    torch.set_num_threads(1)
    g = torch.Generator().manual_seed(1)
    rgb = torch.rand(2, 3, 40, 52, generator=g)
    gray = torch.rand(2, 1, 28, 28, generator=g)
    model = seeded_model(torch.cat([preprocess(rgb), preprocess(gray)]))
    sd = model.state_dict()
    np.savez(f"{out}/weights.npz", **{k: v.numpy() for k, v in sd.items()})
    np.save(f"{out}/rgb.npy", rgb.numpy())
    np.save(f"{out}/gray.npy", gray.numpy())
    with torch.no_grad():
        for name, x in (("rgb", rgb), ("gray", gray)):
            np.save(f"{out}/{name}_prepared.npy", np.ascontiguousarray(preprocess(x).numpy()))
            resized64 = F.interpolate(x.double(), size=(299, 299), mode="bilinear", align_corners=False)
            np.save(f"{out}/{name}_resized64.npy", np.ascontiguousarray(resized64.numpy()))
            x299 = F.interpolate(x, size=(299, 299), mode="bilinear", align_corners=False)
            assert torch.equal(F.interpolate(x299, size=(299, 299), mode="bilinear", align_corners=False), x299)
            np.save(f"{out}/{name}299.npy", np.ascontiguousarray(x299.numpy()))
            for i, o in enumerate(blocks(model, x299)):
                np.save(f"{out}/{name}299_block{i}.npy", np.ascontiguousarray(o.numpy()))


if __name__ == "__main__":
    main(sys.argv[1])
