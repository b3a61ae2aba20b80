using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Models;

/// <summary>Input checks shared by the models, with messages that name the model and the expected shape.</summary>
internal static class ModelChecks
{
    /// <summary>Checks that z is N x <paramref name="latentSize"/> (or N x latent x 1 x 1) and returns N.</summary>
    public static long Latent(Tensor z, long latentSize, string model)
    {
        ArgumentNullException.ThrowIfNull(z);
        var s = z.shape;
        bool ok = (s.Length == 2 && s[1] == latentSize) || (s.Length == 4 && s[1] == latentSize && s[2] == 1 && s[3] == 1);
        if (!ok) throw new ArgumentException($"{model} expects latent codes of shape N x {latentSize}, got [{string.Join(", ", s)}].", nameof(z));
        if (z.dtype is not (ScalarType.Float32 or ScalarType.Float64))
            throw new ArgumentException($"{model} expects floating-point latent codes, got {z.dtype}.", nameof(z));
        return s[0];
    }

    /// <summary>Checks that labels are given iff the model is conditional, and are int64 of shape N.</summary>
    public static void LabelsIfConditional(Tensor? labels, long n, int numClasses, string model)
    {
        if (numClasses == 0)
        {
            if (labels is not null) throw new ArgumentException($"{model} is unconditional (NumClasses = 0) but labels were given.", nameof(labels));
            return;
        }
        if (labels is null) throw new ArgumentException($"{model} is class-conditional ({numClasses} classes): labels are required.", nameof(labels));
        Labels(labels, n, numClasses, model);
    }

    /// <summary>Checks that labels are int64 of shape N (values are checked by the embedding lookup).</summary>
    public static void Labels(Tensor labels, long n, int numClasses, string model)
    {
        var s = labels.shape;
        if (s.Length != 1 || s[0] != n)
            throw new ArgumentException($"{model} expects labels of shape [{n}], got [{string.Join(", ", s)}].", nameof(labels));
        if (labels.dtype != ScalarType.Int64)
            throw new ArgumentException($"{model} expects int64 labels in [0, {numClasses}), got {labels.dtype}.", nameof(labels));
    }

    /// <summary>Checks that x is N x shape.</summary>
    public static long Sample(Tensor x, long[] sampleShape, string model)
    {
        ArgumentNullException.ThrowIfNull(x);
        var s = x.shape;
        if (s.Length != sampleShape.Length + 1 || !s.Skip(1).SequenceEqual(sampleShape))
            throw new ArgumentException($"{model} expects input of shape N x {string.Join(" x ", sampleShape)}, got [{string.Join(", ", s)}].", nameof(x));
        return s[0];
    }
}
