using System.Text.RegularExpressions;
using Ml.GanSdp.Reporting;
using Ml.GanSdp.Tests.TestSupport;

namespace Ml.GanSdp.Tests.Reporting;

/// <summary>The report's parts: metrics parsing, round ticks (against hand-computed values), the chart geometry, and the page layout.</summary>
[TestClass]
public class HtmlReportTests
{
    [TestMethod]
    public void MetricsAreReadBySeriesIncludingNonFiniteValues()
    {
        using var dir = new TempDir();
        File.WriteAllLines(dir.File("m.jsonl"),
        [
            "{\"iteration\": 1, \"loss_d\": 1.5, \"loss_g\": 0.7, \"note\": \"x\"}",
            "{\"iteration\": 2, \"loss_d\": \"NaN\", \"loss_g\": 0.6}",
            "",
            "{\"iteration\": 3, \"loss_d\": 1.2}",
        ]);
        var m = HtmlReport.ReadMetrics(dir.File("m.jsonl"));
        CollectionAssert.AreEquivalent(new[] { "loss_d", "loss_g" }, m.Keys.ToArray());
        Assert.AreEqual(3, m["loss_d"].Count);
        Assert.IsTrue(double.IsNaN(m["loss_d"][1].Y));
        Assert.AreEqual((3.0, 1.2), m["loss_d"][2]);
        Assert.AreEqual(2, m["loss_g"].Count);
    }

    [TestMethod]
    public void BadMetricsLineNamesFileAndLine_ButAnUnterminatedLastLineIsACutWrite()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("m.jsonl"), "{\"iteration\": 1, \"a\": 1}\nnot json\n{\"iteration\": 2, \"a\": 2}\n");
        var e = Assert.ThrowsExactly<InvalidDataException>(() => HtmlReport.ReadMetrics(dir.File("m.jsonl")));
        StringAssert.Contains(e.Message, "m.jsonl:2");

        // a writer killed in the middle of a line: the fragment (no newline after it) is left out
        File.WriteAllText(dir.File("cut.jsonl"), "{\"iteration\": 1, \"a\": 1}\n{\"iteration\": 2, \"a\"");
        Assert.AreEqual(1, HtmlReport.ReadMetrics(dir.File("cut.jsonl"))["a"].Count);
        // the same fragment followed by a newline was written whole: it is an error
        File.WriteAllText(dir.File("bad.jsonl"), "{\"iteration\": 1, \"a\": 1}\n{\"iteration\": 2, \"a\"\n");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => HtmlReport.ReadMetrics(dir.File("bad.jsonl"))).Message, "bad.jsonl:2");
    }

    [TestMethod]
    public void TicksAreRoundMultiplesOfOneTwoOrFive()
    {
        // raw step = span / 5; f = raw / 10^floor(log10 raw) -> 1 (f < 1.5), 2 (f < 3), 5 (f < 7), 10
        Assert.AreEqual(500, ChartTicks.Step(2000));      // raw 400: f 4 -> 5
        Assert.AreEqual(200, ChartTicks.Step(1234));      // raw 246.8: f 2.468 -> 2
        Assert.AreEqual(1, ChartTicks.Step(5));           // raw 1: f 1 -> 1
        Assert.AreEqual(0.1, ChartTicks.Step(0.7), 1e-15); // raw 0.14: f 1.4 -> 1, times 0.1
        Assert.AreEqual(1000, ChartTicks.Step(4000));     // raw 800: f 8 -> 10
        CollectionAssert.AreEqual(new double[] { 0, 500, 1000, 1500, 2000 }, ChartTicks.Multiples(0, 2000, 500).ToArray());
        CollectionAssert.AreEqual(new double[] { 200, 400, 600 }, ChartTicks.Multiples(130, 700, 200).ToArray());
        // span 1.65: raw 0.33, f 3.3 -> 5 x 0.1; widened outward to multiples of 0.5
        Assert.AreEqual((-0.5, 2.0, 0.5), ChartTicks.Extend(-0.13, 1.52, 5));
    }

    [TestMethod]
    public void ChartMapsTheDomainToThePlotAndLabelsRoundTicks()
    {
        // one series: legend row 14 -> plot top 26 + 14 = 40; plot x in [64, 480 - 16 = 464], y in [40, 260 - 36 = 224]
        var svg = SvgLineChart.Render("t", [new ChartSeries("s", [(0.0, 0.0), (1000.0, 5.0), (500.0, double.NaN)])], xDomain: (0, 1000));
        var pts = Regex.Match(svg, "points=\"([^\"]+)\"").Groups[1].Value;
        Assert.AreEqual("64.0,224.0 464.0,40.0", pts, "y 0..5 is already round (4 intervals: raw 1.25 -> step 1)");
        StringAssert.Contains(svg, "s (1 non-finite)");
        var xLabels = Regex.Matches(svg, "text-anchor=\"middle\" font-size=\"10\">([^<]+)<").Select(m => m.Groups[1].Value).ToArray();
        CollectionAssert.AreEqual(new[] { "0", "200", "400", "600", "800", "1000" }, xLabels);
    }

    [TestMethod]
    public void PageHasTheLatestGridFirst_ChartsInAGrid_NoScripts_AndEscapesText()
    {
        using var dir = new TempDir();
        var png = TinyPng(20, 30);
        File.WriteAllBytes(dir.File("late.png"), png);
        File.WriteAllBytes(dir.File("early.png"), TinyPng(10, 10));
        var metrics = new Dictionary<string, List<(double X, double Y)>> { ["loss_d"] = [(1, 1), (2, 0.5)] };
        HtmlReport.Write(dir.File("report.html"), new ReportContent
        {
            Title = "Run <1>",
            Latest = new ReportImage("iteration 2", dir.File("late.png"), ["cat", "dog"], CellSize: 14),
            Summary = [new ReportTable("Final", [("FD", "12.3")])],
            Metrics = metrics,
            Charts = [new ReportChart("Losses", ["loss_d", "loss_g"]), new ReportChart("Absent", ["fd"])],
            Gallery = [new ReportImage("iteration 1", dir.File("early.png"))],
            Details = [new ReportTable("Model", [("Schema", "Vector<Single, 1, 28, 28>")])],
        });
        var html = File.ReadAllText(dir.File("report.html"));
        StringAssert.Contains(html, "Run &lt;1&gt;");
        Assert.AreEqual(1, Regex.Matches(html, "<svg").Count, "only the chart with data is drawn");
        int latest = html.IndexOf(Convert.ToBase64String(png), StringComparison.Ordinal), chart = html.IndexOf("<svg", StringComparison.Ordinal);
        Assert.IsTrue(latest > 0 && latest < chart, "the latest grid comes before the curves");
        Assert.IsTrue(html.IndexOf(Convert.ToBase64String(File.ReadAllBytes(dir.File("early.png"))), StringComparison.Ordinal) > chart, "earlier grids after the curves");
        StringAssert.Contains(html, "Vector&lt;Single, 1, 28, 28&gt;");
        Assert.IsFalse(html.Contains("\\u003C", StringComparison.OrdinalIgnoreCase));
        StringAssert.Contains(html, ">cat</div>");
        StringAssert.Contains(html, "grid-template-columns");
        Assert.IsFalse(html.Contains("<script", StringComparison.OrdinalIgnoreCase));
    }

    [TestMethod]
    public void PngSizeIsReadFromTheHeader()
    {
        Assert.AreEqual((20, 30), HtmlReport.PngSize(TinyPng(20, 30)));
        Assert.AreEqual((0, 0), HtmlReport.PngSize([1, 2, 3]));
    }

    /// <summary>A gray PNG of the given size, encoded by the library's image writer.</summary>
    private static byte[] TinyPng(int width, int height) => ImageFile.EncodePng(new ImagePixels(new ImageShape(1, height, width), new float[width * height]));
}
