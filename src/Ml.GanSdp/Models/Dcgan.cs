using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Models;

/// <summary>
/// DCGAN (Radford et al. 2016) in the shape of pytorch/examples/dcgan, the "standard CNN" of the SDP paper:
/// G = ConvTranspose-BN-ReLU stages ending in ConvTranspose-Tanh, D = Conv-LeakyReLU(0.2) stages with BN except on
/// the first, then a conv to one score (no Sigmoid: raw scores); no conv biases; ngf = ndf = Width. The module
/// tree is pytorch/examples' (a Sequential <c>main</c>), so the state-dict keys are theirs
/// (<c>main.0.weight</c>, <c>main.1.running_mean</c>, ...). Weights are initialized as there: conv N(0, 0.02),
/// BN gain N(1, 0.02) and bias 0, drawn after all layers are built, in layer order.
/// <para>Sizes: 64 px is pytorch/examples (G 1->4->8->16->32->64 with 8w, 4w, 2w, w channels; D mirrors it);
/// 32 px drops the widest stage (G 1->4->8->16->32 with 4w, 2w, w; D 32->16->8->4->1); 28 px is the 32 px network
/// with the 4->7 up-convolution (and the 7->4 down-convolution) using a 3x3 kernel, stride 2, padding 1.</para>
/// <para>D's blocks are its conv(+BN)+LeakyReLU stages; the final conv (kernel = the 4x4 map) is the head psi.
/// With spectral normalization every conv is normalized and D has no BN; <c>batchNorm: false</c> removes BN
/// (WGAN-GP). Conditional: G uses <see cref="ConditionalBatchNorm"/> in place of BN; D is a projection
/// discriminator whose phi is the last block output flattened (embedding <c>embed</c>, N(0, 0.02)).</para>
/// </summary>
public static class Dcgan
{
    private sealed record Stage(long In, long Out, long Kernel, long Stride, long Padding);

    /// <summary>The generator for <paramref name="imageSize"/> (28, 32, 64) images with <paramref name="channels"/> channels.</summary>
    public static StackedGenerator Generator(long latentSize, long channels, int imageSize, long width, int numClasses = 0)
    {
        var stages = GeneratorStages(latentSize, channels, imageSize, width);
        var main = new LayerStack();
        for (int i = 0; i < stages.Count; i++)
        {
            var s = stages[i];
            main.Add(nn.ConvTranspose2d(s.In, s.Out, s.Kernel, s.Stride, s.Padding, bias: false));
            if (i == stages.Count - 1) { main.Add(nn.Tanh()); break; }
            if (numClasses > 0) main.Add(new ConditionalBatchNorm(s.Out, numClasses));
            else main.Add(nn.BatchNorm2d(s.Out));
            main.Add(nn.ReLU());
        }
        InitWeights(main.Layers);
        return new StackedGenerator("DcganGenerator", main, latentSize, new[] { channels, (long)imageSize, imageSize }, numClasses, latentAsImage: true);
    }

    /// <summary>The discriminator; BN only when <paramref name="batchNorm"/> and not <paramref name="spectralNorm"/>.</summary>
    public static StackedDiscriminator Discriminator(long channels, int imageSize, long width, bool batchNorm = true, bool spectralNorm = false, int numClasses = 0)
    {
        var stages = DiscriminatorStages(channels, imageSize, width);
        bool bn = batchNorm && !spectralNorm;
        var layers = new List<nn.Module>();
        var ends = new List<int>();
        for (int i = 0; i < stages.Count; i++)
        {
            var s = stages[i];
            layers.Add(nn.Conv2d(s.In, s.Out, s.Kernel, s.Stride, s.Padding, bias: false));
            if (i == stages.Count - 1) break;
            if (bn && i > 0) layers.Add(nn.BatchNorm2d(s.Out));
            layers.Add(nn.LeakyReLU(0.2));
            ends.Add(layers.Count - 1);
        }
        nn.Module? embed = null;
        if (numClasses > 0)
        {
            var last = stages[^1];
            embed = nn.Embedding(numClasses, last.In * last.Kernel * last.Kernel).InitWeight(w => nn.init.normal_(w, 0, 0.02));
        }
        InitWeights(layers);
        // As PyTorch's spectral_norm after weights_init: every conv in order, then the embedding (u, v drawn in that order).
        if (spectralNorm)
        {
            for (int i = 0; i < layers.Count; i++) if (layers[i] is Conv2d c) layers[i] = SpectralNorm.Apply(c);
            if (embed is not null) embed = SpectralNorm.Apply(embed);
        }
        var main = new LayerStack();
        foreach (var l in layers) main.Add(l);
        return new StackedDiscriminator("DcganDiscriminator", main, ends, new[] { channels, (long)imageSize, imageSize }, numClasses, embed);
    }

    private static List<Stage> GeneratorStages(long nz, long nc, int size, long w) => size switch
    {
        64 => new() { new(nz, 8 * w, 4, 1, 0), new(8 * w, 4 * w, 4, 2, 1), new(4 * w, 2 * w, 4, 2, 1), new(2 * w, w, 4, 2, 1), new(w, nc, 4, 2, 1) },
        32 => new() { new(nz, 4 * w, 4, 1, 0), new(4 * w, 2 * w, 4, 2, 1), new(2 * w, w, 4, 2, 1), new(w, nc, 4, 2, 1) },
        28 => new() { new(nz, 4 * w, 4, 1, 0), new(4 * w, 2 * w, 3, 2, 1), new(2 * w, w, 4, 2, 1), new(w, nc, 4, 2, 1) },
        _ => throw new ArgumentOutOfRangeException(nameof(size), size, "ModelOptions.ImageSize must be 28, 32 or 64 for DCGAN."),
    };

    private static List<Stage> DiscriminatorStages(long nc, int size, long w) => size switch
    {
        64 => new() { new(nc, w, 4, 2, 1), new(w, 2 * w, 4, 2, 1), new(2 * w, 4 * w, 4, 2, 1), new(4 * w, 8 * w, 4, 2, 1), new(8 * w, 1, 4, 1, 0) },
        32 => new() { new(nc, w, 4, 2, 1), new(w, 2 * w, 4, 2, 1), new(2 * w, 4 * w, 4, 2, 1), new(4 * w, 1, 4, 1, 0) },
        28 => new() { new(nc, w, 4, 2, 1), new(w, 2 * w, 4, 2, 1), new(2 * w, 4 * w, 3, 2, 1), new(4 * w, 1, 4, 1, 0) },
        _ => throw new ArgumentOutOfRangeException(nameof(size), size, "ModelOptions.ImageSize must be 28, 32 or 64 for DCGAN."),
    };

    /// <summary>pytorch/examples' weights_init: conv weights N(0, 0.02); BN weight N(1, 0.02), bias 0.</summary>
    private static void InitWeights(IEnumerable<nn.Module> layers)
    {
        foreach (var l in layers)
        {
            switch (l)
            {
                case ConvTranspose2d c: nn.init.normal_(c.weight!, 0, 0.02); break;
                case Conv2d c: nn.init.normal_(c.weight!, 0, 0.02); break;
                case BatchNorm b when b.weight is { } g:
                    nn.init.normal_(g, 1, 0.02);
                    nn.init.zeros_(b.bias!);
                    break;
            }
        }
    }
}
