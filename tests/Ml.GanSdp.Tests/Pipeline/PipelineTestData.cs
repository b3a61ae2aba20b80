using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.GanSdp.Models;

namespace Ml.GanSdp.Tests.Pipeline;

/// <summary>Small synthetic training sets and the options of quick fits for the TrainGanSdp tests.</summary>
public static class PipelineTestData
{
    public static readonly string[] ClassNames = ["circle", "bar", "cross"];

    public sealed class PixelRow
    {
        [VectorType(1, 28, 28)] public float[] Image { get; set; } = [];
        public string Label { get; set; } = "";
    }

    public sealed class SeedRow
    {
        public long Seed { get; set; }
        public string Label { get; set; } = "";
    }

    /// <summary>Generation rows for a model whose input holds a Key&lt;UInt32&gt; label: Label is the 0-based class (ML.NET stores key = class + 1).</summary>
    public sealed class SeedKeyRow
    {
        public long Seed { get; set; }
        public uint Label { get; set; }
    }

    public sealed class SeedOnlyRow
    {
        public long Seed { get; set; }
    }

    /// <summary>Gray 28x28 images in 0..255: a class-specific shape plus a row-specific shift and noise.</summary>
    public static PixelRow[] Rows(int count, int seed = 1)
    {
        var rng = new Random(seed);
        var rows = new PixelRow[count];
        for (int r = 0; r < count; r++)
        {
            int c = r % ClassNames.Length;
            var img = new float[28 * 28];
            int dx = rng.Next(-3, 4), dy = rng.Next(-3, 4);
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++)
                {
                    int u = x - 14 - dx, v = y - 14 - dy;
                    bool on = c switch
                    {
                        0 => Math.Abs(Math.Sqrt(u * u + v * v) - 8) < 2,
                        1 => Math.Abs(u) < 3,
                        _ => Math.Abs(u) < 2 || Math.Abs(v) < 2,
                    };
                    img[y * 28 + x] = Math.Clamp((on ? 220f : 20f) + (float)(rng.NextDouble() * 30 - 15), 0, 255);
                }
            rows[r] = new PixelRow { Image = img, Label = ClassNames[c] };
        }
        return rows;
    }

    /// <summary>The training view: Image [1, 28, 28] and, with <paramref name="keys"/>, Label as a key with the class names.</summary>
    public static IDataView Train(MLContext ml, int count = 24, bool keys = true, int seed = 1)
    {
        var raw = ml.Data.LoadFromEnumerable(Rows(count, seed));
        return keys ? ml.Transforms.Conversion.MapValueToKey("Label").Fit(raw).Transform(raw) : raw;
    }

    /// <summary>Options of a fit that takes about a second: DCGAN 28, width 4, 3 iterations of batches of 8.</summary>
    public static GanSdpOptions Quick(string? label = "Label") => new()
    {
        OutputColumnName = "Generated",
        InputColumnName = "Image",
        LabelColumnName = label,
        Architecture = Architecture.Dcgan,
        Width = 4,
        LatentSize = 8,
        Iterations = 3,
        BatchSize = 8,
        Seed = 7,
        Threads = 1,
        Sdp = new() { Threshold = 0, Period = 2, InitialK = 2 },
    };

    public static SeedKeyRow[] GenerationRows(int count, int classes) =>
        Enumerable.Range(0, count).Select(i => new SeedKeyRow { Seed = i * 1_000_003L - 7, Label = classes > 0 ? (uint)(i % classes) : 0 }).ToArray();

    /// <summary>LoadFromEnumerable of <see cref="SeedKeyRow"/>s with Label typed Key&lt;UInt32, classes&gt; (or no label).</summary>
    public static IDataView Generation(MLContext ml, int count, int classes)
    {
        var def = SchemaDefinition.Create(typeof(SeedKeyRow));
        if (classes > 0) def["Label"].ColumnType = new KeyDataViewType(typeof(uint), classes);
        else def.Remove(def["Label"]);
        return ml.Data.LoadFromEnumerable(GenerationRows(count, classes), def);
    }
}

/// <summary>
/// The <see cref="SchemaShape"/> ML.NET makes of a data view's schema (<c>SchemaShape.Create</c> is internal): an
/// estimator chain propagates the shape of its input through its first estimator before fitting, and this probe records it.
/// </summary>
public static class SchemaShapes
{
    public static SchemaShape Of(IDataView data)
    {
        var probe = new Probe();
        new EstimatorChain<ITransformer>().Append(probe).Fit(data);
        return probe.Seen ?? throw new InvalidOperationException("EstimatorChain.Fit did not propagate the schema shape.");
    }

    public static SchemaShape Of(DataViewSchema schema) => Of(new EmptyView(schema));

    private sealed class Probe : IEstimator<ITransformer>
    {
        public SchemaShape? Seen;
        public ITransformer Fit(IDataView input) => new MLContext().Transforms.CopyColumns("__probe_copy", input.Schema[0].Name).Fit(input);
        public SchemaShape GetOutputSchema(SchemaShape inputSchema) { Seen ??= inputSchema; return inputSchema; }
    }

    private sealed class EmptyView(DataViewSchema schema) : IDataView
    {
        public bool CanShuffle => false;
        public DataViewSchema Schema { get; } = schema;
        public long? GetRowCount() => 0;
        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => throw new NotSupportedException();
        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => throw new NotSupportedException();
    }
}
