using Ml.GanSdp.Data;
using Ml.GanSdp.Imaging;

namespace Ml.GanSdp.Pipeline;

/// <summary>The fitted ConvertToGrayscale step: wraps <see cref="ConvertToGrayscaleTransform"/> (lazy, per batch).</summary>
public sealed class ConvertToGrayscaleTransformer : ITransformer
{
    internal ConvertToGrayscaleTransformer(ConvertToGrayscaleOptions options) => Options = options;

    /// <summary>The options.</summary>
    public ConvertToGrayscaleOptions Options { get; }

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => ConvertToGrayscaleTransform.GetOutputSchema(inputSchema, Options);

    /// <inheritdoc/>
    public IDataView Transform(IDataView input) => new ConvertToGrayscaleTransform(input, Options);
}

/// <summary>Converts an image column to one channel with BT.601 weights (ML.NET's <c>ConvertToGrayscale</c>). Nothing is learned: <see cref="Fit"/> checks the input column and returns the transformer.</summary>
public sealed class ConvertToGrayscaleEstimator : IEstimator<ConvertToGrayscaleTransformer>
{
    internal ConvertToGrayscaleEstimator(ConvertToGrayscaleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    /// <summary>The options.</summary>
    public ConvertToGrayscaleOptions Options { get; }

    /// <inheritdoc/>
    public ConvertToGrayscaleTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(input.Schema);
        return new ConvertToGrayscaleTransformer(Options);
    }

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => ConvertToGrayscaleTransform.GetOutputSchema(inputSchema, Options);
}

/// <summary><c>ConvertToGrayscale(outputColumnName, inputColumnName)</c> on <see cref="GanContext.Transforms"/>.</summary>
public static class ConvertToGrayscaleCatalogExtensions
{
    /// <summary>Converts <paramref name="inputColumnName"/> (default: the output column) to grayscale (ML.NET's signature).</summary>
    public static ConvertToGrayscaleEstimator ConvertToGrayscale(this TransformsCatalog catalog, string outputColumnName = "Image", string? inputColumnName = null)
        => ConvertToGrayscale(catalog, new ConvertToGrayscaleOptions { OutputColumnName = outputColumnName, InputColumnName = inputColumnName });

    /// <summary>The estimator with all options.</summary>
    public static ConvertToGrayscaleEstimator ConvertToGrayscale(this TransformsCatalog catalog, ConvertToGrayscaleOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ConvertToGrayscaleEstimator(options);
    }
}
