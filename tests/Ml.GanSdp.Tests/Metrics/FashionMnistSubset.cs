using System.IO.Compression;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Metrics;

/// <summary>The first images of Debian's Fashion-MNIST (IDX, gzip) as N x 1 x 28 x 28 floats in [0, 1] and int64 labels (test-only reader).</summary>
internal static class FashionMnistSubset
{
    public const string Folder = "/usr/share/datasets/fashion-mnist";

    public static (Tensor images, Tensor labels) Load(bool train, int count)
    {
        string prefix = train ? "train" : "t10k";
        var pixels = Read(Path.Combine(Folder, $"{prefix}-images-idx3-ubyte.gz"), 16, count * 28 * 28);
        var labels = Read(Path.Combine(Folder, $"{prefix}-labels-idx1-ubyte.gz"), 8, count);
        using var bytes = tensor(pixels, new long[] { count, 1, 28, 28 });
        using var f = bytes.to(ScalarType.Float32);
        using var l = tensor(labels, new long[] { count });
        return (f / 255.0, l.to(ScalarType.Int64));
    }

    private static byte[] Read(string path, int header, int length)
    {
        if (!File.Exists(path)) Assert.Inconclusive($"Fashion-MNIST is not installed ({path}).");
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        var skip = new byte[header];
        gz.ReadExactly(skip);
        var data = new byte[length];
        gz.ReadExactly(data);
        return data;
    }
}
