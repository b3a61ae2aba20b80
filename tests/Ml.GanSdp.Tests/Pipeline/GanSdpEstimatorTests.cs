using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Onnx;
using Ml.GanSdp.Models;
using Ml.GanSdp.Onnx;
using Ml.GanSdp.Tests.Onnx;
using Ml.GanSdp.Tests.Onnx.Export;
using Ml.GanSdp.Tests.TestSupport;
using Ml.GanSdp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Pipeline;

using static PipelineTestData;

/// <summary>
/// <c>mlContext.Transforms.TrainGanSdp</c> end to end on small synthetic data: the fitted transformer is ML.NET's
/// OnnxTransformer and its images equal the trained TorchSharp generator (G, or the EMA generator) rebuilt from the
/// fit's final checkpoint and fed the seeds' latent codes (to 1e-5 of the range); determinism; the pixel scale; the
/// training summary, progress and sample callbacks; resume; cancellation; disposal.
/// </summary>
[TestClass]
public sealed partial class GanSdpEstimatorTests
{
    private const double Tol = 1e-5;

    /// <summary>The generator the checkpoint at <paramref name="path"/> holds (G or its EMA), rebuilt in eval mode.</summary>
    private static IGenerator FromCheckpoint(string path, ModelOptions model, bool ema)
    {
        using var state = Checkpoint.Load(path);
        var g = ModelFactory.CreateGenerator(model);
        StateDicts.Load(g.Module, ema ? state.GeneratorEma! : state.Generator, path);
        g.Module.eval();
        return g;
    }

    private static float[] Images(IDataView scored, string column = "Generated") => scored.GetColumn<float[]>(column).SelectMany(x => x).ToArray();

    [TestMethod]
    [DataRow(false, DisplayName = "unconditional, G exported")]
    [DataRow(true, DisplayName = "conditional with EMA, the EMA generator exported")]
    public void FittedTransformer_IsTheTrainedGeneratorAsOnnx(bool conditionalWithEma)
    {
        using var dir = new TempDir();
        var ml = new MLContext(seed: 1);
        var train = Train(ml);
        var options = Quick(conditionalWithEma ? "Label" : null) with
        {
            EmaDecay = conditionalWithEma ? 0.5 : null,
            GeneratorLearningRate = 0.02, // large steps, so that the EMA visibly lags G after 3 iterations
            CheckpointDirectory = dir.File("ckpt"),
            CheckpointInterval = 3,
            TempFolder = dir.Path,
        };
        using var estimator = ml.Transforms.TrainGanSdp(options);
        var model = estimator.Fit(train);
        Assert.IsInstanceOfType<OnnxTransformer>(model);
        var modelOptions = estimator.ResolveModelOptions(train.Schema);
        Assert.AreEqual(conditionalWithEma ? 3 : 0, modelOptions.NumClasses);

        int classes = modelOptions.NumClasses;
        var rows = Generation(ml, 9, classes);
        var scored = model.Transform(rows);
        var type = (VectorDataViewType)scored.Schema["Generated"].Type;
        CollectionAssert.AreEqual(new[] { 1, 28, 28 }, type.Dimensions.ToArray(), "the generated column has the input's [C, H, W]");
        var images = Images(scored);

        var checkpoint = Path.Combine(options.CheckpointDirectory!, Checkpoint.FileName(3));
        Assert.AreEqual(checkpoint, estimator.LastTrainingSummary!.LastCheckpoint);
        var seeds = GenerationRows(9, classes).Select(r => r.Seed).ToArray();
        long[]? labels = classes > 0 ? GenerationRows(9, classes).Select(r => (long)r.Label).ToArray() : null;
        using var exported = FromCheckpoint(checkpoint, modelOptions, ema: conditionalWithEma);
        var expected = GeneratorOnnxExportTests.TorchForward(exported, seeds, labels).Select(v => 127.5f * v + 127.5f).ToArray();
        double worst = ArrayAssert.Close(expected, images, 127.5 * Tol, 0, "ML.NET column vs the trained TorchSharp generator");
        Console.WriteLine($"max |diff| {worst:E2} (0..255 scale)");
        Assert.IsTrue(images.All(v => v is >= 0 and <= 255), "generated pixels are in the input's 0..255 scale");

        if (conditionalWithEma)
        {
            using var g = FromCheckpoint(checkpoint, modelOptions, ema: false);
            var fromG = GeneratorOnnxExportTests.TorchForward(g, seeds, labels).Select(v => 127.5f * v + 127.5f).ToArray();
            Assert.IsTrue(fromG.Zip(images).Max(p => Math.Abs(p.First - p.Second)) > 0.01, "the EMA generator, not G, was exported");
            Assert.IsTrue(estimator.LastTrainingSummary.ExportedEmaGenerator);
        }
    }
}
