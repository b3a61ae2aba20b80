using Ml.GanSdp.Modules;
using static Ml.GanSdp.torch;
using static Ml.GanSdp.torch.nn.functional;

namespace Ml.GanSdp.Models;

/// <summary>
/// Spectral normalization (Miyato et al. 2018, "Spectral Normalization for Generative Adversarial Networks"),
/// a faithful port of <c>torch.nn.utils.spectral_norm</c>: the layer's <c>weight</c> parameter becomes
/// <c>weight_orig</c>, two buffers <c>weight_u</c> and <c>weight_v</c> hold the power-iteration vectors (so the
/// state-dict keys are PyTorch's), and every forward uses <c>weight_orig / sigma</c> with
/// <c>sigma = u^T W v</c>, W being <c>weight_orig</c> reshaped to a matrix (dim 0 first, or dim 1 for
/// <see cref="ConvTranspose2d"/>). In training mode each forward first runs one power iteration
/// (v = normalize(W^T u), u = normalize(W v), eps 1e-12) that updates the buffers in place without gradient;
/// in evaluation mode the stored u and v are used as they are.
/// </summary>
public static class SpectralNorm
{
    /// <summary>PyTorch's default epsilon for the normalizations in the power iteration.</summary>
    public const double DefaultEps = 1e-12;

    /// <summary>
    /// Applies spectral normalization to <paramref name="module"/>'s parameter <paramref name="name"/> in place
    /// and returns the module. u and v are drawn from N(0, 1) with the default generator (u first) and normalized,
    /// as PyTorch does, so the same seed and the same construction order give PyTorch's values.
    /// </summary>
    /// <param name="module">A layer whose forward reads its weight through <c>get_weight</c> (Linear, Conv2d, ConvTranspose2d, Embedding).</param>
    /// <param name="name">The parameter to normalize.</param>
    /// <param name="dim">The dimension that becomes the rows of the matrix; null picks 1 for ConvTranspose2d and 0 otherwise.</param>
    /// <param name="eps">Epsilon of the normalizations.</param>
    public static T Apply<T>(T module, string name = "weight", int? dim = null, double eps = DefaultEps) where T : torch.nn.Module
    {
        ArgumentNullException.ThrowIfNull(module);
        if (module.get_parameter(name + "_orig") is not null)
            throw new InvalidOperationException($"{module.Name} already has spectral normalization on '{name}'.");
        if (module.get_parameter(name) is null)
            throw new ArgumentException($"{module.Name} has no parameter named '{name}' to spectrally normalize.", nameof(name));
        int d = dim ?? (module is ConvTranspose2d ? 1 : 0);
        var weight = module.remove_parameter(name);
        if (d < 0 || d >= weight.dim())
            throw new ArgumentOutOfRangeException(nameof(dim), d, $"dim must index one of the {weight.dim()} dimensions of '{name}'.");
        Tensor u, v;
        using (no_grad())
        {
            using var mat = ToMatrix(weight, d);
            var (h, w) = (mat.shape[0], mat.shape[1]);
            using var u0 = empty(new[] { h }, weight.dtype, weight.device).normal_(0, 1);
            u = normalize(u0, 2, 0, eps);
            using var v0 = empty(new[] { w }, weight.dtype, weight.device).normal_(0, 1);
            v = normalize(v0, 2, 0, eps);
        }
        module.register_parameter(name + "_orig", weight);
        module.register_buffer(name + "_u", u);
        module.register_buffer(name + "_v", v);
        module.register_computed_weight(name, () => ComputeWeight(module, name, d, eps));
        Settings.GetOrCreateValue(module)[name] = (d, eps);
        return module;
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<torch.nn.Module, Dictionary<string, (int dim, double eps)>> Settings = new();

    /// <summary>
    /// The normalized weight from the current weight_orig, u and v, without a power iteration and without gradient
    /// (what an evaluation-mode forward uses; after a training-mode forward, the weight that forward used).
    /// </summary>
    public static Tensor NormalizedWeight(torch.nn.Module module, string name = "weight")
    {
        if (!Settings.TryGetValue(module, out var d) || !d.TryGetValue(name, out var s))
            throw new ArgumentException($"{module.Name} has no spectral normalization on '{name}'.", nameof(name));
        using (no_grad())
        {
            var weight = module.get_parameter(name + "_orig")!;
            using var mat = ToMatrix(weight, s.dim);
            using var wv = mat.matmul(module.get_buffer(name + "_v")!);
            using var sigma = module.get_buffer(name + "_u")!.matmul(wv);
            return weight / sigma;
        }
    }

    /// <summary>Whether <paramref name="module"/> has spectral normalization on <paramref name="name"/>.</summary>
    public static bool IsApplied(torch.nn.Module module, string name = "weight") => module.get_parameter(name + "_orig") is not null;

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

    /// <summary>One forward's weight: weight_orig / (u^T W v), after a power iteration in training mode.</summary>
    private static Tensor ComputeWeight(torch.nn.Module module, string name, int dim, double eps)
    {
        var weight = module.get_parameter(name + "_orig")!;
        var u = module.get_buffer(name + "_u")!;
        var v = module.get_buffer(name + "_v")!;
        using var mat = ToMatrix(weight, dim);
        if (module.training)
        {
            using (no_grad())
            {
                using (var mt = mat.T)
                using (var wtu = mt.matmul(u))
                using (var nv = normalize(wtu, 2, 0, eps)) v.copy_(nv);
                using (var wv0 = mat.matmul(v))
                using (var nu = normalize(wv0, 2, 0, eps)) u.copy_(nu);
            }
        }
        // Like PyTorch, use copies of u and v in the graph: a later power iteration updates the buffers in
        // place, which must not invalidate a graph that still waits for its backward pass.
        using var uc = u.clone();
        using var vc = v.clone();
        using var wv = mat.matmul(vc);
        using var sigma = uc.matmul(wv);
        return weight / sigma;
    }
}
