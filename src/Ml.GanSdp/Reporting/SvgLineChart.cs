using System.Globalization;
using System.Net;
using System.Text;

namespace Ml.GanSdp.Reporting;

/// <summary>One named series of (x, y) points.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<(double X, double Y)> Points);

/// <summary>Renders line charts as self-contained inline SVG (no scripts, no external resources).</summary>
public static class SvgLineChart
{
    private static readonly string[] Palette = { "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf" };

    /// <summary>An SVG chart of the series; non-finite points are skipped (and counted in the legend).</summary>
    public static string Render(string title, IReadOnlyList<ChartSeries> series, string xLabel = "iteration", int width = 640, int height = 300)
    {
        const int left = 60, right = 16, top = 28, bottom = 40;
        var finite = series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{Esc(title)}\">");
        sb.Append(CultureInfo.InvariantCulture, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/><text x=\"{width / 2}\" y=\"18\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"14\">{Esc(title)}</text>");
        if (finite.Count == 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{width / 2}\" y=\"{height / 2}\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"12\">no data</text></svg>");
            return sb.ToString();
        }
        double x0 = finite.Min(p => p.X), x1 = finite.Max(p => p.X);
        double y0 = finite.Min(p => p.Y), y1 = finite.Max(p => p.Y);
        if (x1 == x0) { x0 -= 0.5; x1 += 0.5; }
        if (y1 == y0) { y0 -= 0.5; y1 += 0.5; }
        double pw = width - left - right, ph = height - top - bottom;
        string Px(double x) => (left + (x - x0) / (x1 - x0) * pw).ToString("F1", CultureInfo.InvariantCulture);
        string Py(double y) => (top + (1 - (y - y0) / (y1 - y0)) * ph).ToString("F1", CultureInfo.InvariantCulture);
        sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left}\" y=\"{top}\" width=\"{pw}\" height=\"{ph}\" fill=\"none\" stroke=\"#888\"/>");
        for (int i = 0; i <= 4; i++)
        {
            double yv = y0 + (y1 - y0) * i / 4, xv = x0 + (x1 - x0) * i / 4;
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 4}\" y=\"{Py(yv)}\" text-anchor=\"end\" font-family=\"sans-serif\" font-size=\"10\">{Fmt(yv)}</text>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Px(xv)}\" y=\"{height - bottom + 14}\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"10\">{Fmt(xv)}</text>");
        }
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + pw / 2}\" y=\"{height - 6}\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"11\">{Esc(xLabel)}</text>");
        for (int s = 0; s < series.Count; s++)
        {
            var color = Palette[s % Palette.Length];
            var pts = series[s].Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
            if (pts.Count > 0)
                sb.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\" points=\"{string.Join(' ', pts.Select(p => Px(p.X) + "," + Py(p.Y)))}\"/>");
            int skipped = series[s].Points.Count - pts.Count;
            var label = Esc(series[s].Name) + (skipped > 0 ? $" ({skipped} non-finite)" : "");
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left + 8}\" y=\"{top + 6 + 14 * s}\" width=\"10\" height=\"3\" fill=\"{color}\"/><text x=\"{left + 22}\" y=\"{top + 10 + 14 * s}\" font-family=\"sans-serif\" font-size=\"10\">{label}</text>");
        }
        sb.Append("</svg>");
        return sb.ToString();
    }

    private static string Fmt(double v) => Math.Abs(v) >= 1e4 || (Math.Abs(v) < 1e-3 && v != 0) ? v.ToString("0.##E+0", CultureInfo.InvariantCulture) : v.ToString("0.###", CultureInfo.InvariantCulture);
    private static string Esc(string s) => WebUtility.HtmlEncode(s);
}
