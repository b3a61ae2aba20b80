namespace Ml.GanSdp.Onnx;

/// <summary>
/// How a generator exported to ONNX binds to ML.NET columns: the generated image column, the per-row seed column and the
/// optional label-key column. The ONNX graph's inputs and per-row output must carry exactly these names
/// (see <see cref="GeneratorGraph"/>).
/// </summary>
public sealed record OnnxGeneratorOptions
{
    /// <summary>The generated column: a known-size <c>Single</c> vector with <see cref="ImageDimensions"/>.</summary>
    public string OutputColumnName { get; init; } = "Image";

    /// <summary>The image dimensions [C, H, W] (the column's <c>VectorDataViewType.Dimensions</c>, as ExtractPixels writes).</summary>
    public int[] ImageDimensions { get; init; } = [];

    /// <summary>The Int64 column whose value fixes each row's latent code (<see cref="SeededLatent"/>).</summary>
    public string SeedColumnName { get; init; } = "Seed";

    /// <summary>The key-typed label column of a conditional generator, or null for an unconditional one.</summary>
    public string? LabelColumnName { get; init; }

    /// <summary>The number of classes of a conditional generator: the label key type's <c>Count</c> must equal it.</summary>
    public int ClassCount { get; init; }

    /// <summary>
    /// The folder under which the estimator creates its own folder for the model file that ML.NET's OnnxTransformer reads
    /// (null: the system temp folder). The own folder is deleted on <see cref="OnnxGeneratorEstimator.Dispose"/> or at exit.
    /// </summary>
    public string? TempFolder { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(OutputColumnName)) throw new ArgumentException("OutputColumnName must be a column name.", nameof(OutputColumnName));
        if (string.IsNullOrWhiteSpace(SeedColumnName)) throw new ArgumentException("SeedColumnName must be a column name.", nameof(SeedColumnName));
        if (ImageDimensions is null || ImageDimensions.Length != 3 || ImageDimensions.Any(d => d < 1))
            throw new ArgumentException($"ImageDimensions must be [C, H, W] with positive sizes; got [{string.Join(", ", ImageDimensions ?? [])}].", nameof(ImageDimensions));
        if ((long)ImageDimensions[0] * ImageDimensions[1] * ImageDimensions[2] > int.MaxValue)
            throw new ArgumentException($"ImageDimensions [{string.Join(", ", ImageDimensions)}] exceed ML.NET's vector size limit.", nameof(ImageDimensions));
        if (LabelColumnName is not null)
        {
            if (string.IsNullOrWhiteSpace(LabelColumnName)) throw new ArgumentException("LabelColumnName must be a column name or null.", nameof(LabelColumnName));
            if (ClassCount < 1) throw new ArgumentException($"ClassCount must be positive for a conditional generator (label column '{LabelColumnName}'); got {ClassCount}.", nameof(ClassCount));
        }
        else if (ClassCount != 0)
            throw new ArgumentException($"ClassCount is {ClassCount} but no LabelColumnName is set.", nameof(ClassCount));
        var names = new[] { OutputColumnName, SeedColumnName, LabelColumnName }.Where(n => n is not null).ToArray();
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Length)
            throw new ArgumentException($"The output, seed and label columns must have distinct names; got {string.Join(", ", names.Select(n => $"'{n}'"))}.", nameof(OutputColumnName));
    }
}
