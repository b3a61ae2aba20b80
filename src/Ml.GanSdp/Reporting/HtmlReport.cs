using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Ml.GanSdp.Serialization;

namespace Ml.GanSdp.Reporting;

/// <summary>A sample grid in a report: its caption, the PNG file, and optionally one label per block of grid rows.</summary>
/// <param name="Caption">Shown under the image.</param>
/// <param name="PngPath">The PNG file (embedded as a data URI).</param>
/// <param name="RowLabels">
/// Labels beside the grid: entry i names the <paramref name="RowsPerLabel"/> rows of cells starting at row i x RowsPerLabel
/// (e.g. one class per row of a per-class grid). Null: none.
/// </param>
/// <param name="CellSize">The height in pixels of one cell row of the grid (image height + padding), to align the labels.</param>
/// <param name="RowsPerLabel">Rows of cells per label.</param>
public sealed record ReportImage(string Caption, string PngPath, IReadOnlyList<string>? RowLabels = null, int CellSize = 0, int RowsPerLabel = 1);

/// <summary>A chart of a report: its title and the metrics series it draws (absent series are left out).</summary>
public sealed record ReportChart(string Title, IReadOnlyList<string> Series);

/// <summary>A titled table of (name, value) rows.</summary>
public sealed record ReportTable(string Title, IReadOnlyList<(string Name, string Value)> Rows);

/// <summary>What <see cref="HtmlReport.Render"/> lays out, top to bottom.</summary>
public sealed record ReportContent
{
    /// <summary>The page title.</summary>
    public required string Title { get; init; }
    /// <summary>A line under the title (what was trained on what).</summary>
    public string? Subtitle { get; init; }
    /// <summary>The latest sample grid, shown first and large.</summary>
    public ReportImage? Latest { get; init; }
    /// <summary>Tables shown beside the latest grid (e.g. the final metrics).</summary>
    public IReadOnlyList<ReportTable> Summary { get; init; } = [];
    /// <summary>The metrics series by name (see <see cref="HtmlReport.ReadMetrics"/>).</summary>
    public IReadOnlyDictionary<string, List<(double X, double Y)>> Metrics { get; init; } = new Dictionary<string, List<(double X, double Y)>>();
    /// <summary>The charts, laid out in a grid sharing one x (iteration) domain.</summary>
    public IReadOnlyList<ReportChart> Charts { get; init; } = [];
    /// <summary>The x domain of all charts; null: from 0 (or the smallest x) to the largest x in the metrics.</summary>
    public (double Min, double Max)? XDomain { get; init; }
    /// <summary>Earlier sample grids, oldest first.</summary>
    public IReadOnlyList<ReportImage> Gallery { get; init; } = [];
    /// <summary>Tables at the end (e.g. the resolved options, one table per group).</summary>
    public IReadOnlyList<ReportTable> Details { get; init; } = [];
    /// <summary>Notes shown under the title (e.g. "training diverged at iteration 12").</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <summary>
/// A training report as ONE self-contained HTML file (inline SVG charts, PNG grids as data URIs, no scripts): the latest
/// sample grid first with the final metrics beside it, the curves in a responsive grid with round iteration ticks, the
/// earlier grids, then the resolved options. Opens in any browser offline.
/// </summary>
public static class HtmlReport
{
    /// <summary>
    /// Reads a run's <c>metrics.jsonl</c> (one JSON object per line with a numeric "iteration" and numeric fields; non-finite
    /// values as the strings "NaN", "Infinity", "-Infinity") into series by field name. A malformed line is an error
    /// naming the file and line, except the file's last line when the file does not end with a newline: a line cut short
    /// by a killed writer, which is left out.
    /// </summary>
    public static Dictionary<string, List<(double X, double Y)>> ReadMetrics(string metricsJsonlPath)
    {
        var series = new Dictionary<string, List<(double, double)>>(StringComparer.Ordinal);
        var text = File.ReadAllText(metricsJsonlPath);
        var lines = text.Split('\n');
        bool unterminated = text.Length > 0 && !text.EndsWith('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (string.IsNullOrWhiteSpace(line)) continue;
            bool partialAllowed = unterminated && i == lines.Length - 1;
            JsonDocument doc;
            try { doc = JsonDocument.Parse(line); }
            catch (JsonException e)
            {
                if (partialAllowed) continue;
                throw new InvalidDataException($"{metricsJsonlPath}:{i + 1}: not a JSON object ({e.Message}).");
            }
            using (doc)
            {
                if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("iteration", out var it) || it.ValueKind != JsonValueKind.Number)
                {
                    if (partialAllowed) continue;
                    throw new InvalidDataException($"{metricsJsonlPath}:{i + 1}: expected an object with a numeric \"iteration\".");
                }
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
                    if (!series.TryGetValue(p.Name, out var list)) series[p.Name] = list = [];
                    list.Add((x, y.Value));
                }
            }
        }
        return series;
    }

    /// <summary>Renders <paramref name="content"/> as one HTML document.</summary>
    public static string Render(ReportContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>")
          .Append(Esc(content.Title)).Append("</title><style>").Append(Style).Append("</style></head><body>");
        sb.Append("<h1>").Append(Esc(content.Title)).Append("</h1>");
        if (content.Subtitle is { } sub) sb.Append("<p class=\"sub\">").Append(Esc(sub)).Append("</p>");
        foreach (var note in content.Notes) sb.Append("<p class=\"note\">").Append(Esc(note)).Append("</p>");

        if (content.Latest is not null || content.Summary.Count > 0)
        {
            sb.Append("<section class=\"top\">");
            if (content.Latest is { } latest) sb.Append("<div>").Append(Figure(latest, large: true)).Append("</div>");
            if (content.Summary.Count > 0)
            {
                sb.Append("<div>");
                foreach (var t in content.Summary) sb.Append(Table(t));
                sb.Append("</div>");
            }
            sb.Append("</section>");
        }

        var charts = content.Charts
            .Select(c => (c.Title, Series: c.Series.Where(content.Metrics.ContainsKey).Select(n => new ChartSeries(n, content.Metrics[n])).ToList()))
            .Where(c => c.Series.Count > 0)
            .ToList();
        if (charts.Count > 0)
        {
            var domain = content.XDomain ?? DefaultDomain(content.Metrics);
            sb.Append("<h2>Curves</h2><div class=\"charts\">");
            foreach (var (title, series) in charts) sb.Append("<figure class=\"chart\">").Append(SvgLineChart.Render(title, series, xDomain: domain)).Append("</figure>");
            sb.Append("</div>");
        }
        if (content.Gallery.Count > 0)
        {
            sb.Append("<h2>Samples during training</h2><div class=\"gallery\">");
            foreach (var g in content.Gallery) sb.Append(Figure(g, large: false));
            sb.Append("</div>");
        }
        if (content.Details.Count > 0)
        {
            sb.Append("<h2>Options (resolved)</h2><div class=\"details\">");
            foreach (var t in content.Details) sb.Append(Table(t));
            sb.Append("</div>");
        }
        sb.Append(CultureInfo.InvariantCulture, $"<p class=\"foot\">Generated by Ml.GanSdp on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.</p></body></html>");
        return sb.ToString();
    }

    /// <summary>Renders and writes the report atomically.</summary>
    public static void Write(string path, ReportContent content) => AtomicFile.WriteAllText(path, Render(content));

    private const string Style =
        "body{font-family:system-ui,sans-serif;margin:20px 28px;color:#222}h1{margin:0 0 4px;font-size:22px}h2{font-size:17px;margin:22px 0 8px;border-bottom:1px solid #ddd}" +
        ".sub{margin:0 0 10px;color:#555}.note{background:#fff3cd;border:1px solid #e0c36a;padding:6px 10px}" +
        ".top{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}" +
        ".charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(440px,1fr));gap:10px}.chart{margin:0;border:1px solid #eee}" +
        ".gallery{display:flex;flex-wrap:wrap;gap:12px}.details{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}" +
        "figure{margin:0}figcaption{font-size:12px;color:#444;margin-top:4px}img{image-rendering:pixelated;display:block}" +
        ".grid{display:flex;align-items:flex-start;gap:6px}.labels{font-size:12px;text-align:right;color:#333}.labels div{display:flex;align-items:center;justify-content:flex-end;white-space:nowrap}" +
        "table{border-collapse:collapse;font-size:13px;margin-bottom:10px}caption{text-align:left;font-weight:bold;padding:4px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}th{background:#f6f6f6;font-weight:normal}td{font-family:ui-monospace,monospace}" +
        ".foot{font-size:11px;color:#777;margin-top:24px}";

    /// <summary>A grid image at an integer scale (large: up to 560 pixels wide; small: up to 280), with its row labels aligned to the cell rows.</summary>
    private static string Figure(ReportImage image, bool large)
    {
        var bytes = File.ReadAllBytes(image.PngPath);
        var (w, h) = PngSize(bytes);
        int limit = large ? 560 : 280;
        double scale = w > 0 ? Math.Max(1, Math.Floor((double)limit / w)) : 1;
        if (w * scale > limit) scale = (double)limit / w;
        var sb = new StringBuilder("<figure><div class=\"grid\">");
        if (image.RowLabels is { Count: > 0 } labels && image.CellSize > 0)
        {
            sb.Append("<div class=\"labels\">");
            double block = image.CellSize * image.RowsPerLabel * scale;
            double pad = Math.Max(0, (h - image.CellSize * image.RowsPerLabel * labels.Count)) * scale;
            sb.Append(CultureInfo.InvariantCulture, $"<div style=\"height:{pad:F1}px\"></div>");
            foreach (var label in labels) sb.Append(CultureInfo.InvariantCulture, $"<div style=\"height:{block:F1}px\">{Esc(label)}</div>");
            sb.Append("</div>");
        }
        sb.Append(CultureInfo.InvariantCulture, $"<img alt=\"{Esc(image.Caption)}\" width=\"{w * scale:F0}\" height=\"{h * scale:F0}\" src=\"data:image/png;base64,{Convert.ToBase64String(bytes)}\">");
        sb.Append("</div><figcaption>").Append(Esc(image.Caption)).Append("</figcaption></figure>");
        return sb.ToString();
    }

    /// <summary>Width and height from a PNG's IHDR chunk, or (0, 0) if the bytes are not a PNG.</summary>
    internal static (int Width, int Height) PngSize(ReadOnlySpan<byte> png)
    {
        ReadOnlySpan<byte> signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
        if (png.Length < 24 || !png[..8].SequenceEqual(signature)) return (0, 0);
        return (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png[16..]), System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png[20..]));
    }

    private static string Table(ReportTable t)
    {
        var sb = new StringBuilder("<table><caption>").Append(Esc(t.Title)).Append("</caption>");
        foreach (var (k, v) in t.Rows) sb.Append("<tr><th>").Append(Esc(k)).Append("</th><td>").Append(Esc(v)).Append("</td></tr>");
        return sb.Append("</table>").ToString();
    }

    private static (double, double) DefaultDomain(IReadOnlyDictionary<string, List<(double X, double Y)>> metrics)
    {
        var xs = metrics.Values.SelectMany(s => s).Select(p => p.X).Where(double.IsFinite).ToList();
        if (xs.Count == 0) return (0, 1);
        double min = Math.Min(0, xs.Min()), max = xs.Max();
        return max > min ? (min, max) : (min, min + 1);
    }

    private static string Esc(string s) => WebUtility.HtmlEncode(s);
}
