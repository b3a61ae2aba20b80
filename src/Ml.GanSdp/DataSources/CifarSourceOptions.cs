namespace Ml.GanSdp;

/// <summary>Which CIFAR binary layout the batch files use.</summary>
public enum CifarKind
{
    /// <summary>CIFAR-10: records of 1 label byte + 3072 pixel bytes (R, G, B planes of 32 x 32).</summary>
    Cifar10,
    /// <summary>CIFAR-100: records of 1 coarse-label byte, 1 fine-label byte + 3072 pixel bytes.</summary>
    Cifar100,
}

/// <summary>Options of <see cref="DataSourceCatalog.LoadCifar(Microsoft.ML.DataOperationsCatalog, IReadOnlyList{string}, CifarSourceOptions)"/>.</summary>
public sealed record CifarSourceOptions
{
    /// <summary>The record layout; default <see cref="CifarKind.Cifar10"/>.</summary>
    public CifarKind Kind { get; init; } = CifarKind.Cifar10;

    /// <summary>Name of the pixel column (Single vector, dimensions [3, 32, 32], values 0..255); default "Image".</summary>
    public string ImageColumnName { get; init; } = "Image";

    /// <summary>Name of the label column: CIFAR-10's label, CIFAR-100's fine label (100 classes); default "Label".</summary>
    public string LabelColumnName { get; init; } = "Label";

    /// <summary>Name of CIFAR-100's coarse-label column (20 superclasses); default "CoarseLabel". Unused for CIFAR-10.</summary>
    public string CoarseLabelColumnName { get; init; } = "CoarseLabel";

    /// <summary>
    /// Class names of the label column (10 for CIFAR-10, 100 fine for CIFAR-100). Null: read from
    /// <c>batches.meta.txt</c> / <c>fine_label_names.txt</c> beside the first batch file when present, else the published names.
    /// </summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>CIFAR-100's 20 coarse class names. Null: <c>coarse_label_names.txt</c> beside the first file, else the published names.</summary>
    public IReadOnlyList<string>? CoarseClassNames { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Kind)) throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "Unknown CifarKind.");
        if (Kind == CifarKind.Cifar100)
            SourceSchema.ValidateColumnNames(nameof(CifarSourceOptions), (nameof(ImageColumnName), ImageColumnName), (nameof(LabelColumnName), LabelColumnName), (nameof(CoarseLabelColumnName), CoarseLabelColumnName));
        else
            SourceSchema.ValidateColumnNames(nameof(CifarSourceOptions), (nameof(ImageColumnName), ImageColumnName), (nameof(LabelColumnName), LabelColumnName));
        SourceSchema.ValidateClassNames(ClassNames, $"{nameof(CifarSourceOptions)}.{nameof(ClassNames)}");
        SourceSchema.ValidateClassNames(CoarseClassNames, $"{nameof(CifarSourceOptions)}.{nameof(CoarseClassNames)}");
        int expected = Kind == CifarKind.Cifar10 ? 10 : 100;
        if (ClassNames is not null && ClassNames.Count != expected)
            throw new ArgumentException($"CifarSourceOptions.ClassNames has {ClassNames.Count} names; {Kind} has {expected} classes.");
        if (CoarseClassNames is not null && CoarseClassNames.Count != 20)
            throw new ArgumentException($"CifarSourceOptions.CoarseClassNames has {CoarseClassNames.Count} names; CIFAR-100 has 20 coarse classes.");
    }
}
