"""Helpers shared by the PyTorch oracle scripts: .npy in, .npy out, float64 where it matters."""
import numpy as np
import torch

torch.set_num_threads(1)


def load(path):
    return torch.from_numpy(np.load(path))


def save(path, t):
    if isinstance(t, torch.Tensor):
        t = t.detach().cpu().numpy()
    np.save(path, np.ascontiguousarray(t))
