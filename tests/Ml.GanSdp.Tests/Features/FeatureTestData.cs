using System.Formats.Tar;
using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.GanSdp.Features;
using Ml.GanSdp.Serialization;
using Ml.GanSdp.Tests.TestSupport;

namespace Ml.GanSdp.Tests.Features;

/// <summary>A row of pixels ([C, H, W] set by the schema definition) with its class.</summary>
public sealed class PixelRow
{
    public float[] Pixels { get; set; } = Array.Empty<float>();
    public int Label { get; set; }
}

/// <summary>A row naming an image file.</summary>
public sealed class ImagePathRow
{
    public string ImagePath { get; set; } = "";
    public int Label { get; set; }
}

/// <summary>Real images for the feature tests: Fashion-MNIST (Debian's IDX files) and CIFAR-10 JPEGs (../shared).</summary>
internal static class FeatureTestData
{
    public const string FashionMnistFolder = "/usr/share/datasets/fashion-mnist";

    /// <summary>The first <paramref name="count"/> Fashion-MNIST test images of each class in <paramref name="classes"/>, as 0..255 floats.</summary>
    public static List<PixelRow> FashionMnist(int[] classes, int count)
    {
        const int n = 10_000, side = 28;
        var labels = ReadGzip(Path.Combine(FashionMnistFolder, "t10k-labels-idx1-ubyte.gz"), 8, n);
        var pixels = ReadGzip(Path.Combine(FashionMnistFolder, "t10k-images-idx3-ubyte.gz"), 16, n * side * side);
        var rows = new List<PixelRow>();
        foreach (var c in classes)
            foreach (int i in Enumerable.Range(0, n).Where(i => labels[i] == c).Take(count))
                rows.Add(new PixelRow { Label = c, Pixels = pixels.AsSpan(i * side * side, side * side).ToArray().Select(b => (float)b).ToArray() });
        return rows;
    }

    /// <summary>
    /// Extracts the first <paramref name="perClass"/> CIFAR-10 test JPEGs of every class from
    /// ../shared/datasets/cifar10-jpg.tar.gz into <paramref name="folder"/>; returns their paths and class indices
    /// (classes in alphabetical order).
    /// </summary>
    public static List<ImagePathRow> CifarJpegs(string folder, int perClass)
    {
        var archive = Path.Combine(Repo.Shared, "datasets", "cifar10-jpg.tar.gz");
        if (!File.Exists(archive)) Assert.Inconclusive($"CIFAR-10 JPEGs are not at {archive}.");
        var classes = new[] { "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck" };
        var found = new Dictionary<string, List<string>>();
        using var gz = new GZipStream(File.OpenRead(archive), CompressionMode.Decompress);
        using var tar = new TarReader(gz);
        while (found.Values.Sum(v => v.Count) < perClass * classes.Length && tar.GetNextEntry() is { } entry)
        {
            var parts = entry.Name.Split('/');
            if (entry.EntryType != TarEntryType.RegularFile || parts.Length != 4 || parts[1] != "test" || !parts[3].EndsWith(".jpg")) continue;
            var list = found.TryGetValue(parts[2], out var l) ? l : found[parts[2]] = new List<string>();
            if (list.Count >= perClass) continue;
            var path = Path.Combine(folder, $"{parts[2]}_{parts[3]}");
            entry.ExtractToFile(path, overwrite: true);
            list.Add(path);
        }
        return classes.SelectMany((c, k) => found[c].Select(p => new ImagePathRow { ImagePath = p, Label = k })).ToList();
    }

    /// <summary>Pixel rows as an IDataView whose "Pixels" column is Vector&lt;Single&gt; with dimensions [C, H, W].</summary>
    public static IDataView PixelData(MLContext ml, IEnumerable<PixelRow> rows, int channels, int height, int width)
    {
        var schema = SchemaDefinition.Create(typeof(PixelRow));
        schema[nameof(PixelRow.Pixels)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, channels, height, width);
        return ml.Data.LoadFromEnumerable(rows, schema);
    }

    /// <summary>The rows of a float vector column.</summary>
    public static float[][] Column(IDataView data, string name) => data.GetColumn<float[]>(name).ToArray();

    /// <summary>Writes rows as a float64 .npy of the given shape.</summary>
    public static void SaveNpy(string path, IEnumerable<float[]> rows, params long[] shape)
    {
        using var f = File.Create(path);
        NpzArrays.WriteNpy(f, new NumpyArray(shape, rows.SelectMany(r => r).Select(v => (double)v).ToArray()));
    }

    /// <summary>Reads a .npy (any supported dtype) as rows of <paramref name="width"/> values.</summary>
    public static double[][] LoadRows(string path, int width)
    {
        using var f = File.OpenRead(path);
        var a = NpzArrays.ReadNpy(f, path);
        Assert.AreEqual(0, a.Values.Length % width, $"{path}: {a.Values.Length} values are not rows of {width}");
        return a.Values.Chunk(width).ToArray();
    }

    /// <summary>Largest |actual - expected| over all values, divided by the largest |expected|.</summary>
    public static double RelativeMaxError(double[][] expected, float[][] actual)
    {
        Assert.AreEqual(expected.Length, actual.Length, "row count");
        double scale = expected.SelectMany(r => r).Max(Math.Abs), worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.AreEqual(expected[i].Length, actual[i].Length, $"row {i} length");
            for (int j = 0; j < expected[i].Length; j++) worst = Math.Max(worst, Math.Abs(actual[i][j] - expected[i][j]));
        }
        return worst / scale;
    }

    private static byte[] ReadGzip(string path, int header, int length)
    {
        if (!File.Exists(path)) Assert.Inconclusive($"Fashion-MNIST is not installed ({path}).");
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        gz.ReadExactly(new byte[header]);
        var data = new byte[length];
        gz.ReadExactly(data);
        return data;
    }
}

/// <summary>
/// The <see cref="SchemaShape"/> ML.NET derives from a data view (its factory is internal): an estimator chain
/// propagates the shape to this probe's GetOutputSchema before fitting anything; the probe stops the fit there.
/// </summary>
internal sealed class SchemaProbe : IEstimator<ITransformer>
{
    private sealed class Found(SchemaShape shape) : Exception
    {
        public SchemaShape Shape { get; } = shape;
    }

    public static SchemaShape ShapeOf(IDataView data)
    {
        try { new EstimatorChain<ITransformer>().Append(new SchemaProbe()).Fit(data); }
        catch (Found f) { return f.Shape; }
        throw new InvalidOperationException("The estimator chain did not propagate the schema.");
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => throw new Found(inputSchema);

    public ITransformer Fit(IDataView input) => throw new InvalidOperationException("A schema probe is never fitted.");
}
