using Ml.GanSdp.Models;
using Ml.GanSdp.Serialization;
using Ml.GanSdp.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

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
    public void StateDictKeysMatchThePyTorchModuleTree() => ModelOracle.AssertKeys(new[]
    {
        ("64px rgb", Options(64, 3)),
        ("32px gray", Options(32, 1)),
        ("28px no-BN", Options(28, 1, bn: false)),
        ("32px conditional SN", Options(32, 3, 10, sn: true)),
        ("28px conditional", Options(28, 1, 3)),
    });

    [TestMethod]
    public void PytorchExamplesKeysForThe64PixelModels()
    {
        var (g, d) = ModelFactory.Create(Options(64, 3));
        using var _g = g;
        using var _d = d;
        var gk = StateDicts.Copy(g.Module);
        var dk = StateDicts.Copy(d.Module);
        // pytorch/examples/dcgan: G main.0 ConvT, main.1 BN, ..., main.12 ConvT, main.13 Tanh; D main.11 the last conv.
        CollectionAssert.IsSubsetOf(new[] { "main.0.weight", "main.1.running_mean", "main.12.weight" }, gk.Keys.ToList());
        CollectionAssert.IsSubsetOf(new[] { "main.0.weight", "main.2.weight", "main.3.running_var", "main.11.weight" }, dk.Keys.ToList());
        Assert.IsFalse(gk.Keys.Concat(dk.Keys).Any(k => k.StartsWith("main.0.bias", StringComparison.Ordinal)), "no conv biases");
        foreach (var t in gk.Values.Concat(dk.Values)) t.Dispose();
    }

    private static readonly string[] TrainTrainEval = { "train", "train", "eval" };

    [TestMethod]
    public void GeneratorMatchesPyTorchInTrainAndEvalModes() => ModelOracle.AssertForwardParity(new ModelOracle.ParityCase[]
    {
        new("G 64px rgb", Options(64, 3), true, TrainTrainEval, 5),
        new("G 32px gray", Options(32, 1), true, TrainTrainEval, 5),
        new("G 28px gray", Options(28, 1), true, TrainTrainEval, 5),
        new("G 32px conditional", Options(32, 3, 4), true, TrainTrainEval, 5),
    });

    [TestMethod]
    public void DiscriminatorMatchesPyTorchInTrainAndEvalModes() => ModelOracle.AssertForwardParity(new ModelOracle.ParityCase[]
    {
        new("D 64px BN", Options(64, 3), false, TrainTrainEval, 5),
        new("D 32px BN", Options(32, 1), false, TrainTrainEval, 5),
        new("D 28px no-BN", Options(28, 1, bn: false), false, TrainTrainEval, 5),
        new("D 32px SN", Options(32, 3, sn: true), false, TrainTrainEval, 5),
        new("D 32px projection", Options(32, 3, 4), false, TrainTrainEval, 5),
        new("D 28px projection SN", Options(28, 1, 3, sn: true), false, TrainTrainEval, 5),
    });

    [TestMethod]
    public void SameSeedGivesPytorchExamplesInitialWeights()
    {
        using var root = new TempDir();
        var o = Options(64, 3);
        var jobs = new[] { true, false }.Select(isG =>
        {
            var cfg = ModelOracle.Config(o, isG);
            cfg["seed"] = 77;
            return ("dcgan_init", ModelOracle.CaseDir(root.Path, isG ? "G" : "D", cfg));
        }).ToList();
        ModelOracle.RunBatch(root.Path, jobs);
        manual_seed(77);
        using var g = ModelFactory.CreateGenerator(o);
        manual_seed(77);
        using var d = ModelFactory.CreateDiscriminator(o);
        foreach (var (module, (_, dir)) in new[] { g.Module, d.Module }.Zip(jobs))
        {
            var theirs = Npy.LoadNpz(Path.Combine(dir, "init.npz"));
            var ours = StateDicts.Copy(module);
            try
            {
                foreach (var (k, v) in ours) TensorAssert.Close(theirs[k], v, 0, 0, $"{module.GetName()}: {k}");
            }
            finally { foreach (var t in theirs.Values.Concat(ours.Values)) t.Dispose(); }
        }
    }

    [TestMethod]
    public void InitializationIsPytorchExamplesWeightsInit()
    {
        manual_seed(1);
        using var g = Dcgan.Generator(16, 3, 64, 16);
        var convs = g.Main.Layers.OfType<TorchSharp.Modules.ConvTranspose2d>().ToList();
        Assert.AreEqual(5, convs.Count);
        using var w = cat(convs.Select(c => c.weight.flatten()).ToList());
        Assert.AreEqual(0.0, w.mean().item<float>(), 2e-3);
        Assert.AreEqual(0.02, w.std().item<float>(), 2e-3);
        var bn = (TorchSharp.Modules.BatchNorm)g.Main.Layers[1];
        Assert.AreEqual(1.0, bn.get_parameter("weight")!.mean().item<float>(), 0.02);
        Assert.AreEqual(0.0, bn.get_parameter("bias")!.abs().sum().item<float>());
    }
}
