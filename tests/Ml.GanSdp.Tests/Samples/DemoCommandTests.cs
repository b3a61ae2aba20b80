using Ml.GanSdp.Tests.TestSupport;

namespace Ml.GanSdp.Tests.Samples;

/// <summary><c>gansdp demo</c> on tiny settings: every step of the pipeline runs and leaves its file; the report shows the downstream classifier.</summary>
[TestClass]
public sealed class DemoCommandTests
{
    [TestMethod]
    public void Demo_RunsThePipelineEndToEnd()
    {
        TinyRuns.RequireFashionMnist();
        using var dir = new TempDir();
        var run = dir.File("demo");
        var r = Gansdp.Run(["demo", "-n", "4", "--max-rows", "300", "--per-class", "3", "-o", run]).Expect(0);
        for (int step = 1; step <= 6; step++) StringAssert.Contains(r.Out, $"{step}/6");
        foreach (var f in new[] { "model.zip", "generated.png", "classify.json", "final.json", "report.html" })
            Assert.IsTrue(File.Exists(Path.Combine(run, f)), f);
        var grid = ImageFile.Read(Path.Combine(run, "generated.png"), ImageColorMode.Grayscale);
        Assert.AreEqual(new ImageShape(1, 10 * 30 + 2, 8 * 30 + 2), grid.Shape, "8 images per class, one row per class");
        var classify = TinyRuns.Json(Path.Combine(run, "classify.json"))["lbfgs-maximum-entropy"]!;
        Assert.AreEqual(30, classify["arms"]!["real"]!["training_rows"]!.GetValue<long>());
        Assert.AreEqual(60, classify["arms"]!["real-plus-synthetic"]!["training_rows"]!.GetValue<long>());
        StringAssert.Contains(File.ReadAllText(Path.Combine(run, "report.html")), "Downstream classifier");
        StringAssert.Contains(r.Out, Path.Combine(run, "report.html"));
        // make demo runs it again: the demo replaces its own run
        Gansdp.Run(["demo", "-n", "2", "--max-rows", "300", "--per-class", "2", "-o", run]).Expect(0);
    }
}
