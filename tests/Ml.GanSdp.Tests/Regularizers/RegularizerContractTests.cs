using Ml.GanSdp.Tests.TestSupport;
using Ml.GanSdp.Regularizers;
using TorchSharp;
using static TorchSharp.torch;
using static Ml.GanSdp.Tests.Regularizers.RegularizerTestSupport;

namespace Ml.GanSdp.Tests.Regularizers;

/// <summary>What the trainer relies on for every regularizer: finite terms in the right steps, gradients reaching the right network, no leaks.</summary>
[TestClass]
public class RegularizerContractTests
{
    private static IRegularizer[] All() => new IRegularizer[]
    {
        new SdpRegularizer(new SdpOptions { Threshold = 0, InitialK = 3 }), new GradientPenalty(), new R1Penalty(), new R2Penalty(),
        new Dragan(), new ConsistencyRegularization(new ConsistencyOptions { MaxShift = 2 }),
        new BalancedConsistencyRegularization(new BalancedConsistencyOptions { MaxShift = 2 }), new LatentConsistencyRegularization(), new FeatureMatching(),
    };

    private static readonly HashSet<string> ActOnD = new() { "sdp", "wgan-gp", "r1", "r2", "dragan", "cr", "bcr", "zcr" };
    private static readonly HashSet<string> ActOnG = new() { "sdp", "zcr", "feature-matching" };

    [TestMethod]
    public void EachRegularizerActsInItsStepsWithFiniteTermsAndNoLeaks()
    {
        using var d = new GoldenSdpDiscriminator();
        using var gen = MakeGenerator();
        using var real = GoldenReal();
        using var g = new Generator(17);
        using var z = randn(new long[] { 8, 4 }, ScalarType.Float64, generator: g);
        using var random = new Generator(4);
        long start = TensorCounts.Live;
        int undefined = 0;
        foreach (var reg in All())
        {
            // D step: fakes detached from G; G step: fakes attached, D's real output passed (as SDP requires).
            using (var scope = NewDisposeScope())
            {
                Tensor fakeD;
                using (no_grad()) fakeD = gen.Forward(z);
                var ro = d.Forward(real);
                var fo = d.Forward(fakeD);
                var term = reg.DiscriminatorTerm(Context(d, gen, real, fakeD, ro, fo, z, 0, random));
                Assert.AreEqual(ActOnD.Contains(reg.Name), term is not null, $"{reg.Name}: D term presence");
                if (term is not null)
                {
                    double v = term.Loss.ToDouble();
                    Assert.IsTrue(double.IsFinite(v) && v >= 0, $"{reg.Name}: D term {v} must be finite and non-negative (it is added to D's loss)");
                    var grads = autograd.grad(new[] { term.Loss }, d.Parameters.ToList(), allow_unused: true);
                    undefined += TensorCounts.UndefinedGradients(grads);
                    Assert.IsTrue(grads.Any(x => !x.IsInvalid && x.abs().sum().ToDouble() > 0), $"{reg.Name}: the D term trains D");
                }
                ro.Dispose(); fo.Dispose();
            }
            using (var scope = NewDisposeScope())
            {
                var fakeG = gen.Forward(z);
                DiscriminatorOutputs(d, real, fakeG, out var ro, out var fo);
                var term = reg.GeneratorTerm(Context(d, gen, real, fakeG, ro, fo, z, 0, random));
                Assert.AreEqual(ActOnG.Contains(reg.Name), term is not null, $"{reg.Name}: G term presence");
                if (term is not null)
                {
                    Assert.IsTrue(double.IsFinite(term.Loss.ToDouble()), $"{reg.Name}: G term finite");
                    var grads = autograd.grad(new[] { term.Loss }, gen.Module.parameters().ToArray(), allow_unused: true);
                    Assert.AreEqual(0, TensorCounts.UndefinedGradients(grads), $"{reg.Name}: the G term reaches every parameter of G");
                    Assert.IsTrue(grads.Any(x => x.abs().sum().ToDouble() > 0), $"{reg.Name}: the G term trains G");
                }
                ro.Dispose(); fo.Dispose();
            }
        }
        // The four input-gradient penalties (WGAN-GP, R1, R2, DRAGAN) do not depend on D's last bias.
        Assert.AreEqual(4, undefined, "undefined D gradients");
        Assert.AreEqual(start + undefined, TensorCounts.Live, "live tensors after every term was computed, differentiated and freed (besides TorchSharp's handle-less undefined gradients)");
    }

    private static void DiscriminatorOutputs(GoldenSdpDiscriminator d, Tensor real, Tensor fake, out global::Ml.GanSdp.Models.DiscriminatorOutput ro, out global::Ml.GanSdp.Models.DiscriminatorOutput fo)
    {
        using (no_grad()) ro = d.Forward(real);
        fo = d.Forward(fake);
    }

    [TestMethod]
    public void ExtraForwardsReceiveTheMatchingLabels()
    {
        using var scope = NewDisposeScope();
        using var d = new GoldenSdpDiscriminator();
        using var gen = MakeGenerator();
        var real = GoldenReal();
        var z = zeros(new long[] { 8, 4 }, ScalarType.Float64);
        var fake = gen.Forward(z).detach();
        var realLabels = tensor(new long[] { 0, 1, 0, 1, 0, 1, 0, 1 });
        var fakeLabels = tensor(new long[] { 2, 2, 2, 2, 2, 2, 2, 2 });
        using var random = new Generator(0);
        var expected = new Dictionary<string, long[]>
        {
            ["wgan-gp"] = new long[] { 0 }, ["r1"] = new long[] { 0 }, ["r2"] = new long[] { 2 }, ["dragan"] = new long[] { 0 },
            ["cr"] = new long[] { 0 }, ["bcr"] = new long[] { 0, 2 }, ["zcr"] = new long[] { 2 }, ["sdp"] = Array.Empty<long>(),
        };
        foreach (var reg in All().Where(r => expected.ContainsKey(r.Name)))
        {
            var recording = new LabelRecordingDiscriminator(d);
            var ro = d.Forward(real);
            var fo = d.Forward(fake);
            reg.DiscriminatorTerm(Context(recording, gen, real, fake, ro, fo, z, 0, random, realLabels, fakeLabels));
            CollectionAssert.AreEqual(expected[reg.Name], recording.FirstLabels.ToArray(), $"{reg.Name}: first label of each extra D forward");
        }
    }

    private sealed class LabelRecordingDiscriminator(GoldenSdpDiscriminator inner) : global::Ml.GanSdp.Models.IDiscriminator
    {
        public List<long> FirstLabels { get; } = new();
        public int NumClasses => 3;
        public torch.nn.Module Module => inner.Module;
        public global::Ml.GanSdp.Models.DiscriminatorOutput Forward(Tensor x, Tensor? labels = null)
        {
            Assert.IsNotNull(labels, "a conditional D must receive labels");
            FirstLabels.Add(labels[0].item<long>());
            return inner.Forward(x);
        }
        public void Dispose() { }
    }

    [TestMethod]
    public void NamesAreDistinct()
    {
        var names = All().Select(r => r.Name).ToArray();
        CollectionAssert.AllItemsAreUnique(names);
    }
}
