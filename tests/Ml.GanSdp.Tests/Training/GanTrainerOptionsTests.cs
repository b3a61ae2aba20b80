using Ml.GanSdp.Models;
using Ml.GanSdp.Training;

namespace Ml.GanSdp.Tests.Training;

[TestClass]
public class GanTrainerOptionsTests
{
    [TestMethod]
    public void DefaultsAreValid() => new GanTrainerOptions().Validate();

    [TestMethod]
    public void BadBatchSizeIsNamed()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => new GanTrainerOptions { BatchSize = 0 }.Validate());
        Assert.AreEqual("GanTrainerOptions.BatchSize must be at least 2 (got 0).", e.Message);
    }

    [TestMethod]
    [DataRow("LatentSize")]
    [DataRow("Iterations")]
    [DataRow("GeneratorLearningRate")]
    [DataRow("DiscriminatorLearningRate")]
    [DataRow("Beta1")]
    [DataRow("Beta2")]
    [DataRow("DiscriminatorSteps")]
    [DataRow("GeneratorRealOutput")]
    [DataRow("EmaDecay")]
    [DataRow("EmaStartIteration")]
    [DataRow("Threads")]
    [DataRow("CheckpointInterval")]
    [DataRow("CheckpointDirectory")]
    [DataRow("CheckpointsToKeep")]
    [DataRow("SampleInterval")]
    [DataRow("SampleCount")]
    [DataRow("ProgressInterval")]
    public void EachBadOptionIsNamed(string option)
    {
        var o = new GanTrainerOptions();
        o = option switch
        {
            "LatentSize" => o with { LatentSize = 0 },
            "Iterations" => o with { Iterations = 0 },
            "GeneratorLearningRate" => o with { GeneratorLearningRate = double.NaN },
            "DiscriminatorLearningRate" => o with { DiscriminatorLearningRate = -1 },
            "Beta1" => o with { Beta1 = 1 },
            "Beta2" => o with { Beta2 = -0.1 },
            "DiscriminatorSteps" => o with { DiscriminatorSteps = 0 },
            "GeneratorRealOutput" => o with { GeneratorRealOutput = (GeneratorRealOutput)7 },
            "EmaDecay" => o with { EmaDecay = 1.0 },
            "EmaStartIteration" => o with { EmaStartIteration = -1 },
            "Threads" => o with { Threads = -2 },
            "CheckpointInterval" => o with { CheckpointInterval = -5 },
            "CheckpointDirectory" => o with { CheckpointInterval = 10, CheckpointDirectory = " " },
            "CheckpointsToKeep" => o with { CheckpointsToKeep = 0 },
            "SampleInterval" => o with { SampleInterval = -1 },
            "SampleCount" => o with { SampleCount = 0 },
            "ProgressInterval" => o with { ProgressInterval = 0 },
            _ => throw new ArgumentOutOfRangeException(nameof(option)),
        };
        var e = Assert.ThrowsExactly<ArgumentException>(o.Validate);
        StringAssert.StartsWith(e.Message, $"GanTrainerOptions.{option} ");
    }

    [TestMethod]
    public void ModelOptionsAreValidatedAndMustAgreeOnLatentSize()
    {
        var bad = Assert.ThrowsExactly<ArgumentException>(() => new GanTrainerOptions { Model = new ModelOptions { Width = 0 } }.Validate());
        StringAssert.StartsWith(bad.Message, "ModelOptions.Width");
        var mismatch = Assert.ThrowsExactly<ArgumentException>(() => new GanTrainerOptions { LatentSize = 4, Model = new ModelOptions { LatentSize = 8 } }.Validate());
        StringAssert.Contains(mismatch.Message, "GanTrainerOptions.LatentSize (4)");
    }

    [TestMethod]
    public void RealOutputInGeneratorStepDefaultsToWhetherRegularizersArePresent()
    {
        var o = new GanTrainerOptions();
        Assert.IsFalse(o.WantsRealOutputInGeneratorStep(0));
        Assert.IsTrue(o.WantsRealOutputInGeneratorStep(1));
        Assert.IsFalse((o with { RealOutputInGeneratorStep = false }).WantsRealOutputInGeneratorStep(2));
        Assert.IsTrue((o with { RealOutputInGeneratorStep = true }).WantsRealOutputInGeneratorStep(0));
    }

    [TestMethod]
    public void GeneratorRealOutputDefaultsToRecomputeAndReusesOnlyWhenARealOutputIsWanted()
    {
        var o = new GanTrainerOptions();
        Assert.AreEqual(GeneratorRealOutput.Recompute, o.GeneratorRealOutput);
        Assert.IsFalse(o.ReusesDiscriminatorStepRealOutput(1));
        var reuse = o with { GeneratorRealOutput = GeneratorRealOutput.ReuseDiscriminatorStep };
        reuse.Validate();
        Assert.IsTrue(reuse.ReusesDiscriminatorStepRealOutput(1));
        Assert.IsFalse(reuse.ReusesDiscriminatorStepRealOutput(0), "no regularizer: no real output in the G step, nothing to reuse");
        Assert.IsTrue((reuse with { RealOutputInGeneratorStep = true }).ReusesDiscriminatorStepRealOutput(0));
        var contradiction = Assert.ThrowsExactly<ArgumentException>((reuse with { RealOutputInGeneratorStep = false }).Validate);
        StringAssert.StartsWith(contradiction.Message, "GanTrainerOptions.GeneratorRealOutput is ReuseDiscriminatorStep but RealOutputInGeneratorStep is false");
    }
}
