using Ml.GanSdp.Data;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Pipeline;

/// <summary>Options of <see cref="AugmentEstimator"/>.</summary>
public sealed record AugmentOptions
{
    /// <summary>The image column of the real rows; default "Image".</summary>
    public string ImageColumnName { get; init; } = "Image";

    /// <summary>The key column of the real rows; null for unlabelled data (then the generator may be unconditional).</summary>
    public string? LabelColumnName { get; init; } = "Label";

    /// <summary>Synthetic rows added per real row (0.5: one synthetic row for every two real ones); default 1.</summary>
    public double SyntheticRatio { get; init; } = 1.0;

    /// <summary>Seed of the synthetic rows' latent codes.</summary>
    public long Seed { get; init; }

    /// <summary>A number column (uint8) that is 1 on synthetic rows and 0 on real ones; null leaves it out. Default "IsSynthetic".</summary>
    public string? SyntheticFlagColumnName { get; init; } = "IsSynthetic";

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ImageColumnName)) throw new ArgumentException("AugmentOptions.ImageColumnName must not be empty.");
        if (!(SyntheticRatio >= 0) || double.IsInfinity(SyntheticRatio)) throw new ArgumentOutOfRangeException(nameof(SyntheticRatio), SyntheticRatio, "AugmentOptions.SyntheticRatio must be finite and at least 0.");
    }
}

/// <summary>
/// The fitted augmentation: <see cref="Transform"/> returns the real rows (image and label columns only) followed by
/// round(<see cref="AugmentOptions.SyntheticRatio"/> x n) generated rows whose labels follow the class
/// proportions of the transformed rows (see <see cref="Allocate"/>). Unlike ML.NET's row mappers it changes the row
/// count, and it materializes the result in memory (an <see cref="InMemoryDataView"/>, which the caller disposes).
/// Synthetic images take the real column's representation (uint8, or float in its range).
/// </summary>
public sealed class AugmentTransformer : ITransformer
{
    internal AugmentTransformer(GanGeneratorTransformer generator, AugmentOptions options, long[] classCounts)
    {
        Generator = generator;
        Options = options;
        ClassCounts = classCounts;
    }

    /// <summary>The generator of the synthetic rows (not owned).</summary>
    public GanGeneratorTransformer Generator { get; }

    /// <summary>The options.</summary>
    public AugmentOptions Options { get; }

    /// <summary>Real rows per class seen at Fit (one entry, the row count, for unlabelled data).</summary>
    public IReadOnlyList<long> ClassCounts { get; }

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => AugmentEstimator.OutputSchema(inputSchema, Generator, Options);

    /// <summary>
    /// Synthetic rows per class: round(ratio x n) in total, split in proportion to the class counts by the largest
    /// remainder method (each class gets floor(ratio x n_c), the rest go to the largest fractions, ties to the lower class).
    /// </summary>
    public static int[] Allocate(IReadOnlyList<long> classCounts, double ratio)
    {
        ArgumentNullException.ThrowIfNull(classCounts);
        long total = (long)Math.Round(classCounts.Sum() * ratio, MidpointRounding.AwayFromZero);
        var exact = classCounts.Select(k => k * ratio).ToArray();
        var per = exact.Select(e => (int)Math.Floor(e)).ToArray();
        long left = total - per.Sum();
        foreach (var i in Enumerable.Range(0, per.Length).OrderByDescending(i => exact[i] - per[i]).ThenBy(i => i))
        {
            if (left <= 0) break;
            per[i]++;
            left--;
        }
        return per;
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var schema = GetOutputSchema(input.Schema);
        var imageType = (ImageDataViewType)input.Schema[Options.ImageColumnName].Type;
        var (real, labels) = ImageData.Read(input, Options.ImageColumnName, Options.LabelColumnName, null, "Augment");
        using var scope = NewDisposeScope();
        real.MoveToOuterDisposeScope();
        labels?.MoveToOuterDisposeScope();
        using (real)
        using (labels)
        {
            long n = real.size(0);
            Tensor? synthLabels = null;
            long synth;
            if (Options.LabelColumnName is not null)
            {
                var c = new long[Generator.NumClasses];
                foreach (var y in labels!.ToArray<long>()) c[y]++;
                var per = Allocate(c, Options.SyntheticRatio);
                var list = new List<long>();
                for (int k = 0; k < per.Length; k++) list.AddRange(Enumerable.Repeat((long)k, per[k]));
                synth = list.Count;
                synthLabels = tensor(list.ToArray(), new long[] { list.Count });
            }
            else synth = (long)Math.Round(n * Options.SyntheticRatio, MidpointRounding.AwayFromZero);

            var b = new InMemoryDataViewBuilder();
            Tensor allImages;
            if (synth > 0)
            {
                using var fake = Generator.GenerateInChunks(synth, Options.Seed, synthLabels);
                allImages = cat(new[] { real, fake });
            }
            else allImages = real.alias();
            using (allImages)
            using (var stored = ImageData.FromMinusOneToOne(allImages, imageType))
            {
                if (imageType.ItemType == ScalarType.Byte) b.AddImages(Options.ImageColumnName, stored);
                else b.AddImages(Options.ImageColumnName, stored, imageType.Range);
            }
            if (Options.LabelColumnName is { } lc)
            {
                using var all = synthLabels is null ? labels!.alias() : cat(new[] { labels!, synthLabels });
                b.AddKey(lc, all, schema[lc].KeyValues!);
            }
            if (Options.SyntheticFlagColumnName is { } fc)
            {
                using var flag = zeros(new[] { n + synth }, ScalarType.Byte);
                if (synth > 0) using (var tail = flag.narrow(0, n, synth)) tail.fill_(1);
                b.AddNumbers(fc, flag);
            }
            synthLabels?.Dispose();
            return b.Build();
        }
    }
}

/// <summary>
/// Adds labelled synthetic rows from a trained generator to the real rows (data augmentation with a GAN).
/// Fit counts the real rows per class; see <see cref="AugmentTransformer"/>.
/// </summary>
public sealed class AugmentEstimator : IEstimator<AugmentTransformer>
{
    internal AugmentEstimator(GanGeneratorTransformer generator, AugmentOptions options)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Generator = generator;
        Options = options;
    }

    /// <summary>The generator (not owned).</summary>
    public GanGeneratorTransformer Generator { get; }

    /// <summary>The options.</summary>
    public AugmentOptions Options { get; }

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => OutputSchema(inputSchema, Generator, Options);

    internal static DataViewSchema OutputSchema(DataViewSchema input, GanGeneratorTransformer g, AugmentOptions o)
    {
        ArgumentNullException.ThrowIfNull(input);
        var img = ImageData.RequireImage(input, o.ImageColumnName, "Augment");
        if (img.Channels != g.Model.Channels || img.Height != g.Model.ImageSize || img.Width != g.Model.ImageSize)
            throw new SchemaException(o.ImageColumnName, $"Column '{o.ImageColumnName}' has type {img} but the generator makes {g.Model.Channels}x{g.Model.ImageSize}x{g.Model.ImageSize} images for Augment (resize or convert the real images to match). The schema has {input.Describe()}.");
        var cols = new List<(string, DataViewType, IReadOnlyList<string>?)> { (o.ImageColumnName, img, null) };
        if (o.LabelColumnName is { } lc)
        {
            var names = ImageData.RequireKey(input, lc, "Augment");
            if (g.NumClasses == 0)
                throw new SchemaException(lc, $"Augment was given label column '{lc}' but the generator is unconditional, so its images have no labels; train it with a label column, or set LabelColumnName = null. The schema has {input.Describe()}.");
            if (names.Count != g.NumClasses)
                throw new SchemaException(lc, $"Column '{lc}' has {names.Count} classes but the generator was trained on {g.NumClasses}. The schema has {input.Describe()}.");
            cols.Add((lc, new KeyDataViewType(names.Count), names));
        }
        if (o.SyntheticFlagColumnName is { } fc) cols.Add((fc, NumberDataViewType.Byte, null));
        return new DataViewSchema(cols);
    }

    /// <summary>Checks the columns and counts the real rows per class.</summary>
    public AugmentTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(input.Schema);
        long[] counts;
        if (Options.LabelColumnName is { } lc)
        {
            counts = new long[Generator.NumClasses];
            foreach (var batch in input.GetBatches(1024))
                using (batch)
                using (var y = batch.GetTensor(lc).to(ScalarType.Int64))
                    foreach (var k in y.ToArray<long>()) counts[k]++;
        }
        else counts = new[] { input.GetRowCount() ?? input.GetBatches(1024).Sum(b => { using (b) return (long)b.Count; }) };
        return new AugmentTransformer(Generator, Options, counts);
    }
}

/// <summary><c>Augment</c> on <see cref="GanContext.Transforms"/>.</summary>
public static class AugmentCatalogExtensions
{
    /// <summary>Real rows plus <paramref name="syntheticRatio"/> x as many labelled rows generated by <paramref name="generator"/>; the seed is the context's.</summary>
    public static AugmentEstimator Augment(this TransformsCatalog catalog, GanGeneratorTransformer generator, double syntheticRatio = 1.0,
        string imageColumnName = "Image", string? labelColumnName = "Label")
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return Augment(catalog, generator, new AugmentOptions { SyntheticRatio = syntheticRatio, ImageColumnName = imageColumnName, LabelColumnName = labelColumnName, Seed = catalog.Context.Seed });
    }

    /// <summary>The estimator with all options.</summary>
    public static AugmentEstimator Augment(this TransformsCatalog catalog, GanGeneratorTransformer generator, AugmentOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new AugmentEstimator(generator, options);
    }
}
