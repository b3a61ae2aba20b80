using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Models;

/// <summary>
/// The SNGAN "standard CNN" for 32x32 images (Miyato et al. 2018, Table 3), with channel counts scaled by
/// Width/64 (Width = 64 gives the paper's 512/256/128/64).
/// <para>G: z -> dense (4 x 4 x 8w), reshape, BN, ReLU -> [deconv 4x4 stride 2, BN, ReLU] to 4w, 2w, w channels
/// -> conv 3x3 stride 1 to the image channels -> Tanh. Table 3 lists no normalization after the dense layer; we
/// follow the reference implementation (chainer-gan-lib's DCGANGenerator), which applies BN and ReLU there, but as
/// a per-channel BN after the reshape so that the conditional variant can use <see cref="ConditionalBatchNorm"/>
/// everywhere.</para>
/// <para>D: conv 3x3 s1 (w), conv 4x4 s2 (w), conv 3x3 s1 (2w), conv 4x4 s2 (2w), conv 3x3 s1 (4w), conv 4x4 s2 (4w),
/// conv 3x3 s1 (8w), each followed by LeakyReLU(0.1) (padding 1, with biases), then dense (4 x 4 x 8w -> 1). Each
/// conv + LeakyReLU is a block (7 blocks). Spectral normalization (optional) covers every conv, the dense layer and
/// the projection embedding. Conditional D is a projection discriminator on the flattened last block
/// (embedding <c>embed</c>, Glorot-uniform as in Miyato and Koyama's code).</para>
/// <para>Module tree: a Sequential <c>main</c> (G: 0 dense, 1 reshape, 2 BN, 3 ReLU, ...; D: conv/LeakyReLU pairs
/// 0..13, dense 14); PyTorch's default initialization.</para>
/// </summary>
public static class SnganCnn
{
    /// <summary>The generator (32x32, <paramref name="channels"/> channels).</summary>
    public static StackedGenerator Generator(long latentSize, long channels, long width, int numClasses = 0)
    {
        long top = 8 * width;
        var main = new LayerStack();
        main.Add(nn.Linear(latentSize, 4 * 4 * top));
        main.Add(nn.Unflatten(1, new[] { top, 4L, 4L }));
        AddNorm(main, top, numClasses);
        main.Add(nn.ReLU());
        for (long c = top; c > width; c /= 2)
        {
            main.Add(TorchLayers.Create(() => nn.ConvTranspose2d(c, c / 2, 4, 2, 1)));
            AddNorm(main, c / 2, numClasses);
            main.Add(nn.ReLU());
        }
        main.Add(TorchLayers.Create(() => nn.Conv2d(width, channels, 3, 1, 1)));
        main.Add(nn.Tanh());
        return new StackedGenerator("SnganCnnGenerator", main, latentSize, new[] { channels, 32L, 32L }, numClasses, latentAsImage: false);
    }

    /// <summary>The discriminator (32x32), optionally spectrally normalized and/or a projection discriminator.</summary>
    public static StackedDiscriminator Discriminator(long channels, long width, bool spectralNorm = true, int numClasses = 0)
    {
        var convs = new (long In, long Out, long K, long S)[]
        {
            (channels, width, 3, 1), (width, width, 4, 2),
            (width, 2 * width, 3, 1), (2 * width, 2 * width, 4, 2),
            (2 * width, 4 * width, 3, 1), (4 * width, 4 * width, 4, 2),
            (4 * width, 8 * width, 3, 1),
        };
        var main = new LayerStack();
        var ends = new List<int>();
        foreach (var (i, o, k, s) in convs)
        {
            main.Add(Sn(TorchLayers.Create(() => nn.Conv2d(i, o, k, s, 1)), spectralNorm));
            main.Add(nn.LeakyReLU(0.1));
            ends.Add(main.Layers.Count - 1);
        }
        main.Add(Sn(nn.Linear(4 * 4 * 8 * width, 1), spectralNorm));
        nn.Module? embed = null;
        if (numClasses > 0)
        {
            var e = nn.Embedding(numClasses, 4 * 4 * 8 * width).InitWeight(w => nn.init.xavier_uniform_(w));
            embed = spectralNorm ? SpectralNorm.Apply(e) : e;
        }
        return new StackedDiscriminator("SnganCnnDiscriminator", main, ends, new[] { channels, 32L, 32L }, numClasses, embed);
    }

    private static void AddNorm(LayerStack main, long features, int numClasses)
    {
        if (numClasses > 0) main.Add(new ConditionalBatchNorm(features, numClasses));
        else main.Add(nn.BatchNorm2d(features));
    }

    private static nn.Module Sn(nn.Module layer, bool on) => on ? SpectralNorm.Apply(layer) : layer;
}
