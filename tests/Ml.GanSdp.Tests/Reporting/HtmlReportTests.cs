using System.Text.RegularExpressions;
using Ml.GanSdp.Reporting;
using Ml.GanSdp.Tests.TestSupport;

namespace Ml.GanSdp.Tests.Reporting;

[TestClass]
public class HtmlReportTests
{
    [TestMethod]
    public void MetricsAreReadBySeriesIncludingNonFiniteValues()
    {
        using var dir = new TempDir();
        File.WriteAllLines(dir.File("m.jsonl"), new[]
        {
            "{\"iteration\": 1, \"loss_d\": 1.5, \"loss_g\": 0.7, \"note\": \"x\"}",
            "{\"iteration\": 2, \"loss_d\": \"NaN\", \"loss_g\": 0.6}",
            "",
            "{\"iteration\": 3, \"loss_d\": 1.2}",
        });
        var m = HtmlReport.ReadMetrics(dir.File("m.jsonl"));
        CollectionAssert.AreEquivalent(new[] { "loss_d", "loss_g" }, m.Keys.ToArray());
        Assert.AreEqual(3, m["loss_d"].Count);
        Assert.IsTrue(double.IsNaN(m["loss_d"][1].Y));
        Assert.AreEqual((3.0, 1.2), m["loss_d"][2]);
        Assert.AreEqual(2, m["loss_g"].Count);
    }

    [TestMethod]
    public void BadMetricsLineNamesFileAndLine()
    {
        using var dir = new TempDir();
        File.WriteAllLines(dir.File("m.jsonl"), new[] { "{\"iteration\": 1, \"a\": 1}", "not json" });
        var e = Assert.ThrowsExactly<InvalidDataException>(() => HtmlReport.ReadMetrics(dir.File("m.jsonl")));
        StringAssert.Contains(e.Message, "m.jsonl:2");
    }

    [TestMethod]
    public void ChartPolylineMapsTheExtremesToThePlotCorners()
    {
        var svg = SvgLineChart.Render("t", new[] { new ChartSeries("s", new[] { (0.0, 0.0), (10.0, 5.0), (5.0, double.NaN) }) }, width: 200, height: 100);
        // plot area: left 60, right 16, top 28, bottom 40 => x in [60, 184], y in [28, 60]
        var pts = Regex.Match(svg, "points=\"([^\"]+)\"").Groups[1].Value;
        Assert.AreEqual("60.0,60.0 184.0,28.0", pts);
        StringAssert.Contains(svg, "s (1 non-finite)");
    }

    [TestMethod]
    public void ReportEmbedsChartsAndSamplesAsSelfContainedHtml()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("grid.png"), new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3 });
        var metrics = new Dictionary<string, List<(double X, double Y)>> { ["loss_d"] = new() { (1, 1), (2, 0.5) } };
        HtmlReport.Write(dir.File("report.html"), "Run <1>", metrics,
            new[] { ("Losses", new[] { "loss_d", "loss_g" }), ("Absent", new[] { "fd" }) },
            new[] { ("iteration 2", dir.File("grid.png")) }, "{\"a\":1}", new Dictionary<string, string> { ["FD"] = "12.3" });
        var html = File.ReadAllText(dir.File("report.html"));
        StringAssert.Contains(html, "Run &lt;1&gt;");
        Assert.AreEqual(1, Regex.Matches(html, "<svg").Count, "only the chart with data is drawn");
        StringAssert.Contains(html, "data:image/png;base64," + Convert.ToBase64String(File.ReadAllBytes(dir.File("grid.png"))));
        StringAssert.Contains(html, "12.3");
        Assert.IsFalse(html.Contains("<script", StringComparison.OrdinalIgnoreCase));
    }
}
