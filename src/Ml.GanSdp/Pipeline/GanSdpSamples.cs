using Ml.GanSdp.Models;
using Ml.GanSdp.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp;

/// <summary>
/// What <see cref="GanSdpOptions.OnSample"/> receives every <see cref="GanSdpOptions.SampleInterval"/> iterations: the
/// current generator's images (the EMA generator when EMA is on), in the output pixel scale, and a sampler for more
/// (e.g. a Frechet distance curve). Images are computed exactly as the fitted model will compute them from a row's seed
/// and label (<see cref="SeededLatent"/> codes, evaluation mode), with the weights of this iteration.
/// Valid only during the callback: <see cref="Generate"/> throws afterwards.
/// </summary>
public sealed class GanSdpSamples
{
    private readonly IGenerator _generator;
    private bool _valid = true;

    internal GanSdpSamples(long iteration, IGenerator generator, ImageShape shape, PixelRange range, int sampleCount)
    {
        Iteration = iteration;
        _generator = generator;
        Shape = shape;
        Range = range;
        ClassCount = generator.NumClasses;
        var seeds = new long[sampleCount];
        for (int i = 0; i < sampleCount; i++) seeds[i] = i;
        Classes = ClassCount > 0 ? seeds.Select(s => (int)(s % ClassCount)).ToArray() : null;
        Images = Generate(seeds, Classes);
    }

    /// <summary>Generator iterations completed.</summary>
    public long Iteration { get; }

    /// <summary>[C, H, W] of one image.</summary>
    public ImageShape Shape { get; }

    /// <summary>The pixel scale of the images (the input's, <see cref="GanSdpOptions.InputRange"/>).</summary>
    public PixelRange Range { get; }

    /// <summary>Classes of the conditional generator (0 when unconditional).</summary>
    public int ClassCount { get; }

    /// <summary>
    /// <see cref="GanSdpOptions.SampleCount"/> images, N x C x H x W in C order: image i from seed i and, when conditional,
    /// class i mod <see cref="ClassCount"/> (so a grid with <see cref="ClassCount"/> columns has one class per column).
    /// </summary>
    public float[] Images { get; }

    /// <summary>The 0-based class of each image of <see cref="Images"/>, or null when unconditional.</summary>
    public int[]? Classes { get; }

    /// <summary>
    /// Images (N x C x H x W, C order, in <see cref="Range"/>) for <paramref name="seeds"/> and, when conditional, the
    /// 0-based <paramref name="classes"/> (one per seed). Computed in batches of 256.
    /// </summary>
    public float[] Generate(ReadOnlySpan<long> seeds, ReadOnlySpan<int> classes = default)
    {
        if (!_valid) throw new InvalidOperationException("GanSdpSamples.Generate is only valid during the OnSample callback (the generator keeps training afterwards).");
        if (ClassCount > 0 && classes.Length != seeds.Length)
            throw new ArgumentException($"The generator is conditional on {ClassCount} classes: give one class per seed ({seeds.Length} seeds, {classes.Length} classes).", nameof(classes));
        if (ClassCount == 0 && classes.Length != 0)
            throw new ArgumentException("The generator is unconditional: give no classes.", nameof(classes));
        foreach (var c in classes)
            if (c < 0 || c >= ClassCount) throw new ArgumentOutOfRangeException(nameof(classes), c, $"Classes are 0 .. {ClassCount - 1}.");
        return GeneratorSampling.Generate(_generator, seeds, classes, Shape, Range);
    }

    internal void Invalidate() => _valid = false;
}

/// <summary>Generation from a TorchSharp generator with the fitted model's definition (seeded latents, eval mode, clip, pixel map).</summary>
internal static class GeneratorSampling
{
    private const int Batch = 256;

    /// <summary>
    /// Images for seeds (and 0-based classes), in <paramref name="range"/>: z from <see cref="SeededLatent.Compute"/>, the
    /// generator in evaluation mode under no_grad (its mode is restored), clipped to [-1, 1] and mapped with
    /// x (max - min)/2 + (max + min)/2 in float32, like <see cref="GeneratorGraph.ScaleTanhToRange"/>.
    /// </summary>
    public static float[] Generate(IGenerator g, ReadOnlySpan<long> seeds, ReadOnlySpan<int> classes, ImageShape shape, PixelRange range)
    {
        var result = new float[checked(seeds.Length * (int)shape.Size)];
        float half = (float)(((double)range.Max - range.Min) / 2), mid = (float)(((double)range.Max + range.Min) / 2);
        int latent = checked((int)g.LatentSize);
        var device = g.Module.parameters().FirstOrDefault()?.device ?? CPU;
        bool wasTraining = g.Module.training;
        g.Module.eval();
        try
        {
            for (int start = 0; start < seeds.Length; start += Batch)
            {
                int n = Math.Min(Batch, seeds.Length - start);
                var z = new float[n * latent];
                for (int i = 0; i < n; i++) SeededLatent.Compute(seeds[start + i], latent).CopyTo(z, i * latent);
                long[]? y = classes.Length > 0 ? new long[n] : null;
                if (y is not null) for (int i = 0; i < n; i++) y[i] = classes[start + i];
                using var scope = NewDisposeScope();
                using var _ = no_grad();
                var zt = tensor(z, [n, latent]).to(device);
                var yt = y is null ? null : tensor(y, [n]).to(device);
                var images = g.Forward(zt, yt).cpu().contiguous().data<float>().ToArray();
                var target = result.AsSpan(start * (int)shape.Size, images.Length);
                for (int i = 0; i < images.Length; i++) target[i] = Math.Clamp(images[i], -1f, 1f) * half + mid;
            }
        }
        finally
        {
            if (wasTraining) g.Module.train();
        }
        return result;
    }
}
