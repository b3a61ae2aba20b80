using Ml.GanSdp.Models;
using Ml.GanSdp.Regularizers;
using Ml.GanSdp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Training;

/// <summary>Class-conditional plumbing: labels from the data source reach D, sampled fake labels reach G and D.</summary>
[TestClass]
public class ConditionalTrainingTests
{
    private const int Classes = 3;

    private static Tensor WithOneHot(Tensor x, Tensor labels)
    {
        using var oh = nn.functional.one_hot(labels, Classes);
        using var f = oh.to(ScalarType.Float32);
        return cat(new[] { x, f }, 1);
    }

    private sealed class CondGenerator : IGenerator
    {
        private readonly TinyGenerator _inner = new(latentSize: 4 + Classes);
        public long LatentSize => 4;
        public long[] SampleShape => _inner.SampleShape;
        public int NumClasses => Classes;
        public nn.Module Module => _inner.Module;
        public int CallsWithoutLabels { get; private set; }
        public Tensor Forward(Tensor z, Tensor? labels = null)
        {
            if (labels is null) { CallsWithoutLabels++; throw new ArgumentException("labels required"); }
            using var input = WithOneHot(z, labels);
            return _inner.Forward(input);
        }
        public void Dispose() => _inner.Dispose();
    }

    private sealed class CondDiscriminator : IDiscriminator
    {
        private readonly TinyDiscriminator _inner = new(dim: 2 + Classes);
        public int NumClasses => Classes;
        public nn.Module Module => _inner.Module;
        public DiscriminatorOutput Forward(Tensor x, Tensor? labels = null)
        {
            ArgumentNullException.ThrowIfNull(labels);
            using var input = WithOneHot(x, labels);
            return _inner.Forward(input);
        }
        public void Dispose() => _inner.Dispose();
    }

    private sealed class LabelProbe : IRegularizer
    {
        public string Name => "probe";
        public List<string> Seen { get; } = new();
        public PenaltyTerm? DiscriminatorTerm(RegularizerContext c) { Record("D", c); return null; }
        public PenaltyTerm? GeneratorTerm(RegularizerContext c) { Record("G", c); return null; }
        private void Record(string step, RegularizerContext c)
        {
            var fake = c.FakeLabels!.ToArray<long>();
            Assert.IsTrue(fake.All(l => l is >= 0 and < Classes));
            Assert.AreEqual(c.Real.size(0), c.RealLabels!.size(0));
            Seen.Add(step);
        }
    }

    [TestMethod]
    public void LabelsFlowFromTheSourceAndTheSampler()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        using var g = new CondGenerator();
        using var d = new CondDiscriminator();
        var labels = arange(0, 60, 1, ScalarType.Int64).remainder(Classes).to(ScalarType.Int64);
        var samples = randn(60, 2);
        using var data = new TensorBatchSource(samples, labels, Classes);
        var probe = new LabelProbe();
        using (var trainer = new GanTrainer(TinyGan.Options(3), g, d, data, new IRegularizer[] { probe }))
        {
            trainer.Train();
            using var s = trainer.GenerateSamples();
            CollectionAssert.AreEqual(new long[] { 64, 2 }, s.shape);
        }
        CollectionAssert.AreEqual(new[] { "D", "G", "D", "G", "D", "G" }, probe.Seen);
        Assert.AreEqual(0, g.CallsWithoutLabels);

        using var unlabelled = new TensorBatchSource(samples);
        var e = Assert.ThrowsExactly<ArgumentException>(() => new GanTrainer(TinyGan.Options(3), g, d, unlabelled));
        StringAssert.Contains(e.Message, "conditional on 3 classes");
    }
}
