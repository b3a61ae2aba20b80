using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.GanSdp.Onnx;
using Ml.GanSdp.Tests.Onnx;
using Ml.GanSdp.Tests.TestSupport;

namespace Ml.GanSdp.Tests.Augmentation;

/// <summary>
/// <c>mlContext.Data.GenerateImages</c> (<see cref="SyntheticRowsDataView"/> under the generator): columns, class blocks,
/// seeds, images equal to ONNX Runtime's for those seeds, an unconditional generator, flat memory over 50,000 rows,
/// and the errors.
/// </summary>
[TestClass]
public sealed class GenerateImagesTests
{
    private static readonly string[] Classes = ["cat", "dog", "bird"];

    private sealed class Fixture : IDisposable
    {
        public readonly TempDir Dir = new();
        public readonly MLContext Ml = new(seed: 1);
        public readonly IDataView Real;
        public readonly TemplateGenerator Generator;

        public Fixture(int[] dims)
        {
            int d = dims.Aggregate(1, (a, b) => a * b);
            Real = RealRows.Create(Ml, dims, Classes, [(new float[d], "dog")]);
            var templates = Enumerable.Range(1, 3).Select(k => Enumerable.Repeat(10f * k, d).ToArray()).ToArray();
            Generator = new TemplateGenerator(Ml, templates, dims, 1f, Real.Schema["Label"], Dir.File("onnx"));
        }

        public void Dispose()
        {
            Generator.Dispose();
            Dir.Dispose();
        }
    }

    [TestMethod]
    public void Conditional_ClassBlocksInKeyOrder_SeedsAsDocumented_ImagesAsOnnxRuntimeComputesThem()
    {
        using var f = new Fixture([1, 4, 4]);
        var view = f.Ml.Data.GenerateImages(f.Generator.Transformer, f.Real.Schema, rowsPerClass: 5, seed: -3);
        CollectionAssert.AreEqual(new[] { "Seed", "Label", "Image" }, view.Schema.Where(c => !c.IsHidden).Select(c => c.Name).ToArray());
        Assert.AreEqual(f.Real.Schema["Label"].Type, view.Schema["Label"].Type);
        VBuffer<ReadOnlyMemory<char>> names = default;
        view.Schema["Label"].GetKeyValues(ref names);
        CollectionAssert.AreEqual(Classes, names.DenseValues().Select(n => n.ToString()).ToArray());
        Assert.AreEqual(15L, view.GetRowCount());

        var seeds = view.GetColumn<long>("Seed").ToArray();
        var keys = view.GetColumn<uint>("Label").ToArray();
        var images = view.GetColumn<float[]>("Image").ToArray();
        CollectionAssert.AreEqual(Enumerable.Range(1, 3).SelectMany(k => Enumerable.Repeat((uint)k, 5)).ToArray(), keys);
        CollectionAssert.AreEqual(keys.Select((k, j) => SyntheticSeeds.RowSeed(-3, k, j % 5)).ToArray(), seeds);
        var expected = f.Generator.Run(seeds, keys);
        for (int j = 0; j < 15; j++) ArrayAssert.BitEqual(expected[j], images[j], $"row {j}");
    }

    [TestMethod]
    public void Unconditional_RowsPerClassIsTheTotal_ClassKeyZeroSeeds()
    {
        using var dir = new TempDir();
        var ml = new MLContext(seed: 1);
        var model = TestGenerator.Build(TestGenerator.RandomWeights(6, 8, 0, 16, 3), 8, 0, 3);
        using var estimator = ml.Transforms.ApplyOnnxGenerator(model, new OnnxGeneratorOptions { OutputColumnName = "Image", ImageDimensions = [3, 8, 8], TempFolder = dir.Path });
        var inputSchema = new SyntheticRowsDataView("Seed", null, [0], 0);
        var generator = estimator.Fit(inputSchema);
        var view = ml.Data.GenerateImages(generator, inputSchema.Schema, new ImageGenerationOptions { RowsPerClass = 7, Seed = 11 });
        CollectionAssert.AreEqual(new[] { "Seed", "Image" }, view.Schema.Select(c => c.Name).ToArray());
        var seeds = view.GetColumn<long>("Seed").ToArray();
        CollectionAssert.AreEqual(Enumerable.Range(0, 7).Select(i => SyntheticSeeds.RowSeed(11, 0, i)).ToArray(), seeds);
        using var session = Ort.Session(model);
        var expected = Ort.RunOne<float>(session, "Image", Ort.Input("Seed", new NdArray<long>(seeds, [7, 1])));
        var images = view.GetColumn<float[]>("Image").SelectMany(i => i).ToArray();
        ArrayAssert.BitEqual(expected.Data, images, "unconditional images");
    }

    [TestMethod]
    public void FiftyThousandImages_StreamWithFlatMemory()
    {
        using var f = new Fixture([1, 32, 32]);
        var view = f.Ml.Data.GenerateImages(f.Generator.Transformer, f.Real.Schema, rowsPerClass: 16_667);
        var (rows, managed, rss, _) = AugmentTests.Drain(view, warmRows: 2_000);
        Assert.AreEqual(50_001L, rows);
        Console.WriteLine($"{rows} rows; managed memory after warm-up +{managed / 1e6:F1} MB, RSS +{rss / 1e6:F1} MB");
        Assert.IsTrue(managed < 16_000_000, $"managed memory grew by {managed / 1e6:F1} MB (materializing would take 205 MB)");
        Assert.IsTrue(rss < 64_000_000, $"RSS grew by {rss / 1e6:F1} MB (materializing would take 205 MB)");
    }

    [TestMethod]
    public void Errors_NameTheColumnAndWhatIsNeeded()
    {
        using var f = new Fixture([1, 4, 4]);
        var b = new DataViewSchema.Builder();
        b.AddColumn("Label", NumberDataViewType.Single);
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => f.Ml.Data.GenerateImages(f.Generator.Transformer, b.ToSchema(), 3));
        StringAssert.Contains(e.Message, "The generator's label column 'Label' is Single; it must be a key of UInt32 with a known count");
        var noImage = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => f.Ml.Data.GenerateImages(f.Generator.Transformer, f.Real.Schema, new ImageGenerationOptions { RowsPerClass = 1, ImageColumnName = "Picture" }));
        StringAssert.Contains(noImage.Message, "The generator's output has no image column 'Picture'");
        // Without a label column the generator is fed seeds only, which this conditional one refuses.
        var unconditional = Assert.ThrowsExactly<ArgumentException>(() => f.Ml.Data.GenerateImages(f.Generator.Transformer, new DataViewSchema.Builder().ToSchema(), 3));
        StringAssert.Contains(unconditional.Message, "The generator cannot transform the synthetic rows (columns 'Seed' Int64)");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => f.Ml.Data.GenerateImages(f.Generator.Transformer, f.Real.Schema, -1));
    }
}
