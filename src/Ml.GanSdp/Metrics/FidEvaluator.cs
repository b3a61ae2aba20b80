using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Metrics;

/// <summary>
/// Runs a feature extractor over image batches and compares the resulting statistics: FID with
/// <see cref="InceptionV3Fid"/> (pytorch-fid's protocol), or the same Frechet distance in another feature space
/// (e.g. <see cref="DomainClassifier"/>); features can also be collected for KID and precision/recall.
/// Images are N x C x H x W floats in [0, 1].
/// </summary>
public sealed class FidEvaluator
{
    /// <summary>Uses <paramref name="extractor"/>; large tensors are fed to it <paramref name="batchSize"/> images at a time.</summary>
    public FidEvaluator(IFeatureExtractor extractor, int batchSize = 50)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size must be positive.");
        Extractor = extractor;
        BatchSize = batchSize;
    }

    /// <summary>The feature network.</summary>
    public IFeatureExtractor Extractor { get; }

    /// <summary>Images per forward pass.</summary>
    public int BatchSize { get; }

    /// <summary>Streaming statistics of the features of all batches (none are kept).</summary>
    public GaussianStatistics ComputeStatistics(IEnumerable<Tensor> imageBatches)
    {
        var stats = new GaussianStatistics(Extractor.FeatureDimension);
        try
        {
            foreach (var batch in imageBatches)
                foreach (var chunk in Chunks(batch))
                    using (chunk)
                    using (var f = Extractor.Extract(chunk))
                        stats.Add(f);
            return stats;
        }
        catch
        {
            stats.Dispose();
            throw;
        }
    }

    /// <summary>Streaming statistics of the features of the images, <see cref="BatchSize"/> at a time.</summary>
    public GaussianStatistics ComputeStatistics(Tensor images) => ComputeStatistics(new[] { images });

    /// <summary>
    /// Statistics read from <paramref name="cachePath"/> (.npz with mu, sigma) when it exists, else computed from
    /// <paramref name="imageBatches"/> and saved there (the usual way to reuse the statistics of the real data).
    /// </summary>
    public GaussianStatistics LoadOrComputeStatistics(string cachePath, Func<IEnumerable<Tensor>> imageBatches)
    {
        if (File.Exists(cachePath))
        {
            var loaded = GaussianStatistics.Load(cachePath);
            if (loaded.Dimension != Extractor.FeatureDimension)
            {
                loaded.Dispose();
                throw new InvalidDataException($"'{cachePath}' holds {loaded.Dimension}-d statistics but {Extractor.Name} gives {Extractor.FeatureDimension}-d features.");
            }
            return loaded;
        }
        var stats = ComputeStatistics(imageBatches());
        stats.Save(cachePath);
        return stats;
    }

    /// <summary>All features (N x d float32), for KID and precision/recall; the caller owns the tensor.</summary>
    public Tensor ExtractFeatures(IEnumerable<Tensor> imageBatches)
    {
        var parts = new List<Tensor>();
        try
        {
            foreach (var batch in imageBatches)
                foreach (var chunk in Chunks(batch))
                    using (chunk)
                        parts.Add(Extractor.Extract(chunk).DetachFromDisposeScope());
            if (parts.Count == 0) return zeros(new long[] { 0, Extractor.FeatureDimension });
            return cat(parts, 0);
        }
        finally
        {
            foreach (var p in parts) p.Dispose();
        }
    }

    /// <summary>All features of the images, <see cref="BatchSize"/> at a time.</summary>
    public Tensor ExtractFeatures(Tensor images) => ExtractFeatures(new[] { images });

    /// <summary>The Frechet distance between the features of two image sets (see <see cref="FrechetDistance"/>).</summary>
    public FrechetDistanceResult Compute(IEnumerable<Tensor> realBatches, IEnumerable<Tensor> fakeBatches, bool allowTooFewSamples = false, Action<string>? onWarning = null)
    {
        using var real = ComputeStatistics(realBatches);
        using var fake = ComputeStatistics(fakeBatches);
        return FrechetDistance.Compute(real, fake, allowTooFewSamples, FrechetDistance.DefaultEpsilon, onWarning);
    }

    private IEnumerable<Tensor> Chunks(Tensor batch)
    {
        long n = batch.size(0);
        for (long start = 0; start < n; start += BatchSize)
            yield return batch.narrow(0, start, Math.Min(BatchSize, n - start));
    }
}
