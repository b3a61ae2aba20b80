using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.GanSdp.Tests.Onnx;
using Ml.GanSdp.Tests.TestSupport;

namespace Ml.GanSdp.Tests.Augmentation;

/// <summary>
/// <c>mlContext.Data.Augment</c> (<see cref="AugmentedDataView"/>): schema equal to the real data's, real rows then
/// synthetic rows class by class, each synthetic image equal (bit for bit) to ONNX Runtime's output of the batched
/// generator for the documented seed and the row's class, counts for rows-per-class and both ratio allocations,
/// determinism, memory flat over 50,000 generated rows, and the schema errors.
/// </summary>
[TestClass]
public sealed class AugmentTests
{
    private static readonly int[] Dims = [1, 4, 4];
    private static readonly string[] Classes = ["cat", "dog", "bird"];

    /// <summary>Real rows: classes cat, dog, bird, cat, cat, dog, cat, bird, dog, cat (cat 5, dog 3, bird 2) and one "zebra" (missing key).</summary>
    private sealed class Fixture : IDisposable
    {
        public readonly TempDir Dir = new();
        public readonly MLContext Ml = new(seed: 1);
        public readonly IDataView Real;
        public readonly TemplateGenerator Generator;
        public readonly List<(float[] Image, int Class)> Rows;

        public Fixture(int[]? dims = null, float noise = 0.5f)
        {
            dims ??= Dims;
            int d = dims.Aggregate(1, (a, b) => a * b);
            var rng = new Random(7);
            int[] classes = [0, 1, 2, 0, 0, 1, 0, 2, 1, 0, 3];
            var names = Classes.Append("zebra").ToArray();
            Rows = classes.Select(c => (Enumerable.Range(0, d).Select(_ => (float)rng.Next(256)).ToArray(), c)).ToList();
            // "zebra" is not among the key values: its key is 0 (missing).
            Real = RealRows.Create(Ml, dims, Classes, Rows.Select(r => (r.Image, names[r.Class])));
            var templates = Enumerable.Range(1, Classes.Length).Select(k => Enumerable.Repeat(10f * k, d).ToArray()).ToArray();
            Generator = new TemplateGenerator(Ml, templates, dims, noise, Real.Schema["Label"], Dir.File("onnx"));
        }

        public void Dispose()
        {
            Generator.Dispose();
            Dir.Dispose();
        }
    }

    [TestMethod]
    public void Schema_IsTheRealImageAndLabelColumns_SameTypesAndKeyValues_PlusOptionalFlag()
    {
        using var f = new Fixture();
        var augmented = f.Ml.Data.Augment(f.Real, f.Generator.Transformer, syntheticRowsPerClass: 2);
        var visible = f.Real.Schema.Where(c => !c.IsHidden && c.Name != "Note").ToArray();
        CollectionAssert.AreEqual(visible.Select(c => c.Name).ToArray(), augmented.Schema.Select(c => c.Name).ToArray(), "image and label, in the real order; Note left out");
        foreach (var c in augmented.Schema)
        {
            Assert.AreEqual(f.Real.Schema[c.Name].Type, c.Type, c.Name);
            CollectionAssert.AreEqual(f.Real.Schema[c.Name].Annotations.Schema.Select(a => a.Name).ToArray(), c.Annotations.Schema.Select(a => a.Name).ToArray(), c.Name);
        }
        VBuffer<ReadOnlyMemory<char>> names = default;
        augmented.Schema["Label"].GetKeyValues(ref names);
        CollectionAssert.AreEqual(Classes, names.DenseValues().Select(n => n.ToString()).ToArray());

        var flagged = f.Ml.Data.Augment(f.Real, f.Generator.Transformer, new AugmentationOptions { SyntheticRowsPerClass = 2, SyntheticFlagColumnName = "IsSynthetic" });
        Assert.AreEqual(BooleanDataViewType.Instance, flagged.Schema["IsSynthetic"].Type);
        var flags = flagged.GetColumn<bool>("IsSynthetic").ToArray();
        CollectionAssert.AreEqual(Enumerable.Repeat(false, 11).Concat(Enumerable.Repeat(true, 6)).ToArray(), flags);
    }

    [TestMethod]
    public void Rows_AreRealThenSyntheticClassByClass_EachImageIsTheGeneratorsForTheDocumentedSeedAndItsClass()
    {
        using var f = new Fixture();
        const long seed = 77;
        var augmented = f.Ml.Data.Augment(f.Real, f.Generator.Transformer, syntheticRowsPerClass: 4, seed: seed);
        Assert.AreEqual(11 + 12L, augmented.GetRowCount());
        var rows = RealRows.Read(augmented);
        Assert.AreEqual(23, rows.Count);
        for (int i = 0; i < 11; i++)
        {
            CollectionAssert.AreEqual(f.Rows[i].Image, rows[i].Image, $"real row {i}");
            Assert.AreEqual(f.Rows[i].Class == 3 ? 0u : (uint)f.Rows[i].Class + 1, rows[i].Key, $"real row {i}'s key");
        }
        var keys = Enumerable.Range(1, 3).SelectMany(k => Enumerable.Repeat((uint)k, 4)).ToArray();
        var seeds = keys.Select((k, j) => SyntheticSeeds.RowSeed(seed, k, j % 4)).ToArray();
        var expected = f.Generator.Run(seeds, keys);
        for (int j = 0; j < 12; j++)
        {
            Assert.AreEqual(keys[j], rows[11 + j].Key, $"synthetic row {j} is labelled with the class it was generated for");
            ArrayAssert.BitEqual(expected[j], rows[11 + j].Image, $"synthetic row {j}");
            // The template generator's class k images sit around 10 k (noise 0.5 x N(0, ~2.8)): the label matches the picture.
            Assert.AreEqual(10.0 * keys[j], rows[11 + j].Image.Average(), 3.0, $"synthetic row {j} looks like class {keys[j]}");
        }
    }

    [TestMethod]
    public void Ratio_Proportional_And_Uniform_CountTheLabelledRealRowsPerClass()
    {
        using var f = new Fixture();
        // Labelled real rows: cat 5, dog 3, bird 2 (the zebra row has no key and is not counted); n = 10.
        uint[] Keys(AugmentationOptions o) => RealRows.Read(f.Ml.Data.Augment(f.Real, f.Generator.Transformer, o)).Skip(11).Select(r => r.Key).ToArray();
        var proportional = Keys(new AugmentationOptions { SyntheticRatio = 0.5 });
        // exact 2.5, 1.5, 1 -> floors 2, 1, 1 = 4; total round(5) = 5 -> +1 to the larger fraction 0.5: a tie cat/dog -> cat.
        CollectionAssert.AreEqual(new uint[] { 1, 1, 1, 2, 3 }, proportional);
        var uniform = Keys(new AugmentationOptions { SyntheticRatio = 0.5, Allocation = SyntheticAllocation.Uniform });
        // total 5 over 3 classes: 2, 2, 1 whatever the real counts.
        CollectionAssert.AreEqual(new uint[] { 1, 1, 2, 2, 3 }, uniform);
        Assert.AreEqual(0, Keys(new AugmentationOptions { SyntheticRatio = 0 }).Length);
    }

    [TestMethod]
    public void SameSeed_SameRows_InEveryCursorAndView_AnotherSeedOtherImages()
    {
        using var f = new Fixture();
        var a = f.Ml.Data.Augment(f.Real, f.Generator.Transformer, 3, seed: 5);
        var first = RealRows.Read(a);
        var again = RealRows.Read(a);
        var other = RealRows.Read(f.Ml.Data.Augment(f.Real, f.Generator.Transformer, 3, seed: 5));
        var otherSeed = RealRows.Read(f.Ml.Data.Augment(f.Real, f.Generator.Transformer, 3, seed: 6));
        for (int i = 0; i < first.Count; i++)
        {
            ArrayAssert.BitEqual(first[i].Image, again[i].Image, $"row {i}, second cursor");
            ArrayAssert.BitEqual(first[i].Image, other[i].Image, $"row {i}, second view");
        }
        Assert.IsTrue(Enumerable.Range(11, 9).All(i => !first[i].Image.SequenceEqual(otherSeed[i].Image)), "another seed gives other synthetic images");
        // More rows per class only appends rows: the first 3 of each class are the same with 5 per class.
        var five = RealRows.Read(f.Ml.Data.Augment(f.Real, f.Generator.Transformer, 5, seed: 5));
        for (int k = 0; k < 3; k++)
            for (int i = 0; i < 3; i++)
                ArrayAssert.BitEqual(first[11 + 3 * k + i].Image, five[11 + 5 * k + i].Image, $"class {k + 1} row {i}");
        // ML.NET's own operations run over the view.
        Assert.AreEqual(20, f.Ml.Data.ShuffleRows(a, seed: 1).GetColumn<uint>("Label").Count());
        Assert.AreEqual(20, f.Ml.Data.Cache(a).GetColumn<float[]>("Image").Count());
    }

    [TestMethod]
    public void FourCursorsAtOnce_ReadTheSameRowsAsOne()
    {
        using var f = new Fixture();
        var augmented = f.Ml.Data.Augment(f.Real, f.Generator.Transformer, 200, seed: 9);
        var expected = RealRows.Read(augmented);
        var parallel = new List<(float[] Image, uint Key)>[4];
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => parallel[i] = RealRows.Read(augmented));
        foreach (var rows in parallel)
        {
            Assert.AreEqual(expected.Count, rows.Count);
            for (int j = 0; j < rows.Count; j++)
            {
                ArrayAssert.BitEqual(expected[j].Image, rows[j].Image, $"row {j}");
                Assert.AreEqual(expected[j].Key, rows[j].Key, $"row {j}");
            }
        }
    }

    [TestMethod]
    public void LabelOnlyCursor_CountsRowsWithoutRunningTheGenerator()
    {
        using var f = new Fixture();
        var augmented = f.Ml.Data.Augment(f.Real, f.Generator.Transformer, 1000);
        var clock = Stopwatch.StartNew();
        var labels = augmented.GetColumn<uint>("Label").ToArray();
        Assert.AreEqual(3011, labels.Length);
        CollectionAssert.AreEqual(Enumerable.Range(1, 3).SelectMany(k => Enumerable.Repeat((uint)k, 1000)).ToArray(), labels.Skip(11).ToArray());
        Console.WriteLine($"3011 labels in {clock.Elapsed.TotalMilliseconds:F0} ms");
    }

    /// <summary>Issue #12 item 10: generation must stream; 50,000 rows of 1 x 32 x 32 (205 MB as floats) through one cursor.</summary>
    [TestMethod]
    public void FiftyThousandSyntheticRows_StreamWithFlatMemory()
    {
        using var f = new Fixture(dims: [1, 32, 32], noise: 20f);
        var augmented = f.Ml.Data.Augment(f.Real, f.Generator.Transformer, new AugmentationOptions { SyntheticRowsPerClass = 50_000 / 3 + 1, SyntheticFlagColumnName = "Synthetic" });
        Assert.AreEqual(11 + 3 * 16_667L, augmented.GetRowCount());
        var (rows, managed, rss, sum) = Drain(augmented, warmRows: 2_000);
        Assert.AreEqual(11 + 3 * 16_667L, rows);
        Console.WriteLine($"{rows} rows; managed memory after warm-up +{managed / 1e6:F1} MB, RSS +{rss / 1e6:F1} MB, pixel sum {sum:E3}");
        Assert.IsTrue(managed < 16_000_000, $"managed memory grew by {managed / 1e6:F1} MB over the pass (materializing would take 205 MB)");
        Assert.IsTrue(rss < 64_000_000, $"RSS grew by {rss / 1e6:F1} MB over the pass (materializing would take 205 MB)");
    }

    /// <summary>Reads every row's image, label and flag; returns the row count and the growth of managed memory and RSS after the first <paramref name="warmRows"/>.</summary>
    internal static (long Rows, long Managed, long Rss, double PixelSum) Drain(IDataView view, int warmRows)
    {
        long managedStart = 0, rssStart = 0, rows = 0;
        double sum = 0;
        using (var cursor = view.GetRowCursor(view.Schema))
        {
            var image = cursor.GetGetter<VBuffer<float>>(view.Schema["Image"]);
            VBuffer<float> buffer = default;
            while (cursor.MoveNext())
            {
                image(ref buffer);
                sum += buffer.GetValues()[0];
                if (++rows == warmRows)
                {
                    managedStart = GC.GetTotalMemory(forceFullCollection: true);
                    rssStart = Rss();
                }
            }
            long managed = GC.GetTotalMemory(forceFullCollection: true) - managedStart;
            return (rows, managed, Rss() - rssStart, sum);
        }
    }

    private static long Rss()
    {
        using var p = Process.GetCurrentProcess();
        p.Refresh();
        return p.WorkingSet64;
    }

    // ---------------------------------------------------------------- errors

    [TestMethod]
    public void GeneratorImageOfAnotherType_NamesBothColumnsAndTypes()
    {
        using var f = new Fixture();
        using var g = new TempDir();
        var templates = Enumerable.Range(1, 3).Select(k => Enumerable.Repeat(1f, 2 * 4 * 4).ToArray()).ToArray();
        using var other = new TemplateGenerator(f.Ml, templates, [2, 4, 4], 0.1f, f.Real.Schema["Label"], g.Path);
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => f.Ml.Data.Augment(f.Real, other.Transformer, 2));
        StringAssert.Contains(e.Message, "The generator's image column 'Image' is Vector<Single, 2, 4, 4>, but the real image column 'Image' is Vector<Single, 1, 4, 4>");
        var renamed = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => f.Ml.Data.Augment(f.Real, f.Generator.Transformer, new AugmentationOptions { SyntheticRowsPerClass = 1, GeneratorImageColumnName = "Picture" }));
        StringAssert.Contains(renamed.Message, "The generator's output has no image column 'Picture'; its columns are 'Seed', 'Label', 'Image'");
    }

    [TestMethod]
    public void MissingOrMistypedRealColumns_AndGeneratorInputs_AreNamed()
    {
        using var f = new Fixture();
        var noImage = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => f.Ml.Data.Augment(f.Real, f.Generator.Transformer, 1, imageColumnName: "Pixels"));
        StringAssert.Contains(noImage.Message, "The real data has no image column 'Pixels'; its columns are 'Image', 'Label', 'Note'");
        var textLabel = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => f.Ml.Data.Augment(f.Real, f.Generator.Transformer, 1, labelColumnName: "Note"));
        StringAssert.Contains(textLabel.Message, "The real data's label column 'Note' is String; it must be a key of UInt32 with a known count");
        var wrongSeed = Assert.ThrowsExactly<ArgumentException>(() => f.Ml.Data.Augment(f.Real, f.Generator.Transformer, new AugmentationOptions { SyntheticRowsPerClass = 1, SeedColumnName = "Noise" }));
        StringAssert.Contains(wrongSeed.Message, "The generator cannot transform the synthetic rows (columns 'Noise' Int64, 'Label' Key<UInt32, 0-2>)");
        StringAssert.Contains(wrongSeed.Message, "'Seed'");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => f.Ml.Data.Augment(f.Real, f.Generator.Transformer, new AugmentationOptions())).Message, "Set exactly one of AugmentationOptions.SyntheticRowsPerClass and SyntheticRatio (got neither)");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => f.Ml.Data.Augment(f.Real, f.Generator.Transformer, new AugmentationOptions { SyntheticRowsPerClass = 1, SyntheticRatio = 1 })).Message, "(got both)");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => f.Ml.Data.Augment(f.Real, f.Generator.Transformer, new AugmentationOptions { SyntheticRatio = double.PositiveInfinity }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => f.Ml.Data.Augment(f.Real, f.Generator.Transformer, -1));
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => f.Ml.Data.Augment(f.Real, f.Generator.Transformer, new AugmentationOptions { SyntheticRowsPerClass = 1, SyntheticFlagColumnName = "Label" })).Message, "SyntheticFlagColumnName 'Label'");
    }
}
