"""numpy/scipy references for the FID-family metrics (Ml.GanSdp.Metrics), written from the papers' formulas."""
import numpy as np
import scipy.linalg


def frechet_distance_sqrtm(mu1, sigma1, mu2, sigma2, eps=1e-6):
    """pytorch-fid's formula: ||mu1-mu2||^2 + Tr(S1) + Tr(S2) - 2 Tr(sqrtm(S1 S2)) with scipy's sqrtm,
    eps on the diagonals when the product's root is not finite, and the real part of a complex root."""
    diff = mu1 - mu2
    covmean, _ = scipy.linalg.sqrtm(sigma1.dot(sigma2), disp=False)
    if not np.isfinite(covmean).all():
        offset = np.eye(sigma1.shape[0]) * eps
        covmean = scipy.linalg.sqrtm((sigma1 + offset).dot(sigma2 + offset))
    if np.iscomplexobj(covmean):
        covmean = covmean.real
    return float(diff.dot(diff) + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean))


def polynomial_mmd2_unbiased(x, y):
    """Binkowski et al. 2018: unbiased MMD^2 with k(a, b) = (a.b / d + 1)^3."""
    d = x.shape[1]
    m = x.shape[0]
    kxx = (x @ x.T / d + 1) ** 3
    kyy = (y @ y.T / d + 1) ** 3
    kxy = (x @ y.T / d + 1) ** 3
    return float((kxx.sum() - np.trace(kxx)) / (m * (m - 1)) + (kyy.sum() - np.trace(kyy)) / (m * (m - 1))
                 - 2 * kxy.sum() / (m * m))


def knn_radii(x, k):
    d = np.sqrt(((x[:, None, :] - x[None, :, :]) ** 2).sum(-1))
    return np.sort(d, axis=1)[:, k]


def fraction_inside(queries, manifold, radii):
    d = np.sqrt(((queries[:, None, :] - manifold[None, :, :]) ** 2).sum(-1))
    return float((d <= radii[None, :]).any(axis=1).mean())


def precision_recall(real, fake, k=3):
    """Kynkaanniemi et al. 2019: precision = fakes inside the real k-NN manifold, recall = reals inside the fake one."""
    return fraction_inside(fake, real, knn_radii(real, k)), fraction_inside(real, fake, knn_radii(fake, k))
