using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ml.GanSdp;

/// <summary>
/// Construction of TorchSharp layers without stray tensors. TorchSharp 0.107 leaves two kinds of undisposed
/// tensor wrappers behind, each holding a reference to a weight's storage until the garbage collector finalizes it
/// (so a disposed model's weights stay in memory, and the creating thread's live-tensor count never returns):
/// <list type="bullet">
/// <item>the convolutions' <c>reset_parameters</c> computes the bias bound with <c>init.CalculateFanInAndFanOut</c>,
/// which indexes <c>weight[0, 0]</c> (a view) and never disposes it (Conv2d and ConvTranspose2d with a bias);</item>
/// <item>the natively backed <see cref="Embedding"/> returns a new <see cref="Parameter"/> wrapper from every read of
/// its <c>weight</c> property.</item>
/// </list>
/// </summary>
internal static class TorchLayers
{
    /// <summary>
    /// Runs a layer constructor inside its own dispose scope, so temporaries it creates and drops are disposed at
    /// once. The layer's parameters survive: TorchSharp's layers detach them from the scope when they store them.
    /// Use it for TorchSharp's own layers only: a constructor that keeps a tensor it did not detach would lose it.
    /// </summary>
    public static T Create<T>(Func<T> constructor) where T : nn.Module
    {
        using var scope = NewDisposeScope();
        return constructor();
    }

    /// <summary>Applies <paramref name="init"/> to an embedding's weight, disposing the wrapper the property returns.</summary>
    public static Embedding InitWeight(this Embedding embedding, Action<Tensor> init)
    {
        using var weight = embedding.weight ?? throw new InvalidOperationException("The embedding has no weight.");
        init(weight);
        return embedding;
    }
}
