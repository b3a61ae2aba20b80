using Ml.GanSdp.Models;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Tests.Models;

[TestClass]
public class DcganTests
{
    private static ModelOptions Options(int size, int channels, int classes = 0, bool sn = false, bool bn = true) => new()
    {
        Architecture = Architecture.Dcgan, LatentSize = 8, Channels = channels, ImageSize = size, Width = 4,
        NumClasses = classes, DiscriminatorSpectralNorm = sn, DiscriminatorBatchNorm = bn,
    };

    [TestMethod]
    [DataRow(64, 3, 0, false, true)]
    [DataRow(32, 1, 0, false, true)]
    [DataRow(28, 1, 0, false, false)]
    [DataRow(32, 3, 10, true, true)]
    [DataRow(28, 1, 3, false, true)]
    public void StateDictKeysMatchThePyTorchModuleTree(int size, int channels, int classes, bool sn, bool bn)
    {
        var o = Options(size, channels, classes, sn, bn);
        var (g, d) = ModelFactory.Create(o);
        using var _g = g;
        using var _d = d;
        foreach (var (module, isG) in new[] { (g.Module, true), (d.Module, false) })
        {
            var sd = module.state_dict();
            var ours = sd.Keys.ToList();
            foreach (var t in sd.Values) t.Dispose();
            CollectionAssert.AreEqual(ModelOracle.Keys(ModelOracle.Config(o, isG)), ours, $"{(isG ? "G" : "D")}: {string.Join(", ", ours)}");
        }
    }

    [TestMethod]
    public void PytorchExamplesKeysForThe64PixelModels()
    {
        var (g, d) = ModelFactory.Create(Options(64, 3));
        using var _g = g;
        using var _d = d;
        var gk = g.Module.state_dict();
        var dk = d.Module.state_dict();
        // pytorch/examples/dcgan: G main.0 ConvT, main.1 BN, ..., main.12 ConvT, main.13 Tanh; D main.11 the last conv.
        CollectionAssert.IsSubsetOf(new[] { "main.0.weight", "main.1.running_mean", "main.12.weight" }, gk.Keys.ToList());
        CollectionAssert.IsSubsetOf(new[] { "main.0.weight", "main.2.weight", "main.3.running_var", "main.11.weight" }, dk.Keys.ToList());
        Assert.IsFalse(gk.Keys.Concat(dk.Keys).Any(k => k.StartsWith("main.0.bias", StringComparison.Ordinal)), "no conv biases");
        foreach (var t in gk.Values.Concat(dk.Values)) t.Dispose();
    }

    [TestMethod]
    [DataRow(64, 3, 0)]
    [DataRow(32, 1, 0)]
    [DataRow(28, 1, 0)]
    [DataRow(32, 3, 4)]
    public void GeneratorMatchesPyTorchInTrainAndEvalModes(int size, int channels, int classes)
        => ModelOracle.AssertForwardParity(Options(size, channels, classes), generator: true, new[] { "train", "train", "eval" }, batch: 5);

    [TestMethod]
    [DataRow(64, 3, 0, false, true)]
    [DataRow(32, 1, 0, false, true)]
    [DataRow(28, 1, 0, false, false)]
    [DataRow(32, 3, 0, true, true)]
    [DataRow(32, 3, 4, false, true)]
    [DataRow(28, 1, 3, true, true)]
    public void DiscriminatorMatchesPyTorchInTrainAndEvalModes(int size, int channels, int classes, bool sn, bool bn)
        => ModelOracle.AssertForwardParity(Options(size, channels, classes, sn, bn), generator: false, new[] { "train", "train", "eval" }, batch: 5);

    [TestMethod]
    public void InitializationIsPytorchExamplesWeightsInit()
    {
        manual_seed(1);
        using var g = Dcgan.Generator(16, 3, 64, 16);
        var convs = g.Main.Layers.OfType<Modules.ConvTranspose2d>().ToList();
        Assert.AreEqual(5, convs.Count);
        using var w = cat(convs.Select(c => c.weight.flatten()).ToList());
        Assert.AreEqual(0.0, w.mean().item<float>(), 2e-3);
        Assert.AreEqual(0.02, w.std().item<float>(), 2e-3);
        var bn = (Modules.BatchNorm)g.Main.Layers[1];
        Assert.AreEqual(1.0, bn.get_parameter("weight")!.mean().item<float>(), 0.02);
        Assert.AreEqual(0.0, bn.get_parameter("bias")!.abs().sum().item<float>());
    }
}
