using System.Text.Json;
using Ml.GanSdp.Regularizers;
using Ml.GanSdp.Serialization;
using Ml.GanSdp.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Regularizers;

/// <summary>SDP against the golden vectors of ../shared/golden/sdp (float64, independent PyTorch implementation).</summary>
[TestClass]
public class SampleDifferencesPenaltyTests
{
    private const double Tol = 1e-6;

    private static Tensor Golden(string file) => Npy.Load(GoldenSdpDiscriminator.GoldenPath(file));

    private static JsonElement GoldenJson()
        => JsonDocument.Parse(File.ReadAllText(GoldenSdpDiscriminator.GoldenPath("golden.json"))).RootElement;

    [TestMethod]
    [DataRow("raw_unit", SdpScore.Raw, SdpNormalization.Unit, 0)]
    [DataRow("raw_paper", SdpScore.Raw, SdpNormalization.PaperSquaredNorm, 1)]
    [DataRow("prob_unit", SdpScore.Probability, SdpNormalization.Unit, 2)]
    [DataRow("prob_paper", SdpScore.Probability, SdpNormalization.PaperSquaredNorm, 3)]
    public void ReproducesTheGoldenVectors(string mode, SdpScore score, SdpNormalization norm, int lossIndex)
    {
        using var scope = NewDisposeScope();
        using var d = new GoldenSdpDiscriminator();
        var real = Golden("real.npy");
        var fake = Golden("fake.npy");
        using var ro = d.Forward(real);
        using var fo = d.Forward(fake);
        TensorAssert.Close(Golden("d_real.npy"), ro.Scores, 0, Tol, "d_real");
        TensorAssert.Close(Golden("d_fake.npy"), fo.Scores, 0, Tol, "d_fake");

        using var r = SampleDifferencesPenalty.Compute(real, fake, ro.Scores, fo.Scores, ro.BlockFeatures, fo.BlockFeatures, 3, norm, score);

        CollectionAssert.AreEqual(Golden("idx_fake.npy").ToArray<long>(), r.FakeIndices, "fake indices");
        CollectionAssert.AreEqual(Golden("idx_real.npy").ToArray<long>(), r.RealIndices, "real indices");
        Assert.AreEqual(3, r.K);
        TensorAssert.Close(Golden("sqdist_selected_fake_to_real.npy"), r.SquaredDistances, 0, Tol, "squared distances");

        var json = GoldenJson();
        CollectionAssert.AreEqual(json.GetProperty("idx_fake_topk_desc").EnumerateArray().Select(e => e.GetInt64()).ToArray(), r.FakeIndices);
        CollectionAssert.AreEqual(json.GetProperty("idx_real_nearest").EnumerateArray().Select(e => e.GetInt64()).ToArray(), r.RealIndices);
        Assert.AreEqual(json.GetProperty("L_SDP").GetProperty(mode).GetDouble(), r.Loss.ToDouble(), Tol, "L_SDP (json)");
        Assert.AreEqual(Golden("L_SDP.npy").ToArray<double>()[lossIndex], r.Loss.ToDouble(), Tol, "L_SDP (npy)");
        var terms = json.GetProperty("terms").GetProperty(mode);
        Assert.AreEqual(terms.GetProperty("score_term").GetDouble(), r.ScoreTerm.ToDouble(), Tol, "score term");
        var blocks = terms.GetProperty("block_terms").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.AreEqual(blocks.Length, r.BlockTerms.Count);
        for (int j = 0; j < blocks.Length; j++)
        {
            Assert.AreEqual(blocks[j], r.BlockTerms[j].ToDouble(), Tol, $"block term {j}");
            string n = norm == SdpNormalization.Unit ? "unit" : "paper";
            TensorAssert.Close(Golden($"gmpnorm_{n}_block{j}_fake_sel.npy"), r.SelectedFakeFeatures[j], 0, Tol, $"fake features block {j}");
            TensorAssert.Close(Golden($"gmpnorm_{n}_block{j}_real_sel.npy"), r.SelectedRealFeatures[j], 0, Tol, $"real features block {j}");
        }
        double expectedGap = r.FakeIndices.Zip(r.RealIndices, (f, x) => ro.Scores[x].ToDouble() - fo.Scores[f].ToDouble()).Average();
        Assert.AreEqual(expectedGap, r.ScoreGap, 1e-12, "score gap");
    }

    [TestMethod]
    public void GradientsMatchTheGoldenVectors()
    {
        using var scope = NewDisposeScope();
        using var d = new GoldenSdpDiscriminator();
        var real = Golden("real.npy");
        var fake = Golden("fake.npy").requires_grad_();
        using var ro = d.Forward(real);
        using var fo = d.Forward(fake);
        using var r = SampleDifferencesPenalty.Compute(real, fake, ro.Scores, fo.Scores, ro.BlockFeatures, fo.BlockFeatures, 3, SdpNormalization.Unit);
        var inputs = new List<Tensor> { fake };
        inputs.AddRange(d.Parameters);
        var grads = autograd.grad(new[] { r.Loss }, inputs);
        TensorAssert.Close(Golden("grad_raw_unit_wrt_fake.npy"), grads[0]!, 0, Tol, "d L / d fake");
        for (int i = 0; i < GoldenSdpDiscriminator.ParameterNames.Length; i++)
        {
            var name = GoldenSdpDiscriminator.ParameterNames[i];
            TensorAssert.Close(Golden($"grad_raw_unit_wrt_{name}.npy"), grads[i + 1]!, 0, Tol, $"d L / d {name}");
        }
        var json = GoldenJson();
        Assert.AreEqual(json.GetProperty("grad_raw_unit_wrt_fake_sum_abs").GetDouble(), grads[0]!.abs().sum().ToDouble(), Tol);
    }

    [TestMethod]
    public void Float32GivesTheSameSelectionAndCloseValues()
    {
        using var scope = NewDisposeScope();
        using var d = new GoldenSdpDiscriminator(ScalarType.Float32);
        Assert.IsTrue(d.Parameters.All(p => p.dtype == ScalarType.Float32));
        var real = Golden("real.npy").to(ScalarType.Float32);
        var fake = Golden("fake.npy").to(ScalarType.Float32);
        using var ro = d.Forward(real);
        using var fo = d.Forward(fake);
        using var r = SampleDifferencesPenalty.Compute(real, fake, ro.Scores, fo.Scores, ro.BlockFeatures, fo.BlockFeatures, 3, SdpNormalization.Unit);
        Assert.AreEqual(ScalarType.Float32, r.Loss.dtype);
        CollectionAssert.AreEqual(Golden("idx_fake.npy").ToArray<long>(), r.FakeIndices);
        CollectionAssert.AreEqual(Golden("idx_real.npy").ToArray<long>(), r.RealIndices);
        Assert.AreEqual(GoldenJson().GetProperty("L_SDP").GetProperty("raw_unit").GetDouble(), r.Loss.to(ScalarType.Float64).ToDouble(), 1e-5);
    }

    [TestMethod]
    public void ConditionalPairingPrefersTheSameClassAndFallsBackToTheNearestOverall()
    {
        using var scope = NewDisposeScope();
        // Reals on a line at 0, 1, 10, 11 with classes 0, 1, 0, 1. Fakes at 0.9 (class 0), 10.2 (class 1), 5 (class 2).
        var real = tensor(new double[] { 0, 1, 10, 11 }, new long[] { 4, 1 });
        var fake = tensor(new double[] { 0.9, 10.2, 5 }, new long[] { 3, 1 });
        var realLabels = tensor(new long[] { 0, 1, 0, 1 });
        var fakeLabels = tensor(new long[] { 0, 1, 2 });
        var realScores = tensor(new double[] { 0, 0, 0, 0 });
        var fakeScores = tensor(new double[] { 3, 2, 1 });
        var rf = new[] { real.alias() };
        var ff = new[] { fake.alias() };

        using var cond = SampleDifferencesPenalty.Compute(real, fake, realScores, fakeScores, rf, ff, 3, SdpNormalization.Unit,
            realLabels: realLabels, fakeLabels: fakeLabels);
        CollectionAssert.AreEqual(new long[] { 0, 1, 2 }, cond.FakeIndices);
        // 0.9 (class 0): nearest overall is 1 (class 1) but the nearest class-0 real is 0. 10.2 (class 1): 11, not 10.
        // 5 (class 2): no real of class 2 in the batch, so the nearest overall (1 at distance 16; 10 is at 25).
        CollectionAssert.AreEqual(new long[] { 0, 3, 1 }, cond.RealIndices);

        using var uncond = SampleDifferencesPenalty.Compute(real, fake, realScores, fakeScores, rf, ff, 3, SdpNormalization.Unit);
        CollectionAssert.AreEqual(new long[] { 1, 2, 1 }, uncond.RealIndices);
    }

    [TestMethod]
    public void KAboveTheBatchIsClampedAndKBelowOneIsAnError()
    {
        using var scope = NewDisposeScope();
        using var d = new GoldenSdpDiscriminator();
        var real = Golden("real.npy");
        var fake = Golden("fake.npy");
        using var ro = d.Forward(real);
        using var fo = d.Forward(fake);
        using var r = SampleDifferencesPenalty.Compute(real, fake, ro.Scores, fo.Scores, ro.BlockFeatures, fo.BlockFeatures, 100, SdpNormalization.Unit);
        Assert.AreEqual(8, r.K);
        var expectedOrder = fo.Scores.ToArray<double>().Select((s, i) => (s, i)).OrderByDescending(p => p.s).Select(p => (long)p.i).ToArray();
        CollectionAssert.AreEqual(expectedOrder, r.FakeIndices);
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            SampleDifferencesPenalty.Compute(real, fake, ro.Scores, fo.Scores, ro.BlockFeatures, fo.BlockFeatures, 0, SdpNormalization.Unit));
        Assert.AreEqual("k", e.ParamName);
    }

    [TestMethod]
    public void MismatchedShapesAreClearErrors()
    {
        using var scope = NewDisposeScope();
        var real = zeros(new long[] { 4, 1, 2, 2 }, ScalarType.Float64);
        var fake = zeros(new long[] { 4, 1, 3, 3 }, ScalarType.Float64);
        var s = zeros(new long[] { 4 }, ScalarType.Float64);
        var f = new[] { zeros(new long[] { 4, 2 }, ScalarType.Float64) };
        var e = Assert.ThrowsExactly<ArgumentException>(() => SampleDifferencesPenalty.Compute(real, fake, s, s, f, f, 2, SdpNormalization.Unit));
        StringAssert.Contains(e.Message, "same sample shape");
        var g = new[] { zeros(new long[] { 4, 3 }, ScalarType.Float64) };
        e = Assert.ThrowsExactly<ArgumentException>(() => SampleDifferencesPenalty.Compute(real, real, s, s, f, g, 2, SdpNormalization.Unit));
        StringAssert.Contains(e.Message, "block 0");
        e = Assert.ThrowsExactly<ArgumentException>(() => SampleDifferencesPenalty.Compute(real, real, s, s, f, f, 2, SdpNormalization.Unit, realLabels: zeros(new long[] { 4 }, ScalarType.Int64)));
        StringAssert.Contains(e.Message, "both");
    }

    [TestMethod]
    [DataRow(SdpNormalization.Unit)]
    [DataRow(SdpNormalization.PaperSquaredNorm)]
    public void ZeroFeaturesGiveFiniteValuesAndGradients(SdpNormalization norm)
    {
        using var scope = NewDisposeScope();
        var h = zeros(new long[] { 2, 3, 2, 2 }, ScalarType.Float64).requires_grad_();
        var n = SampleDifferencesPenalty.NormalizedPooledFeatures(h, norm);
        Assert.AreEqual(0.0, n.abs().sum().ToDouble());
        var g = autograd.grad(new[] { n.sum() }, new[] { h })[0]!;
        Assert.IsTrue(g.isfinite().all().item<bool>(), "finite gradient at zero features");
    }

    [TestMethod]
    public void NormalizationsMatchTheirFormulas()
    {
        using var scope = NewDisposeScope();
        // One sample, two channels, 2x1 spatial: GMP gives (3, 4), ||h|| = 5.
        var h = tensor(new double[] { 1, 3, -2, 4 }, new long[] { 1, 2, 2, 1 });
        TensorAssert.Close(new[] { 0.6, 0.8 }, SampleDifferencesPenalty.NormalizedPooledFeatures(h, SdpNormalization.Unit).ToArray<double>(), 0, 1e-15, "unit");
        TensorAssert.Close(new[] { 0.12, 0.16 }, SampleDifferencesPenalty.NormalizedPooledFeatures(h, SdpNormalization.PaperSquaredNorm).ToArray<double>(), 0, 1e-15, "paper");
    }

    [TestMethod]
    public void DisposingTheResultFreesEveryTensor()
    {
        using var d = new GoldenSdpDiscriminator();
        using var real = Golden("real.npy");
        using var fake = Golden("fake.npy");
        long start = TensorCounts.Live;
        using (var ro = d.Forward(real))
        using (var fo = d.Forward(fake))
        {
            var r = SampleDifferencesPenalty.Compute(real, fake, ro.Scores, fo.Scores, ro.BlockFeatures, fo.BlockFeatures, 3, SdpNormalization.Unit);
            foreach (var g in autograd.grad(new[] { r.Loss }, d.Parameters.ToList())) g?.Dispose();
            r.Dispose();
        }
        Assert.AreEqual(start, TensorCounts.Live, "live tensors after disposing the result");
    }
}
