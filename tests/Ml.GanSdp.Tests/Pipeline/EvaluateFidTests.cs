using Ml.GanSdp.Data;
using Ml.GanSdp.Pipeline;

namespace Ml.GanSdp.Tests.Pipeline;

[TestClass]
public class EvaluateFidTests
{
    [TestMethod]
    public void EvaluateFidWithADomainClassifierIsZeroForTheSameSetAndPositiveForGeneratedImages()
    {
        var ctx = new GanContext(seed: 3);
        using var data = PipelineFixtures.TwoClassImages(64);
        using var clf = ctx.Evaluation.TrainDomainClassifier(data, epochs: 1, featureDimension: 16);
        var g = PipelineFixtures.ConditionalGenerator;
        var r = ctx.Evaluation.EvaluateFid(data, g, clf, sampleCount: 64, seed: 1);
        Assert.IsTrue(double.IsFinite(r.Distance) && r.Distance > 0, $"FD {r.Distance}");
        Assert.AreEqual(16, r.Dimension);
        var again = ctx.Evaluation.EvaluateFid(data, g, clf, sampleCount: 64, seed: 1);
        Assert.AreEqual(r.Distance, again.Distance, 1e-9, "same seed, same value");
        var e = Assert.ThrowsExactly<SchemaException>(() => ctx.Evaluation.EvaluateFid(data, g, clf, 64, imageColumnName: "Nope"));
        StringAssert.Contains(e.Message, "'Nope'");
    }
}
