using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Training;

/// <summary>
/// An exponential moving average of a module's parameters kept in a second module of the same structure
/// (for example the generator, as in Karras et al. and StudioGAN): after each update,
/// target = decay * target + (1 - decay) * source for parameters; buffers (batch-norm statistics,
/// power-iteration vectors) are copied. Before <see cref="StartIteration"/> the target copies the source.
/// </summary>
public sealed class ExponentialMovingAverage
{
    private readonly (Tensor source, Tensor target)[] _parameters;
    private readonly (Tensor source, Tensor target)[] _buffers;

    /// <summary>Averages <paramref name="source"/> into <paramref name="target"/>, which must have the same parameter and buffer names and shapes.</summary>
    public ExponentialMovingAverage(nn.Module source, nn.Module target, double decay, long startIteration = 0)
    {
        if (!(decay >= 0 && decay < 1)) throw new ArgumentOutOfRangeException(nameof(decay), decay, "The EMA decay must be in [0, 1).");
        if (startIteration < 0) throw new ArgumentOutOfRangeException(nameof(startIteration), startIteration, "The EMA start iteration must be at least 0.");
        if (ReferenceEquals(source, target)) throw new ArgumentException("The EMA target must be a separate module from its source.", nameof(target));
        Decay = decay;
        StartIteration = startIteration;
        _parameters = Pair(source.named_parameters().Select(p => (p.name, (Tensor)p.parameter)), target.named_parameters().Select(p => (p.name, (Tensor)p.parameter)), "parameter");
        _buffers = Pair(source.named_buffers(), target.named_buffers(), "buffer");
        CopyFromSource();
    }

    /// <summary>The decay.</summary>
    public double Decay { get; }

    /// <summary>The first iteration that averages (earlier updates copy).</summary>
    public long StartIteration { get; }

    /// <summary>Sets the target's parameters and buffers to the source's.</summary>
    public void CopyFromSource()
    {
        using var _ = no_grad();
        foreach (var (s, t) in _parameters) t.copy_(s);
        foreach (var (s, t) in _buffers) t.copy_(s);
    }

    /// <summary>Updates the average after generator iteration <paramref name="iteration"/> (iterations completed).</summary>
    public void Update(long iteration)
    {
        if (iteration < StartIteration)
        {
            CopyFromSource();
            return;
        }
        using var _ = no_grad();
        double weight = 1 - Decay;
        foreach (var (s, t) in _parameters)
        {
            using var w = tensor(weight, t.dtype, t.device);
            t.lerp_(s, w);
        }
        foreach (var (s, t) in _buffers) t.copy_(s);
    }

    private static (Tensor, Tensor)[] Pair(IEnumerable<(string name, Tensor tensor)> source, IEnumerable<(string name, Tensor tensor)> target, string kind)
    {
        var s = source.ToList();
        var t = target.ToDictionary(x => x.name, x => x.tensor);
        if (s.Count != t.Count || s.Any(x => !t.ContainsKey(x.name)))
            throw new ArgumentException($"The EMA target's {kind}s [{string.Join(", ", t.Keys)}] do not match the source's [{string.Join(", ", s.Select(x => x.name))}].");
        var pairs = s.Select(x => (x.tensor, t[x.name])).ToArray();
        foreach (var ((name, _), (a, b)) in s.Zip(pairs))
            if (!a.shape.SequenceEqual(b.shape))
                throw new ArgumentException($"The EMA target's {kind} '{name}' has shape [{string.Join(", ", b.shape)}] but the source's has [{string.Join(", ", a.shape)}].");
        return pairs;
    }
}
