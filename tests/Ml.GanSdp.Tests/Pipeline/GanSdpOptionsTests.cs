using Ml.GanSdp.Losses;
using Ml.GanSdp.Models;
using Ml.GanSdp.Regularizers;

namespace Ml.GanSdp.Tests.Pipeline;

/// <summary>GanSdpOptions: validation names the option (NaN and infinities included), JSON round trip, resolution of defaults.</summary>
[TestClass]
public sealed class GanSdpOptionsTests
{
    [TestMethod]
    public void Validate_NamesTheFirstBadOption()
    {
        (GanSdpOptions Options, string Expected)[] cases =
        [
            (new() { GeneratorLearningRate = double.NaN }, "GanSdpOptions.GeneratorLearningRate must be positive and finite (got NaN)"),
            (new() { DiscriminatorLearningRate = double.PositiveInfinity }, "GanSdpOptions.DiscriminatorLearningRate"),
            (new() { EmaDecay = double.NaN }, "GanSdpOptions.EmaDecay must be a number in [0, 1)"),
            (new() { Beta2 = 1 }, "GanSdpOptions.Beta2 must be in [0, 1)"),
            (new() { Iterations = 0 }, "GanSdpOptions.Iterations must be at least 1"),
            (new() { BatchSize = 1 }, "GanSdpOptions.BatchSize must be at least 2"),
            (new() { Threads = -1 }, "GanSdpOptions.Threads"),
            (new() { Device = "gpu" }, "GanSdpOptions.Device"),
            (new() { MaxLossMagnitude = double.NaN }, "GanSdpOptions.MaxLossMagnitude"),
            (new() { Width = 0 }, "GanSdpOptions.Width must be at least 1"),
            (new() { LatentSize = 0 }, "GanSdpOptions.LatentSize must be at least 1"),
            (new() { CheckpointInterval = 5 }, "GanSdpOptions.CheckpointDirectory must be set"),
            (new() { Sdp = new SdpOptions { Lambda = double.NaN } }, "SDP Lambda"),
            (new() { UseSdp = false, Sdp = new SdpOptions() }, "GanSdpOptions.Sdp is set but UseSdp is false"),
            (new() { Regularizers = [new RegularizerSpec(RegularizerKind.R1, double.NaN)] }, "RegularizerSpec.Weight of R1"),
            (new() { InputRange = new PixelRange(1, 1) }, "GanSdpOptions.InputRange [1, 1]"),
            (new() { InputRange = new PixelRange(0, float.NaN) }, "GanSdpOptions.InputRange"),
            (new() { MaxRows = 0 }, "GanSdpOptions.MaxRows must be at least 1"),
            (new() { SampleCount = 0 }, "GanSdpOptions.SampleCount"),
            (new() { ProgressInterval = 0 }, "GanSdpOptions.ProgressInterval"),
            (new() { OutputColumnName = " " }, "GanSdpOptions.OutputColumnName must be a non-empty column name"),
            (new() { LabelColumnName = "Seed" }, "GanSdpOptions.SeedColumnName and GanSdpOptions.LabelColumnName are both 'Seed'"),
            (new() { InputColumnName = "Label", LabelColumnName = "Label" }, "GanSdpOptions.InputColumnName and GanSdpOptions.LabelColumnName are both 'Label'"),
            (new() { Architecture = Architecture.Mlp, LabelColumnName = "Label" }, "Mlp architecture has no class-conditional variant"),
            (new() { Architecture = (Architecture)17 }, "GanSdpOptions.Architecture"),
            (new() { Loss = (GanLossKind)9 }, "GanSdpOptions.Loss"),
            (new() { ResumeFrom = "" }, "GanSdpOptions.ResumeFrom"),
            (new() { GeneratorRealOutput = (Ml.GanSdp.Training.GeneratorRealOutput)2 }, "GanSdpOptions.GeneratorRealOutput must be a defined GeneratorRealOutput"),
            (new() { GeneratorRealOutput = Ml.GanSdp.Training.GeneratorRealOutput.ReuseDiscriminatorStep, RealOutputInGeneratorStep = false },
                "GanSdpOptions.GeneratorRealOutput is ReuseDiscriminatorStep but RealOutputInGeneratorStep is false"),
        ];
        foreach (var (options, expected) in cases)
        {
            var e = Assert.ThrowsExactly<ArgumentException>(options.Validate, expected);
            StringAssert.Contains(e.Message, expected);
        }
        new GanSdpOptions().Validate();
        new GanSdpOptions { InputColumnName = "Image", OutputColumnName = "Image" }.Validate(); // replacing the input column is allowed
    }

    [TestMethod]
    public void ScaledSdp_IsThePapersScheduleScaledToTheRun()
    {
        var s = GanSdpOptions.ScaledSdp(100_000);
        Assert.AreEqual(3000, s.Threshold, "t = 3000 of 100,000 (Zhang et al., Sec. IV)");
        Assert.AreEqual(5000, s.Period, "I_p = 5000 of 100,000");
        Assert.AreEqual(5, s.InitialK);
        Assert.AreEqual(0.01, s.Lambda);
        Assert.AreEqual(1, GanSdpOptions.ScaledSdp(1).Period, "I_p at least 1");
        Assert.AreEqual(60, new GanSdpOptions { Iterations = 2000 }.ResolvedSdp()!.Threshold);
        Assert.AreEqual(100, new GanSdpOptions { Iterations = 2000 }.ResolvedSdp()!.Period);
        Assert.IsNull(new GanSdpOptions { UseSdp = false }.ResolvedSdp());
        var own = new SdpOptions { Lambda = 0.5 };
        Assert.AreSame(own, new GanSdpOptions { Sdp = own }.ResolvedSdp());
        Assert.AreEqual(40, new GanSdpOptions { Iterations = 2000 }.ResolvedProgressInterval());
        var r = new GanSdpOptions { OutputColumnName = "G", Iterations = 100 }.Resolved();
        Assert.AreEqual("G", r.InputColumnName);
        Assert.AreEqual(3, r.Sdp!.Threshold);
        Assert.AreEqual(2, r.ProgressInterval);
    }

    [TestMethod]
    public void Json_RoundTripsEverySerializableOption_AndLeavesCallbacksOut()
    {
        var o = new GanSdpOptions
        {
            OutputColumnName = "Out", InputColumnName = "In", LabelColumnName = "Y", SeedColumnName = "S", InputRange = new PixelRange(-1, 1),
            Architecture = Architecture.SnganResNet, Width = 32, LatentSize = 64, Depth = 2, DiscriminatorSpectralNorm = true, DiscriminatorBatchNorm = false,
            Loss = GanLossKind.Hinge, Iterations = 123, BatchSize = 16, GeneratorLearningRate = 1e-4, DiscriminatorLearningRate = 4e-4, Beta1 = 0, Beta2 = 0.9,
            DiscriminatorSteps = 5, RealOutputInGeneratorStep = true, GeneratorRealOutput = Ml.GanSdp.Training.GeneratorRealOutput.ReuseDiscriminatorStep, EmaDecay = 0.999, EmaStartIteration = 10, Seed = -3, Threads = 2, Device = "cpu", MaxLossMagnitude = 1e5,
            Sdp = new SdpOptions { Threshold = 7, InitialK = 3, Period = 11, Lambda = 0.2, Normalization = SdpNormalization.PaperSquaredNorm, Score = SdpScore.Probability },
            Regularizers = [new RegularizerSpec(RegularizerKind.WganGp, 5), new RegularizerSpec(RegularizerKind.Zcr)],
            CheckpointDirectory = "c", CheckpointInterval = 9, CheckpointsToKeep = 2, ResumeFrom = "c", MaxRows = 77, ProgressInterval = 4,
            SampleInterval = 6, SampleCount = 12, TempFolder = "t",
            Progress = new Progress<Ml.GanSdp.Training.TrainingProgress>(), OnSample = _ => { }, OnTrainingFinished = _ => { }, OnWarning = _ => { },
        };
        var json = o.ToJson();
        Assert.IsFalse(json.Contains("OnSample") || json.Contains("Progress\"") || json.Contains("CancellationToken") || json.Contains("OnWarning"), json);
        StringAssert.Contains(json, "\"Architecture\": \"SnganResNet\"");
        StringAssert.Contains(json, "\"GeneratorRealOutput\": \"ReuseDiscriminatorStep\"");
        var back = GanSdpOptions.FromJson(json);
        Assert.AreEqual(json, back.ToJson(), "every serializable option survives");
        Assert.IsNull(back.OnSample);
        CollectionAssert.AreEqual(o.Regularizers.ToArray(), back.Regularizers.ToArray());
        Assert.AreEqual(o.Sdp, back.Sdp);
        Assert.AreEqual(o.InputRange, back.InputRange);
    }

    [TestMethod]
    public void FromJson_NamesTheSourceAndTheField()
    {
        var e = Assert.ThrowsExactly<InvalidDataException>(() => GanSdpOptions.FromJson("""{"Iterations": "many"}""", "options.json"));
        StringAssert.Contains(e.Message, "options.json");
        StringAssert.Contains(e.Message, "$.Iterations");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => GanSdpOptions.FromJson("""{"Iterationz": 5}""", "o.json")).Message, "Iterationz");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => GanSdpOptions.FromJson("""{"Architecture": "Vae"}""", "o.json")).Message, "$.Architecture");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => GanSdpOptions.FromJson("""{"Iterations": 0}""", "o.json")).Message, "o.json: GanSdpOptions.Iterations must be at least 1");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => GanSdpOptions.FromJson("null", "o.json")).Message, "null");
    }
}
