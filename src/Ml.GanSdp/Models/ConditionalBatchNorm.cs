using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Models;

/// <summary>
/// Class-conditional batch normalization (de Vries et al. 2017; used by SNGAN-projection, Miyato and Koyama 2018,
/// and BigGAN): batch norm without affine parameters, then <c>gamma[y] * x + beta[y]</c> with per-class gains and
/// biases looked up in two embeddings (<c>gamma</c> initialized to 1, <c>beta</c> to 0, so an untrained layer is
/// a plain batch norm). State-dict keys: <c>bn.running_mean</c>, <c>bn.running_var</c>, <c>bn.num_batches_tracked</c>,
/// <c>gamma.weight</c>, <c>beta.weight</c>.
/// </summary>
public sealed class ConditionalBatchNorm : nn.Module<Tensor, Tensor, Tensor>
{
    /// <summary>Components are registered explicitly under PyTorch's names; TorchSharp's field-name registration would add duplicates.</summary>
    protected override void RegisterComponents() { }

    private readonly BatchNorm2d _bn;
    private readonly Embedding _gamma, _beta;

    /// <summary>Creates the layer for <paramref name="numFeatures"/> channels and <paramref name="numClasses"/> classes.</summary>
    public ConditionalBatchNorm(long numFeatures, int numClasses, double eps = 1e-5, double momentum = 0.1) : base(nameof(ConditionalBatchNorm))
    {
        if (numFeatures < 1) throw new ArgumentOutOfRangeException(nameof(numFeatures), numFeatures, "ConditionalBatchNorm needs at least one feature.");
        if (numClasses < 1) throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "ConditionalBatchNorm needs at least one class.");
        NumFeatures = numFeatures;
        NumClasses = numClasses;
        _bn = nn.BatchNorm2d(numFeatures, eps, momentum, affine: false);
        _gamma = nn.Embedding(numClasses, numFeatures);
        _beta = nn.Embedding(numClasses, numFeatures);
        register_module("bn", _bn);
        register_module("gamma", _gamma);
        register_module("beta", _beta);
        _gamma.InitWeight(w => nn.init.ones_(w));
        _beta.InitWeight(w => nn.init.zeros_(w));
    }

    /// <summary>Channels.</summary>
    public long NumFeatures { get; }

    /// <summary>Classes.</summary>
    public int NumClasses { get; }

    /// <summary>Normalizes N x C (x H x W) input and applies the gain and bias of each sample's class (int64 labels, shape N).</summary>
    public override Tensor forward(Tensor input, Tensor labels)
    {
        var s = input.shape;
        if (s.Length is not (2 or 4) || s[1] != NumFeatures)
            throw new ArgumentException($"ConditionalBatchNorm expects N x {NumFeatures} or N x {NumFeatures} x H x W input, got [{string.Join(", ", s)}].", nameof(input));
        ModelChecks.Labels(labels, s[0], NumClasses, "ConditionalBatchNorm");
        var shape = s.Length == 4 ? new[] { s[0], s[1], 1L, 1L } : new[] { s[0], s[1] };
        // A batch norm over N x C equals one over N x C x 1 x 1 (the statistics are per channel over N).
        using var input4 = s.Length == 4 ? input.alias() : input.view(s[0], s[1], 1, 1);
        using var normalized4 = _bn.call(input4);
        using var normalized = normalized4.view(s);
        using var g = _gamma.call(labels);
        using var b = _beta.call(labels);
        using var gv = g.view(shape);
        using var bv = b.view(shape);
        using var scaled = normalized * gv;
        return scaled + bv;
    }
}
