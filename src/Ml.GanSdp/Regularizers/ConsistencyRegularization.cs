using Ml.GanSdp.Models;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace Ml.GanSdp.Regularizers;

/// <summary>One draw of <see cref="ShiftFlipAugmentation"/>: per-sample shifts (pixels) and horizontal flips.</summary>
public sealed record ShiftFlipDraw(long[] Dx, long[] Dy, bool[] Flip);

/// <summary>
/// The augmentation T of CR-GAN on images (N x C x H x W): a random translation by (dx, dy), each uniform in
/// [-s, s] pixels, then a horizontal flip with probability 1/2, independently per sample. The translation pads each
/// side by s (reflection by default, or zeros) and crops the H x W window starting at (s + dy, s + dx), so output
/// pixel (h, w) = padded input (h + dy, w + dx). Zhang et al. (2020) use "random shifting and flipping" on CIFAR-10;
/// s = 4 for 32-pixel images is the common choice (the torchvision RandomCrop(32, padding=4) recipe).
/// </summary>
public static class ShiftFlipAugmentation
{
    /// <summary>Draws shifts in [-maxShift, maxShift] and flips for <paramref name="n"/> samples from <paramref name="random"/>.</summary>
    public static ShiftFlipDraw Draw(long n, int maxShift, bool flip, Generator random)
    {
        if (maxShift < 0) throw new ArgumentOutOfRangeException(nameof(maxShift), maxShift, "maxShift must be >= 0.");
        using var dx = Draws.Integers(-maxShift, maxShift + 1, new[] { n }, null, random);
        using var dy = Draws.Integers(-maxShift, maxShift + 1, new[] { n }, null, random);
        using var u = Draws.Uniform(new[] { n }, ScalarType.Float64, null, random);
        var flips = flip ? u.ToArray<double>().Select(v => v < 0.5).ToArray() : new bool[n];
        return new ShiftFlipDraw(dx.ToArray<long>(), dy.ToArray<long>(), flips);
    }

    /// <summary>Applies a draw: T(x) (differentiable with respect to x; consistency terms use it on data without grad).</summary>
    public static Tensor Apply(Tensor x, ShiftFlipDraw draw, int maxShift, PaddingModes padding = PaddingModes.Reflect)
    {
        if (x.dim() != 4) throw new ArgumentException($"Shift/flip augmentation needs images N x C x H x W, got shape [{string.Join(", ", x.shape)}].", nameof(x));
        long n = x.shape[0], h = x.shape[2], w = x.shape[3];
        if (draw.Dx.Length != n || draw.Dy.Length != n || draw.Flip.Length != n)
            throw new ArgumentException($"The augmentation draw is for {draw.Dx.Length} samples, the batch has {n}.", nameof(draw));
        if (maxShift < 0 || draw.Dx.Concat(draw.Dy).Any(d => Math.Abs(d) > maxShift))
            throw new ArgumentOutOfRangeException(nameof(maxShift), maxShift, "Every shift must lie in [-maxShift, maxShift].");
        if (padding == PaddingModes.Reflect && (maxShift >= h || maxShift >= w))
            throw new ArgumentOutOfRangeException(nameof(maxShift), maxShift, $"Reflection padding needs maxShift < the image size {h}x{w}.");
        using var scope = NewDisposeScope();
        var padded = maxShift == 0 ? x.alias() : pad(x, new long[] { maxShift, maxShift, maxShift, maxShift }, padding);
        var samples = new Tensor[n];
        for (long i = 0; i < n; i++)
        {
            var s = padded[i].narrow(1, maxShift + draw.Dy[i], h).narrow(2, maxShift + draw.Dx[i], w);
            samples[i] = draw.Flip[i] ? s.flip(2) : s;
        }
        return stack(samples).MoveToOuterDisposeScope();
    }
}

/// <summary>Options of <see cref="ConsistencyRegularization"/>.</summary>
public sealed record ConsistencyOptions
{
    /// <summary>lambda (Zhang et al. 2020 use 10).</summary>
    public double Weight { get; init; } = 10;
    /// <summary>s: the largest shift in pixels (4 for 32-pixel images).</summary>
    public int MaxShift { get; init; } = 4;
    /// <summary>Whether T also flips horizontally with probability 1/2.</summary>
    public bool Flip { get; init; } = true;
    /// <summary>How the shift pads: <see cref="PaddingModes.Reflect"/> (default) or <see cref="PaddingModes.Constant"/> (zeros).</summary>
    public PaddingModes Padding { get; init; } = PaddingModes.Reflect;

    /// <summary>Throws naming the bad option.</summary>
    public ConsistencyOptions Validate()
    {
        ConsistencyChecks.Weight(nameof(Weight), Weight);
        ConsistencyChecks.Shift(nameof(MaxShift), MaxShift, Padding, nameof(Padding));
        return this;
    }
}

/// <summary>Options of <see cref="BalancedConsistencyRegularization"/> (Zhao et al. 2021 use 10 and 10).</summary>
public sealed record BalancedConsistencyOptions
{
    /// <summary>lambda_real, the weight of the consistency on reals.</summary>
    public double RealWeight { get; init; } = 10;
    /// <summary>lambda_fake, the weight of the consistency on fakes.</summary>
    public double FakeWeight { get; init; } = 10;
    /// <summary>s: the largest shift in pixels.</summary>
    public int MaxShift { get; init; } = 4;
    /// <summary>Whether T also flips horizontally with probability 1/2.</summary>
    public bool Flip { get; init; } = true;
    /// <summary>How the shift pads.</summary>
    public PaddingModes Padding { get; init; } = PaddingModes.Reflect;

    /// <summary>Throws naming the bad option.</summary>
    public BalancedConsistencyOptions Validate()
    {
        ConsistencyChecks.Weight(nameof(RealWeight), RealWeight);
        ConsistencyChecks.Weight(nameof(FakeWeight), FakeWeight);
        ConsistencyChecks.Shift(nameof(MaxShift), MaxShift, Padding, nameof(Padding));
        return this;
    }
}

internal static class ConsistencyChecks
{
    public static void Weight(string name, double value)
    {
        if (!(value >= 0) || double.IsInfinity(value)) throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and >= 0.");
    }

    public static void Shift(string name, int value, PaddingModes padding, string paddingName)
    {
        if (value < 0) throw new ArgumentOutOfRangeException(name, value, $"{name} must be >= 0.");
        if (padding is not (PaddingModes.Reflect or PaddingModes.Constant))
            throw new ArgumentOutOfRangeException(paddingName, padding, $"{paddingName} must be Reflect or Constant (zeros).");
    }
}

/// <summary>
/// Consistency regularization (CR-GAN; Zhang et al. 2020): the discriminator loss adds
/// lambda E[||D(x) - D(T(x))||^2] on the reals, D(.) the raw score (the last layer before any activation) and T the
/// shift/flip augmentation of <see cref="ShiftFlipAugmentation"/>, drawn from <see cref="RegularizerContext.Random"/>.
/// D(x) is the step's own forward (<see cref="RegularizerContext.RealOutput"/>; recomputed if absent); gradients flow
/// through both terms. One extra D forward (on T(x)). D only.
/// </summary>
public sealed class ConsistencyRegularization : IRegularizer
{
    /// <summary>Creates the regularizer (options validated).</summary>
    public ConsistencyRegularization(ConsistencyOptions? options = null) => Options = (options ?? new ConsistencyOptions()).Validate();

    /// <summary>The options.</summary>
    public ConsistencyOptions Options { get; }

    /// <inheritdoc/>
    public string Name => "cr";

    /// <summary>E[(D(x) - D(T(x)))^2]: the mean over the batch of the squared score difference, given D(x) and T(x).</summary>
    public static Tensor Penalty(IDiscriminator discriminator, Tensor scores, Tensor augmented, Tensor? labels = null)
    {
        using var output = discriminator.Forward(augmented, labels);
        using var diff = scores.flatten() - output.Scores.flatten();
        using var sq = diff.square();
        return sq.mean();
    }

    /// <summary>The unweighted consistency term for <paramref name="samples"/> with D(samples) = <paramref name="scores"/> (or null to compute).</summary>
    internal static Tensor Term(IDiscriminator d, Tensor samples, Tensor? scores, Tensor? labels, int maxShift, bool flip, PaddingModes padding, Generator random)
    {
        using var scope = NewDisposeScope();
        var draw = ShiftFlipAugmentation.Draw(samples.shape[0], maxShift, flip, random);
        var augmented = ShiftFlipAugmentation.Apply(samples.detach(), draw, maxShift, padding);
        Tensor s;
        if (scores is not null) s = scores;
        else
        {
            var o = d.Forward(samples, labels);
            foreach (var f in o.BlockFeatures) f.Dispose();
            s = o.Scores;
        }
        return Penalty(d, s, augmented, labels).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public PenaltyTerm? DiscriminatorTerm(RegularizerContext context)
    {
        using var p = Term(context.Discriminator, context.Real, context.RealOutput?.Scores, context.RealLabels, Options.MaxShift, Options.Flip, Options.Padding, context.Random);
        double value = GradientPenalty.Scalar(p);
        return new PenaltyTerm(p * Options.Weight, new Dictionary<string, double> { ["cr"] = value });
    }

    /// <summary>Null: CR acts on D only.</summary>
    public PenaltyTerm? GeneratorTerm(RegularizerContext context) => null;
}

/// <summary>
/// Balanced consistency regularization (bCR; Zhao et al. 2021, "Improved consistency regularization for GANs"): the
/// discriminator loss adds lambda_real E[||D(x) - D(T(x))||^2] + lambda_fake E[||D(G(z)) - D(T(G(z)))||^2], the fakes
/// detached from G, T as in <see cref="ConsistencyRegularization"/> with independent draws for reals and fakes (reals
/// first). Two extra D forwards. D only.
/// </summary>
public sealed class BalancedConsistencyRegularization : IRegularizer
{
    /// <summary>Creates the regularizer (options validated).</summary>
    public BalancedConsistencyRegularization(BalancedConsistencyOptions? options = null) => Options = (options ?? new BalancedConsistencyOptions()).Validate();

    /// <summary>The options.</summary>
    public BalancedConsistencyOptions Options { get; }

    /// <inheritdoc/>
    public string Name => "bcr";

    /// <inheritdoc/>
    public PenaltyTerm? DiscriminatorTerm(RegularizerContext context)
    {
        using var scope = NewDisposeScope();
        var real = ConsistencyRegularization.Term(context.Discriminator, context.Real, context.RealOutput?.Scores, context.RealLabels, Options.MaxShift, Options.Flip, Options.Padding, context.Random);
        var fake = ConsistencyRegularization.Term(context.Discriminator, context.Fake, context.FakeOutput.Scores, context.FakeLabels, Options.MaxShift, Options.Flip, Options.Padding, context.Random);
        var metrics = new Dictionary<string, double> { ["bcr_real"] = GradientPenalty.Scalar(real), ["bcr_fake"] = GradientPenalty.Scalar(fake) };
        var loss = (real * Options.RealWeight + fake * Options.FakeWeight).MoveToOuterDisposeScope();
        return new PenaltyTerm(loss, metrics);
    }

    /// <summary>Null: bCR acts on D only.</summary>
    public PenaltyTerm? GeneratorTerm(RegularizerContext context) => null;
}
