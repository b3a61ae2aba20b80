using Ml.GanSdp.Data;
using Ml.GanSdp.Imaging;
using Ml.GanSdp.Models;
using Ml.GanSdp.Training;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Pipeline;

/// <summary>
/// A trained generator as a pipeline step (what <see cref="GanSdpTrainer"/> fits and
/// <see cref="GanModelFile.Load"/> reads). Images come from the EMA generator when the run kept one, else from G,
/// always in eval mode (batch norm uses its running statistics, so a sample does not depend on the others in its
/// batch). Latent codes are drawn with <c>randn(n, LatentSize)</c> on a generator seeded with the given seed, as
/// <c>torch.randn(n, nz, generator=torch.Generator().manual_seed(seed))</c>: identical seeds give identical images.
/// <para><see cref="Transform"/> adds a generated image per input row (column <see cref="OutputColumnName"/>), its
/// latent code drawn from seed <see cref="Seed"/> + the row's index, conditioned on the row's label when the model is
/// class-conditional. To make a data set of generated images use <c>context.Data.GenerateImages</c>.</para>
/// </summary>
public sealed class GanGeneratorTransformer : ITransformer, IDisposable
{
    /// <summary>The column <see cref="Transform"/> adds by default.</summary>
    public const string DefaultOutputColumnName = "GeneratedImage";

    private bool _disposed;

    internal GanGeneratorTransformer(ModelOptions model, IGenerator generator, IGenerator? ema, IDiscriminator? discriminator,
        IReadOnlyList<string>? classNames, GanTrainerOptions? trainerOptions, IReadOnlyDictionary<string, double> metrics, string? labelColumnName)
    {
        Model = model;
        Generator = generator;
        EmaGenerator = ema;
        Discriminator = discriminator;
        ClassNames = classNames ?? (model.NumClasses > 0 ? Enumerable.Range(0, model.NumClasses).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray() : null);
        TrainerOptions = trainerOptions;
        Metrics = metrics;
        LabelColumnName = model.NumClasses > 0 ? labelColumnName ?? "Label" : null;
    }

    /// <summary>The architecture and its sizes.</summary>
    public ModelOptions Model { get; }

    /// <summary>The trained generator G.</summary>
    public IGenerator Generator { get; }

    /// <summary>The EMA generator, or null when the run kept none.</summary>
    public IGenerator? EmaGenerator { get; }

    /// <summary>The discriminator, or null (models loaded without one).</summary>
    public IDiscriminator? Discriminator { get; }

    /// <summary>The generator that makes images: <see cref="EmaGenerator"/> when present, else <see cref="Generator"/>.</summary>
    public IGenerator SamplingGenerator => EmaGenerator ?? Generator;

    /// <summary>Class names of a conditional model (index = label), else null.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>The options of the training run, when known.</summary>
    public GanTrainerOptions? TrainerOptions { get; }

    /// <summary>Final metrics of the run (losses, SDP terms, time); callers may replace them (e.g. adding a distance) before saving.</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; set; }

    /// <summary>C x H x W of a generated image.</summary>
    public long[] ImageShape => new long[] { Model.Channels, Model.ImageSize, Model.ImageSize };

    /// <summary>Size of the latent code.</summary>
    public int LatentSize => Model.LatentSize;

    /// <summary>Number of classes (0: unconditional).</summary>
    public int NumClasses => Model.NumClasses;

    /// <summary>The key column <see cref="Transform"/> reads labels from (conditional models only).</summary>
    public string? LabelColumnName { get; init; }

    /// <summary>The column <see cref="Transform"/> adds.</summary>
    public string OutputColumnName { get; init; } = DefaultOutputColumnName;

    /// <summary>The base seed of <see cref="Transform"/>'s latent codes.</summary>
    public long Seed { get; init; }

    /// <summary>
    /// Generates <paramref name="count"/> images (float32 N x C x H x W in [-1, 1], owned by the caller) from latent
    /// codes drawn with <paramref name="seed"/>. A conditional model needs <paramref name="labels"/> (int64, N); when
    /// null the labels cycle 0, 1, ..., K-1, 0, ...
    /// </summary>
    public Tensor Generate(long count, long seed, Tensor? labels = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "Generate needs at least one image.");
        using var rng = new torch.Generator(seed);
        using var z = randn(new[] { count, (long)LatentSize }, ScalarType.Float32, null, rng);
        return Generate(z, labels);
    }

    /// <summary>Generates images from the given latent codes (N x LatentSize) and labels; the caller owns the result.</summary>
    public Tensor Generate(Tensor z, Tensor? labels = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Forward(SamplingGenerator, z, labels);
    }

    /// <summary><paramref name="count"/> images of <paramref name="g"/> from seed <paramref name="seed"/> (labels cycling), eval mode.</summary>
    internal static Tensor Sample(IGenerator g, long count, long seed)
    {
        using var rng = new torch.Generator(seed);
        using var z = randn(new[] { count, g.LatentSize }, ScalarType.Float32, null, rng);
        return Forward(g, z, null);
    }

    private static Tensor Forward(IGenerator g, Tensor z, Tensor? labels)
    {
        ArgumentNullException.ThrowIfNull(z);
        long n = z.size(0);
        int numClasses = g.NumClasses;
        using var scope = NewDisposeScope();
        Tensor? y = null;
        if (numClasses > 0)
        {
            y = labels is null ? arange(n).remainder(numClasses).to(ScalarType.Int64) : labels.to(ScalarType.Int64);
            if (y.dim() != 1 || y.size(0) != n) throw new ArgumentException($"labels must be int64 of shape [{n}].", nameof(labels));
        }
        bool wasTraining = g.Module.training;
        g.Module.eval();
        try
        {
            using var _ = no_grad();
            return g.Forward(z, y).MoveToOuterDisposeScope();
        }
        finally
        {
            g.Module.train(wasTraining);
        }
    }

    /// <summary>
    /// <paramref name="count"/> generated images as an in-memory data view: <c>Image</c> (uint8 by default, else
    /// float32 in [-1, 1]) and, for a conditional model, <c>Label</c> (key with <see cref="ClassNames"/>) cycling over
    /// the classes, or with <paramref name="perClassCounts"/> images of each class (then <paramref name="count"/> is ignored).
    /// </summary>
    public InMemoryDataView GenerateDataView(long count, long seed, IReadOnlyList<int>? perClassCounts = null, bool asBytes = true,
        string imageColumnName = "Image", string labelColumnName = "Label")
    {
        Tensor? labels = null;
        try
        {
            if (perClassCounts is not null)
            {
                if (NumClasses == 0) throw new ArgumentException("Per-class counts need a class-conditional model; this one is unconditional.", nameof(perClassCounts));
                if (perClassCounts.Count != NumClasses) throw new ArgumentException($"Per-class counts must list {NumClasses} classes; got {perClassCounts.Count}.", nameof(perClassCounts));
                if (perClassCounts.Any(c => c < 0)) throw new ArgumentException("Per-class counts must not be negative.", nameof(perClassCounts));
                var list = new List<long>();
                for (int c = 0; c < perClassCounts.Count; c++) list.AddRange(Enumerable.Repeat((long)c, perClassCounts[c]));
                if (list.Count == 0) throw new ArgumentException("Per-class counts add up to zero images.", nameof(perClassCounts));
                labels = tensor(list.ToArray(), new long[] { list.Count });
                count = list.Count;
            }
            else if (NumClasses > 0)
            {
                using var a = arange(count);
                using var r = a.remainder(NumClasses);
                labels = r.to(ScalarType.Int64);
            }
            var builder = new InMemoryDataViewBuilder();
            using (var images = GenerateInChunks(count, seed, labels))
            {
                if (asBytes)
                {
                    using var bytes = ImageTensors.FloatToBytes(images, PixelRange.MinusOneToOne);
                    builder.AddImages(imageColumnName, bytes);
                }
                else builder.AddImages(imageColumnName, images, PixelRange.MinusOneToOne);
            }
            if (labels is not null) builder.AddKey(labelColumnName, labels, ClassNames!);
            return builder.Build();
        }
        finally
        {
            labels?.Dispose();
        }
    }

    /// <summary>Like <see cref="Generate(long, long, Tensor?)"/> (same images for the same seed) but in chunks of 256 to bound memory.</summary>
    internal Tensor GenerateInChunks(long count, long seed, Tensor? labels)
    {
        using var rng = new torch.Generator(seed);
        using var z = randn(new[] { count, (long)LatentSize }, ScalarType.Float32, null, rng);
        var parts = new List<Tensor>();
        try
        {
            for (long i = 0; i < count; i += 256)
            {
                long n = Math.Min(256, count - i);
                using var zi = z.narrow(0, i, n);
                using var yi = labels?.narrow(0, i, n);
                parts.Add(Generate(zi, yi));
            }
            return cat(parts);
        }
        finally
        {
            foreach (var p in parts) p.Dispose();
        }
    }

    /// <summary>The schema <see cref="Transform"/> produces.</summary>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return OutputSchema(inputSchema, Model, LabelColumnName, OutputColumnName);
    }

    internal static DataViewSchema OutputSchema(DataViewSchema input, ModelOptions model, string? labelColumn, string outputColumn)
    {
        if (model.NumClasses > 0)
        {
            var col = labelColumn ?? "Label";
            input.GetColumn(col, new KeyDataViewType(model.NumClasses));
        }
        return input.WithColumn(outputColumn, new ImageDataViewType(model.Channels, model.ImageSize, model.ImageSize, ScalarType.Float32, PixelRange.MinusOneToOne));
    }

    /// <summary>Adds a generated image to each row (see the class remarks).</summary>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new GeneratorView(input, this);
    }

    private sealed class GeneratorView : DataViewTransform
    {
        private readonly GanGeneratorTransformer _owner;

        public GeneratorView(IDataView input, GanGeneratorTransformer owner) : base(input)
        {
            _owner = owner;
            SetSchema(owner.GetOutputSchema(input.Schema));
        }

        public override void Apply(DataBatch batch)
        {
            using var scope = NewDisposeScope();
            var zs = new List<Tensor>();
            foreach (var row in batch.RowIds)
            {
                using var rng = new torch.Generator(unchecked(_owner.Seed + row));
                zs.Add(randn(new long[] { 1, _owner.LatentSize }, ScalarType.Float32, null, rng));
            }
            var z = cat(zs);
            var y = _owner.NumClasses > 0 ? batch.GetTensor(_owner.LabelColumnName!) : null;
            batch.SetTensor(_owner.OutputColumnName, _owner.Generate(z, y));
            batch.Rebind(Schema);
        }
    }

    /// <summary>Frees the models.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Generator.Dispose();
        EmaGenerator?.Dispose();
        Discriminator?.Dispose();
    }
}

/// <summary><c>GenerateImages</c> on <see cref="GanContext.Data"/>.</summary>
public static class GenerateImagesCatalogExtensions
{
    /// <summary>
    /// A data view of <paramref name="count"/> images generated by <paramref name="generator"/> (uint8 <c>Image</c>, and
    /// <c>Label</c> cycling over the classes for a conditional model); latent codes from <paramref name="seed"/>
    /// (the context's seed when null).
    /// </summary>
    public static InMemoryDataView GenerateImages(this DataOperationsCatalog catalog, GanGeneratorTransformer generator, long count, long? seed = null, bool asBytes = true)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(generator);
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "GenerateImages needs at least one image.");
        return generator.GenerateDataView(count, seed ?? catalog.Context.Seed, null, asBytes);
    }

    /// <summary>A data view with <paramref name="perClassCounts"/>[c] images of each class c (conditional models).</summary>
    public static InMemoryDataView GenerateImages(this DataOperationsCatalog catalog, GanGeneratorTransformer generator, IReadOnlyList<int> perClassCounts, long? seed = null, bool asBytes = true)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(perClassCounts);
        return generator.GenerateDataView(0, seed ?? catalog.Context.Seed, perClassCounts, asBytes);
    }
}
