using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace Ml.GanSdp.Models;

/// <summary>
/// Spectral normalization (Miyato et al. 2018, "Spectral Normalization for Generative Adversarial Networks"),
/// a port of <c>torch.nn.utils.spectral_norm</c> (TorchSharp has none): <see cref="Apply{T}"/> turns a
/// Linear, Conv2d, ConvTranspose2d or Embedding into a <see cref="SpectralNormLayer"/> whose parameter
/// <c>weight_orig</c> and buffers <c>weight_u</c>, <c>weight_v</c> carry PyTorch's state-dict names. Every forward
/// uses <c>weight_orig / sigma</c> with <c>sigma = u^T W v</c>, W being <c>weight_orig</c> reshaped to a matrix
/// (dim 0 first, or dim 1 for ConvTranspose2d). In training mode each forward first runs one power iteration
/// (v = normalize(W^T u), u = normalize(W v), eps 1e-12) that updates the buffers in place without gradient;
/// in evaluation mode the stored u and v are used as they are (no side effect).
/// </summary>
public static class SpectralNorm
{
    /// <summary>PyTorch's default epsilon for the normalizations in the power iteration.</summary>
    public const double DefaultEps = 1e-12;

    /// <summary>
    /// Returns <paramref name="layer"/> spectrally normalized (a new module holding the layer's weight as
    /// <c>weight_orig</c> and its bias; <paramref name="layer"/> is disposed). u and v are drawn from N(0, 1) with the
    /// default generator (u first) and normalized, as PyTorch does, so the same seed and the same construction order
    /// give PyTorch's values.
    /// </summary>
    /// <param name="layer">A Linear, Conv2d, ConvTranspose2d or Embedding.</param>
    /// <param name="dim">The dimension that becomes the rows of the matrix; null picks 1 for ConvTranspose2d and 0 otherwise.</param>
    /// <param name="eps">Epsilon of the normalizations.</param>
    public static SpectralNormLayer Apply<T>(T layer, int? dim = null, double eps = DefaultEps) where T : nn.Module
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (!(eps > 0) || !double.IsFinite(eps)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "The spectral-norm epsilon must be positive and finite.");
        var sn = layer switch
        {
            Linear l => new SpectralNormLayer(SpectralNormLayer.LayerKind.Linear, l.weight!, l.bias, dim ?? 0, eps, null),
            ConvTranspose2d c => new SpectralNormLayer(SpectralNormLayer.LayerKind.ConvTranspose2d, c.weight!, c.bias, dim ?? 1, eps, c),
            Conv2d c => new SpectralNormLayer(SpectralNormLayer.LayerKind.Conv2d, c.weight!, c.bias, dim ?? 0, eps, c),
            Embedding e => FromEmbedding(e, dim ?? 0, eps),
            SpectralNormLayer => throw new InvalidOperationException("The layer is already spectrally normalized."),
            _ => throw new ArgumentException($"Spectral normalization supports Linear, Conv2d, ConvTranspose2d and Embedding, not {layer.GetName()}.", nameof(layer)),
        };
        layer.Dispose();
        return sn;
    }

    /// <summary>The layer for an embedding (TorchSharp's Embedding returns a new weight wrapper from each read: disposed here).</summary>
    private static SpectralNormLayer FromEmbedding(Embedding e, int dim, double eps)
    {
        using var weight = e.weight ?? throw new ArgumentException("The embedding has no weight.", nameof(e));
        return new SpectralNormLayer(SpectralNormLayer.LayerKind.Embedding, weight, null, dim, eps, null);
    }

    /// <summary>Whether <paramref name="module"/> is a spectrally normalized layer.</summary>
    public static bool IsApplied(nn.Module module) => module is SpectralNormLayer;

    /// <summary>The weight as a matrix with <paramref name="dim"/> first (a view or a copy of it).</summary>
    internal static Tensor ToMatrix(Tensor weight, int dim)
    {
        if (dim == 0) return weight.reshape(weight.shape[0], -1);
        var order = new long[weight.dim()];
        order[0] = dim;
        for (int i = 0, k = 1; i < order.Length; i++) if (i != dim) order[k++] = i;
        using var p = weight.permute(order);
        return p.reshape(p.shape[0], -1);
    }
}

/// <summary>
/// A layer under spectral normalization (see <see cref="SpectralNorm"/>): parameters <c>weight_orig</c> (and
/// <c>bias</c> when the layer has one), buffers <c>weight_u</c>, <c>weight_v</c>, exactly the state-dict entries of a
/// PyTorch layer after <c>torch.nn.utils.spectral_norm</c>.
/// </summary>
public sealed class SpectralNormLayer : nn.Module<Tensor, Tensor>
{
    /// <summary>Components are registered explicitly under PyTorch's names; TorchSharp's field-name registration would add duplicates.</summary>
    protected override void RegisterComponents() { }

    /// <summary>The operation the normalized weight is used in.</summary>
    public enum LayerKind
    {
        /// <summary>y = x W^T + b.</summary>
        Linear,
        /// <summary>A 2-D convolution.</summary>
        Conv2d,
        /// <summary>A 2-D transposed convolution.</summary>
        ConvTranspose2d,
        /// <summary>Row lookup W[labels].</summary>
        Embedding,
    }

    private readonly Parameter _weightOrig;
    private readonly Parameter? _bias;
    private readonly Tensor _u, _v;
    private readonly long[] _stride = { 1, 1 }, _padding = { 0, 0 }, _dilation = { 1, 1 }, _outputPadding = { 0, 0 };
    private readonly long _groups = 1;

    internal SpectralNormLayer(LayerKind kind, Tensor weight, Tensor? bias, int dim, double eps, Convolution? conv)
        : base("SpectralNorm" + kind)
    {
        if (dim < 0 || dim >= weight.dim())
            throw new ArgumentOutOfRangeException(nameof(dim), dim, $"dim must index one of the {weight.dim()} dimensions of the weight.");
        if (conv is not null)
        {
            if (conv.padding_mode != PaddingModes.Zeros || conv.padding_type is not null)
                throw new ArgumentException("Spectral normalization supports convolutions with explicit zero padding only.");
            _stride = conv.stride;
            _padding = conv.padding!;
            _dilation = conv.dilation;
            _groups = conv.groups;
            if (kind == LayerKind.ConvTranspose2d) _outputPadding = conv.output_padding;
        }
        Kind = kind;
        Dim = dim;
        Eps = eps;
        using (no_grad())
        {
            _weightOrig = new Parameter(weight.clone());
            _bias = bias is null ? null : new Parameter(bias.clone());
            using var mat = SpectralNorm.ToMatrix(_weightOrig, dim);
            var (h, w) = (mat.shape[0], mat.shape[1]);
            using var u0 = empty(h, weight.dtype, weight.device).normal_(0, 1);
            _u = normalize(u0, 2, 0, eps);
            using var v0 = empty(w, weight.dtype, weight.device).normal_(0, 1);
            _v = normalize(v0, 2, 0, eps);
        }
        if (_bias is not null) register_parameter("bias", _bias);
        register_parameter("weight_orig", _weightOrig);
        register_buffer("weight_u", _u);
        register_buffer("weight_v", _v);
    }

    /// <summary>The wrapped operation.</summary>
    public LayerKind Kind { get; }
    /// <summary>The dimension that forms the rows of the weight matrix.</summary>
    public int Dim { get; }
    /// <summary>Epsilon of the power iteration's normalizations.</summary>
    public double Eps { get; }
    /// <summary>The unnormalized weight (<c>weight_orig</c>).</summary>
    public Parameter WeightOrig => _weightOrig;
    /// <summary>The bias, or null.</summary>
    public Parameter? Bias => _bias;
    /// <summary>The left singular vector estimate (<c>weight_u</c>).</summary>
    public Tensor U => _u;
    /// <summary>The right singular vector estimate (<c>weight_v</c>).</summary>
    public Tensor V => _v;

    /// <summary>
    /// The normalized weight from the current weight_orig, u and v, without a power iteration and without gradient
    /// (what an evaluation-mode forward uses; after a training-mode forward, the weight that forward used).
    /// </summary>
    public Tensor NormalizedWeight()
    {
        using var _ = no_grad();
        using var mat = SpectralNorm.ToMatrix(_weightOrig, Dim);
        using var wv = mat.matmul(_v);
        using var sigma = _u.dot(wv);
        return _weightOrig / sigma;
    }

    /// <summary>One forward's weight: weight_orig / (u^T W v), after a power iteration in training mode.</summary>
    private Tensor Weight()
    {
        using var mat = SpectralNorm.ToMatrix(_weightOrig, Dim);
        if (training)
        {
            using (no_grad())
            {
                using (var mt = mat.t())
                using (var wtu = mt.matmul(_u))
                using (var nv = normalize(wtu, 2, 0, Eps)) _v.copy_(nv);
                using (var wv0 = mat.matmul(_v))
                using (var nu = normalize(wv0, 2, 0, Eps)) _u.copy_(nu);
            }
        }
        // Like PyTorch, use copies of u and v in the graph: a later power iteration updates the buffers in
        // place, which must not invalidate a graph that still waits for its backward pass.
        using var uc = _u.clone();
        using var vc = _v.clone();
        using var wv = mat.matmul(vc);
        using var sigma = uc.dot(wv);
        return _weightOrig / sigma;
    }

    /// <summary>The layer's operation with the normalized weight.</summary>
    public override Tensor forward(Tensor input)
    {
        using var w = Weight();
        return Kind switch
        {
            LayerKind.Linear => linear(input, w, _bias),
            LayerKind.Conv2d => conv2d(input, w, _bias, _stride, _padding, _dilation, _groups),
            LayerKind.ConvTranspose2d => conv_transpose2d(input, w, _bias, _stride, _padding, _outputPadding, _dilation, _groups),
            LayerKind.Embedding => w.index_select(0, input),
            _ => throw new InvalidOperationException($"Unknown layer kind {Kind}."),
        };
    }
}
