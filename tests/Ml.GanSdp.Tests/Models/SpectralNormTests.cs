using Ml.GanSdp.Models;
using TorchSharp.Modules;
using Ml.GanSdp.Serialization;
using Ml.GanSdp.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Models;

[TestClass]
public class SpectralNormTests
{
    private static torch.nn.Module Layer(string kind) => kind switch
    {
        "linear" => nn.Linear(5, 7),
        "conv" => nn.Conv2d(3, 4, 3),
        "convt" => nn.ConvTranspose2d(4, 3, 3),
        "embedding" => nn.Embedding(6, 5),
        _ => throw new ArgumentException(kind),
    };

    private static long[] Args(string kind) => kind switch
    {
        "linear" => new long[] { 5, 7 },
        "conv" => new long[] { 3, 4, 3 },
        "convt" => new long[] { 4, 3, 3 },
        _ => new long[] { 6, 5 },
    };

    private static Tensor Input(string kind) => kind switch
    {
        "linear" => randn(4, 5),
        "conv" => randn(2, 3, 6, 6),
        "convt" => randn(2, 4, 5, 5),
        _ => tensor(new long[] { 0, 5, 2, 2, 3 }),
    };

    private static Tensor Forward(torch.nn.Module m, Tensor x) => ((torch.nn.Module<Tensor, Tensor>)m).call(x);

    private static readonly string[] Kinds = { "linear", "conv", "convt", "embedding" };

    [TestMethod]
    public void SameSeedGivesPyTorchsWeightsAndVectors()
    {
        using var root = new TempDir();
        var jobs = Kinds.Select(k => ("sn_init", ModelOracle.CaseDir(root.Path, k, new() { ["seed"] = 2024, ["layer"] = k, ["args"] = Args(k) }))).ToList();
        ModelOracle.RunBatch(root.Path, jobs);
        foreach (var (kind, (_, dir)) in Kinds.Zip(jobs))
        {
            manual_seed(2024);
            using var m = SpectralNorm.Apply(Layer(kind));
            var theirs = Npy.LoadNpz(Path.Combine(dir, "init.npz"));
            var ours = StateDicts.Copy(m);
            try
            {
                // TorchSharp lists parameters before buffers (PyTorch interleaves per module): same keys, order may differ.
                CollectionAssert.AreEquivalent(theirs.Keys.ToList(), ours.Keys.ToList(), $"{kind}: state-dict keys");
                // Weights are bit-equal (same generator stream); u and v go through F.normalize, whose float32 reduction in
                // libtorch 2.10 differs from 1.13 by up to 2 ulp (measured 1.2e-7 at 0.907): 3e-7 relative for them only.
                foreach (var (k, v) in ours) TensorAssert.Close(theirs[k], v, k.EndsWith("_u") || k.EndsWith("_v") ? 3e-7 : 0, 0, $"{kind}: {k}");
            }
            finally { foreach (var t in theirs.Values.Concat(ours.Values)) t.Dispose(); }
        }
    }

    [TestMethod]
    public void TrainingForwardsAndGradientsMatchPyTorch()
    {
        const int steps = 3;
        using var root = new TempDir();
        using var scope = NewDisposeScope();
        var cases = new List<(string kind, string dir, SpectralNormLayer m, Tensor x, Tensor g)>();
        try
        {
            foreach (var kind in Kinds)
            {
                manual_seed(5);
                var m = SpectralNorm.Apply(Layer(kind));
                var dir = ModelOracle.CaseDir(root.Path, kind, new() { ["layer"] = kind, ["args"] = Args(kind), ["steps"] = steps });
                ModelOracle.SaveState(m, Path.Combine(dir, "state.npz"));
                var x = Input(kind);
                Tensor g;
                m.eval();
                using (no_grad()) g = randn(Forward(m, x).shape);
                m.train();
                Npy.Save(Path.Combine(dir, "x.npy"), x);
                Npy.Save(Path.Combine(dir, "g.npy"), g);
                cases.Add((kind, dir, m, x, g));
            }
            ModelOracle.RunBatch(root.Path, cases.Select(c => ("sn", c.dir)));
            foreach (var (kind, dir, m, x, g) in cases)
            {
                string F(string f) => Path.Combine(dir, f);
                for (int i = 0; i < steps; i++)
                {
                    var y = Forward(m, x);
                    TensorAssert.Close(Npy.Load(F($"out{i}.npy")), y, 1e-5, 1e-6, $"{kind}: output {i}");
                    (y * g).sum().backward();
                }
                TensorAssert.Close(Npy.Load(F("u.npy")), m.get_buffer("weight_u")!, 1e-5, 1e-6, $"{kind}: u");
                TensorAssert.Close(Npy.Load(F("v.npy")), m.get_buffer("weight_v")!, 1e-5, 1e-6, $"{kind}: v");
                TensorAssert.Close(Npy.Load(F("weight.npy")), m.NormalizedWeight(), 1e-5, 1e-6, $"{kind}: weight");
                TensorAssert.Close(Npy.Load(F("grad.npy")), m.get_parameter("weight_orig")!.grad!, 1e-5, 1e-6, $"{kind}: grad of weight_orig");

                m.eval();
                var uBefore = m.get_buffer("weight_u")!.clone();
                TensorAssert.Close(Npy.Load(F("eval.npy")), Forward(m, x), 1e-5, 1e-6, $"{kind}: eval output");
                Assert.IsTrue(TensorAssert.Equal(uBefore, m.get_buffer("weight_u")!), $"{kind}: eval mode must not run a power iteration");
            }
        }
        finally { foreach (var c in cases) c.m.Dispose(); }
    }

    [TestMethod]
    public void ConvTransposeUsesDimOneLikePyTorch()
    {
        using var m = SpectralNorm.Apply(nn.ConvTranspose2d(4, 3, 3));
        CollectionAssert.AreEqual(new long[] { 3 }, m.get_buffer("weight_u")!.shape);
        CollectionAssert.AreEqual(new long[] { 4 * 9 }, m.get_buffer("weight_v")!.shape);
        CollectionAssert.AreEqual(new long[] { 4, 3, 3, 3 }, m.get_parameter("weight_orig")!.shape);
        Assert.IsFalse(m.has_parameter("weight"));
    }

    [TestMethod]
    public void PowerIterationConvergesToUnitSpectralNorm()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var m = SpectralNorm.Apply(nn.Linear(12, 9));
        using var x = randn(2, 12);
        for (int i = 0; i < 60; i++) Forward(m, x).Dispose();
        var w = m.NormalizedWeight().to(ScalarType.Float64);
        var top = linalg.eigvalsh(w.matmul(w.T)).max().ToDouble();
        Assert.AreEqual(1.0, Math.Sqrt(top), 1e-4);
    }

    [TestMethod]
    public void BadUsesAreClearErrors()
    {
        using var m = SpectralNorm.Apply(nn.Linear(3, 2));
        Assert.ThrowsExactly<InvalidOperationException>(() => SpectralNorm.Apply(m));
        using var relu = nn.ReLU();
        var e = Assert.ThrowsExactly<ArgumentException>(() => SpectralNorm.Apply(relu));
        StringAssert.Contains(e.Message, "Linear, Conv2d, ConvTranspose2d and Embedding");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SpectralNorm.Apply(nn.Linear(3, 2), dim: 2));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SpectralNorm.Apply(nn.Linear(3, 2), eps: double.NaN));
    }

    [TestMethod]
    public void DisposingASpectrallyNormalizedLayerFreesEverything()
    {
        long before = TensorCounts.Live;
        // TorchLayers.Create: TorchSharp's Conv2d constructor itself leaves a view of the weight undisposed.
        using (var m = SpectralNorm.Apply(TorchLayers.Create(() => nn.Conv2d(2, 3, 3))))
        using (var x = randn(1, 2, 5, 5))
        using (var y = Forward(m, x))
        using (var s = y.sum())
            s.backward();
        Assert.AreEqual(before, TensorCounts.Live);
    }
}
