using Ml.GanSdp.Data;
using Ml.GanSdp.Imaging;

namespace Ml.GanSdp.Pipeline;

/// <summary>The fitted ResizeImages step: wraps <see cref="ResizeImagesTransform"/> (lazy, per batch).</summary>
public sealed class ResizeImagesTransformer : ITransformer
{
    internal ResizeImagesTransformer(ResizeImagesOptions options) => Options = options;

    /// <summary>The options.</summary>
    public ResizeImagesOptions Options { get; }

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => ResizeImagesTransform.GetOutputSchema(inputSchema, Options);

    /// <inheritdoc/>
    public IDataView Transform(IDataView input) => new ResizeImagesTransform(input, Options);
}

/// <summary>Resizes an image column (ML.NET's <c>ResizeImages</c>, <c>ResizingKind.Fill</c>). Nothing is learned: <see cref="Fit"/> checks the input column and returns the transformer.</summary>
public sealed class ResizeImagesEstimator : IEstimator<ResizeImagesTransformer>
{
    internal ResizeImagesEstimator(ResizeImagesOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    /// <summary>The options.</summary>
    public ResizeImagesOptions Options { get; }

    /// <inheritdoc/>
    public ResizeImagesTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(input.Schema);
        return new ResizeImagesTransformer(Options);
    }

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => ResizeImagesTransform.GetOutputSchema(inputSchema, Options);
}

/// <summary><c>ResizeImages(outputColumnName, imageWidth, imageHeight, inputColumnName)</c> on <see cref="GanContext.Transforms"/>.</summary>
public static class ResizeImagesCatalogExtensions
{
    /// <summary>Resizes <paramref name="inputColumnName"/> (default: the output column) to <paramref name="imageWidth"/> x <paramref name="imageHeight"/> (ML.NET's signature).</summary>
    public static ResizeImagesEstimator ResizeImages(this TransformsCatalog catalog, string outputColumnName, int imageWidth, int imageHeight,
        string? inputColumnName = null, ResizeMode mode = ResizeMode.Bilinear)
        => ResizeImages(catalog, new ResizeImagesOptions { OutputColumnName = outputColumnName, InputColumnName = inputColumnName, Width = imageWidth, Height = imageHeight, Mode = mode });

    /// <summary>The estimator with all options.</summary>
    public static ResizeImagesEstimator ResizeImages(this TransformsCatalog catalog, ResizeImagesOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ResizeImagesEstimator(options);
    }
}
