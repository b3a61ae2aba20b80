"""Independent PyTorch reference for the ResNet18 featurizer of Features/.

The weights come from the NuGet package's ONNX files (a CNTK export) and are loaded by name into torchvision's
ResNet with basic blocks (resnet18's architecture, but 3 blocks in the last stage as the package's graph has),
written independently of the ONNX graph. The mapping is found from the graph:
convolutions in graph order are torchvision's 3x3/7x7 convolutions in module order, 1x1 convolutions its
downsample convolutions in order; each convolution's BatchNormalization is the node that consumes its output.

Usage:
  resnet18_oracle.py features MODEL_DIR PIXELS.npy OUT.npy   pixels (N, C, H, W), 0..255, C = 1 or 3 -> (N, 512)
  resnet18_oracle.py resize PIXELS.npy SIZE OUT.npy          the resampling alone -> (N, 3, SIZE, SIZE)
  resnet18_oracle.py check_onnx MODEL.onnx                   onnx.checker on a model file; prints its opset
"""
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn.functional as F
import torchvision
from onnx import numpy_helper

import oracle  # noqa: F401  (pins torch to one thread)

torch.set_num_threads(1)


def resize(pixels, size):
    """Gray repeated to RGB, then PIL's bilinear (triangle filter, anti-aliased when shrinking) to size x size, in float64."""
    x = torch.from_numpy(np.ascontiguousarray(pixels, dtype=np.float64))
    if x.shape[1] == 1:
        x = x.repeat(1, 3, 1, 1)
    if x.shape[2] == size and x.shape[3] == size:
        return x
    return F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False, antialias=True)


# Basic blocks per stage in the package's network: 2, 2, 2 and 3 (torchvision's resnet18 has 2, 2, 2, 2). The graph
# has 19 3x3/7x7 convolutions and 3 downsample convolutions; the fourth stage's third block is real (its own weights).
BLOCKS = [2, 2, 2, 3]


def load_resnet18(model_dir):
    graph = onnx.load(os.path.join(model_dir, "ResNet18Onnx", "ResNet18.onnx")).graph
    weights = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in graph.initializer}
    consumers = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)

    convs = [n for n in graph.node if n.op_type == "Conv"]
    main = [n for n in convs if tuple(weights[n.input[1]].shape[2:]) != (1, 1)]
    down = [n for n in convs if tuple(weights[n.input[1]].shape[2:]) == (1, 1)]

    net = torchvision.models.resnet.ResNet(torchvision.models.resnet.BasicBlock, BLOCKS)
    net.fc = torch.nn.Identity()
    modules = dict(net.named_modules())
    main_names = ["conv1"] + [f"layer{l + 1}.{b}.conv{c}" for l in range(4) for b in range(BLOCKS[l]) for c in (1, 2)]
    down_names = [f"layer{l}.0.downsample.0" for l in range(2, 5)]
    assert len(main) == len(main_names) and len(down) == len(down_names), (len(main), len(down))

    state = {}
    for node, name in list(zip(main, main_names)) + list(zip(down, down_names)):
        assert modules[name].weight.shape == weights[node.input[1]].shape, name
        assert len(node.input) == 2, f"{name}: the conv has a bias"
        state[name + ".weight"] = weights[node.input[1]]
        (bn,) = consumers[node.output[0]]
        assert bn.op_type == "BatchNormalization"
        eps = [a.f for a in bn.attribute if a.name == "epsilon"][0]
        assert abs(eps - 1e-5) < 1e-9, eps
        bn_name = name.replace("conv", "bn") if "downsample" not in name else name[:-1] + "1"
        for key, value in zip(["weight", "bias", "running_mean", "running_var"], bn.input[1:]):
            state[f"{bn_name}.{key}"] = weights[value]
    missing, unexpected = net.load_state_dict(state, strict=False)
    assert all(k.endswith("num_batches_tracked") for k in missing) and not unexpected, (missing, unexpected)
    return net.eval()


def preprocess(rgb224, model_dir):
    """The package's ResNetPreprocess.onnx: RGB -> BGR, minus the per-pixel mean image."""
    prep = onnx.load(os.path.join(model_dir, "ResNetPrepOnnx", "ResNetPreprocess.onnx")).graph
    (mean,) = [numpy_helper.to_array(t) for t in prep.initializer if t.name == "MeanImage"]
    return rgb224[:, [2, 1, 0]] - torch.from_numpy(mean.copy())


def features(model_dir, pixels):
    net = load_resnet18(model_dir)
    with torch.no_grad():
        x = preprocess(resize(pixels, 224).float(), model_dir)
        return net(x).numpy()


def main(argv):
    command = argv[1]
    if command == "features":
        oracle.save(argv[4], features(argv[2], np.load(argv[3])))
    elif command == "resize":
        oracle.save(argv[4], resize(np.load(argv[2]), int(argv[3])))
    elif command == "check_onnx":
        model = onnx.load(argv[2])
        onnx.checker.check_model(model, full_check=True)
        print(model.ir_version, model.opset_import[0].version)
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main(sys.argv)
