using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.GanSdp.Features;
using Ml.GanSdp.Metrics;
using Ml.GanSdp.Models;
using Ml.GanSdp.Serialization;
using Ml.GanSdp.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Features;

/// <summary>
/// <c>FeaturizeInceptionFid</c> through ML.NET with random weights (Oracles/inception_fid_oracle.py) against PyTorch and
/// the TorchSharp network, for pixel columns and images; Model.Save/Load after the estimator is gone; the files it
/// leaves; weight-file and schema errors. One thread on every side.
/// </summary>
[TestClass]
public class InceptionFidFeaturizingEstimatorTests
{
    private const double Tolerance = 1e-4;

    /// <summary>The oracle's images ([0, 1]) as a pixel column (0..255) and the PyTorch/TorchSharp references.</summary>
    private static IDataView OraclePixels(MLContext ml, TempDir dir, string input, out float[][] images01, out int[] shape)
    {
        using var f = File.OpenRead(dir.File($"{input}.npy"));
        var array = NpzArrays.ReadNpy(f, input);
        shape = array.Shape.Select(d => (int)d).ToArray();
        int size = shape[1] * shape[2] * shape[3];
        images01 = array.Values.Chunk(size).Select(r => r.Select(v => (float)v).ToArray()).ToArray();
        var rows = images01.Select(r => new PixelRow { Pixels = r.Select(v => v * 255f).ToArray() }).ToList();
        return FeatureTestData.PixelData(ml, rows, shape[1], shape[2], shape[3]);
    }

    [TestMethod]
    public void FeaturesEqualPyTorchAndTorchSharpForRgbAndGrayPixels()
    {
        using var dir = new TempDir();
        Python.Run("inception_fid_oracle.py", dir.Path);
        TorchThreads.Set(1);
        var ml = new MLContext(seed: 1);
        foreach (var dimension in new[] { 2048, 64 })
        {
            using var estimator = ml.Transforms.FeaturizeInceptionFid(new InceptionFidFeaturizerOptions
            {
                OutputColumnName = "Features", InputColumnName = "Pixels", WeightsPath = dir.File("weights.npz"), Dimension = dimension, IntraOpThreads = 1, TempFolder = dir.Path,
            });
            Assert.AreEqual($"inception-v3-fid-{dimension}", estimator.FeatureSpace);
            using var net = InceptionV3Fid.FromFile(dir.File("weights.npz"), dimension);
            foreach (var input in new[] { "rgb", "gray" })
            {
                var data = OraclePixels(ml, dir, input, out var images01, out var shape);
                var transformed = estimator.Fit(data).Transform(data);
                var column = transformed.Schema["Features"];
                Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, dimension), column.Type, $"{input} feature column type");
                Assert.IsFalse(transformed.Schema.Any(c => c.Name.StartsWith("InceptionFid.", StringComparison.Ordinal)), "intermediate columns are dropped");
                var features = FeatureTestData.Column(transformed, "Features");

                // PyTorch: the block's output, spatially averaged (pytorch-fid's adaptive_avg_pool2d).
                int block = InceptionV3Fid.BlockForDimension(dimension);
                using var map = Npy.Load(dir.File($"{input}299_block{block}.npy"));
                using var pooled = map.mean(new long[] { 2, 3 });
                var pytorch = pooled.to(ScalarType.Float64).data<double>().ToArray().Chunk(dimension).ToArray();
                using var x = tensor(images01.SelectMany(r => r).ToArray(), shape.Select(d => (long)d).ToArray());
                using var ts = net.Extract(x);
                var torchSharp = ts.to(ScalarType.Float64).data<double>().ToArray().Chunk(dimension).ToArray();
                for (int i = 0; i < features.Length; i++)
                    for (int j = 0; j < dimension; j++)
                    {
                        Assert.AreEqual(pytorch[i][j], features[i][j], Tolerance + Tolerance * Math.Abs(pytorch[i][j]), $"{input} {dimension}-d row {i} feature {j}: ML.NET vs PyTorch");
                        Assert.AreEqual(torchSharp[i][j], features[i][j], Tolerance + Tolerance * Math.Abs(torchSharp[i][j]), $"{input} {dimension}-d row {i} feature {j}: ML.NET vs TorchSharp");
                    }
                Console.WriteLine($"{input} {dimension}-d: max |ML.NET - PyTorch| = {features.Zip(pytorch).Max(p => p.First.Zip(p.Second).Max(q => Math.Abs(q.First - q.Second))):E2}");
            }
        }
    }

    [TestMethod]
    public void ImagesGiveTheirPixelsFeaturesAndTheChainSavesAndLoadsWithoutTheEstimator()
    {
        using var dir = new TempDir();
        Python.Run("inception_fid_oracle.py", dir.Path);
        var ml = new MLContext(seed: 1);
        // Two 8-bit images written as PNG: read through LoadImages (MLImage of unknown size) and as exact pixels.
        var random = new Random(3);
        var paths = new List<ImagePathRow>();
        var pixelRows = new List<PixelRow>();
        for (int i = 0; i < 2; i++)
        {
            var values = Enumerable.Range(0, 3 * 24 * 20).Select(_ => (float)random.Next(256)).ToArray();
            var path = dir.File($"image{i}.png");
            ImageFile.Write(path, new ImagePixels(new ImageShape(3, 24, 20), values));
            paths.Add(new ImagePathRow { ImagePath = path });
            pixelRows.Add(new PixelRow { Pixels = values });
        }
        var files = ml.Data.LoadFromEnumerable(paths);
        var images = ml.Transforms.LoadImages("Image", null, nameof(ImagePathRow.ImagePath)).Fit(files).Transform(files);
        var pixels = FeatureTestData.PixelData(ml, pixelRows, 3, 24, 20);
        var folder = Path.Combine(dir.Path, "onnx");
        Directory.CreateDirectory(folder);
        var options = new InceptionFidFeaturizerOptions { InputColumnName = "Image", WeightsPath = dir.File("weights.npz"), Dimension = 768, ImageWidth = 20, ImageHeight = 24, IntraOpThreads = 1, TempFolder = folder };

        float[][] fromImages, fromPixels;
        using (var estimator = ml.Transforms.FeaturizeInceptionFid(options))
        using (var forPixels = ml.Transforms.FeaturizeInceptionFid(options with { InputColumnName = "Pixels" }))
        {
            var chain = estimator.Fit(images);
            fromImages = FeatureTestData.Column(chain.Transform(images), "Features");
            fromPixels = FeatureTestData.Column(forPixels.Fit(pixels).Transform(pixels), "Features");
            ml.Model.Save(chain, images.Schema, dir.File("inception.zip"));
            Assert.AreEqual(4, Directory.GetDirectories(folder).Length, "per estimator: a folder for the network, one for the 3x24x20 input pipeline");
        }
        Assert.AreEqual(0, Directory.EnumerateFileSystemEntries(folder).Count(), "disposed estimators leave nothing behind");
        for (int i = 0; i < 2; i++) CollectionAssert.AreEqual(fromPixels[i], fromImages[i], $"row {i}: images vs their pixels");

        // The loaded model needs neither the estimator nor its folder (the zip holds both ONNX models).
        var loaded = ml.Model.Load(dir.File("inception.zip"), out _);
        var again = FeatureTestData.Column(loaded.Transform(images), "Features");
        for (int i = 0; i < 2; i++) CollectionAssert.AreEqual(fromImages[i], again[i], $"row {i}: after Save/Load");
        (loaded as IDisposable)?.Dispose();
    }

    [TestMethod]
    public void WrongWeightFilesListMissingUnexpectedAndMisshapenKeys()
    {
        using var dir = new TempDir();
        var ml = new MLContext(seed: 1);
        using var net = new InceptionV3Fid();
        var sd = StateDicts.Copy(net);
        try
        {
            sd.Remove("Mixed_6c.branch7x7_2.conv.weight", out var removed);
            removed!.Dispose();
            sd["Mixed_8a.weight"] = zeros(3);
            sd["Conv2d_1a_3x3.bn.running_var"].Dispose();
            sd["Conv2d_1a_3x3.bn.running_var"] = zeros(31);
            StateDictFile.Save(dir.File("wrong.pth"), sd);
        }
        finally
        {
            foreach (var t in sd.Values) t.Dispose();
        }
        var e = Assert.ThrowsExactly<InvalidDataException>(() => ml.Transforms.FeaturizeInceptionFid("F", "Pixels", dir.File("wrong.pth"), 64));
        StringAssert.Contains(e.Message, "wrong.pth");
        StringAssert.Contains(e.Message, "missing keys [Mixed_6c.branch7x7_2.conv.weight]");
        StringAssert.Contains(e.Message, "unexpected keys [Mixed_8a.weight]");
        StringAssert.Contains(e.Message, "Conv2d_1a_3x3.bn.running_var: [31] given, [32] expected");
        Assert.ThrowsExactly<FileNotFoundException>(() => ml.Transforms.FeaturizeInceptionFid("F", "Pixels", dir.File("none.pth")));
        File.WriteAllText(dir.File("text.pth"), "not a pickle");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => ml.Transforms.FeaturizeInceptionFid("F", "Pixels", dir.File("text.pth"))).Message, "text.pth");
        Assert.AreEqual(0, Directory.GetDirectories(dir.Path).Length, "no folder is left behind by a failed construction");
    }

    [TestMethod]
    public void BadOptionsAndColumnsAreClearErrors()
    {
        using var dir = new TempDir();
        var ml = new MLContext(seed: 1);
        using (var net = new InceptionV3Fid(64))
        {
            var sd = StateDicts.Copy(net);
            try { Npy.SaveNpz(dir.File("random.npz"), sd); }
            finally { foreach (var t in sd.Values) t.Dispose(); }
        }
        var ok = new InceptionFidFeaturizerOptions { OutputColumnName = "F", InputColumnName = "Pixels", WeightsPath = dir.File("random.npz"), Dimension = 64, TempFolder = dir.Path };
        static string Fails(Action a) => Assert.Throws<ArgumentException>(a).Message; // ArgumentOutOfRangeException included
        StringAssert.Contains(Fails(() => ml.Transforms.FeaturizeInceptionFid(ok with { WeightsPath = "" })), "WeightsPath");
        StringAssert.Contains(Fails(() => ml.Transforms.FeaturizeInceptionFid(ok with { Dimension = 100 })), "64, 192, 768 or 2048");
        StringAssert.Contains(Fails(() => ml.Transforms.FeaturizeInceptionFid(ok with { ImageWidth = 32 })), "set together");
        StringAssert.Contains(Fails(() => ml.Transforms.FeaturizeInceptionFid(ok with { IntraOpThreads = 0 })), "IntraOpThreads must be 1..1024");
        StringAssert.Contains(Fails(() => ml.Transforms.FeaturizeInceptionFid(ok with { OutputColumnName = "InceptionFid.Prepared" })), "cannot be named");

        var rows = new[] { new PixelRow { Pixels = new float[2 * 8 * 8] } };
        var twoChannels = FeatureTestData.PixelData(ml, rows, 2, 8, 8);
        var minusOne = FeatureTestData.PixelData(ml, new[] { new PixelRow { Pixels = Enumerable.Repeat(-1f, 3 * 8 * 8).ToArray() } }, 3, 8, 8);
        var images = ml.Transforms.LoadImages("Image", null, "Path").Fit(ml.Data.LoadFromEnumerable(new[] { new { Path = "x.png" } })).Transform(ml.Data.LoadFromEnumerable(new[] { new { Path = "x.png" } }));
        using var estimator = ml.Transforms.FeaturizeInceptionFid(ok);
        StringAssert.Contains(Fails(() => estimator.Fit(twoChannels)), "has 2 channels");
        StringAssert.Contains(Fails(() => estimator.Fit(minusOne)), "row 0 of column 'Pixels' holds the pixel value -1; pixels must be 0..255");
        StringAssert.Contains(Fails(() => ml.Transforms.FeaturizeInceptionFid(ok with { InputColumnName = "Missing" }).Fit(minusOne)), "'Missing' not found");
        StringAssert.Contains(Fails(() => ml.Transforms.FeaturizeInceptionFid(ok with { InputColumnName = "Image" }).Fit(images)), "images of unknown size");
        StringAssert.Contains(Fails(() => estimator.GetOutputSchema(SchemaProbe.ShapeOf(ml.Data.LoadFromEnumerable(new[] { new { Pixels = 1 } })))), "column 'Pixels' is Scalar of Int32");
        var shape = estimator.GetOutputSchema(SchemaProbe.ShapeOf(FeatureTestData.PixelData(ml, rows, 2, 8, 8)));
        Assert.IsTrue(shape.Any(c => c.Name == "F" && c.Kind == SchemaShape.Column.VectorKind.Vector && c.ItemType == NumberDataViewType.Single));
        estimator.Dispose();
        Assert.ThrowsExactly<ObjectDisposedException>(() => estimator.Fit(minusOne));
    }
}
