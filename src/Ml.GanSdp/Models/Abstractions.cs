using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Models;

/// <summary>
/// What a discriminator returns from ONE forward pass: the scores (raw, pre-sigmoid; shape N) and the
/// output of each of its blocks (N x C_j x H_j x W_j, post-activation, in network order). SDP and feature
/// matching read the block features, so no second pass is needed. The caller owns every tensor (dispose
/// them, or let a dispose scope do it).
/// </summary>
public sealed class DiscriminatorOutput : IDisposable
{
    /// <summary>Wraps the scores and block features.</summary>
    public DiscriminatorOutput(Tensor scores, IReadOnlyList<Tensor> blockFeatures)
    {
        Scores = scores;
        BlockFeatures = blockFeatures;
    }

    /// <summary>Raw scores, shape N (larger means "more real").</summary>
    public Tensor Scores { get; }

    /// <summary>Post-activation outputs of each block, in order.</summary>
    public IReadOnlyList<Tensor> BlockFeatures { get; }

    /// <summary>Frees the scores and the block features.</summary>
    public void Dispose()
    {
        Scores.Dispose();
        foreach (var f in BlockFeatures) f.Dispose();
    }
}

/// <summary>A generator: latent codes (N x LatentSize), and class labels (int64, N) when conditional, to images.</summary>
public interface IGenerator : IDisposable
{
    /// <summary>Size of the latent code z.</summary>
    long LatentSize { get; }

    /// <summary>Shape of one generated sample: C x H x W for images, or D for vectors.</summary>
    long[] SampleShape { get; }

    /// <summary>Number of classes for a class-conditional generator, 0 otherwise.</summary>
    int NumClasses { get; }

    /// <summary>The module holding the parameters (for optimizers, state dicts, train/eval).</summary>
    torch.nn.Module Module { get; }

    /// <summary>Generates N samples from N latent codes (labels required iff <see cref="NumClasses"/> &gt; 0). Images are in [-1, 1].</summary>
    Tensor Forward(Tensor z, Tensor? labels = null);
}

/// <summary>A discriminator (critic): samples (and labels when conditional) to scores and block features.</summary>
public interface IDiscriminator : IDisposable
{
    /// <summary>Number of classes for a projection discriminator, 0 otherwise.</summary>
    int NumClasses { get; }

    /// <summary>The module holding the parameters.</summary>
    torch.nn.Module Module { get; }

    /// <summary>One forward pass returning the scores and every block's output.</summary>
    DiscriminatorOutput Forward(Tensor x, Tensor? labels = null);
}
