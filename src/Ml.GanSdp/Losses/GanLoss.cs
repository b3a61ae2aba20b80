using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace Ml.GanSdp.Losses;

/// <summary>The adversarial losses.</summary>
public enum GanLossKind
{
    /// <summary>Non-saturating (Goodfellow et al. 2014): G minimizes -log D(G(z)).</summary>
    NonSaturating,
    /// <summary>Minimax (saturating): G minimizes log(1 - D(G(z))).</summary>
    Minimax,
    /// <summary>Least squares (Mao et al. 2017) with a = 0, b = c = 1.</summary>
    LeastSquares,
    /// <summary>Wasserstein (Arjovsky et al. 2017); pair it with a gradient penalty or spectral norm.</summary>
    Wasserstein,
    /// <summary>Hinge (Lim and Ye 2017; Tran et al. 2017).</summary>
    Hinge,
}

/// <summary>
/// An adversarial loss as a discriminator/generator pair over raw scores (shape N). Both functions return
/// the scalar that the respective network MINIMIZES.
/// </summary>
public interface IGanLoss
{
    /// <summary>Which loss this is.</summary>
    GanLossKind Kind { get; }

    /// <summary>The discriminator's loss given its scores on reals and fakes.</summary>
    Tensor DiscriminatorLoss(Tensor realScores, Tensor fakeScores);

    /// <summary>The generator's loss given D's scores on its fakes.</summary>
    Tensor GeneratorLoss(Tensor fakeScores);
}

/// <summary>The losses of <see cref="GanLossKind"/>, written with softplus for numerical stability (log sigmoid(x) = -softplus(-x)).</summary>
public static class GanLosses
{
    /// <summary>The loss of the given kind.</summary>
    public static IGanLoss Create(GanLossKind kind) => kind switch
    {
        GanLossKind.NonSaturating => new NonSaturatingLoss(),
        GanLossKind.Minimax => new MinimaxLoss(),
        GanLossKind.LeastSquares => new LeastSquaresLoss(),
        GanLossKind.Wasserstein => new WassersteinLoss(),
        GanLossKind.Hinge => new HingeLoss(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown GAN loss."),
    };

    /// <summary>
    /// softplus(x) = log(1 + e^x), computed as max(x, 0) + log1p(e^(-|x|)): stable for large |x|, and its gradient at
    /// x = 0 is 1/2 as libtorch's (<c>maximum</c> splits the gradient evenly at ties, and |x|' = 0 there).
    /// <para>Not TorchSharp's <c>softplus</c>: in TorchSharp 0.107 it converts beta and threshold into temporary
    /// <c>Scalar</c> objects that nothing keeps alive during the native call, so the finalizer thread may free them while
    /// libtorch reads them. A test run saw it: libtorch rejected the freed value ("Expected false to be true ...
    /// toFloat", c10/core/Scalar.h) in the middle of a training step. Every argument here is a tensor.</para>
    /// </summary>
    public static Tensor Softplus(Tensor x)
    {
        using var zero = zeros_like(x);
        using var positive = maximum(x, zero);
        using var magnitude = x.abs();
        using var negated = magnitude.neg();
        using var e = negated.exp();
        using var tail = e.log1p();
        return positive + tail;
    }

    /// <summary>
    /// D of the original GAN: -E[log sigmoid(D(x))] - E[log(1 - sigmoid(D(G(z))))] = E[softplus(-D(x))] + E[softplus(D(G(z)))].
    /// </summary>
    public static Tensor BinaryCrossEntropyDiscriminator(Tensor realScores, Tensor fakeScores)
    {
        using var negated = -realScores;
        using var a = Softplus(negated);
        using var b = Softplus(fakeScores);
        using var ma = a.mean();
        using var mb = b.mean();
        return ma + mb;
    }
}

/// <summary>D: E[softplus(-D(x))] + E[softplus(D(G(z)))]; G: E[softplus(-D(G(z)))] = -E[log sigmoid(D(G(z)))].</summary>
public sealed class NonSaturatingLoss : IGanLoss
{
    public GanLossKind Kind => GanLossKind.NonSaturating;
    public Tensor DiscriminatorLoss(Tensor realScores, Tensor fakeScores) => GanLosses.BinaryCrossEntropyDiscriminator(realScores, fakeScores);
    public Tensor GeneratorLoss(Tensor fakeScores)
    {
        using var n = -fakeScores;
        using var s = GanLosses.Softplus(n);
        return s.mean();
    }
}

/// <summary>D as the original GAN; G: E[log(1 - sigmoid(D(G(z))))] = -E[softplus(D(G(z)))] (saturates when D wins).</summary>
public sealed class MinimaxLoss : IGanLoss
{
    public GanLossKind Kind => GanLossKind.Minimax;
    public Tensor DiscriminatorLoss(Tensor realScores, Tensor fakeScores) => GanLosses.BinaryCrossEntropyDiscriminator(realScores, fakeScores);
    public Tensor GeneratorLoss(Tensor fakeScores)
    {
        using var s = GanLosses.Softplus(fakeScores);
        using var m = s.mean();
        return -m;
    }
}

/// <summary>D: 1/2 E[(D(x) - 1)^2] + 1/2 E[D(G(z))^2]; G: 1/2 E[(D(G(z)) - 1)^2] (Mao et al. 2017, a = 0, b = c = 1).</summary>
public sealed class LeastSquaresLoss : IGanLoss
{
    public GanLossKind Kind => GanLossKind.LeastSquares;
    public Tensor DiscriminatorLoss(Tensor realScores, Tensor fakeScores)
    {
        using var r = realScores - 1;
        using var r2 = r.square();
        using var f2 = fakeScores.square();
        using var mr = r2.mean();
        using var mf = f2.mean();
        using var s = mr + mf;
        return s * 0.5;
    }
    public Tensor GeneratorLoss(Tensor fakeScores)
    {
        using var f = fakeScores - 1;
        using var f2 = f.square();
        using var m = f2.mean();
        return m * 0.5;
    }
}

/// <summary>D: E[D(G(z))] - E[D(x)]; G: -E[D(G(z))].</summary>
public sealed class WassersteinLoss : IGanLoss
{
    public GanLossKind Kind => GanLossKind.Wasserstein;
    public Tensor DiscriminatorLoss(Tensor realScores, Tensor fakeScores)
    {
        using var mf = fakeScores.mean();
        using var mr = realScores.mean();
        return mf - mr;
    }
    public Tensor GeneratorLoss(Tensor fakeScores)
    {
        using var m = fakeScores.mean();
        return -m;
    }
}

/// <summary>D: E[relu(1 - D(x))] + E[relu(1 + D(G(z)))]; G: -E[D(G(z))].</summary>
public sealed class HingeLoss : IGanLoss
{
    public GanLossKind Kind => GanLossKind.Hinge;
    public Tensor DiscriminatorLoss(Tensor realScores, Tensor fakeScores)
    {
        using var a = 1 - realScores;
        using var ra = a.relu();
        using var b = 1 + fakeScores;
        using var rb = b.relu();
        using var ma = ra.mean();
        using var mb = rb.mean();
        return ma + mb;
    }
    public Tensor GeneratorLoss(Tensor fakeScores)
    {
        using var m = fakeScores.mean();
        return -m;
    }
}
