using System.Globalization;
using System.Text.RegularExpressions;
using Ml.GanSdp.Reporting;
using Ml.GanSdp.Samples.Commands;
using Ml.GanSdp.Tests.TestSupport;

namespace Ml.GanSdp.Tests.Samples;

/// <summary>
/// report.html of a run (and <c>gansdp report</c>): the resolved options (the run's real classes, image size and SDP
/// schedule), no JSON-escaped text, the latest grid first with the class names beside its rows, the curves with round
/// iteration ticks, a note on unfinished runs.
/// </summary>
[TestClass]
public sealed class RunReportTests
{
    [TestMethod]
    public void Report_ShowsResolvedOptions_LatestGridFirst_AndRoundTicks()
    {
        var run = TinyRuns.Conditional;
        var html = File.ReadAllText(Path.Combine(run, "report.html"));
        Assert.IsFalse(html.Contains("\\u00", StringComparison.OrdinalIgnoreCase), "no JSON escapes");
        StringAssert.Contains(html, "<th>NumClasses</th><td>10</td>");
        StringAssert.Contains(html, "<th>ImageSize</th><td>28</td>");
        StringAssert.Contains(html, "<th>Threshold</th><td>0</td>");
        StringAssert.Contains(html, "<th>Period</th><td>1</td>");
        StringAssert.Contains(html, "T-shirt/top, Trouser");

        // the first image is the latest grid, with the ten class names beside it in class order
        var firstImage = Regex.Match(html, "<img[^>]*src=\"data:image/png;base64,([^\"]+)\"").Groups[1].Value;
        Assert.AreEqual(Convert.ToBase64String(File.ReadAllBytes(Path.Combine(run, "samples", "samples-00000006.png"))), firstImage);
        var labels = Regex.Matches(html[..html.IndexOf("<img", StringComparison.Ordinal)], "px\">([^<]+)</div>").Select(m => m.Groups[1].Value).ToArray();
        CollectionAssert.AreEqual(KnownClassNames.FashionMnist.Select(System.Net.WebUtility.HtmlEncode).ToArray(), labels);
        Assert.IsTrue(html.IndexOf("<img", StringComparison.Ordinal) < html.IndexOf("<svg", StringComparison.Ordinal), "grid before curves");

        foreach (var title in new[] { "Losses", "Adversarial terms", "SDP penalty (lambda / k) L_SDP", "L_SDP (unweighted)", "SDP k", "SDP score gap", "Speed (iterations / s)" })
            StringAssert.Contains(html, System.Net.WebUtility.HtmlEncode(title));

        // every chart's x ticks are the multiples of one 1/2/5 x 10^k step
        foreach (Match svg in Regex.Matches(html, "<svg.*?</svg>"))
        {
            var ticks = Regex.Matches(svg.Value, "text-anchor=\"middle\" font-size=\"10\">([^<]+)<").Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToArray();
            Assert.IsTrue(ticks.Length >= 2, svg.Value[..80]);
            double step = ticks[1] - ticks[0];
            Assert.AreEqual(ChartTicks.Step(6), step, 1e-12, "the run's 6 iterations on a round step");
            for (int i = 0; i < ticks.Length; i++) Assert.AreEqual(ticks[0] + i * step, ticks[i], 1e-9);
        }
    }

    [TestMethod]
    public void ReportCommand_Rerenders_NotesAnUnfinishedRun_AndNamesABadMetricsLine()
    {
        using var dir = new TempDir();
        var run = TinyRuns.Copy(TinyRuns.Conditional, dir.File("run"));
        File.Delete(Path.Combine(run, "report.html"));
        File.Delete(Path.Combine(run, "final.json"));
        Gansdp.Run(["report", run]).Expect(0);
        var html = File.ReadAllText(Path.Combine(run, "report.html"));
        StringAssert.Contains(html, "has no final.json");
        StringAssert.Contains(html, "--resume");

        File.AppendAllText(Path.Combine(run, "metrics.jsonl"), "garbage\n{\"iteration\": 7}\n");
        Gansdp.Run(["report", run]).ExpectOneLineError(ExitCodes.Failure, "metrics.jsonl:7");
        Gansdp.Run(["report", dir.File("nosuch")]).ExpectOneLineError(ExitCodes.Usage, "does not exist");
        Directory.CreateDirectory(dir.File("empty"));
        Gansdp.Run(["report", dir.File("empty")]).ExpectOneLineError(ExitCodes.Failure, "not a gansdp run folder");
    }
}
