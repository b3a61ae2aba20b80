using Ml.GanSdp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Regularizers;

/// <summary>Gradients of the discriminator's scores with respect to its input, as the gradient penalties need them.</summary>
public static class InputGradients
{
    /// <summary>
    /// ||grad_x sum_n D(x)_n||_2 per sample (shape N), the gradient flattened over each sample's dimensions. The
    /// gradient is taken with create_graph, so the norm is differentiable with respect to D's parameters (double
    /// backward). <paramref name="points"/> is detached and cloned first, so this runs its own D forward on it.
    /// </summary>
    public static Tensor PerSampleNorm(IDiscriminator discriminator, Tensor points, Tensor? labels = null)
    {
        using var scope = NewDisposeScope();
        var grad = ScoreGradient(discriminator, points, labels);
        return linalg.vector_norm(grad.flatten(1), 2, new long[] { 1 }).MoveToOuterDisposeScope();
    }

    /// <summary>||grad_x sum_n D(x)_n||_2^2 per sample (shape N), differentiable like <see cref="PerSampleNorm"/>.</summary>
    public static Tensor PerSampleSquaredNorm(IDiscriminator discriminator, Tensor points, Tensor? labels = null)
    {
        using var scope = NewDisposeScope();
        var grad = ScoreGradient(discriminator, points, labels);
        return grad.flatten(1).square().sum(1).MoveToOuterDisposeScope();
    }

    private static Tensor ScoreGradient(IDiscriminator discriminator, Tensor points, Tensor? labels)
    {
        if (points.dim() < 2) throw new ArgumentException($"Gradient penalties need a batch N x ..., got shape [{string.Join(", ", points.shape)}].", nameof(points));
        using var _ = enable_grad();
        var x = points.detach().clone().requires_grad_();
        using var output = discriminator.Forward(x, labels);
        var total = output.Scores.sum();
        // TorchSharp does not turn retain_graph on with create_graph as PyTorch does: both are needed for double backward.
        var grad = autograd.grad(new[] { total }, new[] { x }, retain_graph: true, create_graph: true)[0];
        return grad is { IsInvalid: false } ? grad : throw new InvalidOperationException("The discriminator's scores do not depend on its input.");
    }
}
