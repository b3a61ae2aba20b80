using Ml.GanSdp.Pipeline;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Samples.Commands;

/// <summary>
/// A Frechet distance in the feature space of a small classifier trained on the real data (an "FID" with our own
/// classifier in place of Inception: cheap enough for 2 CPU cores, and comparable only within one run):
/// FD = |mu_r - mu_g|^2 + tr(S_r) + tr(S_g) - 2 tr((S_r^1/2 S_g S_r^1/2)^1/2), computed in float64 with Jacobi
/// eigendecompositions. The features are the classifier's
/// spatially averaged last conv block (2 x its width, e.g. 64 dimensions).
/// </summary>
internal sealed class FeatureDistance : IDisposable
{
    private readonly ImageClassifierTransformer _classifier;
    private readonly double[] _mean;
    private readonly double[,] _cov;

    public FeatureDistance(ImageClassifierTransformer classifier, Tensor realImages)
    {
        _classifier = classifier;
        (_mean, _cov) = Moments(Features(realImages));
    }

    /// <summary>The distance between the real set and <paramref name="images"/> (float32 in [-1, 1]).</summary>
    public double Distance(Tensor images)
    {
        var (mu, s) = Moments(Features(images));
        int d = mu.Length;
        double diff = 0, trace = 0;
        for (int i = 0; i < d; i++) { diff += (mu[i] - _mean[i]) * (mu[i] - _mean[i]); trace += s[i, i] + _cov[i, i]; }
        var sqrtR = Sqrt(_cov);
        var m = Mul(Mul(sqrtR, s), sqrtR);
        var (ev, _) = Jacobi(m);
        double cross = ev.Sum(v => Math.Sqrt(Math.Max(v, 0)));
        return diff + trace - 2 * cross;
    }

    private double[,] Features(Tensor images)
    {
        var parts = new List<double[]>();
        long n = images.size(0);
        int dim = 0;
        for (long i = 0; i < n; i += 256)
        {
            using var x = images.narrow(0, i, Math.Min(256, n - i));
            using var f = _classifier.Features(x);
            using var d = f.to(ScalarType.Float64);
            dim = (int)f.size(1);
            parts.Add(d.ToArray<double>());
        }
        var all = new double[n, dim];
        long row = 0;
        foreach (var p in parts)
            for (int r = 0; r < p.Length / dim; r++, row++)
                for (int c = 0; c < dim; c++) all[row, c] = p[r * dim + c];
        return all;
    }

    private static (double[] Mean, double[,] Cov) Moments(double[,] x)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        var mu = new double[d];
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) mu[j] += x[i, j] / n;
        var c = new double[d, d];
        for (int i = 0; i < n; i++)
            for (int a = 0; a < d; a++)
            {
                double xa = x[i, a] - mu[a];
                for (int b = a; b < d; b++) c[a, b] += xa * (x[i, b] - mu[b]);
            }
        for (int a = 0; a < d; a++) for (int b = a; b < d; b++) { c[a, b] /= Math.Max(1, n - 1); c[b, a] = c[a, b]; }
        return (mu, c);
    }

    private static double[,] Mul(double[,] a, double[,] b)
    {
        int n = a.GetLength(0), k = a.GetLength(1), m = b.GetLength(1);
        var r = new double[n, m];
        for (int i = 0; i < n; i++)
            for (int t = 0; t < k; t++)
            {
                double v = a[i, t];
                if (v == 0) continue;
                for (int j = 0; j < m; j++) r[i, j] += v * b[t, j];
            }
        return r;
    }

    private static double[,] Sqrt(double[,] s)
    {
        var (vals, vecs) = Jacobi(s);
        int d = vals.Length;
        var r = new double[d, d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
            {
                double sum = 0;
                for (int k = 0; k < d; k++) sum += vecs[i, k] * Math.Sqrt(Math.Max(vals[k], 0)) * vecs[j, k];
                r[i, j] = sum;
            }
        return r;
    }

    /// <summary>Eigenvalues and eigenvectors (columns) of a symmetric matrix by cyclic Jacobi rotations.</summary>
    internal static (double[] Values, double[,] Vectors) Jacobi(double[,] m)
    {
        int n = m.GetLength(0);
        var a = (double[,])m.Clone();
        var v = new double[n, n];
        for (int i = 0; i < n; i++) v[i, i] = 1;
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0;
            for (int p = 0; p < n; p++) for (int q = p + 1; q < n; q++) off += a[p, q] * a[p, q];
            if (off < 1e-22) break;
            for (int p = 0; p < n; p++)
                for (int q = p + 1; q < n; q++)
                {
                    if (Math.Abs(a[p, q]) < 1e-300) continue;
                    double theta = (a[q, q] - a[p, p]) / (2 * a[p, q]);
                    double t = Math.Sign(theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    if (theta == 0) t = 1;
                    double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++)
                    {
                        double akp = a[k, p], akq = a[k, q];
                        a[k, p] = c * akp - s * akq;
                        a[k, q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double apk = a[p, k], aqk = a[q, k];
                        a[p, k] = c * apk - s * aqk;
                        a[q, k] = s * apk + c * aqk;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double vkp = v[k, p], vkq = v[k, q];
                        v[k, p] = c * vkp - s * vkq;
                        v[k, q] = s * vkp + c * vkq;
                    }
                }
        }
        var vals = new double[n];
        for (int i = 0; i < n; i++) vals[i] = a[i, i];
        return (vals, v);
    }

    public void Dispose() => _classifier.Dispose();
}
