using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.GanSdp.Onnx;
using Ml.GanSdp.Tests.Onnx;

namespace Ml.GanSdp.Tests.Augmentation;

/// <summary>
/// A conditional test generator whose images are known: image(seed, k) = template_k + NoiseScale x (z(seed) W), with
/// z the seeded latent (<see cref="SeededLatent"/>, 8 values) and W a fixed random [8, D] matrix; a missing label gives
/// NaN pixels. Built with <see cref="OnnxGraphBuilder"/> (batched model) and put into ML.NET with
/// <c>ApplyOnnxGenerator</c> (its one-row view), so the fitted <see cref="Transformer"/> is ML.NET's own OnnxTransformer.
/// </summary>
internal sealed class TemplateGenerator : IDisposable
{
    public const int Latent = 8;

    public TemplateGenerator(MLContext ml, float[][] templates, int[] dims, float noiseScale, DataViewSchema.Column label, string tempFolder, int weightSeed = 3)
    {
        Templates = templates;
        Dims = dims;
        int d = dims.Aggregate(1, (a, b) => a * b);
        var rng = new Random(weightSeed);
        Noise = Rand.Normal(rng, Latent, d).Data;
        Batched = Build(templates, dims, noiseScale, Noise);
        Estimator = ml.Transforms.ApplyOnnxGenerator(Batched, new OnnxGeneratorOptions
        {
            OutputColumnName = "Image",
            ImageDimensions = dims,
            LabelColumnName = label.Name,
            ClassCount = templates.Length,
            TempFolder = tempFolder,
        });
        Transformer = Estimator.Fit(new SyntheticRowsDataView("Seed", label, new long[templates.Length], 0));
    }

    public float[][] Templates { get; }
    public int[] Dims { get; }
    public float[] Noise { get; }
    public byte[] Batched { get; }
    public OnnxGeneratorEstimator Estimator { get; }
    public ITransformer Transformer { get; }

    /// <summary>The batched model: Seed int64 [N, 1], Label uint32 [N, 1] -> Image float [N, C, H, W].</summary>
    public static byte[] Build(float[][] templates, int[] dims, float noiseScale, float[] noise)
    {
        int d = dims.Aggregate(1, (a, b) => a * b);
        var g = new OnnxGraphBuilder("template_generator");
        var seed = g.AddSeedInput("Seed");
        var key = g.AddLabelKeyInput("Label");
        var z = SeededLatent.AddTo(g, seed, Latent);
        var table = templates.SelectMany(t => t).ToArray();
        var rows = g.GatherClassRows("templates", table, templates.Length, key);
        var w = g.AddInitializer("noise", noise, Latent, d);
        var image = g.Add(rows, g.Mul(g.MatMul(z, w), g.Scalar(noiseScale)));
        image = g.Reshape(image, 0, dims[0], dims[1], dims[2]);
        image = g.MaskMissingLabels(image, key);
        g.AddImageOutput(image, "Image", dims[0], dims[1], dims[2]);
        return g.ToBytes();
    }

    /// <summary>The batched model's images for the given seeds and label keys, by ONNX Runtime directly.</summary>
    public float[][] Run(long[] seeds, uint[] keys)
    {
        using var session = Ort.Session(Batched);
        var y = Ort.RunOne<float>(session, "Image", Ort.Input("Seed", new NdArray<long>(seeds, [seeds.Length, 1])), Ort.Input("Label", new NdArray<uint>(keys, [keys.Length, 1])));
        int d = y.Data.Length / seeds.Length;
        return Enumerable.Range(0, seeds.Length).Select(i => y.Data.AsSpan(i * d, d).ToArray()).ToArray();
    }

    public void Dispose() => Estimator.Dispose();
}

/// <summary>Small real data sets: an image column with given dimensions and a key label with given class names (key order = the names' order).</summary>
internal static class RealRows
{
    private sealed class Row
    {
        public float[] Image { get; set; } = [];
        public string Label { get; set; } = "";
        public string Note { get; set; } = "";
    }

    private sealed class Name
    {
        public string Label { get; set; } = "";
    }

    /// <summary>
    /// Columns Image (Single vector with <paramref name="dims"/>), Label (key over <paramref name="classNames"/> in that
    /// order; a row label not among them gets key 0, missing), Note (text).
    /// </summary>
    public static IDataView Create(MLContext ml, int[] dims, string[] classNames, IEnumerable<(float[] Image, string Label)> rows)
    {
        var definition = SchemaDefinition.Create(typeof(Row));
        definition["Image"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, dims);
        var list = rows.Select((r, i) => new Row { Image = r.Image, Label = r.Label, Note = $"real {i}" }).ToArray();
        var data = ml.Data.LoadFromEnumerable(list, definition);
        var keys = ml.Data.LoadFromEnumerable(classNames.Select(n => new Name { Label = n }));
        return ml.Transforms.Conversion.MapValueToKey("Label", keyData: keys).Fit(data).Transform(data);
    }

    /// <summary>Reads the image and label columns of every row.</summary>
    public static List<(float[] Image, uint Key)> Read(IDataView view, string image = "Image", string label = "Label")
    {
        var result = new List<(float[], uint)>();
        using var cursor = view.GetRowCursor([view.Schema[image], view.Schema[label]]);
        var getImage = cursor.GetGetter<VBuffer<float>>(view.Schema[image]);
        var getLabel = cursor.GetGetter<uint>(view.Schema[label]);
        VBuffer<float> buffer = default;
        uint key = 0;
        while (cursor.MoveNext())
        {
            getImage(ref buffer);
            getLabel(ref key);
            result.Add((buffer.DenseValues().ToArray(), key));
        }
        return result;
    }
}
