using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.GanSdp.Tests.TestSupport;

namespace Ml.GanSdp.Tests.Augmentation;

/// <summary>
/// Fashion-MNIST for the downstream-classifier tests: the train and test sources, and template generators whose class k
/// images are the mean of 200 real class-k training images plus seeded noise (a stand-in for a well-trained conditional
/// GAN: class-faithful, varied), or, permuted, the mean of class k + 1 (a generator that draws the wrong class).
/// </summary>
internal sealed class FashionMnistTemplates : IDisposable
{
    public readonly TempDir Dir = new();
    public readonly MLContext Ml = new(seed: 1);
    public readonly IDataView Train, Test;
    public readonly float[][] ClassMeans;

    public FashionMnistTemplates(int testRows = 1000)
    {
        if (!File.Exists(Path.Combine(DataSourceCatalog.FashionMnistDirectory, "t10k-labels-idx1-ubyte.gz"))
            && !File.Exists(Path.Combine(DataSourceCatalog.FashionMnistDirectory, "t10k-labels-idx1-ubyte")))
            Assert.Inconclusive($"Fashion-MNIST is not installed ({DataSourceCatalog.FashionMnistDirectory}).");
        Train = Ml.Data.LoadFashionMnist();
        Test = Ml.Data.Cache(Ml.Data.TakeRows(Ml.Data.LoadFashionMnist(train: false), testRows));
        var sample = RealRows.Read(Ml.Data.TakeRowsPerClass(Train, 200, seed: 99));
        ClassMeans = Enumerable.Range(1, 10).Select(k =>
        {
            var rows = sample.Where(r => r.Key == k).Select(r => r.Image).ToArray();
            return Enumerable.Range(0, 784).Select(i => rows.Average(r => r[i])).Select(v => (float)v).ToArray();
        }).ToArray();
    }

    /// <summary>Class k draws mean_(k + shift mod 10) + noise x (z W): shift 0 is class-faithful, 1 draws the next class.</summary>
    public TemplateGenerator Generator(int shift = 0, float noise = 40f)
        => new(Ml, Enumerable.Range(0, 10).Select(k => ClassMeans[(k + shift) % 10]).ToArray(), [1, 28, 28], noise, Train.Schema["Label"], Dir.File($"onnx-{shift}"));

    public void Dispose() => Dir.Dispose();
}
