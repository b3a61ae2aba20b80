using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Training;

/// <summary>A batch of real samples (N x ...) and, for labelled data, their class labels (int64, N). The caller owns both.</summary>
public sealed class TrainingBatch : IDisposable
{
    /// <summary>Wraps samples and optional labels.</summary>
    public TrainingBatch(Tensor samples, Tensor? labels = null)
    {
        Samples = samples;
        Labels = labels;
    }

    /// <summary>The samples, N x ... (images in [-1, 1]).</summary>
    public Tensor Samples { get; }

    /// <summary>Class labels (int64, N), or null.</summary>
    public Tensor? Labels { get; }

    /// <summary>Takes both tensors out of any dispose scope (the batch's owner frees them).</summary>
    public TrainingBatch DetachFromDisposeScope()
    {
        Samples.DetachFromDisposeScope();
        Labels?.DetachFromDisposeScope();
        return this;
    }

    /// <summary>
    /// The batch on <paramref name="device"/>: this batch when it is there already, else a new batch holding copies
    /// (this one is then disposed).
    /// </summary>
    public TrainingBatch To(Device device)
    {
        if (Devices.Same(Samples.device, device) && (Labels is null || Devices.Same(Labels.device, device))) return this;
        var moved = new TrainingBatch(Samples.to(device), Labels?.to(device));
        Dispose();
        return moved;
    }

    /// <summary>Frees the samples and labels.</summary>
    public void Dispose()
    {
        Samples.Dispose();
        Labels?.Dispose();
    }
}

/// <summary>
/// Where the trainer draws real batches from. All randomness must come from the generator passed to
/// <see cref="NextBatch"/> (the trainer's data generator, which checkpoints save and restore), and the
/// source must keep no other state that changes between batches: then a resumed run sees exactly the
/// batches of an uninterrupted one.
/// </summary>
public interface IBatchSource
{
    /// <summary>Number of classes of the labels, or 0 when the source is unlabelled.</summary>
    int NumClasses { get; }

    /// <summary>Shape of one sample (C x H x W, or D).</summary>
    long[] SampleShape { get; }

    /// <summary>Draws <paramref name="batchSize"/> samples (with labels when <see cref="NumClasses"/> &gt; 0) using <paramref name="rng"/>.</summary>
    TrainingBatch NextBatch(int batchSize, Generator rng);
}

/// <summary>
/// An in-memory data set (N x ... samples, optional int64 labels) that draws each batch uniformly with
/// replacement (<c>randint</c> on the given generator), so batches are reproducible and resumable from the
/// generator's state alone. The source owns aliases of the tensors it was given.
/// </summary>
public sealed class TensorBatchSource : IBatchSource, IDisposable
{
    private readonly Tensor _samples;
    private readonly Tensor? _labels;

    /// <summary>Wraps <paramref name="samples"/> (N x ...) and optional <paramref name="labels"/> (int64, N) with <paramref name="numClasses"/> classes.</summary>
    public TensorBatchSource(Tensor samples, Tensor? labels = null, int numClasses = 0)
    {
        if (samples.dim() < 1 || samples.size(0) < 1) throw new ArgumentException("TensorBatchSource needs at least one sample.", nameof(samples));
        if (labels is not null)
        {
            if (labels.dtype != ScalarType.Int64 || labels.dim() != 1 || labels.size(0) != samples.size(0))
                throw new ArgumentException($"Labels must be int64 of shape [{samples.size(0)}] (got {labels.dtype} [{string.Join(", ", labels.shape)}]).", nameof(labels));
            if (numClasses < 1) throw new ArgumentException("numClasses must be at least 1 when labels are given.", nameof(numClasses));
        }
        else if (numClasses != 0) throw new ArgumentException("numClasses must be 0 without labels.", nameof(numClasses));
        _samples = samples.alias().DetachFromDisposeScope();
        _labels = labels?.alias().DetachFromDisposeScope();
        NumClasses = numClasses;
        SampleShape = samples.shape[1..];
    }

    /// <summary>Number of samples held.</summary>
    public long Count => _samples.size(0);

    /// <inheritdoc/>
    public int NumClasses { get; }

    /// <inheritdoc/>
    public long[] SampleShape { get; }

    /// <inheritdoc/>
    public TrainingBatch NextBatch(int batchSize, Generator rng)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size must be at least 1.");
        using var index = Draws.Integers(0, Count, new long[] { batchSize }, _samples.device, rng);
        return new TrainingBatch(_samples.index_select(0, index), _labels?.index_select(0, index));
    }

    /// <summary>Frees this source's aliases (not the caller's tensors).</summary>
    public void Dispose()
    {
        _samples.Dispose();
        _labels?.Dispose();
    }
}
