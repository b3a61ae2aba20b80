using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.GanSdp.Samples.Commands;
using Ml.GanSdp.Tests.TestSupport;

namespace Ml.GanSdp.Tests.Samples;

/// <summary>
/// <c>gansdp train</c> end to end on tiny settings: the run folder against the library's own fit of the recorded options
/// (losses and generated images bit for bit), the reliability rules of #12 (6: divergence, 7: NaN options, 8: a rerun
/// into an existing run, 9: resume after kill -9, a kill during the final write, a corrupt latest checkpoint), and the
/// CIFAR-10 JPEG tree through ImageAnalytics.
/// </summary>
[TestClass]
public sealed class TrainCommandTests
{
    private static readonly string[] Tiny = ["train", "--max-rows", "300", "--width", "8", "--latent", "8", "--batch", "16", "--threads", "1", "--seed", "3"];

    [TestMethod]
    public void Train_WritesTheRunFolder_AndEqualsTheLibraryFitOfTheRecordedOptions()
    {
        var run = TinyRuns.Conditional;
        foreach (var f in new[] { "options.json", "metrics.jsonl", "model.zip", "final.json", "report.html" })
            Assert.IsTrue(File.Exists(Path.Combine(run, f)), $"{f} is missing");
        CollectionAssert.AreEqual(new[] { "samples-00000003.png", "samples-00000006.png" }, Files(run, "samples"));
        CollectionAssert.AreEqual(new[] { "checkpoint-00000003.ckpt", "checkpoint-00000006.ckpt" }, Files(run, "checkpoints"));

        // options.json holds the RESOLVED options: the model the data gives and the SDP schedule scaled to the run
        var text = File.ReadAllText(Path.Combine(run, "options.json"));
        Assert.IsFalse(text.Contains("\\u00", StringComparison.Ordinal), "no JSON escapes: " + text);
        var options = TinyRuns.Json(Path.Combine(run, "options.json"));
        Assert.AreEqual(10, options["Model"]!["NumClasses"]!.GetValue<int>());
        Assert.AreEqual(28, options["Model"]!["ImageSize"]!.GetValue<int>());
        Assert.AreEqual(1, options["Model"]!["Channels"]!.GetValue<int>());
        Assert.AreEqual(0, options["Training"]!["Sdp"]!["Threshold"]!.GetValue<long>(), "t = floor(0.03 x 6)");
        Assert.AreEqual(1, options["Training"]!["Sdp"]!["Period"]!.GetValue<long>(), "I_p = max(1, floor(0.05 x 6))");
        Assert.AreEqual(80, options["Training"]!["SampleCount"]!.GetValue<int>(), "8 samples per class");
        Assert.AreEqual("T-shirt/top", options["Data"]!["ClassNames"]![0]!.GetValue<string>());

        // metrics.jsonl: one progress line per iteration, iterations 1..6, every term of SDP
        var lines = File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Select(l => (JsonObject)JsonNode.Parse(l)!).Where(o => o.ContainsKey("loss_d")).ToList();
        CollectionAssert.AreEqual(new long[] { 1, 2, 3, 4, 5, 6 }, lines.Select(o => o["iteration"]!.GetValue<long>()).ToArray());
        foreach (var key in new[] { "D/adversarial", "G/adversarial", "D/sdp", "G/sdp", "G/sdp/k", "G/sdp/l_sdp", "G/sdp/score_gap" })
            Assert.IsTrue(lines.All(o => o.ContainsKey(key)), key);

        // the sample grid: one row of 8 cells per class, 28 + 2 padding each
        var grid = ImageFile.Read(Path.Combine(run, "samples", "samples-00000006.png"), ImageColorMode.Grayscale);
        Assert.AreEqual(new ImageShape(1, 10 * 30 + 2, 8 * 30 + 2), grid.Shape);

        // final.json: the last progress line's losses and terms
        var final = TinyRuns.Json(Path.Combine(run, "final.json"));
        foreach (var (k, v) in lines[^1].Where(p => p.Key is not ("iteration" or "it_per_s" or "elapsed_s")))
            Assert.AreEqual(v!.GetValue<double>(), final[k]!.GetValue<double>(), k);
        Assert.AreEqual(6, final["iterations"]!.GetValue<long>());

        // Oracle: the library's estimator fitted directly with the recorded options on the same rows gives the same losses,
        // and the saved model.zip generates the same images as that fitted transformer.
        var ml = new MLContext(seed: 1);
        var recorded = GanSdpOptions.FromJson(options["Training"]!.ToJsonString()) with { CheckpointDirectory = null, CheckpointInterval = 0, SampleInterval = 0 };
        var data = ml.Data.TakeRows(ml.Data.LoadFashionMnist(), 300);
        using var estimator = ml.Transforms.TrainGanSdp(recorded);
        var fitted = estimator.Fit(data);
        var summary = estimator.LastTrainingSummary!;
        Assert.AreEqual(summary.DiscriminatorLoss, final["loss_d"]!.GetValue<double>());
        Assert.AreEqual(summary.GeneratorLoss, final["loss_g"]!.GetValue<double>());
        foreach (var (k, v) in summary.Terms) Assert.AreEqual(v, final[k]!.GetValue<double>(), k);

        var loaded = ml.Model.Load(Path.Combine(run, "model.zip"), out var schema);
        var a = ml.Data.GenerateImages(loaded, schema, 3, seed: 7).GetColumn<float[]>("Image").SelectMany(x => x).ToArray();
        var b = ml.Data.GenerateImages(fitted, schema, 3, seed: 7).GetColumn<float[]>("Image").SelectMany(x => x).ToArray();
        Assert.AreEqual(30 * 784, a.Length);
        CollectionAssert.AreEqual(b, a, "model.zip is the fitted transformer");
        (loaded as IDisposable)?.Dispose();
    }

    [TestMethod]
    public void NonFiniteOrOutOfRangeOptions_AreUsageErrorsNamingTheOption_BeforeAnythingIsWritten()
    {
        using var dir = new TempDir();
        var o = dir.File("run");
        foreach (var (args, option) in new[]
        {
            (new[] { "--lr", "NaN" }, "--lr"), (["--lr-g", "NaN"], "--lr-g"), (["--lr-d", "Infinity"], "--lr-d"), (["--sdp-lambda", "NaN"], "--sdp-lambda"),
            (["--ema", "NaN"], "--ema"), (["--ema", "1"], "--ema"), (["--beta1", "NaN"], "--beta1"), (["--beta2", "1"], "--beta2"), (["--max-loss", "Infinity"], "--max-loss"),
            (["--lr", "-1"], "--lr"), (["--lr", "abc"], "--lr"), (["-n", "0"], "--iterations"), (["--batch", "0"], "--batch"), (["--regularizer", "r1=NaN"], "r1=NaN"),
            (["--regularizer", "nosuch"], "nosuch"), (["--architecture", "nosuch"], "--architecture"), (["--dataset", "folder"], "--data"),
            (["--no-sdp", "--sdp-lambda", "0.1"], "--no-sdp"), (["--ema-start", "5"], "--ema"), (["--architecture", "sngan-cnn"], "SnganCnn needs 32x32"),
        })
        {
            Gansdp.Run([.. Tiny, .. args.Contains("-n") ? [] : new[] { "-n", "2" }, .. args, "-o", o]).ExpectOneLineError(ExitCodes.Usage, option);
            Assert.IsFalse(Directory.Exists(o), $"{string.Join(' ', args)}: nothing may be written");
        }
    }

    [TestMethod]
    public void RerunIntoAnExistingRun_IsRefused_AndLeavesItIntact_UnlessOverwrite()
    {
        using var dir = new TempDir();
        var run = TinyRuns.Copy(TinyRuns.Conditional, dir.File("good"));
        File.WriteAllText(Path.Combine(run, "notes.txt"), "mine");
        var before = Snapshot(run);

        Gansdp.Run([.. Tiny, "-n", "2", "-o", run]).ExpectOneLineError(ExitCodes.Usage, "is not empty", "--resume", "--overwrite");
        Gansdp.Run([.. Tiny, "-n", "0", "-o", run]).Expect(ExitCodes.Usage);
        Gansdp.Run([.. Tiny, "-n", "2", "--lr", "NaN", "--overwrite", "-o", run]).Expect(ExitCodes.Usage);
        Gansdp.Run([.. Tiny, "-n", "2", "--architecture", "sngan-cnn", "--overwrite", "-o", run]).Expect(ExitCodes.Usage);
        Gansdp.Run([.. Tiny, "-n", "2", "--resume", "--overwrite", "-o", run]).Expect(ExitCodes.Usage);
        AssertSame(before, Snapshot(run));

        // --overwrite replaces the run's own entries only
        Gansdp.Run([.. Tiny, "-n", "2", "--overwrite", "-o", run]).Expect(0);
        Assert.AreEqual("mine", File.ReadAllText(Path.Combine(run, "notes.txt")));
        Assert.AreEqual(2, TinyRuns.Json(Path.Combine(run, "final.json"))["iterations"]!.GetValue<long>());
        CollectionAssert.AreEqual(new[] { "samples-00000001.png", "samples-00000002.png" }, Files(run, "samples"), "the old grids are gone");

        // a file where the run folder should be
        File.WriteAllText(dir.File("afile"), "x");
        Gansdp.Run([.. Tiny, "-n", "2", "-o", dir.File("afile")]).ExpectOneLineError(ExitCodes.Usage, "is a file");
    }

    [TestMethod]
    public void Divergence_IsOneLineWithIterationTermAndTheLastHealthyCheckpoint_AndResumeContinuesFromIt()
    {
        using var dir = new TempDir();
        // --lr 1e6 must not finish with rc 0: the losses pass the bound long before they become NaN
        var blown = Gansdp.Run([.. Tiny, "-n", "20", "--lr", "1e6", "--checkpoint-every", "1", "-o", dir.File("lr")]);
        blown.ExpectOneLineError(ExitCodes.Diverged, "training diverged", "at iteration 0", "beyond the bound 1E+06 (--max-loss)", "No healthy checkpoint");
        Assert.IsFalse(File.Exists(Path.Combine(dir.File("lr"), "model.zip")));
        Assert.IsFalse(File.Exists(Path.Combine(dir.File("lr"), "final.json")));
        Assert.IsTrue(File.Exists(Path.Combine(dir.File("lr"), "report.html")), "the curves up to the divergence");

        // a bound the generator loss passes after some healthy iterations: the message names the newest checkpoint left
        var run = dir.File("bound");
        var r = Gansdp.Run([.. Tiny, "-n", "60", "--lr", "2e-3", "--max-loss", "2", "--checkpoint-every", "1", "--keep-checkpoints", "100", "-o", run]);
        r.ExpectOneLineError(ExitCodes.Diverged, "training diverged", "beyond the bound 2 (--max-loss)", "last healthy checkpoint", "--resume");
        var checkpoints = Files(run, "checkpoints");
        Assert.IsTrue(checkpoints.Length > 0, r.Err);
        var named = System.Text.RegularExpressions.Regex.Match(r.Err, "checkpoint is '([^']+)'").Groups[1].Value;
        Assert.AreEqual(checkpoints[^1], Path.GetFileName(named), "the newest checkpoint left is the one named");
        long diverged = long.Parse(System.Text.RegularExpressions.Regex.Match(r.Err, "at iteration (\\d+)").Groups[1].Value);
        long healthy = long.Parse(checkpoints[^1]["checkpoint-".Length..^".ckpt".Length]);
        Assert.AreEqual(diverged - 1, healthy, "iteration N (0-based) diverged: the checkpoint after N iterations holds the weights it evaluated, so the one after N - 1 is the last healthy one");

        // resume from it with the bound lifted: completes, iterations stay monotonic
        Gansdp.Run(["train", "--resume", "--max-loss", "1e6", "-o", run]).Expect(0);
        var its = File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!["iteration"]!.GetValue<long>()).ToArray();
        CollectionAssert.AreEqual(Enumerable.Range(1, 60).Select(i => (long)i).ToArray(), its);
    }

    [TestMethod]
    public void KillMinusNine_ThenResume_TruncatesMetrics_CleansTemporaries_AndEqualsAnUninterruptedRun()
    {
        TinyRuns.RequireFashionMnist();
        using var dir = new TempDir();
        var run = dir.File("killed");
        // n = 2000 scales SDP to t = 60, I_p = 100; the child is killed long before the end
        string[] common = [.. Tiny, "--conditional", "--checkpoint-every", "5", "--keep-checkpoints", "100", "--sample-every", "7", "--progress-every", "1"];
        using (var child = Gansdp.Start([.. common, "-n", "2000", "-o", run]))
        {
            var deadline = DateTime.UtcNow.AddSeconds(120);
            while (!(Directory.Exists(Path.Combine(run, "checkpoints")) && Files(run, "checkpoints").Length >= 2 && MetricsCount(run) >= 13))
            {
                Assert.IsFalse(child.HasExited, $"the child ended before it was killed: {child.StandardError.ReadToEnd()}");
                Assert.IsTrue(DateTime.UtcNow < deadline, "the child made no progress");
                Thread.Sleep(10);
            }
            child.Kill(entireProcessTree: true); // SIGKILL
            child.WaitForExit();
            // temporaries of writes the kill interrupted (the writer, the killed child, is gone)
            File.WriteAllText(Path.Combine(run, $".final.json.{child.Id}.{Guid.NewGuid():N}.tmp"), "half");
            File.WriteAllText(Path.Combine(run, "samples", $".samples-00000014.png.{child.Id}.{Guid.NewGuid():N}.tmp"), "half");
        }
        int killedLines = MetricsCount(run);
        long newestCheckpoint = Files(run, "checkpoints").Select(f => long.Parse(f["checkpoint-".Length..^".ckpt".Length])).Max();
        Assert.IsTrue(killedLines > newestCheckpoint, $"the kill left metrics lines after the newest checkpoint ({killedLines} lines, checkpoint {newestCheckpoint}): the truncation is exercised");
        long target = 70; // past t = 60: the comparison covers SDP's terms

        var resumed = Gansdp.Run(["train", "--resume", "-n", target.ToString(), "-o", run]).Expect(0);
        StringAssert.Contains(resumed.Err, "left by an interrupted write");
        Assert.AreEqual(0, Directory.GetFiles(run, ".*.tmp", SearchOption.AllDirectories).Length, "stale temporaries deleted");
        var lines = MetricsLines(run);
        CollectionAssert.AreEqual(Enumerable.Range(1, (int)target).Select(i => (long)i).ToArray(), lines.Where(l => l.ContainsKey("loss_d")).Select(l => l["iteration"]!.GetValue<long>()).ToArray(),
            $"monotonic, no repeats (the kill left {killedLines} lines)");

        // the uninterrupted run of the same recorded options
        var straight = dir.File("straight");
        Gansdp.Run([.. common, "-n", target.ToString(), "--sdp-t", "60", "--sdp-period", "100", "-o", straight]).Expect(0);
        var expected = MetricsLines(straight);
        Assert.AreEqual(expected.Count, lines.Count);
        for (int i = 0; i < expected.Count; i++)
            foreach (var (k, v) in expected[i].Where(p => p.Key is not ("it_per_s" or "elapsed_s")))
                Assert.AreEqual(v!.ToJsonString(), lines[i][k]?.ToJsonString(), $"line {i + 1} field {k}");
        var f1 = TinyRuns.Json(Path.Combine(run, "final.json"));
        var f2 = TinyRuns.Json(Path.Combine(straight, "final.json"));
        foreach (var k in new[] { "loss_d", "loss_g", "G/sdp", "D/sdp", "G/sdp/k" }) Assert.AreEqual(f2[k]!.GetValue<double>(), f1[k]!.GetValue<double>(), k);
        Assert.AreEqual(target, f1["iterations"]!.GetValue<long>());
    }

    [TestMethod]
    public void KillDuringTheFinalWrite_ThenResume_WritesACompleteFinalJson()
    {
        using var dir = new TempDir();
        var run = TinyRuns.Copy(TinyRuns.Conditional, dir.File("run"));
        var original = TinyRuns.Json(Path.Combine(run, "final.json"));
        var metrics = File.ReadAllText(Path.Combine(run, "metrics.jsonl"));
        // the kill came while model.zip was being written: no model.zip, no final.json, a temporary of a dead writer
        File.Delete(Path.Combine(run, "model.zip"));
        File.Delete(Path.Combine(run, "final.json"));
        File.WriteAllText(Path.Combine(run, $".model.zip.{DeadProcessId()}.{Guid.NewGuid():N}.tmp"), "PK");

        Gansdp.Run(["train", "--resume", "-o", run]).Expect(0);
        var final = TinyRuns.Json(Path.Combine(run, "final.json"));
        Assert.AreEqual(0, final["iterations_this_run"]!.GetValue<long>(), "the checkpoint was the last iteration: nothing left to train");
        foreach (var k in new[] { "loss_d", "loss_g", "D/adversarial", "G/adversarial", "D/sdp", "G/sdp", "G/sdp/k", "G/sdp/l_sdp", "G/sdp/score_gap" })
            Assert.AreEqual(original[k]!.GetValue<double>(), final[k]!.GetValue<double>(), k);
        Assert.AreEqual(metrics, File.ReadAllText(Path.Combine(run, "metrics.jsonl")), "metrics kept as they were");
        Assert.AreEqual(0, Directory.GetFiles(run, ".*.tmp").Length);
        Assert.AreEqual(6, GanSdpModelInfo.Read(Path.Combine(run, "model.zip")).Training.Iterations);
    }

    [TestMethod]
    public void CorruptLatestCheckpoint_FallsBackToThePreviousOne_AndSaysSo()
    {
        using var dir = new TempDir();
        var run = TinyRuns.Copy(TinyRuns.Conditional, dir.File("run"));
        var original = TinyRuns.Json(Path.Combine(run, "final.json"));
        var latest = Path.Combine(run, "checkpoints", "checkpoint-00000006.ckpt");
        var bytes = File.ReadAllBytes(latest);
        File.WriteAllBytes(latest, bytes[..(bytes.Length / 2)]);
        File.Delete(Path.Combine(run, "final.json"));

        var r = Gansdp.Run(["train", "--resume", "-o", run]).Expect(0);
        StringAssert.Contains(r.Err, "Skipping checkpoint");
        StringAssert.Contains(r.Err, "checkpoint-00000006.ckpt");
        StringAssert.Contains(r.Out, "iteration 3");
        var final = TinyRuns.Json(Path.Combine(run, "final.json"));
        Assert.AreEqual(3, final["iterations_this_run"]!.GetValue<long>(), "iterations 4..6 trained again");
        // retraining from the checkpoint of iteration 3 reproduces the lost iterations exactly
        foreach (var k in new[] { "loss_d", "loss_g", "G/sdp" }) Assert.AreEqual(original[k]!.GetValue<double>(), final[k]!.GetValue<double>(), k);
        CollectionAssert.AreEqual(new long[] { 1, 2, 3, 4, 5, 6 }, MetricsLines(run).Select(l => l["iteration"]!.GetValue<long>()).ToArray());
    }

    [TestMethod]
    public void Resume_RefusesOptionsThatWouldChangeTheRun_AndNeedsARunFolder()
    {
        using var dir = new TempDir();
        var run = TinyRuns.Copy(TinyRuns.Conditional, dir.File("run"));
        Gansdp.Run(["train", "--resume", "--width", "16", "--seed", "4", "-o", run]).ExpectOneLineError(ExitCodes.Usage, "--width", "--seed", "cannot change");
        Gansdp.Run(["train", "--resume", "-n", "2", "-o", run]).ExpectOneLineError(ExitCodes.Usage, "below the 6 iterations");
        Directory.CreateDirectory(dir.File("empty"));
        Gansdp.Run(["train", "--resume", "-o", dir.File("empty")]).ExpectOneLineError(ExitCodes.Usage, "not a gansdp run folder");
    }

    [TestMethod]
    public void CifarJpegFolder_TrainsThroughImageAnalytics_AsAConditionalRgbRun()
    {
        var tarball = Path.Combine(Repo.Shared, "datasets", "cifar10-jpg.tar.gz");
        if (!File.Exists(tarball)) Assert.Inconclusive($"{tarball} is not available.");
        using var dir = new TempDir();
        var root = ExtractCifar(tarball, dir.File("cifar"), classes: 3, perClass: 4);
        var run = dir.File("run");
        Gansdp.Run(["train", "--dataset", "folder", "--data", root, "-n", "2", "--width", "8", "--latent", "8", "--batch", "4", "--conditional", "--threads", "1", "-o", run]).Expect(0);
        var options = TinyRuns.Json(Path.Combine(run, "options.json"));
        Assert.AreEqual(3, options["Model"]!["Channels"]!.GetValue<int>());
        Assert.AreEqual(32, options["Model"]!["ImageSize"]!.GetValue<int>());
        Assert.AreEqual(3, options["Model"]!["NumClasses"]!.GetValue<int>());
        var info = GanSdpModelInfo.Read(Path.Combine(run, "model.zip"));
        Assert.AreEqual(new ImageShape(3, 32, 32), info.ImageShape);
        Assert.AreEqual(12, info.Training.Rows);
        CollectionAssert.AreEqual(Directory.GetDirectories(root).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray(), info.ClassNames.ToArray());
    }

    /// <summary>The first <paramref name="perClass"/> train JPEGs of the first <paramref name="classes"/> classes of the CIFAR-10 JPEG tarball.</summary>
    internal static string ExtractCifar(string tarball, string root, int classes, int perClass)
    {
        var counts = new Dictionary<string, int>();
        using var gz = new GZipStream(File.OpenRead(tarball), CompressionMode.Decompress);
        using var tar = new TarReader(gz);
        while (tar.GetNextEntry() is { } e)
        {
            var parts = e.Name.Split('/');
            if (e.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || parts.Length != 4 || parts[1] != "train" || !parts[3].EndsWith(".jpg", StringComparison.Ordinal)) continue;
            counts.TryGetValue(parts[2], out var have);
            if (have >= perClass || (!counts.ContainsKey(parts[2]) && counts.Count >= classes)) { if (counts.Count >= classes && counts.Values.All(v => v >= perClass)) break; continue; }
            counts[parts[2]] = have + 1;
            Directory.CreateDirectory(Path.Combine(root, parts[2]));
            e.ExtractToFile(Path.Combine(root, parts[2], parts[3]), overwrite: true);
        }
        return root;
    }

    private static string[] Files(string run, string sub) => Directory.GetFiles(Path.Combine(run, sub)).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    private static int MetricsCount(string run)
    {
        try { return File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Length; }
        catch (IOException) { return 0; }
    }

    private static List<JsonObject> MetricsLines(string run) => File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Select(l => (JsonObject)JsonNode.Parse(l)!).ToList();

    private static Dictionary<string, string> Snapshot(string dir) => Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
        .ToDictionary(f => Path.GetRelativePath(dir, f), f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))));

    private static void AssertSame(Dictionary<string, string> before, Dictionary<string, string> after)
    {
        CollectionAssert.AreEquivalent(before.Keys.ToArray(), after.Keys.ToArray());
        foreach (var (k, v) in before) Assert.AreEqual(v, after[k], k);
    }

    /// <summary>The id of a process that has exited.</summary>
    internal static int DeadProcessId()
    {
        using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("true") { UseShellExecute = false })!;
        p.WaitForExit();
        return p.Id;
    }
}
