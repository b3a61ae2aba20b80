using static Ml.GanSdp.torch.nn.functional;

namespace Ml.GanSdp.Modules;

using Module = Ml.GanSdp.torch.nn.Module<Ml.GanSdp.torch.Tensor, Ml.GanSdp.torch.Tensor>;
using Tensor = Ml.GanSdp.torch.Tensor;
using static Ml.GanSdp.torch;

/// <summary>y = x W^T + b, with PyTorch's default initialization.</summary>
public sealed class Linear : Module
{
    /// <summary>Creates the layer.</summary>
    public Linear(long inFeatures, long outFeatures, bool hasBias = true) : base(nameof(Linear))
    {
        if (inFeatures <= 0 || outFeatures <= 0) throw new ArgumentOutOfRangeException(nameof(inFeatures), $"Linear needs positive sizes, got {inFeatures} -> {outFeatures}.");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        var w = empty(new[] { outFeatures, inFeatures });
        nn.init.kaiming_uniform_(w, Math.Sqrt(5));
        register_parameter("weight", w);
        if (hasBias)
        {
            var b = empty(new[] { outFeatures });
            nn.init.default_bias_(b, inFeatures);
            register_parameter("bias", b);
        }
    }

    /// <summary>Input size.</summary>
    public long InFeatures { get; }
    /// <summary>Output size.</summary>
    public long OutFeatures { get; }
    /// <summary>The weight parameter (out x in), or the original weight when a reparametrization computes it.</summary>
    public Tensor weight => get_parameter("weight") ?? get_parameter("weight_orig")!;
    /// <summary>The bias, or null.</summary>
    public Tensor? bias => get_parameter("bias");

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        var w = get_weight("weight", out var owned);
        try { return linear(input, w, bias); }
        finally { if (owned) w.Dispose(); }
    }
}

/// <summary>2-D convolution with PyTorch's default initialization.</summary>
public sealed class Conv2d : Module
{
    private readonly Size2 _stride, _padding, _dilation;
    private readonly long _groups;

    /// <summary>Creates the layer.</summary>
    public Conv2d(long inChannels, long outChannels, Size2 kernelSize, Size2? stride = null, Size2? padding = null, Size2? dilation = null, long groups = 1, bool bias = true)
        : base(nameof(Conv2d))
    {
        if (inChannels <= 0 || outChannels <= 0 || inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"Conv2d channels {inChannels} -> {outChannels} must be positive and divisible by groups={groups}.");
        _stride = stride ?? 1;
        _padding = padding ?? 0;
        _dilation = dilation ?? 1;
        _groups = groups;
        InChannels = inChannels;
        OutChannels = outChannels;
        var w = empty(new[] { outChannels, inChannels / groups, kernelSize.Height, kernelSize.Width });
        nn.init.kaiming_uniform_(w, Math.Sqrt(5));
        register_parameter("weight", w);
        if (bias)
        {
            var b = empty(new[] { outChannels });
            nn.init.default_bias_(b, nn.init.calculate_fan_in_and_fan_out(w).fanIn);
            register_parameter("bias", b);
        }
    }

    /// <summary>Input channels.</summary>
    public long InChannels { get; }
    /// <summary>Output channels.</summary>
    public long OutChannels { get; }
    /// <summary>The weight parameter, or the original weight when a reparametrization computes it.</summary>
    public Tensor weight => get_parameter("weight") ?? get_parameter("weight_orig")!;
    /// <summary>The bias, or null.</summary>
    public Tensor? bias => get_parameter("bias");

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        var w = get_weight("weight", out var owned);
        try { return conv2d(input, w, bias, _stride, _padding, _dilation, _groups); }
        finally { if (owned) w.Dispose(); }
    }
}

/// <summary>2-D transposed convolution with PyTorch's default initialization.</summary>
public sealed class ConvTranspose2d : Module
{
    private readonly Size2 _stride, _padding, _outputPadding, _dilation;
    private readonly long _groups;

    /// <summary>Creates the layer.</summary>
    public ConvTranspose2d(long inChannels, long outChannels, Size2 kernelSize, Size2? stride = null, Size2? padding = null, Size2? outputPadding = null, long groups = 1, bool bias = true, Size2? dilation = null)
        : base(nameof(ConvTranspose2d))
    {
        if (inChannels <= 0 || outChannels <= 0 || inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"ConvTranspose2d channels {inChannels} -> {outChannels} must be positive and divisible by groups={groups}.");
        _stride = stride ?? 1;
        _padding = padding ?? 0;
        _outputPadding = outputPadding ?? 0;
        _dilation = dilation ?? 1;
        _groups = groups;
        var w = empty(new[] { inChannels, outChannels / groups, kernelSize.Height, kernelSize.Width });
        nn.init.kaiming_uniform_(w, Math.Sqrt(5));
        register_parameter("weight", w);
        if (bias)
        {
            var b = empty(new[] { outChannels });
            nn.init.default_bias_(b, nn.init.calculate_fan_in_and_fan_out(w).fanIn);
            register_parameter("bias", b);
        }
    }

    /// <summary>The weight parameter (in x out/groups x kH x kW).</summary>
    public Tensor weight => get_parameter("weight") ?? get_parameter("weight_orig")!;
    /// <summary>The bias, or null.</summary>
    public Tensor? bias => get_parameter("bias");

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        var w = get_weight("weight", out var owned);
        try { return conv_transpose2d(input, w, bias, _stride, _padding, _outputPadding, _groups, _dilation); }
        finally { if (owned) w.Dispose(); }
    }
}

/// <summary>Batch normalization over N x C x H x W (or N x C) with running statistics.</summary>
public sealed class BatchNorm : Module
{
    private readonly double _eps, _momentum;

    /// <summary>Creates the layer; <paramref name="affine"/> false leaves out weight and bias.</summary>
    public BatchNorm(long numFeatures, double eps = 1e-5, double momentum = 0.1, bool affine = true, bool trackRunningStats = true, string name = "BatchNorm2d")
        : base(name)
    {
        _eps = eps;
        _momentum = momentum;
        if (affine)
        {
            register_parameter("weight", ones(numFeatures));
            register_parameter("bias", zeros(numFeatures));
        }
        if (trackRunningStats)
        {
            register_buffer("running_mean", zeros(numFeatures));
            register_buffer("running_var", ones(numFeatures));
            register_buffer("num_batches_tracked", zeros(Array.Empty<long>(), ScalarType.Int64));
        }
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        var rm = get_buffer("running_mean");
        if (training && rm is not null)
        {
            // An int64 counter: add_(long) keeps it int64 (integer scalar path of the shim).
            using (no_grad()) get_buffer("num_batches_tracked")!.add_(1L);
        }
        bool useBatchStats = training || rm is null;
        return batch_norm(input, rm, get_buffer("running_var"), get_parameter("weight"), get_parameter("bias"), useBatchStats, _momentum, _eps);
    }
}

/// <summary>A lookup table of embeddings, initialized N(0, 1).</summary>
public sealed class Embedding : Module
{
    /// <summary>Creates the table.</summary>
    public Embedding(long numEmbeddings, long embeddingDim) : base(nameof(Embedding))
    {
        var w = empty(new[] { numEmbeddings, embeddingDim });
        nn.init.normal_(w);
        register_parameter("weight", w);
    }

    /// <summary>The table, or the original table when a reparametrization (spectral norm) computes it.</summary>
    public Tensor weight => get_parameter("weight") ?? get_parameter("weight_orig")!;

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        var w = get_weight("weight", out var owned);
        try { return embedding(input, w); }
        finally { if (owned) w.Dispose(); }
    }
}

/// <summary>Applies its children in order; they are named "0", "1", ... as in PyTorch.</summary>
public sealed class Sequential : Module
{
    private readonly List<Module> _layers = new();

    /// <summary>Creates the chain.</summary>
    public Sequential(params Module[] layers) : base(nameof(Sequential))
    {
        foreach (var l in layers) Add(l);
    }

    /// <summary>Appends a layer.</summary>
    public Sequential Add(Module layer)
    {
        register_module(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer);
        _layers.Add(layer);
        return this;
    }

    /// <summary>The layers.</summary>
    public IReadOnlyList<Module> Layers => _layers;

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        if (_layers.Count == 0) return input.alias();
        var x = _layers[0].forward(input);
        for (int i = 1; i < _layers.Count; i++)
        {
            var next = _layers[i].forward(x);
            if (!ReferenceEquals(next, x) && !ReferenceEquals(x, input)) x.Dispose();
            x = next;
        }
        return x;
    }
}

/// <summary>An element-wise function as a module (ReLU, LeakyReLU, Tanh, Sigmoid, Flatten, Identity).</summary>
public sealed class Lambda : Module
{
    private readonly Func<Tensor, Tensor> _f;

    /// <summary>Wraps <paramref name="f"/>.</summary>
    public Lambda(string name, Func<Tensor, Tensor> f) : base(name) => _f = f;

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => _f(input);
}
