using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.GanSdp.Samples.Commands;

/// <summary>
/// A generator saved by <c>gansdp train</c> (or any ML.NET zip of a TrainGanSdp model), loaded for generate, augment,
/// classify and fid: its metadata read and validated first (<see cref="GanSdpModelInfo.Read"/>: every field, errors naming
/// the file and the field), then the ML.NET model loaded and its input schema checked against the metadata (seed column,
/// label key count and names), all before anything is generated or written.
/// </summary>
internal sealed class GeneratorModel : IDisposable
{
    private GeneratorModel(string path, GanSdpModelInfo info, ITransformer transformer, DataViewSchema inputSchema)
    {
        Path = path;
        Info = info;
        Transformer = transformer;
        InputSchema = inputSchema;
    }

    /// <summary>The model file.</summary>
    public string Path { get; }

    /// <summary>The validated metadata.</summary>
    public GanSdpModelInfo Info { get; }

    /// <summary>The loaded ML.NET model (seed, label -> image).</summary>
    public ITransformer Transformer { get; }

    /// <summary>The input schema saved with the model (seed and, when conditional, the label key with the class names).</summary>
    public DataViewSchema InputSchema { get; }

    /// <summary>Whether the model is class-conditional.</summary>
    public bool Conditional => Info.ClassCount > 0;

    /// <summary>Loads and checks <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Malformed metadata, a model ML.NET cannot load, or an input schema that contradicts the metadata.</exception>
    public static GeneratorModel Load(MLContext ml, string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"The model '{path}' does not exist.", path);
        var info = GanSdpModelInfo.Read(path);
        ITransformer transformer;
        DataViewSchema schema;
        try
        {
            transformer = ml.Model.Load(path, out schema);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"'{path}': ML.NET cannot load the model: {Cli.OneLine(e)}", e);
        }
        try
        {
            Check(path, info, schema);
            return new GeneratorModel(path, info, transformer, schema);
        }
        catch
        {
            (transformer as IDisposable)?.Dispose();
            throw;
        }
    }

    /// <summary>The saved input schema must carry the seed column and, for a conditional model, a label key of the model's classes.</summary>
    private static void Check(string path, GanSdpModelInfo info, DataViewSchema schema)
    {
        if (schema.GetColumnOrNull(info.SeedColumnName) is not { Type: var seedType } || seedType != NumberDataViewType.Int64)
            throw new InvalidDataException($"'{path}': the model's input schema has no Int64 seed column '{info.SeedColumnName}' (metadata field '{GanSdpModelInfo.Keys.SeedColumn}').");
        if (info.LabelColumnName is not { } label) return;
        var column = schema.GetColumnOrNull(label);
        if (column is not { Type: KeyDataViewType key } || key.RawType != typeof(uint))
            throw new InvalidDataException($"'{path}': the model's input schema has no UInt32 key label column '{label}' (metadata field '{GanSdpModelInfo.Keys.LabelColumn}').");
        if (key.Count != (ulong)info.ClassCount)
            throw new InvalidDataException($"'{path}': metadata field '{GanSdpModelInfo.Keys.ClassCount}' is {info.ClassCount} but the model's label column '{label}' is {column.Value.Type} with {key.Count} classes.");
        var names = DatasetOptions.ClassNames(schema, label);
        if (names.Count == info.ClassCount && !names.SequenceEqual(info.ClassNames, StringComparer.Ordinal))
            throw new InvalidDataException($"'{path}': metadata field '{GanSdpModelInfo.Keys.ClassNames}' ({Names(info.ClassNames)}) differs from the key values of the model's label column '{label}' ({Names(names)}).");
    }

    /// <summary>The 0-based class named <paramref name="name"/> (a class name, or else its 0-based index).</summary>
    public int ClassIndex(string name)
    {
        if (!Conditional) throw new UsageException($"--class needs a class-conditional model; '{Path}' is unconditional.");
        for (int k = 0; k < Info.ClassCount; k++)
            if (string.Equals(Info.ClassNames[k], name, StringComparison.Ordinal)) return k;
        for (int k = 0; k < Info.ClassCount; k++)
            if (string.Equals(Info.ClassNames[k], name, StringComparison.OrdinalIgnoreCase)) return k;
        if (int.TryParse(name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var i) && i < Info.ClassCount) return i;
        throw new UsageException($"--class '{name}' is not a class of '{Path}'; its classes are {Names(Info.ClassNames)} (or an index 0..{Info.ClassCount - 1}).");
    }

    /// <summary>The data's labels must be the model's classes (same names in the same order) for synthetic rows to carry the right labels.</summary>
    public void RequireSameClasses(LoadedData data)
    {
        if (!Conditional) throw new UsageException($"'{Path}' is an unconditional generator; this command needs a class-conditional one (train it with --conditional).");
        if (!data.HasLabels) throw new UsageException($"{data.Description} has no labels; this command needs labelled data.");
        if (!data.ClassNames.SequenceEqual(Info.ClassNames, StringComparer.Ordinal))
            throw new InvalidDataException($"The classes of {data.Description} ({Names(data.ClassNames)}) are not those of the model '{Path}' ({Names(Info.ClassNames)}).");
    }

    private static string Names(IReadOnlyList<string> names) => string.Join(", ", names.Take(12).Select(n => $"'{n}'")) + (names.Count > 12 ? $", ... ({names.Count} in all)" : "");

    public void Dispose() => (Transformer as IDisposable)?.Dispose();
}
