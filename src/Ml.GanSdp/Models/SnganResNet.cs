using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace Ml.GanSdp.Models;

/// <summary>
/// The SNGAN ResNet for 32x32 images (Miyato et al. 2018, Table 4; the residual blocks of Gulrajani et al. 2017,
/// with module names and initialization from Miyato and Koyama's sngan_projection code: residual convs
/// Glorot-uniform with gain sqrt 2, shortcuts, dense layers and embeddings Glorot-uniform, biases 0).
/// Channel counts scale with Width/64: G uses 4w channels (256 at Width 64), D 2w (128 at Width 64).
/// <para>G: z -> dense <c>l1</c> (4 x 4 x 4w) -> 3 up-blocks <c>block2..4</c> (BN, ReLU, nearest 2x upsample,
/// conv3x3, BN, ReLU, conv3x3; shortcut: upsample then conv1x1) -> BN <c>b5</c>, ReLU, conv3x3 <c>c5</c> to the image
/// channels, Tanh. Conditional G uses <see cref="ConditionalBatchNorm"/> inside the blocks (b5 stays plain).</para>
/// <para>D: optimized block <c>block1</c> (conv3x3, ReLU, conv3x3, 2x2 avg-pool; shortcut: avg-pool then conv1x1),
/// <c>block2</c> (down), <c>block3</c>, <c>block4</c> (ReLU, conv3x3, ReLU, conv3x3, [avg-pool]; shortcut conv1x1
/// [then avg-pool] when it changes size, else identity) -> ReLU -> global sum pooling -> dense <c>l5</c>; projection
/// D adds &lt;l_y(y), h&gt; with the pooled h. The block features are the four block outputs (the residual sums;
/// the ReLU that follows belongs to the next block or to the head). Spectral normalization (optional) covers every
/// conv, <c>l5</c> and <c>l_y</c>.</para>
/// </summary>
public static class SnganResNet
{
    /// <summary>The generator (32x32).</summary>
    public static ResNetGenerator Generator(long latentSize, long channels, long width, int numClasses = 0) => new(latentSize, channels, 4 * width, numClasses);

    /// <summary>The discriminator (32x32).</summary>
    public static ResNetDiscriminator Discriminator(long channels, long width, bool spectralNorm = true, int numClasses = 0) => new(channels, 2 * width, spectralNorm, numClasses);

    /// <summary>Glorot-uniform weights with <paramref name="gain"/> and zero bias.</summary>
    internal static T Glorot<T>(T layer, double gain = 1) where T : nn.Module
    {
        nn.init.xavier_uniform_(layer.get_parameter("weight")!, gain);
        if (layer.get_parameter("bias") is { } b) nn.init.zeros_(b);
        return layer;
    }

    internal static nn.Module<Tensor, Tensor> MaybeSn(nn.Module<Tensor, Tensor> layer, bool on) => on ? SpectralNorm.Apply(layer) : layer;

    internal static Tensor Upsample(Tensor x) => interpolate(x, scale_factor: new[] { 2.0, 2.0 }, mode: InterpolationMode.Nearest);

    internal static Tensor Downsample(Tensor x) => avg_pool2d(x, 2);

    internal static Tensor Norm(nn.Module bn, Tensor x, Tensor? labels) => LayerStack.Apply(bn, x, labels);
}

/// <summary>A generator residual block with 2x nearest upsampling (see <see cref="SnganResNet"/>).</summary>
public sealed class ResNetGenBlock : nn.Module
{
    /// <summary>Components are registered explicitly under PyTorch's names; TorchSharp's field-name registration would add duplicates.</summary>
    protected override void RegisterComponents() { }

    private readonly nn.Module _b1, _b2;
    private readonly Conv2d _c1, _c2, _cSc;

    /// <summary>Creates the block; with classes the two norms are conditional.</summary>
    public ResNetGenBlock(long inChannels, long outChannels, int numClasses) : base(nameof(ResNetGenBlock))
    {
        _b1 = this.Register("b1", Norm(inChannels, numClasses));
        _c1 = this.Register("c1", SnganResNet.Glorot(TorchLayers.Create(() => nn.Conv2d(inChannels, outChannels, 3, 1, 1)), Math.Sqrt(2)));
        _b2 = this.Register("b2", Norm(outChannels, numClasses));
        _c2 = this.Register("c2", SnganResNet.Glorot(TorchLayers.Create(() => nn.Conv2d(outChannels, outChannels, 3, 1, 1)), Math.Sqrt(2)));
        _cSc = this.Register("c_sc", SnganResNet.Glorot(TorchLayers.Create(() => nn.Conv2d(inChannels, outChannels, 1, 1, 0))));
    }

    private static nn.Module Norm(long c, int numClasses) => numClasses > 0 ? new ConditionalBatchNorm(c, numClasses) : nn.BatchNorm2d(c);

    /// <summary>upsample-conv residual branch plus upsample-conv1x1 shortcut.</summary>
    public Tensor forward(Tensor x, Tensor? labels)
    {
        using var scope = NewDisposeScope();
        var h = SnganResNet.Norm(_b1, x, labels).relu_();
        h = _c1.call(SnganResNet.Upsample(h));
        h = SnganResNet.Norm(_b2, h, labels).relu_();
        h = _c2.call(h);
        var sc = _cSc.call(SnganResNet.Upsample(x));
        return (h + sc).MoveToOuterDisposeScope();
    }
}

/// <summary>The SNGAN ResNet generator for 32x32 (see <see cref="SnganResNet"/>).</summary>
public sealed class ResNetGenerator : nn.Module, IGenerator
{
    /// <summary>Components are registered explicitly under PyTorch's names; TorchSharp's field-name registration would add duplicates.</summary>
    protected override void RegisterComponents() { }

    private readonly Linear _l1;
    private readonly ResNetGenBlock[] _blocks;
    private readonly BatchNorm _b5;
    private readonly Conv2d _c5;
    private readonly long _ch;

    /// <summary>Creates G with <paramref name="ch"/> channels in every block.</summary>
    public ResNetGenerator(long latentSize, long channels, long ch, int numClasses) : base(nameof(ResNetGenerator))
    {
        if (ch < 1) throw new ArgumentOutOfRangeException(nameof(ch), ch, "ModelOptions.Width must be at least 1.");
        LatentSize = latentSize;
        NumClasses = numClasses;
        SampleShape = new[] { channels, 32L, 32L };
        _ch = ch;
        _l1 = this.Register("l1", SnganResNet.Glorot(nn.Linear(latentSize, 4 * 4 * ch)));
        _blocks = new ResNetGenBlock[3];
        for (int i = 0; i < 3; i++) _blocks[i] = this.Register($"block{i + 2}", new ResNetGenBlock(ch, ch, numClasses));
        _b5 = this.Register("b5", nn.BatchNorm2d(ch));
        _c5 = this.Register("c5", SnganResNet.Glorot(TorchLayers.Create(() => nn.Conv2d(ch, channels, 3, 1, 1))));
    }

    /// <inheritdoc/>
    public long LatentSize { get; }
    /// <inheritdoc/>
    public long[] SampleShape { get; }
    /// <inheritdoc/>
    public int NumClasses { get; }
    /// <inheritdoc/>
    public nn.Module Module => this;

    /// <inheritdoc/>
    public Tensor Forward(Tensor z, Tensor? labels = null)
    {
        long n = ModelChecks.Latent(z, LatentSize, GetName());
        ModelChecks.LabelsIfConditional(labels, n, NumClasses, GetName());
        using var scope = NewDisposeScope();
        var h = _l1.call(z.reshape(n, LatentSize)).view(n, _ch, 4, 4);
        foreach (var b in _blocks) h = b.forward(h, labels);
        h = _b5.call(h).relu_();
        return _c5.call(h).tanh_().MoveToOuterDisposeScope();
    }
}

/// <summary>A discriminator residual block, or the optimized first block (see <see cref="SnganResNet"/>).</summary>
public sealed class ResNetDisBlock : nn.Module<Tensor, Tensor>
{
    /// <summary>Components are registered explicitly under PyTorch's names; TorchSharp's field-name registration would add duplicates.</summary>
    protected override void RegisterComponents() { }

    private readonly nn.Module<Tensor, Tensor> _c1, _c2;
    private readonly nn.Module<Tensor, Tensor>? _cSc;
    private readonly bool _downsample, _optimized;

    /// <summary>Creates the block; <paramref name="optimized"/> is the first block (no leading ReLU, pooled shortcut first).</summary>
    public ResNetDisBlock(long inChannels, long outChannels, bool downsample, bool optimized, bool spectralNorm) : base(nameof(ResNetDisBlock))
    {
        _downsample = downsample || optimized;
        _optimized = optimized;
        _c1 = this.Register("c1", SnganResNet.MaybeSn(SnganResNet.Glorot(TorchLayers.Create(() => nn.Conv2d(inChannels, outChannels, 3, 1, 1)), Math.Sqrt(2)), spectralNorm));
        _c2 = this.Register("c2", SnganResNet.MaybeSn(SnganResNet.Glorot(TorchLayers.Create(() => nn.Conv2d(outChannels, outChannels, 3, 1, 1)), Math.Sqrt(2)), spectralNorm));
        if (optimized || inChannels != outChannels || downsample)
            _cSc = this.Register("c_sc", SnganResNet.MaybeSn(SnganResNet.Glorot(TorchLayers.Create(() => nn.Conv2d(inChannels, outChannels, 1, 1, 0))), spectralNorm));
    }

    /// <summary>Residual branch plus shortcut.</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = _optimized ? _c1.call(x) : _c1.call(x.relu());
        h = _c2.call(h.relu_());
        if (_downsample) h = SnganResNet.Downsample(h);
        Tensor sc;
        if (_cSc is null) sc = x;
        else if (_optimized) sc = _cSc.call(SnganResNet.Downsample(x));
        else
        {
            sc = _cSc.call(x);
            if (_downsample) sc = SnganResNet.Downsample(sc);
        }
        return (h + sc).MoveToOuterDisposeScope();
    }
}

/// <summary>The SNGAN ResNet discriminator for 32x32, with optional projection (see <see cref="SnganResNet"/>).</summary>
public sealed class ResNetDiscriminator : nn.Module, IDiscriminator
{
    /// <summary>Components are registered explicitly under PyTorch's names; TorchSharp's field-name registration would add duplicates.</summary>
    protected override void RegisterComponents() { }

    private readonly ResNetDisBlock[] _blocks;
    private readonly nn.Module<Tensor, Tensor> _l5;
    private readonly nn.Module<Tensor, Tensor>? _ly;

    /// <summary>Creates D with <paramref name="ch"/> channels.</summary>
    public ResNetDiscriminator(long channels, long ch, bool spectralNorm, int numClasses) : base(nameof(ResNetDiscriminator))
    {
        if (ch < 1) throw new ArgumentOutOfRangeException(nameof(ch), ch, "ModelOptions.Width must be at least 1.");
        NumClasses = numClasses;
        SampleShape = new[] { channels, 32L, 32L };
        _blocks = new[]
        {
            this.Register("block1", new ResNetDisBlock(channels, ch, downsample: true, optimized: true, spectralNorm)),
            this.Register("block2", new ResNetDisBlock(ch, ch, downsample: true, optimized: false, spectralNorm)),
            this.Register("block3", new ResNetDisBlock(ch, ch, downsample: false, optimized: false, spectralNorm)),
            this.Register("block4", new ResNetDisBlock(ch, ch, downsample: false, optimized: false, spectralNorm)),
        };
        _l5 = this.Register("l5", SnganResNet.MaybeSn(SnganResNet.Glorot(nn.Linear(ch, 1)), spectralNorm));
        if (numClasses > 0)
        {
            var e = nn.Embedding(numClasses, ch).InitWeight(w => nn.init.xavier_uniform_(w));
            _ly = this.Register("l_y", SnganResNet.MaybeSn(e, spectralNorm));
        }
    }

    /// <inheritdoc/>
    public int NumClasses { get; }
    /// <inheritdoc/>
    public nn.Module Module => this;
    /// <summary>Shape of one input sample.</summary>
    public long[] SampleShape { get; }
    /// <summary>The projection embedding, or null.</summary>
    public nn.Module<Tensor, Tensor>? Embed => _ly;

    /// <inheritdoc/>
    public DiscriminatorOutput Forward(Tensor x, Tensor? labels = null)
    {
        long n = ModelChecks.Sample(x, SampleShape, GetName());
        ModelChecks.LabelsIfConditional(labels, n, NumClasses, GetName());
        var features = new List<Tensor>();
        try
        {
            var h = x;
            foreach (var b in _blocks)
            {
                h = b.call(h);
                features.Add(h);
            }
            return new DiscriminatorOutput(Head(h, labels), features);
        }
        catch
        {
            foreach (var f in features) f.Dispose();
            throw;
        }
    }

    /// <summary>The head on the last block output: ReLU, global sum pooling, <c>l5</c>, plus the projection term.</summary>
    public Tensor Head(Tensor lastBlockFeature, Tensor? labels = null)
    {
        long n = lastBlockFeature.shape[0];
        ModelChecks.LabelsIfConditional(labels, n, NumClasses, GetName());
        using var scope = NewDisposeScope();
        var h = lastBlockFeature.relu().sum(new long[] { 2, 3 });
        var score = _l5.call(h).reshape(n);
        if (_ly is not null) score = score + (_ly.call(labels!) * h).sum(1);
        return score.MoveToOuterDisposeScope();
    }
}
