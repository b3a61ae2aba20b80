using Ml.GanSdp.Regularizers;
using Ml.GanSdp.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;
using static Ml.GanSdp.Tests.Regularizers.RegularizerTestSupport;

namespace Ml.GanSdp.Tests.Regularizers;

[TestClass]
public class SdpRegularizerTests
{
    [TestMethod]
    public void DefaultsAreThePapers()
    {
        var o = new SdpOptions();
        Assert.AreEqual(3000, o.Threshold);
        Assert.AreEqual(5, o.InitialK);
        Assert.AreEqual(5000, o.Period);
        Assert.AreEqual(0.01, o.Lambda);
        Assert.AreEqual(SdpNormalization.Unit, o.Normalization);
        Assert.AreEqual(SdpScore.Raw, o.Score);
    }

    [TestMethod]
    public void ScheduleFollowsAlgorithmOne()
    {
        var sdp = new SdpRegularizer();
        Assert.IsFalse(sdp.IsActive(0));
        Assert.IsFalse(sdp.IsActive(2999));
        Assert.IsTrue(sdp.IsActive(3000));
        Assert.AreEqual(5, sdp.ScheduledK(0));
        Assert.AreEqual(5, sdp.ScheduledK(3000));
        Assert.AreEqual(5, sdp.ScheduledK(4999));
        Assert.AreEqual(6, sdp.ScheduledK(5000));
        Assert.AreEqual(6, sdp.ScheduledK(9999));
        Assert.AreEqual(7, sdp.ScheduledK(10000));
        Assert.AreEqual(24, sdp.ScheduledK(99999));
        Assert.AreEqual(64, sdp.EffectiveK(10_000_000, 64), "k is clamped to the batch");
        Assert.AreEqual(7, sdp.EffectiveK(10000, 64));
    }

    [TestMethod]
    [DataRow("Threshold")]
    [DataRow("InitialK")]
    [DataRow("Period")]
    [DataRow("Lambda")]
    public void ValidateNamesTheBadOption(string name)
    {
        var o = name switch
        {
            "Threshold" => new SdpOptions { Threshold = -1 },
            "InitialK" => new SdpOptions { InitialK = 0 },
            "Period" => new SdpOptions { Period = 0 },
            _ => new SdpOptions { Lambda = double.NaN },
        };
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new SdpRegularizer(o));
        Assert.AreEqual(name, e.ParamName);
    }

    [TestMethod]
    public void TermsAreLambdaOverKTimesLSdpInBothStepsOnlyFromT()
    {
        using var scope = NewDisposeScope();
        using var golden = new GoldenBatch();
        var (d, gen, real, fake, ro, fo, z) = golden;
        using var random = new Generator(0);
        // InitialK 2, period 10: at iteration 10, k = 3 (the golden setting).
        var sdp = new SdpRegularizer(new SdpOptions { Threshold = 5, InitialK = 2, Period = 10, Lambda = 0.3 });

        Assert.IsNull(sdp.DiscriminatorTerm(Context(d, gen, real, fake, ro, fo, z, 4, random)), "inactive before t");
        Assert.IsNull(sdp.GeneratorTerm(Context(d, gen, real, fake, ro, fo, z, 4, random)), "inactive before t");

        var ctx = Context(d, gen, real, fake, ro, fo, z, 10, random);
        var dTerm = sdp.DiscriminatorTerm(ctx)!;
        var gTerm = sdp.GeneratorTerm(ctx)!;
        const double lSdp = 0.2747969441379678;   // golden raw_unit, k = 3
        Assert.AreEqual(0.3 / 3 * lSdp, dTerm.Loss.ToDouble(), 1e-9);
        Assert.AreEqual(0.3 / 3 * lSdp, gTerm.Loss.ToDouble(), 1e-9);
        Assert.AreEqual(3, dTerm.Metrics!["k"]);
        Assert.AreEqual(lSdp, dTerm.Metrics["l_sdp"], 1e-9);
        double gap = new[] { (5L, 7L), (2L, 2L), (1L, 5L) }.Average(p => ro.Scores[p.Item1].ToDouble() - fo.Scores[p.Item2].ToDouble());
        Assert.AreEqual(gap, dTerm.Metrics["score_gap"], 1e-12);

        // Sign: the D loss grows by a positive amount, and the G-side term is the same positive addition.
        Assert.IsTrue(dTerm.Loss.ToDouble() > 0);
        Assert.IsTrue(gTerm.Loss.ToDouble() > 0);

        // G step without D's real output: no term. D step without it: an error.
        Assert.IsNull(sdp.GeneratorTerm(Context(d, gen, real, fake, null, fo, z, 10, random)));
        Assert.ThrowsExactly<InvalidOperationException>(() => sdp.DiscriminatorTerm(Context(d, gen, real, fake, null, fo, z, 10, random)));
    }

    [TestMethod]
    public void NoExtraDiscriminatorPassAndNoLeaks()
    {
        using var d = new GoldenSdpDiscriminator();
        using var gen = MakeGenerator();
        using var real = GoldenReal();
        using var fake = GoldenFake();
        using var z = zeros(new long[] { 8, 4 }, ScalarType.Float64);
        using var random = new Generator(0);
        long start = TensorCounts.Live;
        using (var ro = d.Forward(real))
        using (var fo = d.Forward(fake))
        {
            var counting = new CountingDiscriminator(d);
            var sdp = new SdpRegularizer(new SdpOptions { Threshold = 0 });
            var term = sdp.DiscriminatorTerm(Context(counting, gen, real, fake, ro, fo, z, 0, random))!;
            Assert.AreEqual(0, counting.Calls, "SDP reuses the step's forwards");
            foreach (var g in autograd.grad(new[] { term.Loss }, d.Parameters.ToList())) g?.Dispose();
            term.Loss.Dispose();
        }
        Assert.AreEqual(start, TensorCounts.Live);
    }

    private sealed class CountingDiscriminator(GoldenSdpDiscriminator inner) : global::Ml.GanSdp.Models.IDiscriminator
    {
        public int Calls { get; private set; }
        public int NumClasses => 0;
        public torch.nn.Module Module => inner.Module;
        public global::Ml.GanSdp.Models.DiscriminatorOutput Forward(Tensor x, Tensor? labels = null) { Calls++; return inner.Forward(x, labels); }
        public void Dispose() { }
    }
}
