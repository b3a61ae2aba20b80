namespace Ml.GanSdp;

/// <summary>How <see cref="AugmentationOptions.SyntheticRatio"/> spreads the synthetic rows over the classes.</summary>
public enum SyntheticAllocation
{
    /// <summary>
    /// Each class c gets about ratio x n_c rows (n_c = its real rows), keeping the real class proportions:
    /// floor(ratio x n_c) each, then the round(ratio x n) - sum of floors remaining rows one each to the classes with the
    /// largest fractional parts (ties to the lower key). The total is round(ratio x n), n = sum of n_c.
    /// </summary>
    Proportional,

    /// <summary>
    /// round(ratio x n) rows in total, split evenly over the K classes whatever their real counts (balancing the classes):
    /// floor(total / K) each, and one more for the first total mod K classes in key order.
    /// </summary>
    Uniform,
}

/// <summary>
/// Options of <see cref="AugmentationCatalog.Augment(Microsoft.ML.DataOperationsCatalog, Microsoft.ML.IDataView, Microsoft.ML.ITransformer, AugmentationOptions)"/>:
/// the real data's columns, how many synthetic rows per class (a fixed number, or a ratio to the real rows), the seed,
/// and the generator's column names. Set exactly one of <see cref="SyntheticRowsPerClass"/> and <see cref="SyntheticRatio"/>.
/// </summary>
public sealed record AugmentationOptions
{
    /// <summary>The real data's image column; the generator's image column must have exactly its type. Default "Image".</summary>
    public string ImageColumnName { get; init; } = "Image";

    /// <summary>The real data's label column: a key of UInt32 with a known count (as <c>MapValueToKey</c> and the data sources make). Default "Label".</summary>
    public string LabelColumnName { get; init; } = "Label";

    /// <summary>Synthetic rows for every class (the same number for each); null when <see cref="SyntheticRatio"/> is used.</summary>
    public int? SyntheticRowsPerClass { get; init; }

    /// <summary>
    /// Synthetic rows per real (labelled) row, e.g. 0.5 adds one synthetic row for every two real ones; spread over the
    /// classes by <see cref="Allocation"/>. Needs one pass over the real label column to count the classes. Null when
    /// <see cref="SyntheticRowsPerClass"/> is used.
    /// </summary>
    public double? SyntheticRatio { get; init; }

    /// <summary>How <see cref="SyntheticRatio"/> spreads the rows over the classes. Default <see cref="SyntheticAllocation.Proportional"/>.</summary>
    public SyntheticAllocation Allocation { get; init; } = SyntheticAllocation.Proportional;

    /// <summary>The run's seed: synthetic row i of class k gets generator seed <see cref="SyntheticSeeds.RowSeed"/>(Seed, k, i).</summary>
    public long Seed { get; init; }

    /// <summary>The generator's seed input column (Int64). Default "Seed".</summary>
    public string SeedColumnName { get; init; } = "Seed";

    /// <summary>The generator's output image column; null: <see cref="ImageColumnName"/>.</summary>
    public string? GeneratorImageColumnName { get; init; }

    /// <summary>If set, a Boolean column of this name is added: false on real rows, true on synthetic ones. Default null (no extra column).</summary>
    public string? SyntheticFlagColumnName { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        RequireName(ImageColumnName, nameof(ImageColumnName));
        RequireName(LabelColumnName, nameof(LabelColumnName));
        RequireName(SeedColumnName, nameof(SeedColumnName));
        if (GeneratorImageColumnName is not null) RequireName(GeneratorImageColumnName, nameof(GeneratorImageColumnName));
        if (SyntheticFlagColumnName is not null) RequireName(SyntheticFlagColumnName, nameof(SyntheticFlagColumnName));
        if (SyntheticRowsPerClass is null == SyntheticRatio is null)
            throw new ArgumentException($"Set exactly one of AugmentationOptions.SyntheticRowsPerClass and SyntheticRatio (got {(SyntheticRowsPerClass is null ? "neither" : "both")}).", nameof(SyntheticRowsPerClass));
        if (SyntheticRowsPerClass is < 0)
            throw new ArgumentOutOfRangeException(nameof(SyntheticRowsPerClass), SyntheticRowsPerClass, "AugmentationOptions.SyntheticRowsPerClass must not be negative.");
        if (SyntheticRatio is { } r && !(r >= 0 && r <= SyntheticCounts.MaxRatio))
            throw new ArgumentOutOfRangeException(nameof(SyntheticRatio), r, $"AugmentationOptions.SyntheticRatio must be a finite number in [0, {SyntheticCounts.MaxRatio}].");
        if (!Enum.IsDefined(Allocation))
            throw new ArgumentOutOfRangeException(nameof(Allocation), Allocation, "AugmentationOptions.Allocation is not a SyntheticAllocation value.");
        if (LabelColumnName == ImageColumnName)
            throw new ArgumentException($"AugmentationOptions.ImageColumnName and LabelColumnName are both '{ImageColumnName}'.", nameof(LabelColumnName));
        if (SyntheticFlagColumnName is not null && (SyntheticFlagColumnName == ImageColumnName || SyntheticFlagColumnName == LabelColumnName))
            throw new ArgumentException($"AugmentationOptions.SyntheticFlagColumnName '{SyntheticFlagColumnName}' is also the image or label column.", nameof(SyntheticFlagColumnName));
        if (SeedColumnName == LabelColumnName)
            throw new ArgumentException($"AugmentationOptions.SeedColumnName and LabelColumnName are both '{SeedColumnName}'.", nameof(SeedColumnName));
    }

    internal static void RequireName(string? name, string option)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException($"{option} must be a column name.", option);
    }
}

/// <summary>
/// Options of <see cref="AugmentationCatalog.GenerateImages(Microsoft.ML.DataOperationsCatalog, Microsoft.ML.ITransformer, Microsoft.ML.DataViewSchema, ImageGenerationOptions)"/>.
/// </summary>
public sealed record ImageGenerationOptions
{
    /// <summary>Rows per class (a conditional generator), or rows in all (an unconditional one). Default 0.</summary>
    public int RowsPerClass { get; init; }

    /// <summary>The run's seed: row i of class k gets generator seed <see cref="SyntheticSeeds.RowSeed"/>(Seed, k, i) (k = 0 when unconditional).</summary>
    public long Seed { get; init; }

    /// <summary>The generator's seed input column (Int64). Default "Seed".</summary>
    public string SeedColumnName { get; init; } = "Seed";

    /// <summary>
    /// The generator's label column: when the input schema has it (a key of UInt32 with a known count), one block of
    /// <see cref="RowsPerClass"/> rows per class in key order, each with its key; when the schema has no such column,
    /// or this is null, the generator is taken as unconditional. Default "Label".
    /// </summary>
    public string? LabelColumnName { get; init; } = "Label";

    /// <summary>The generator's output image column, checked to exist. Default "Image".</summary>
    public string ImageColumnName { get; init; } = "Image";

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (RowsPerClass < 0) throw new ArgumentOutOfRangeException(nameof(RowsPerClass), RowsPerClass, "ImageGenerationOptions.RowsPerClass must not be negative.");
        AugmentationOptions.RequireName(SeedColumnName, nameof(SeedColumnName));
        AugmentationOptions.RequireName(ImageColumnName, nameof(ImageColumnName));
        if (LabelColumnName is not null)
        {
            AugmentationOptions.RequireName(LabelColumnName, nameof(LabelColumnName));
            if (LabelColumnName == SeedColumnName)
                throw new ArgumentException($"ImageGenerationOptions.SeedColumnName and LabelColumnName are both '{SeedColumnName}'.", nameof(LabelColumnName));
        }
    }
}
