namespace Ml.GanSdp.Onnx;

/// <summary>
/// How <see cref="GeneratorOnnxExport.Export"/> names and scales the generator graph: the graph's input and output names
/// (ML.NET binds columns to them), the pixel range of the image output, the image shape of a vector generator (MLP),
/// and free-form <c>metadata_props</c>. <see cref="Validate"/> names the first bad option.
/// </summary>
public sealed record GeneratorExportOptions
{
    /// <summary>The image output (float [N, C, H, W]).</summary>
    public string OutputName { get; init; } = "Image";

    /// <summary>The seed input (int64 [N, 1]).</summary>
    public string SeedInputName { get; init; } = "Seed";

    /// <summary>The label input of a conditional generator (uint32 [N, 1], an ML.NET key's raw value: 1-based, 0 = missing).</summary>
    public string LabelInputName { get; init; } = "Label";

    /// <summary>The range tanh's [-1, 1] is mapped onto (default 0..255, ExtractPixels' scale).</summary>
    public PixelRange PixelRange { get; init; } = PixelRange.Bytes;

    /// <summary>
    /// The [C, H, W] shape of one image. Required for a vector generator (MLP: C x H x W must equal its output size);
    /// for an image generator it may be null or must equal the generator's sample shape.
    /// </summary>
    public ImageShape? ImageShape { get; init; }

    /// <summary>Entries written into the model's <c>metadata_props</c>, in order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Metadata { get; init; } = [];

    /// <summary>The model's <c>doc_string</c>, or null.</summary>
    public string? DocString { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(OutputName)) throw new ArgumentException("GeneratorExportOptions.OutputName must be a name.");
        if (string.IsNullOrWhiteSpace(SeedInputName)) throw new ArgumentException("GeneratorExportOptions.SeedInputName must be a name.");
        if (string.IsNullOrWhiteSpace(LabelInputName)) throw new ArgumentException("GeneratorExportOptions.LabelInputName must be a name.");
        var names = new[] { OutputName, SeedInputName, LabelInputName };
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Length)
            throw new ArgumentException($"GeneratorExportOptions: the output, seed and label names must differ (got '{OutputName}', '{SeedInputName}', '{LabelInputName}').");
        PixelRange.Validate("GeneratorExportOptions.PixelRange");
        if (ImageShape is { } s && (s.Channels < 1 || s.Height < 1 || s.Width < 1 || s.Size > int.MaxValue))
            throw new ArgumentException($"GeneratorExportOptions.ImageShape {s} must have positive sizes and at most {int.MaxValue} values.");
        if (Metadata is null) throw new ArgumentException("GeneratorExportOptions.Metadata must not be null (use an empty list).");
        foreach (var (k, v) in Metadata)
            if (string.IsNullOrWhiteSpace(k) || v is null) throw new ArgumentException($"GeneratorExportOptions.Metadata has an entry with a blank key or a null value ('{k}').");
    }
}
