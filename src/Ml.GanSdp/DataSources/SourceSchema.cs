using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.GanSdp;

/// <summary>Column types of the data sources: pixel vectors as ImageAnalytics' ExtractPixels writes them, and keys with class names.</summary>
internal static class SourceSchema
{
    /// <summary>The annotation kind ML.NET reads key names from (<c>column.GetKeyValues</c>; written by <c>MapValueToKey</c>).</summary>
    public const string KeyValuesKind = "KeyValues";

    /// <summary>
    /// A known-size <see cref="float"/> vector with <c>Dimensions</c> [C, H, W]: the type of ImageAnalytics'
    /// <c>ExtractPixels</c> output with its defaults (planes, values 0..255).
    /// </summary>
    public static VectorDataViewType Pixels(ImageShape shape) => new(NumberDataViewType.Single, shape.Channels, shape.Height, shape.Width);

    /// <summary>
    /// Adds a key column (<see cref="uint"/>, 1-based, <c>Count</c> = number of classes) whose <c>KeyValues</c>
    /// annotation holds the class names, as ML.NET's <c>MapValueToKey</c> writes it.
    /// </summary>
    public static void AddKeyColumn(DataViewSchema.Builder builder, string name, IReadOnlyList<string> classNames)
    {
        var names = classNames.Select(n => n.AsMemory()).ToArray();
        var annotations = new DataViewSchema.Annotations.Builder();
        annotations.Add(KeyValuesKind, new VectorDataViewType(TextDataViewType.Instance, names.Length), (ValueGetter<VBuffer<ReadOnlyMemory<char>>>)((ref VBuffer<ReadOnlyMemory<char>> dst) =>
        {
            var editor = VBufferEditor.Create(ref dst, names.Length);
            names.AsSpan().CopyTo(editor.Values);
            dst = editor.Commit();
        }));
        builder.AddColumn(name, new KeyDataViewType(typeof(uint), names.Length), annotations.ToAnnotations());
    }

    /// <summary>Writes uint8 pixels into a float vector (the ExtractPixels scale, 0..255), reusing <paramref name="dst"/>'s buffer.</summary>
    public static void CopyBytes(ReadOnlySpan<byte> pixels, ref VBuffer<float> dst)
    {
        var editor = VBufferEditor.Create(ref dst, pixels.Length);
        var values = editor.Values;
        for (int i = 0; i < pixels.Length; i++) values[i] = pixels[i];
        dst = editor.Commit();
    }

    /// <summary>Checks class names: at least one, none null or blank, no duplicates; the message names <paramref name="what"/>.</summary>
    public static void ValidateClassNames(IReadOnlyList<string>? classNames, string what)
    {
        if (classNames is null) return;
        if (classNames.Count == 0) throw new ArgumentException($"{what} must not be empty when given.");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < classNames.Count; i++)
        {
            var name = classNames[i];
            if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException($"{what}[{i}] is null or blank; every class needs a name.");
            if (!seen.Add(name)) throw new ArgumentException($"{what} names class '{name}' twice (again at index {i}).");
        }
    }

    /// <summary>Checks column names: non-blank and pairwise different; the message names <paramref name="owner"/>.</summary>
    public static void ValidateColumnNames(string owner, params (string Option, string? Name)[] columns)
    {
        foreach (var (option, name) in columns)
            if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException($"{owner}.{option} must be a non-empty column name.");
        for (int i = 0; i < columns.Length; i++)
            for (int j = i + 1; j < columns.Length; j++)
                if (string.Equals(columns[i].Name, columns[j].Name, StringComparison.Ordinal))
                    throw new ArgumentException($"{owner}.{columns[i].Option} and {owner}.{columns[j].Option} are both '{columns[i].Name}'; columns need different names.");
    }
}
