using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Ml.GanSdp.Serialization;

namespace Ml.GanSdp.Reporting;

/// <summary>
/// A training report as ONE self-contained HTML file: loss, penalty and distance curves as inline SVG, the
/// sample grids as embedded PNGs, the options and the final metrics. Opens in any browser offline.
/// </summary>
public static class HtmlReport
{
    /// <summary>
    /// Reads a run's <c>metrics.jsonl</c> (one JSON object per line with an "iteration" number and numeric
    /// fields) into series by field name. Lines that are not JSON objects are reported, not ignored.
    /// </summary>
    public static Dictionary<string, List<(double X, double Y)>> ReadMetrics(string metricsJsonlPath)
    {
        var series = new Dictionary<string, List<(double, double)>>();
        int lineNo = 0;
        foreach (var line in File.ReadLines(metricsJsonlPath))
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonDocument doc;
            try { doc = JsonDocument.Parse(line); }
            catch (JsonException e) { throw new InvalidDataException($"{metricsJsonlPath}:{lineNo}: not a JSON object ({e.Message})."); }
            using (doc)
            {
                if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("iteration", out var it) || it.ValueKind != JsonValueKind.Number)
                    throw new InvalidDataException($"{metricsJsonlPath}:{lineNo}: expected an object with a numeric \"iteration\".");
                double x = it.GetDouble();
                foreach (var p in doc.RootElement.EnumerateObject())
                {
                    if (p.Name == "iteration") continue;
                    double? y = p.Value.ValueKind switch
                    {
                        JsonValueKind.Number => p.Value.GetDouble(),
                        JsonValueKind.String when p.Value.GetString() is "NaN" => double.NaN,
                        JsonValueKind.String when p.Value.GetString() is "Infinity" => double.PositiveInfinity,
                        JsonValueKind.String when p.Value.GetString() is "-Infinity" => double.NegativeInfinity,
                        _ => null,
                    };
                    if (y is null) continue;
                    if (!series.TryGetValue(p.Name, out var list)) series[p.Name] = list = new();
                    list.Add((x, y.Value));
                }
            }
        }
        return series;
    }

    /// <summary>
    /// Renders the report. <paramref name="charts"/> groups series into charts (title -> series names); series
    /// absent from the metrics are left out. <paramref name="sampleGrids"/> are (caption, PNG path) pairs.
    /// </summary>
    public static string Render(string title, IReadOnlyDictionary<string, List<(double X, double Y)>> metrics,
        IReadOnlyList<(string Title, string[] Series)> charts, IReadOnlyList<(string Caption, string PngPath)> sampleGrids,
        string? optionsJson = null, IReadOnlyDictionary<string, string>? finalMetrics = null)
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(Esc(title)).Append("</title>");
        sb.Append("<style>body{font-family:sans-serif;margin:24px;max-width:1400px}figure{display:inline-block;margin:8px;vertical-align:top}figcaption{font-size:12px;text-align:center}pre{background:#f4f4f4;padding:8px;overflow:auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}img{image-rendering:pixelated}</style></head><body>");
        sb.Append("<h1>").Append(Esc(title)).Append("</h1>");
        if (finalMetrics is { Count: > 0 })
        {
            sb.Append("<h2>Final metrics</h2><table>");
            foreach (var (k, v) in finalMetrics) sb.Append("<tr><th>").Append(Esc(k)).Append("</th><td>").Append(Esc(v)).Append("</td></tr>");
            sb.Append("</table>");
        }
        sb.Append("<h2>Curves</h2>");
        foreach (var (chartTitle, names) in charts)
        {
            var present = names.Where(metrics.ContainsKey).Select(n => new ChartSeries(n, metrics[n])).ToList();
            if (present.Count == 0) continue;
            sb.Append("<figure>").Append(SvgLineChart.Render(chartTitle, present)).Append("</figure>");
        }
        if (sampleGrids.Count > 0)
        {
            sb.Append("<h2>Samples</h2>");
            foreach (var (caption, path) in sampleGrids)
            {
                var b64 = Convert.ToBase64String(File.ReadAllBytes(path));
                sb.Append("<figure><img width=\"256\" alt=\"").Append(Esc(caption)).Append("\" src=\"data:image/png;base64,").Append(b64)
                  .Append("\"><figcaption>").Append(Esc(caption)).Append("</figcaption></figure>");
            }
        }
        if (optionsJson is not null) sb.Append("<h2>Options</h2><pre>").Append(Esc(optionsJson)).Append("</pre>");
        sb.Append(CultureInfo.InvariantCulture, $"<p style=\"font-size:11px;color:#666\">Generated by Ml.GanSdp on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.</p></body></html>");
        return sb.ToString();
    }

    /// <summary>Renders and writes the report atomically.</summary>
    public static void Write(string path, string title, IReadOnlyDictionary<string, List<(double X, double Y)>> metrics,
        IReadOnlyList<(string Title, string[] Series)> charts, IReadOnlyList<(string Caption, string PngPath)> sampleGrids,
        string? optionsJson = null, IReadOnlyDictionary<string, string>? finalMetrics = null)
        => AtomicFile.WriteAllText(path, Render(title, metrics, charts, sampleGrids, optionsJson, finalMetrics));

    private static string Esc(string s) => WebUtility.HtmlEncode(s);
}
