using Ml.GanSdp.Data;
using Ml.GanSdp.Imaging;

namespace Ml.GanSdp.Pipeline;

/// <summary>The fitted NormalizePixels step: wraps <see cref="NormalizePixelsTransform"/> (lazy, per batch).</summary>
public sealed class NormalizePixelsTransformer : ITransformer
{
    internal NormalizePixelsTransformer(NormalizePixelsOptions options) => Options = options;

    /// <summary>The options.</summary>
    public NormalizePixelsOptions Options { get; }

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => NormalizePixelsTransform.GetOutputSchema(inputSchema, Options);

    /// <inheritdoc/>
    public IDataView Transform(IDataView input) => new NormalizePixelsTransform(input, Options);
}

/// <summary>Turns uint8 pixels into float32 in [-1, 1] or [0, 1] (ML.NET's <c>ExtractPixels</c> with scale and offset). Nothing is learned: <see cref="Fit"/> checks the input column and returns the transformer.</summary>
public sealed class NormalizePixelsEstimator : IEstimator<NormalizePixelsTransformer>
{
    internal NormalizePixelsEstimator(NormalizePixelsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    /// <summary>The options.</summary>
    public NormalizePixelsOptions Options { get; }

    /// <inheritdoc/>
    public NormalizePixelsTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(input.Schema);
        return new NormalizePixelsTransformer(Options);
    }

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => NormalizePixelsTransform.GetOutputSchema(inputSchema, Options);
}

/// <summary><c>NormalizePixels(outputColumnName, inputColumnName, range)</c> on <see cref="GanContext.Transforms"/>.</summary>
public static class NormalizePixelsCatalogExtensions
{
    /// <summary>Normalizes the uint8 image <paramref name="inputColumnName"/> (default: the output column) to <paramref name="range"/>.</summary>
    public static NormalizePixelsEstimator NormalizePixels(this TransformsCatalog catalog, string outputColumnName = "Image", string? inputColumnName = null,
        PixelRange range = PixelRange.MinusOneToOne)
        => NormalizePixels(catalog, new NormalizePixelsOptions { OutputColumnName = outputColumnName, InputColumnName = inputColumnName, Range = range });

    /// <summary>The estimator with all options.</summary>
    public static NormalizePixelsEstimator NormalizePixels(this TransformsCatalog catalog, NormalizePixelsOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new NormalizePixelsEstimator(options);
    }
}
