using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.GanSdp;

/// <summary>
/// Data augmentation with a trained generator, as <see cref="DataOperationsCatalog"/> extensions
/// (<c>mlContext.Data.Augment(...)</c>, <c>mlContext.Data.GenerateImages(...)</c>, <c>mlContext.Data.TakeRowsPerClass(...)</c>).
/// The generator is any fitted <see cref="ITransformer"/> that maps a seed column (Int64) and, when conditional, a label
/// key column to an image column, e.g. the model of <c>TrainGanSdp</c> or <c>ApplyOnnxGenerator</c>, or one loaded with
/// <c>mlContext.Model.Load</c>. The returned views are lazy and streamed: rows are generated while a cursor reads them,
/// one at a time, so memory stays flat in the number of generated rows (docs/augmentation.md).
/// </summary>
public static class AugmentationCatalog
{
    /// <summary>
    /// The real rows followed by <paramref name="syntheticRowsPerClass"/> generated rows of every class, with the real
    /// data's image and label columns (same names, types and key values); see
    /// <see cref="Augment(DataOperationsCatalog, IDataView, ITransformer, AugmentationOptions)"/>.
    /// </summary>
    public static IDataView Augment(this DataOperationsCatalog catalog, IDataView realData, ITransformer generator, int syntheticRowsPerClass,
        long seed = 0, string imageColumnName = "Image", string labelColumnName = "Label")
        => catalog.Augment(realData, generator, new AugmentationOptions
        {
            SyntheticRowsPerClass = syntheticRowsPerClass,
            Seed = seed,
            ImageColumnName = imageColumnName,
            LabelColumnName = labelColumnName,
        });

    /// <summary>
    /// The real rows of <paramref name="realData"/> followed by synthetic rows from <paramref name="generator"/>.
    /// <list type="bullet">
    /// <item>Columns: the real image and label columns only (same names, types, annotations and key values, in the real
    /// schema's order; other real columns are left out), plus <see cref="AugmentationOptions.SyntheticFlagColumnName"/> if set.</item>
    /// <item>Rows: every real row in the real view's order, then the synthetic rows class by class in key order
    /// (all rows of key 1, then key 2, ...). Use <c>ShuffleRows</c> to interleave them.</item>
    /// <item>Synthetic row i of class k: the generator's image for seed <see cref="SyntheticSeeds.RowSeed"/>(Seed, k, i)
    /// and label key k; its label is k (the class it was generated for).</item>
    /// <item>Counts per class: <see cref="AugmentationOptions.SyntheticRowsPerClass"/>, or
    /// <see cref="AugmentationOptions.SyntheticRatio"/> spread by <see cref="AugmentationOptions.Allocation"/> over the
    /// real rows' classes (counted in one pass over the real label column when this method is called; rows whose label
    /// is missing, key 0, are not counted).</item>
    /// <item>Streaming: nothing is generated here; each cursor generates the synthetic rows as it reads them, so the same
    /// view read twice gives the same rows, and memory does not grow with the row count.</item>
    /// </list>
    /// </summary>
    /// <param name="catalog">The data catalog (<c>mlContext.Data</c>).</param>
    /// <param name="realData">The real data: an image column and a key label column (UInt32 keys with a known count).</param>
    /// <param name="generator">A fitted generator: given the seed column (Int64) and the label column typed like the real
    /// one, it adds an image column of exactly the real image column's type, one output row per input row.</param>
    /// <param name="options">Columns, counts, seed.</param>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type; the message names the column, its type and what is needed.</exception>
    /// <exception cref="ArgumentException">An invalid option, or the generator cannot transform the synthetic rows.</exception>
    public static IDataView Augment(this DataOperationsCatalog catalog, IDataView realData, ITransformer generator, AugmentationOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(realData);
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var image = realData.Schema.GetColumnOrNull(options.ImageColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(realData), $"The real data has no image column '{options.ImageColumnName}'; its columns are {Columns(realData.Schema)}.");
        var label = RequireKeyLabel(realData.Schema, options.LabelColumnName, "real data's label", nameof(realData));
        int classes = (int)((KeyDataViewType)label.Type).Count;
        long[] counts = options.SyntheticRowsPerClass is { } perClass
            ? SyntheticCounts.PerClass(perClass, classes)
            : SyntheticCounts.FromRatio(CountClasses(realData, label), options.SyntheticRatio!.Value, options.Allocation);
        return Build(realData, image, label, generator, options, counts);
    }

    /// <summary>The augmented view with explicit synthetic rows per class (index k - 1 for key k); the generator's image column checked against the real one.</summary>
    internal static AugmentedDataView Build(IDataView realData, DataViewSchema.Column image, DataViewSchema.Column label, ITransformer generator, AugmentationOptions options, long[] counts)
    {
        var input = new SyntheticRowsDataView(options.SeedColumnName, label, counts, options.Seed);
        var generatorImageName = options.GeneratorImageColumnName ?? options.ImageColumnName;
        var generated = Generate(generator, input);
        var generatedImage = generated.Schema.GetColumnOrNull(generatorImageName)
            ?? throw new ArgumentOutOfRangeException(nameof(generator), $"The generator's output has no image column '{generatorImageName}'; its columns are {Columns(generated.Schema)} (set AugmentationOptions.GeneratorImageColumnName).");
        if (!generatedImage.Type.Equals(image.Type))
            throw new ArgumentOutOfRangeException(nameof(generator),
                $"The generator's image column '{generatorImageName}' is {generatedImage.Type}, but the real image column '{image.Name}' is {image.Type}: synthetic rows must have exactly the real column's type (item type and dimensions; resize or reshape one side).");
        return new AugmentedDataView(realData, image, label, input, generated, generatedImage, options.SyntheticFlagColumnName);
    }

    /// <summary>
    /// <paramref name="rowsPerClass"/> generated images of every class (or in all, for an unconditional generator);
    /// see <see cref="GenerateImages(DataOperationsCatalog, ITransformer, DataViewSchema, ImageGenerationOptions)"/>.
    /// </summary>
    public static IDataView GenerateImages(this DataOperationsCatalog catalog, ITransformer generator, DataViewSchema inputSchema, int rowsPerClass, long seed = 0)
        => catalog.GenerateImages(generator, inputSchema, new ImageGenerationOptions { RowsPerClass = rowsPerClass, Seed = seed });

    /// <summary>
    /// A lazily generated data view of images: the generator applied to synthetic rows made on the fly, class by class in
    /// key order, <see cref="ImageGenerationOptions.RowsPerClass"/> rows of each class, row i of class k with seed
    /// <see cref="SyntheticSeeds.RowSeed"/>(Seed, k, i). Columns: the seed column (Int64), the label column (when
    /// conditional, typed and annotated like <paramref name="inputSchema"/>'s) and whatever the generator adds (the image).
    /// Rows are generated as a cursor reads them: memory does not grow with the row count.
    /// </summary>
    /// <param name="catalog">The data catalog (<c>mlContext.Data</c>).</param>
    /// <param name="generator">A fitted generator (seed [+ label] to image).</param>
    /// <param name="inputSchema">The generator's input schema, e.g. from <c>mlContext.Model.Load(path, out var inputSchema)</c>
    /// or the training data's schema: it supplies the label key type (class count and names). Without the label column
    /// the generator is taken as unconditional.</param>
    /// <param name="options">Counts, seed, column names.</param>
    /// <exception cref="ArgumentOutOfRangeException">The label column is not a UInt32 key with a known count, or the generator adds no image column.</exception>
    /// <exception cref="ArgumentException">An invalid option, or the generator cannot transform the synthetic rows.</exception>
    public static IDataView GenerateImages(this DataOperationsCatalog catalog, ITransformer generator, DataViewSchema inputSchema, ImageGenerationOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(inputSchema);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        DataViewSchema.Column? label = options.LabelColumnName is { } name && inputSchema.GetColumnOrNull(name) is not null
            ? RequireKeyLabel(inputSchema, name, "generator's label", nameof(inputSchema))
            : null;
        var counts = label is { } l ? SyntheticCounts.PerClass(options.RowsPerClass, (int)((KeyDataViewType)l.Type).Count) : [options.RowsPerClass];
        var generated = Generate(generator, new SyntheticRowsDataView(options.SeedColumnName, label, counts, options.Seed));
        if (generated.Schema.GetColumnOrNull(options.ImageColumnName) is null)
            throw new ArgumentOutOfRangeException(nameof(generator), $"The generator's output has no image column '{options.ImageColumnName}'; its columns are {Columns(generated.Schema)}.");
        return generated;
    }

    /// <summary>
    /// A stratified random subset: <paramref name="rowsPerClass"/> rows of every class of <paramref name="labelColumnName"/>
    /// (a key of UInt32), drawn without replacement and fixed by <paramref name="seed"/>, in their original order, with
    /// all columns. One pass over the label column selects the rows (row r gets priority mix(seed + (r + 1) gamma), each
    /// class keeps its rows of smallest priority); the view then streams the source and skips the others. Rows with a
    /// missing label are never taken. Memory: the selected positions only.
    /// </summary>
    /// <exception cref="InvalidOperationException">A class has fewer than <paramref name="rowsPerClass"/> rows.</exception>
    public static IDataView TakeRowsPerClass(this DataOperationsCatalog catalog, IDataView data, int rowsPerClass, long seed = 0, string labelColumnName = "Label")
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegative(rowsPerClass);
        ArgumentException.ThrowIfNullOrWhiteSpace(labelColumnName);
        return RowsPerClassDataView.Select(data, RequireKeyLabel(data.Schema, labelColumnName, "label", nameof(data)), rowsPerClass, seed);
    }

    private static IDataView Generate(ITransformer generator, SyntheticRowsDataView input)
    {
        try
        {
            return generator.Transform(input);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
        {
            throw new ArgumentException($"The generator cannot transform the synthetic rows (columns {Describe(input.Schema)}): {e.Message}", nameof(generator), e);
        }
    }

    /// <summary>The column <paramref name="name"/> of <paramref name="schema"/>, which must be a key of UInt32 with a known count in 1..int.MaxValue.</summary>
    internal static DataViewSchema.Column RequireKeyLabel(DataViewSchema schema, string name, string role, string parameter)
    {
        var column = schema.GetColumnOrNull(name)
            ?? throw new ArgumentOutOfRangeException(parameter, $"The {role} column '{name}' is not in the schema; its columns are {Columns(schema)}.");
        if (column.Type is not KeyDataViewType key || key.RawType != typeof(uint) || key.Count == 0 || key.Count > int.MaxValue)
            throw new ArgumentOutOfRangeException(parameter, $"The {role} column '{name}' is {column.Type}; it must be a key of UInt32 with a known count (e.g. from MapValueToKey or a data source).");
        return column;
    }

    /// <summary>Real rows per class (index k - 1 for key k) in one pass over the label column; missing labels (key 0) are not counted.</summary>
    internal static long[] CountClasses(IDataView data, DataViewSchema.Column label)
    {
        var counts = new long[(int)((KeyDataViewType)label.Type).Count];
        using var cursor = data.GetRowCursor([label]);
        var get = cursor.GetGetter<uint>(label);
        uint key = 0;
        while (cursor.MoveNext())
        {
            get(ref key);
            if (key == 0) continue;
            if (key > counts.Length) throw new InvalidDataException($"Row {cursor.Position} has label key {key}, beyond the {counts.Length} classes of column '{label.Name}'.");
            counts[key - 1]++;
        }
        return counts;
    }

    internal static string Columns(DataViewSchema schema) => string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => $"'{c.Name}'"));

    private static string Describe(DataViewSchema schema) => string.Join(", ", schema.Select(c => $"'{c.Name}' {c.Type}"));
}
