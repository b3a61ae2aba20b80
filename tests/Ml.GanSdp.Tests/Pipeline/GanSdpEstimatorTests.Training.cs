using System.Text.Json;
using Microsoft.ML;
using Ml.GanSdp.Tests.Onnx;
using Ml.GanSdp.Tests.TestSupport;
using Ml.GanSdp.Training;

namespace Ml.GanSdp.Tests.Pipeline;

using static PipelineTestData;

/// <summary>Determinism, the training summary and metadata, callbacks, resume, cancellation, disposal.</summary>
public sealed partial class GanSdpEstimatorTests
{
    [TestMethod]
    public void SameOptionsAndData_GiveBitIdenticalModels_AnotherSeedDoesNot()
    {
        using var dir = new TempDir();
        var ml = new MLContext(seed: 1);
        var train = Train(ml);
        float[] Fit(long seed) => Images(ml.Transforms.TrainGanSdp(Quick() with { Seed = seed, TempFolder = dir.Path }).Fit(train).Transform(Generation(ml, 12, 3)));
        var a = Fit(7);
        ArrayAssert.BitEqual(a, Fit(7), "same seed");
        Assert.IsTrue(a.Zip(Fit(8)).Any(p => p.First != p.Second), "another seed gives another generator");
    }

    [TestMethod]
    public void Summary_Progress_AndMetadata_DescribeTheFit()
    {
        using var dir = new TempDir();
        var ml = new MLContext(seed: 1);
        var train = Train(ml, 24);
        var reports = new List<TrainingProgress>();
        GanSdpTrainingSummary? finished = null;
        var options = Quick() with
        {
            Iterations = 4, MaxRows = 10, ProgressInterval = 2, TempFolder = dir.Path,
            Progress = new ListProgress(reports), OnTrainingFinished = s => finished = s,
        };
        using var estimator = ml.Transforms.TrainGanSdp(options);
        Assert.IsNull(estimator.LastTrainingSummary);
        var model = estimator.Fit(train);
        var summary = estimator.LastTrainingSummary!;
        Assert.AreSame(summary, finished);
        Assert.AreEqual(4, summary.Iterations);
        Assert.AreEqual(4, summary.IterationsThisFit);
        Assert.AreEqual(10, summary.Rows, "MaxRows bounds the rows read");
        Assert.IsTrue(summary.Seconds > 0);
        Assert.IsFalse(summary.ExportedEmaGenerator);
        CollectionAssert.AreEqual(new long[] { 2, 4 }, reports.Select(r => r.Iteration).ToArray(), "progress every 2 iterations, on the fitting thread");
        Assert.AreEqual(reports[^1].DiscriminatorLoss, summary.DiscriminatorLoss);
        Assert.AreEqual(reports[^1].GeneratorLoss, summary.GeneratorLoss);
        foreach (var term in new[] { "D/adversarial", "G/adversarial", "D/sdp", "G/sdp", "G/sdp/k", "G/sdp/l_sdp", "G/sdp/score_gap" })
            Assert.IsTrue(summary.Terms.ContainsKey(term), $"the summary has the SDP term {term}: {string.Join(", ", summary.Terms.Keys)}");
        Assert.AreEqual(3.0, summary.Terms["G/sdp/k"], "k = k0 + floor(3 / I_p) = 2 + 1 at the last iteration (index 3)");

        var zip = dir.File("m.zip");
        var rows = Generation(ml, 2, 3);
        ml.Model.Save(model, rows.Schema, zip);
        var info = GanSdpModelInfo.Read(zip);
        Assert.AreEqual(GanSdpModelInfo.CurrentFormatVersion, info.FormatVersion);
        Assert.AreEqual(GanSdpModelInfo.CurrentLibraryVersion, info.LibraryVersion);
        Assert.AreEqual(Ml.GanSdp.Models.Architecture.Dcgan, info.Architecture);
        Assert.AreEqual(8, info.LatentSize);
        Assert.AreEqual(new ImageShape(1, 28, 28), info.ImageShape);
        Assert.AreEqual(PixelRange.Bytes, info.PixelRange);
        CollectionAssert.AreEqual(ClassNames, info.ClassNames.ToArray());
        Assert.AreEqual("Generated", info.OutputColumnName);
        Assert.AreEqual("Seed", info.SeedColumnName);
        Assert.AreEqual("Label", info.LabelColumnName);
        Assert.AreEqual(options.Resolved().ToJson(), info.Options.ToJson(), "the resolved options");
        Assert.AreEqual(JsonSerializer.Serialize(summary), JsonSerializer.Serialize(info.Training), "the training summary");
    }

    [TestMethod]
    public void OnSample_GivesTheImagesTheFittedModelMakes_AndExpiresAfterTheCallback()
    {
        using var dir = new TempDir();
        var ml = new MLContext(seed: 1);
        var seen = new List<(long Iteration, float[] Images, int[]? Classes)>();
        GanSdpSamples? kept = null;
        var options = Quick() with
        {
            Iterations = 4, SampleInterval = 2, SampleCount = 5, EmaDecay = 0.9, TempFolder = dir.Path,
            OnSample = s => { seen.Add((s.Iteration, s.Images, s.Classes)); kept = s; Assert.AreEqual(new ImageShape(1, 28, 28), s.Shape); },
        };
        var model = ml.Transforms.TrainGanSdp(options).Fit(Train(ml));
        CollectionAssert.AreEqual(new long[] { 2, 4 }, seen.Select(s => s.Iteration).ToArray());
        CollectionAssert.AreEqual(new[] { 0, 1, 2, 0, 1 }, seen[1].Classes, "image i has class i mod 3");
        var rows = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 5).Select(i => new SeedKeyRow { Seed = i, Label = (uint)(i % 3) }), KeySchema(3));
        var fromModel = Images(model.Transform(rows));
        double worst = ArrayAssert.Close(fromModel, seen[1].Images, 255 * 1e-5, 0, "samples at the last iteration (TorchSharp) vs the fitted model (ONNX)");
        Console.WriteLine($"max |diff| {worst:E2} on 0..255");
        Assert.IsTrue(seen[0].Images.Zip(seen[1].Images).Any(p => p.First != p.Second), "the samples follow training");
        Assert.ThrowsExactly<InvalidOperationException>(() => kept!.Generate([1L], [0]));
    }

    [TestMethod]
    public void ResumingFromACheckpointFolder_GivesTheUninterruptedFit_BitForBit()
    {
        using var dir = new TempDir();
        var ml = new MLContext(seed: 1);
        var train = Train(ml);
        var rows = Generation(ml, 8, 3);
        var baseOptions = Quick() with { EmaDecay = 0.9, TempFolder = dir.Path };
        var straight = Images(ml.Transforms.TrainGanSdp(baseOptions with { Iterations = 4 }).Fit(train).Transform(rows));

        var ckpt = dir.File("ckpt");
        ml.Transforms.TrainGanSdp(baseOptions with { Iterations = 2, CheckpointDirectory = ckpt, CheckpointInterval = 2 }).Fit(train);
        var warnings = new List<string>();
        using var resumed = ml.Transforms.TrainGanSdp(baseOptions with { Iterations = 4, ResumeFrom = ckpt, OnWarning = warnings.Add });
        var images = Images(resumed.Fit(train).Transform(rows));
        ArrayAssert.BitEqual(straight, images, "2 + 2 resumed iterations = 4 straight");
        Assert.AreEqual(2, resumed.LastTrainingSummary!.IterationsThisFit);
        Assert.AreEqual(4, resumed.LastTrainingSummary.Iterations);
        Assert.AreEqual(Path.Combine(ckpt, Checkpoint.FileName(2)), resumed.LastTrainingSummary.ResumedFrom);
        Assert.AreEqual(0, warnings.Count);

        var empty = dir.File("empty");
        Directory.CreateDirectory(empty);
        using var fresh = ml.Transforms.TrainGanSdp(baseOptions with { Iterations = 4, ResumeFrom = empty, OnWarning = warnings.Add });
        ArrayAssert.BitEqual(straight, Images(fresh.Fit(train).Transform(rows)), "a folder without checkpoints starts afresh");
        StringAssert.Contains(warnings.Single(), "holds no valid checkpoint");
        Assert.ThrowsExactly<FileNotFoundException>(() => ml.Transforms.TrainGanSdp(baseOptions with { ResumeFrom = dir.File("nope.ckpt") }).Fit(train));
    }

    [TestMethod]
    public void Cancellation_StopsTrainingBetweenIterations()
    {
        using var dir = new TempDir();
        var ml = new MLContext(seed: 1);
        using var cts = new CancellationTokenSource();
        var reports = new List<TrainingProgress>();
        var options = Quick() with
        {
            Iterations = 200, ProgressInterval = 1, TempFolder = dir.Path, CancellationToken = cts.Token,
            Progress = new ListProgress(reports, p => { if (p.Iteration == 2) cts.Cancel(); }),
        };
        using var estimator = ml.Transforms.TrainGanSdp(options);
        Assert.ThrowsExactly<OperationCanceledException>(() => estimator.Fit(Train(ml)));
        Assert.AreEqual(2, reports.Count, "no iteration after the cancellation");
        Assert.IsNull(estimator.LastTrainingSummary);
        Assert.AreEqual(0, Directory.GetFileSystemEntries(dir.Path).Length, "nothing exported");
    }

    [TestMethod]
    public void Dispose_ReleasesEveryFittedTransformerAndDeletesItsModelFolder()
    {
        using var dir = new TempDir();
        var ml = new MLContext(seed: 1);
        var estimator = ml.Transforms.TrainGanSdp(Quick() with { TempFolder = dir.Path });
        var train = Train(ml);
        var first = estimator.Fit(train);
        var second = estimator.Fit(train);
        Assert.AreEqual(2, Directory.GetDirectories(dir.Path).Length, "one model folder per fit");
        ArrayAssert.BitEqual(Images(first.Transform(Generation(ml, 3, 3))), Images(second.Transform(Generation(ml, 3, 3))));
        estimator.Dispose();
        Assert.AreEqual(0, Directory.GetFileSystemEntries(dir.Path).Length, "the folders are gone");
        Assert.ThrowsExactly<ObjectDisposedException>(() => estimator.Fit(train));
        estimator.Dispose();
    }

    [TestMethod]
    public void FlatOverload_SetsItsParameters_AndKeepsEveryOtherDefault()
    {
        var ml = new MLContext(seed: 1);
        using var e = ml.Transforms.TrainGanSdp("Out", "In", "Y", iterations: 500, batchSize: 32, architecture: Ml.GanSdp.Models.Architecture.SnganResNet, useSdp: false, seed: 9, seedColumnName: "S");
        var expected = new GanSdpOptions
        {
            OutputColumnName = "Out", InputColumnName = "In", LabelColumnName = "Y", Iterations = 500, BatchSize = 32,
            Architecture = Ml.GanSdp.Models.Architecture.SnganResNet, UseSdp = false, Seed = 9, SeedColumnName = "S",
        };
        Assert.AreEqual(expected.ToJson(), e.Options.ToJson());
        using var d = ml.Transforms.TrainGanSdp("Image");
        Assert.AreEqual("Image", d.Options.ImageColumnName, "the input column defaults to the output column");
        Assert.AreEqual(60, d.Options.ResolvedSdp()!.Threshold, "SDP on, the paper's schedule scaled to 2000 iterations");
        Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.TrainGanSdp("Image", iterations: 0), "options are validated when the estimator is made");
    }

    private static Microsoft.ML.Data.SchemaDefinition KeySchema(int classes)
    {
        var def = Microsoft.ML.Data.SchemaDefinition.Create(typeof(SeedKeyRow));
        def["Label"].ColumnType = new Microsoft.ML.Data.KeyDataViewType(typeof(uint), classes);
        return def;
    }

    private sealed class ListProgress(List<TrainingProgress> list, Action<TrainingProgress>? also = null) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            list.Add(value);
            also?.Invoke(value);
        }
    }
}
