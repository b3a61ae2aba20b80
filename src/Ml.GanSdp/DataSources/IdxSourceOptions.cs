namespace Ml.GanSdp;

/// <summary>Options of <see cref="DataSourceCatalog.LoadIdx(Microsoft.ML.DataOperationsCatalog, string, string?, IdxSourceOptions)"/>.</summary>
public sealed record IdxSourceOptions
{
    /// <summary>Name of the pixel column (Single vector, dimensions [1, H, W], values 0..255); default "Image".</summary>
    public string ImageColumnName { get; init; } = "Image";

    /// <summary>Name of the label column (key over the class names); default "Label".</summary>
    public string LabelColumnName { get; init; } = "Label";

    /// <summary>
    /// Class names, index = label value in the file. Null: "0", "1", ... up to the largest label in the label file
    /// (at least ten names, so a subset of MNIST keeps MNIST's key count).
    /// </summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>Limit on H x W declared by the image file, checked before anything is allocated; default 67,108,864, at most 536,870,897.</summary>
    public long MaxPixels { get; init; } = SkiaImages.DefaultMaxPixels;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        SourceSchema.ValidateColumnNames(nameof(IdxSourceOptions), (nameof(ImageColumnName), ImageColumnName), (nameof(LabelColumnName), LabelColumnName));
        SourceSchema.ValidateClassNames(ClassNames, $"{nameof(IdxSourceOptions)}.{nameof(ClassNames)}");
        SkiaImages.ValidateMaxPixels(MaxPixels, "IdxSourceOptions.MaxPixels");
    }
}
