using Ml.GanSdp.Models;
using TorchSharp.Modules;
using Ml.GanSdp.Serialization;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace Ml.GanSdp.Metrics;

using Module = TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>;

/// <summary>Settings of <see cref="DomainClassifier.Train"/>.</summary>
public sealed record DomainClassifierTrainingOptions
{
    /// <summary>Passes over the training images.</summary>
    public int Epochs { get; init; } = 3;
    /// <summary>Images per Adam step.</summary>
    public int BatchSize { get; init; } = 64;
    /// <summary>Adam's learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>Seed of the initialization and of the shuffling.</summary>
    public long Seed { get; init; } = 0;
}

/// <summary>
/// A small CNN classifier trained on the labelled real data (e.g. Fashion-MNIST), whose penultimate layer serves
/// as a feature space for FID, KID and precision/recall when Inception is unavailable or ill-suited (28 x 28
/// grayscale images are far from ImageNet). Values are comparable only between runs that use the same classifier
/// weights: save them (<see cref="Save"/>) with the results. Its <see cref="TestAccuracy"/> shows whether the
/// features are meaningful.
/// <para>
/// Architecture, for C x S x S images in [0, 1] (scaled to [-1, 1]): conv 3x3 (C -> 32) + ReLU + max pool 2,
/// conv 3x3 (32 -> 64) + ReLU + max pool 2, flatten, linear (64 (S/4)^2 -> F) + ReLU = the features, linear (F -> classes).
/// </para>
/// </summary>
public sealed class DomainClassifier : Module, IFeatureExtractor
{
    /// <summary>Components are registered explicitly under PyTorch's names; TorchSharp's field-name registration would add duplicates.</summary>
    protected override void RegisterComponents() { }

    private readonly Conv2d _conv1, _conv2;
    private readonly Linear _fc1, _fc2;

    /// <summary>Builds an untrained classifier, initialized from <paramref name="seed"/> (the default generator's state is left unchanged).</summary>
    public DomainClassifier(int channels = 1, int imageSize = 28, int classes = 10, int featureDimension = 128, long seed = 0) : base(nameof(DomainClassifier))
    {
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "Images have 1 or 3 channels.");
        if (imageSize < 4 || imageSize % 4 != 0) throw new ArgumentOutOfRangeException(nameof(imageSize), imageSize, "The image size must be a positive multiple of 4.");
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, "At least 2 classes are needed.");
        Channels = channels;
        ImageSize = imageSize;
        Classes = classes;
        FeatureDimension = featureDimension;
        // The layers initialize from the default generator: seed it for reproducibility, then restore its state.
        using var saved = get_rng_state();
        manual_seed(seed);
        try
        {
            _conv1 = this.Register("conv1", TorchLayers.Create(() => nn.Conv2d(channels, 32, 3, padding: 1)));
            _conv2 = this.Register("conv2", TorchLayers.Create(() => nn.Conv2d(32, 64, 3, padding: 1)));
            _fc1 = this.Register("fc1", nn.Linear(64L * (imageSize / 4) * (imageSize / 4), featureDimension));
            _fc2 = this.Register("fc2", nn.Linear(featureDimension, classes));
        }
        finally
        {
            set_rng_state(saved);
        }
    }

    /// <summary>Image channels.</summary>
    public int Channels { get; }
    /// <summary>Image side length.</summary>
    public int ImageSize { get; }
    /// <summary>Number of classes.</summary>
    public int Classes { get; }
    /// <inheritdoc/>
    public int FeatureDimension { get; }
    /// <summary>Accuracy on held-out data measured by <see cref="Evaluate"/> (saved with the weights), or null.</summary>
    public double? TestAccuracy { get; private set; }

    /// <summary>The feature space's name (<see cref="IFeatureExtractor.Name"/>).</summary>
    public string ExtractorName => $"domain-classifier-{Channels}x{ImageSize}x{ImageSize}-{FeatureDimension}";

    string IFeatureExtractor.Name => ExtractorName;

    /// <summary>The penultimate activations (N x F), with gradients when enabled.</summary>
    public Tensor Features(Tensor images)
    {
        CheckImages(images);
        using var scope = NewDisposeScope();
        var x = images * 2.0 - 1.0;
        x = max_pool2d(_conv1.call(x).relu_(), 2);
        x = max_pool2d(_conv2.call(x).relu_(), 2);
        return _fc1.call(x.flatten(1)).relu_().MoveToOuterDisposeScope();
    }

    /// <summary>Class logits (N x classes).</summary>
    public override Tensor forward(Tensor images)
    {
        using var f = Features(images);
        return _fc2.call(f);
    }

    /// <inheritdoc/>
    public Tensor Extract(Tensor images)
    {
        if (training) eval();
        using var _ = no_grad();
        return Features(images);
    }

    /// <summary>Trains with Adam on cross-entropy; images N x C x S x S in [0, 1], labels int64 in [0, classes). Returns the mean loss of each epoch.</summary>
    public IReadOnlyList<double> Train(Tensor images, Tensor labels, DomainClassifierTrainingOptions? options = null)
    {
        options ??= new DomainClassifierTrainingOptions();
        CheckImages(images);
        long n = images.size(0);
        if (labels.shape.Length != 1 || labels.size(0) != n)
            throw new ArgumentException($"Labels must be a vector of {n} class indices, got shape [{string.Join(", ", labels.shape)}].");
        using var labels64 = labels.to(ScalarType.Int64);
        using var generator = new Generator(unchecked((ulong)options.Seed));
        using var optimizer = optim.Adam(parameters(), options.LearningRate);
        var losses = new List<double>();
        train();
        try
        {
            for (int epoch = 0; epoch < options.Epochs; epoch++)
            {
                using var order = Draws.Permutation(n, images.device, generator);
                double sum = 0;
                int steps = 0;
                for (long start = 0; start < n; start += options.BatchSize)
                {
                    using var scope = NewDisposeScope();
                    var idx = order.narrow(0, start, Math.Min(options.BatchSize, n - start));
                    var logits = forward(images.index_select(0, idx));
                    var loss = cross_entropy(logits, labels64.index_select(0, idx));
                    optimizer.zero_grad();
                    loss.backward();
                    optimizer.step();
                    sum += loss.ToDouble();
                    steps++;
                }
                losses.Add(sum / steps);
            }
        }
        finally
        {
            eval();
        }
        return losses;
    }

    /// <summary>Classification accuracy on held-out images; also recorded as <see cref="TestAccuracy"/>.</summary>
    public double Evaluate(Tensor images, Tensor labels, int batchSize = 500)
    {
        CheckImages(images);
        long n = images.size(0);
        if (n == 0) throw new ArgumentException("No images to evaluate.");
        eval();
        using var _ = no_grad();
        using var labels64 = labels.to(ScalarType.Int64);
        long correct = 0;
        for (long start = 0; start < n; start += batchSize)
        {
            using var scope = NewDisposeScope();
            long len = Math.Min(batchSize, n - start);
            var predicted = forward(images.narrow(0, start, len)).argmax(1);
            correct += predicted.eq(labels64.narrow(0, start, len)).sum().item<long>();
        }
        TestAccuracy = correct / (double)n;
        return TestAccuracy.Value;
    }

    /// <summary>Saves the weights (and the test accuracy when known, as <c>test_accuracy</c>) to a .npz file.</summary>
    public void Save(string path)
    {
        var sd = state_dict(); // live references to the weights: written, not disposed
        using var accuracy = TestAccuracy is { } a ? tensor(a, ScalarType.Float64) : null;
        if (accuracy is not null) sd["test_accuracy"] = accuracy;
        Npy.SaveNpz(path, sd);
    }

    /// <summary>Loads a classifier saved by <see cref="Save"/>; the architecture is read from the weight shapes.</summary>
    public static DomainClassifier Load(string path)
    {
        var sd = Npy.LoadNpz(path);
        try
        {
            foreach (var key in new[] { "conv1.weight", "fc1.weight", "fc2.weight" })
                if (!sd.ContainsKey(key)) throw new InvalidDataException($"'{path}' is not a domain classifier: no '{key}' (it has [{string.Join(", ", sd.Keys)}]).");
            long channels = sd["conv1.weight"].size(1);
            long flat = sd["fc1.weight"].size(1);
            long side = (long)Math.Round(Math.Sqrt(flat / 64.0)) * 4;
            var classifier = new DomainClassifier((int)channels, (int)side, (int)sd["fc2.weight"].size(0), (int)sd["fc2.weight"].size(1));
            try
            {
                double? accuracy = null;
                if (sd.Remove("test_accuracy", out var acc)) using (acc) accuracy = acc.to(ScalarType.Float64).ToDoubleAndDispose();
                using (no_grad()) classifier.load_state_dict(sd);
                classifier.TestAccuracy = accuracy;
                classifier.eval();
                return classifier;
            }
            catch (ArgumentException e)
            {
                classifier.Dispose();
                throw new InvalidDataException($"'{path}': {e.Message}", e);
            }
        }
        finally
        {
            foreach (var t in sd.Values) t.Dispose();
        }
    }

    private void CheckImages(Tensor images)
    {
        var s = images.shape;
        if (s.Length != 4 || s[1] != Channels || s[2] != ImageSize || s[3] != ImageSize)
            throw new ArgumentException($"{ExtractorName} expects images N x {Channels} x {ImageSize} x {ImageSize}, got [{string.Join(", ", s)}].", nameof(images));
    }
}
