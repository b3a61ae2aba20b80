using Ml.GanSdp.Models;

namespace Ml.GanSdp.Tests.Models;

[TestClass]
public class SnganTests
{
    private static ModelOptions Options(Architecture a, int channels = 3, int classes = 0, bool sn = true) => new()
    {
        Architecture = a, LatentSize = 8, Channels = channels, ImageSize = 32, Width = 4, NumClasses = classes, DiscriminatorSpectralNorm = sn,
    };

    [TestMethod]
    [DataRow(Architecture.SnganCnn, 0, true)]
    [DataRow(Architecture.SnganCnn, 5, true)]
    [DataRow(Architecture.SnganResNet, 0, true)]
    [DataRow(Architecture.SnganResNet, 5, false)]
    public void StateDictKeysMatchThePyTorchTwin(Architecture a, int classes, bool sn)
    {
        var o = Options(a, 3, classes, sn);
        var (g, d) = ModelFactory.Create(o);
        using var _g = g;
        using var _d = d;
        foreach (var (module, isG) in new[] { (g.Module, true), (d.Module, false) })
        {
            var sd = module.state_dict();
            var ours = sd.Keys.ToList();
            foreach (var t in sd.Values) t.Dispose();
            CollectionAssert.AreEqual(ModelOracle.Keys(ModelOracle.Config(o, isG)), ours, $"{a} {(isG ? "G" : "D")}: {string.Join(", ", ours)}");
        }
    }

    [TestMethod]
    [DataRow(0, true)]
    [DataRow(5, true)]
    [DataRow(0, false)]
    public void CnnDiscriminatorMatchesPyTorchWithSpectralNorm(int classes, bool sn)
        => ModelOracle.AssertForwardParity(Options(Architecture.SnganCnn, 3, classes, sn), generator: false, new[] { "train", "train", "eval" }, batch: 4);

    [TestMethod]
    [DataRow(0)]
    [DataRow(5)]
    public void CnnGeneratorMatchesPyTorch(int classes)
        => ModelOracle.AssertForwardParity(Options(Architecture.SnganCnn, 3, classes), generator: true, new[] { "train", "eval" }, batch: 4);

    [TestMethod]
    [DataRow(0, true)]
    [DataRow(5, true)]
    public void ResNetDiscriminatorMatchesPyTorch(int classes, bool sn)
        => ModelOracle.AssertForwardParity(Options(Architecture.SnganResNet, 3, classes, sn), generator: false, new[] { "train", "train", "eval" }, batch: 4);

    [TestMethod]
    [DataRow(0)]
    [DataRow(5)]
    public void ResNetGeneratorMatchesPyTorch(int classes)
        => ModelOracle.AssertForwardParity(Options(Architecture.SnganResNet, 1, classes), generator: true, new[] { "train", "eval" }, batch: 4);
}
