using System.Text.Json;
using Ml.GanSdp.Reporting;

namespace Ml.GanSdp.Samples.Commands;

/// <summary>Renders a run folder's report.html from its metrics.jsonl, samples/*.png, options.json and final.json.</summary>
internal static class ReportWriter
{
    public static readonly (string Title, string[] Series)[] Charts =
    {
        ("Losses", new[] { "loss_d", "loss_g" }),
        ("Adversarial terms", new[] { "D/adversarial", "G/adversarial" }),
        ("SDP penalty (lambda/k) L_SDP", new[] { "D/sdp", "G/sdp" }),
        ("L_SDP (unweighted)", new[] { "D/sdp/l_sdp", "G/sdp/l_sdp" }),
        ("SDP k", new[] { "G/sdp/k" }),
        ("SDP score gap", new[] { "D/sdp/score_gap", "G/sdp/score_gap" }),
        ("Frechet distance (classifier features)", new[] { "fd" }),
        ("Speed (it/s)", new[] { "it_per_s" }),
    };

    /// <summary>Writes <c>report.html</c> into <paramref name="runFolder"/> and returns its path.</summary>
    public static string Write(string runFolder)
    {
        var metricsPath = Path.Combine(runFolder, "metrics.jsonl");
        if (!File.Exists(metricsPath)) throw new FileNotFoundException($"'{runFolder}' is not a run folder: it has no metrics.jsonl.", metricsPath);
        var metrics = HtmlReport.ReadMetrics(metricsPath);
        var samples = Directory.Exists(Path.Combine(runFolder, "samples"))
            ? Directory.GetFiles(Path.Combine(runFolder, "samples"), "*.png").OrderBy(p => p, StringComparer.Ordinal).ToList()
            : new List<string>();
        // at most 12 grids: evenly spaced, always the last
        if (samples.Count > 12) samples = Enumerable.Range(0, 12).Select(i => samples[(int)Math.Round(i * (samples.Count - 1) / 11.0)]).Distinct().ToList();
        var grids = samples.Select(p => (Caption(p), p)).ToList();
        var optionsPath = Path.Combine(runFolder, "options.json");
        string? options = File.Exists(optionsPath) ? File.ReadAllText(optionsPath) : null;
        Dictionary<string, string>? final = null;
        var finalPath = Path.Combine(runFolder, "final.json");
        if (File.Exists(finalPath))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(finalPath));
            final = doc.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ToString());
        }
        var html = Path.Combine(runFolder, "report.html");
        HtmlReport.Write(html, $"Ml.GanSdp run {Path.GetFileName(Path.GetFullPath(runFolder).TrimEnd('/'))}", metrics, Charts, grids, options, final);
        return html;
    }

    private static string Caption(string png)
    {
        var name = Path.GetFileNameWithoutExtension(png);
        var digits = new string(name.Where(char.IsDigit).ToArray());
        return long.TryParse(digits, out var it) ? $"iteration {it}" : name;
    }
}
