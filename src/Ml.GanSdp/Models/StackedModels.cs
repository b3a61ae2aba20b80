using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Models;

/// <summary>
/// A generator that is a single <see cref="LayerStack"/> named <c>main</c> (the module tree of the pytorch/examples
/// DCGAN generator), used by the MLP, DCGAN and SNGAN standard-CNN generators. Class-conditional variants put
/// <see cref="ConditionalBatchNorm"/> layers in the stack.
/// </summary>
public sealed class StackedGenerator : nn.Module, IGenerator
{
    /// <summary>Components are registered explicitly under PyTorch's names; TorchSharp's field-name registration would add duplicates.</summary>
    protected override void RegisterComponents() { }

    private readonly LayerStack _main;
    private readonly bool _latentAsImage;

    /// <summary>Wraps <paramref name="main"/>; with <paramref name="latentAsImage"/> z is fed as N x latent x 1 x 1.</summary>
    public StackedGenerator(string name, LayerStack main, long latentSize, long[] sampleShape, int numClasses, bool latentAsImage) : base(name)
    {
        _main = main;
        this.Register("main", main);
        LatentSize = latentSize;
        SampleShape = sampleShape;
        NumClasses = numClasses;
        _latentAsImage = latentAsImage;
    }

    /// <inheritdoc/>
    public long LatentSize { get; }
    /// <inheritdoc/>
    public long[] SampleShape { get; }
    /// <inheritdoc/>
    public int NumClasses { get; }
    /// <inheritdoc/>
    public nn.Module Module => this;
    /// <summary>The layer stack.</summary>
    public LayerStack Main => _main;

    /// <inheritdoc/>
    public Tensor Forward(Tensor z, Tensor? labels = null)
    {
        long n = ModelChecks.Latent(z, LatentSize, GetName());
        ModelChecks.LabelsIfConditional(labels, n, NumClasses, GetName());
        using var input = _latentAsImage ? z.reshape(n, LatentSize, 1, 1) : z.reshape(n, LatentSize);
        return _main.Run(input, labels);
    }
}

/// <summary>
/// A discriminator that is a single <see cref="LayerStack"/> named <c>main</c> whose first layers form blocks
/// (each block ends at an index of <c>blockEnds</c>) and whose remaining layers are the head psi mapping the last
/// block's output to one score per sample (used by the MLP, DCGAN and SNGAN standard-CNN discriminators).
/// With classes it is a projection discriminator (Miyato and Koyama 2018): score = psi(phi(x)) + &lt;embed(y), phi(x)&gt;
/// where phi(x) is the last block's output flattened (the head is linear in it) and <c>embed</c> is an embedding of
/// that size. Block outputs of vector models (N x H) are returned as N x H x 1 x 1, so the contract's
/// N x C x H x W holds and SDP's global max pooling over H, W is the identity on them.
/// </summary>
public sealed class StackedDiscriminator : nn.Module, IDiscriminator
{
    /// <summary>Components are registered explicitly under PyTorch's names; TorchSharp's field-name registration would add duplicates.</summary>
    protected override void RegisterComponents() { }

    private readonly LayerStack _main;
    private readonly int[] _blockEnds;
    private readonly nn.Module<Tensor, Tensor>? _embed;

    /// <summary>Wraps <paramref name="main"/>; <paramref name="embed"/> (numClasses x flattened last block size) is given iff conditional.</summary>
    public StackedDiscriminator(string name, LayerStack main, IReadOnlyList<int> blockEnds, long[] sampleShape, int numClasses, nn.Module? embed) : base(name)
    {
        if (blockEnds.Count == 0 || blockEnds[^1] >= main.Layers.Count - 1)
            throw new ArgumentException($"{name}: the blocks must end before the last layer of the stack.", nameof(blockEnds));
        if ((numClasses > 0) != (embed is not null))
            throw new ArgumentException($"{name}: a projection embedding is required iff NumClasses > 0.", nameof(embed));
        _main = main;
        this.Register("main", main);
        _blockEnds = blockEnds.ToArray();
        SampleShape = sampleShape;
        NumClasses = numClasses;
        if (embed is not null)
        {
            _embed = embed as nn.Module<Tensor, Tensor> ?? throw new ArgumentException($"{name}: the projection embedding must map labels to vectors.", nameof(embed));
            this.Register("embed", _embed);
        }
    }

    /// <inheritdoc/>
    public int NumClasses { get; }
    /// <inheritdoc/>
    public nn.Module Module => this;
    /// <summary>Shape of one input sample.</summary>
    public long[] SampleShape { get; }
    /// <summary>The layer stack.</summary>
    public LayerStack Main => _main;
    /// <summary>Index in <see cref="Main"/> of the last layer of each block.</summary>
    public IReadOnlyList<int> BlockEnds => _blockEnds;
    /// <summary>The projection embedding (numClasses x phi size), or null.</summary>
    public nn.Module<Tensor, Tensor>? Embed => _embed;

    /// <inheritdoc/>
    public DiscriminatorOutput Forward(Tensor x, Tensor? labels = null)
    {
        long n = ModelChecks.Sample(x, SampleShape, GetName());
        ModelChecks.LabelsIfConditional(labels, n, NumClasses, GetName());
        var features = new List<Tensor>();
        Tensor cur = x;
        bool owned = false;
        try
        {
            int b = 0;
            for (int i = 0; i <= _blockEnds[^1]; i++)
            {
                var next = LayerStack.Apply(_main.Layers[i], cur, labels);
                if (owned && !ReferenceEquals(next, cur)) cur.Dispose();
                cur = next;
                owned = true;
                if (i != _blockEnds[b]) continue;
                b++;
                if (cur.dim() == 2)
                {
                    // Vector blocks: the feature is the N x H x 1 x 1 view, and the network continues from it, so
                    // that the returned feature is upstream of the scores like the feature maps of the CNNs.
                    var feature = cur.view(n, cur.shape[1], 1, 1);
                    features.Add(feature);
                    cur.Dispose();
                    cur = feature.view(n, feature.shape[1]);
                }
                else { features.Add(cur); owned = false; }
            }
            if (owned) cur.Dispose();
            owned = false;
            return new DiscriminatorOutput(Head(features[^1], labels), features);
        }
        catch
        {
            if (owned) cur.Dispose();
            foreach (var f in features) f.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The head applied to the last block's output (as returned in <see cref="DiscriminatorOutput.BlockFeatures"/>):
    /// psi(phi) plus the projection term when conditional. Forward uses it, so calling it on the last block feature
    /// reproduces the scores.
    /// </summary>
    public Tensor Head(Tensor lastBlockFeature, Tensor? labels = null)
    {
        long n = lastBlockFeature.shape[0];
        ModelChecks.LabelsIfConditional(labels, n, NumClasses, GetName());
        using var input = lastBlockFeature.dim() == 4 && _main.Layers[_blockEnds[^1] + 1] is Linear or SpectralNormLayer { Kind: SpectralNormLayer.LayerKind.Linear }
            ? lastBlockFeature.reshape(n, -1) : lastBlockFeature.alias();
        using var psi = _main.Run(input, labels, _blockEnds[^1] + 1);
        var scores = psi.reshape(n);
        if (_embed is null) return scores;
        using (scores)
        {
            using var phi = lastBlockFeature.reshape(n, -1);
            using var e = _embed.call(labels!);
            using var prod = e * phi;
            using var proj = prod.sum(1);
            return scores + proj;
        }
    }
}
