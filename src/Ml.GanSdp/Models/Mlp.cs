using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Models;

/// <summary>
/// Multi-layer perceptrons for low-dimensional data (the 2-D toy mixtures): G = [Linear, ReLU] x depth, Linear to
/// the data dimension (no output nonlinearity: toy data are not bounded); D = [Linear, LeakyReLU(0.2)] x depth,
/// Linear to one score. Each hidden [Linear, LeakyReLU] of D is a block; its N x H output is returned as
/// N x H x 1 x 1 so that SDP's global max pooling over H, W leaves it unchanged (the block features of a vector
/// model are used as they are). PyTorch's default initialization; state-dict keys <c>main.{i}.weight</c>,
/// <c>main.{i}.bias</c> as in <c>nn.Sequential</c>.
/// </summary>
public static class Mlp
{
    /// <summary>The generator: <paramref name="latentSize"/> -> <paramref name="width"/> (x <paramref name="depth"/> hidden layers) -> <paramref name="dataDim"/>.</summary>
    public static StackedGenerator Generator(long latentSize, long dataDim, long width, int depth)
    {
        Check(width, depth);
        var main = new LayerStack();
        long inF = latentSize;
        for (int i = 0; i < depth; i++)
        {
            main.Add(torch.nn.Linear(inF, width));
            main.Add(torch.nn.ReLU());
            inF = width;
        }
        main.Add(torch.nn.Linear(width, dataDim));
        return new StackedGenerator("MlpGenerator", main, latentSize, new[] { dataDim }, 0, latentAsImage: false);
    }

    /// <summary>The discriminator: <paramref name="dataDim"/> -> <paramref name="width"/> (x <paramref name="depth"/> blocks) -> 1, optionally spectrally normalized.</summary>
    public static StackedDiscriminator Discriminator(long dataDim, long width, int depth, bool spectralNorm = false)
    {
        Check(width, depth);
        var main = new LayerStack();
        var ends = new List<int>();
        long inF = dataDim;
        for (int i = 0; i < depth; i++)
        {
            main.Add(Sn(torch.nn.Linear(inF, width), spectralNorm));
            main.Add(torch.nn.LeakyReLU(0.2));
            ends.Add(main.Layers.Count - 1);
            inF = width;
        }
        main.Add(Sn(torch.nn.Linear(width, 1), spectralNorm));
        return new StackedDiscriminator("MlpDiscriminator", main, ends, new[] { dataDim }, 0, null);
    }

    private static nn.Module Sn(Linear l, bool on) => on ? SpectralNorm.Apply(l) : l;

    private static void Check(long width, int depth)
    {
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), width, "The MLP width (ModelOptions.Width) must be at least 1.");
        if (depth < 1) throw new ArgumentOutOfRangeException(nameof(depth), depth, "The MLP depth (ModelOptions.Depth) must be at least 1.");
    }
}
