using System.Globalization;
using System.Net;
using System.Text;

namespace Ml.GanSdp.Reporting;

/// <summary>One named series of (x, y) points.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<(double X, double Y)> Points);

/// <summary>
/// Round axis ticks: steps of 1, 2 or 5 times a power of ten (Heckbert, "Nice numbers for graph labels", Graphics Gems, 1990),
/// so an iteration axis reads 0, 500, 1000, ... rather than 0, 487.5, 975.
/// </summary>
public static class ChartTicks
{
    /// <summary>
    /// The nice step for about <paramref name="count"/> intervals over <paramref name="span"/>: with raw = span / count,
    /// 10^floor(log10 raw) times 1, 2, 5 or 10, whichever is the first not below raw / 1.5, raw / 3 and raw / 7 respectively
    /// (i.e. f &lt; 1.5 gives 1, f &lt; 3 gives 2, f &lt; 7 gives 5, else 10, for f = raw / 10^floor(log10 raw)).
    /// </summary>
    public static double Step(double span, int count = 5)
    {
        if (!(span > 0) || !double.IsFinite(span)) return 1;
        double raw = span / Math.Max(1, count);
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double f = raw / magnitude;
        double nice = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
        return nice * magnitude;
    }

    /// <summary>The multiples of <paramref name="step"/> in [min, max] (within a relative tolerance of 1e-9 of the ends).</summary>
    public static IReadOnlyList<double> Multiples(double min, double max, double step)
    {
        var ticks = new List<double>();
        if (!(step > 0) || !double.IsFinite(min) || !double.IsFinite(max) || max < min) return ticks;
        double eps = step * 1e-9;
        for (long i = (long)Math.Ceiling((min - eps) / step); i * step <= max + eps && ticks.Count < 1000; i++)
            ticks.Add(i * step);
        return ticks;
    }

    /// <summary>[min, max] widened outward to multiples of the nice step for <paramref name="count"/> intervals (a zero span is widened to ±0.5 first).</summary>
    public static (double Min, double Max, double Step) Extend(double min, double max, int count = 5)
    {
        if (max == min) { min -= 0.5; max += 0.5; }
        double step = Step(max - min, count);
        return (Math.Floor(min / step) * step, Math.Ceiling(max / step) * step, step);
    }
}

/// <summary>
/// Line charts as self-contained inline SVG (no scripts, no external resources) that scale to their container: nice round
/// ticks on both axes (<see cref="ChartTicks"/>), light grid lines, the legend above the plot.
/// </summary>
public static class SvgLineChart
{
    private static readonly string[] Palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

    /// <summary>Plot margins in the SVG's own units: left, right, top (above the legend rows), bottom.</summary>
    public const int Left = 64, Right = 16, Top = 26, Bottom = 36, LegendRow = 14;

    /// <summary>
    /// An SVG chart of the series. Non-finite points are skipped (and counted in the legend). The x axis spans
    /// <paramref name="xDomain"/> when given (so that charts of one run share it) or the data's x range; its ticks are round
    /// multiples (<see cref="ChartTicks"/>). The y axis spans the data's range widened to round multiples.
    /// </summary>
    public static string Render(string title, IReadOnlyList<ChartSeries> series, string xLabel = "iteration", int width = 480, int height = 260,
        (double Min, double Max)? xDomain = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        var finite = series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
        int legendRows = series.Count == 0 ? 0 : (series.Count + 1) / 2;
        int top = Top + LegendRow * legendRows;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"100%\" role=\"img\" aria-label=\"{Esc(title)}\" font-family=\"sans-serif\">");
        sb.Append(CultureInfo.InvariantCulture, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/><text x=\"{width / 2}\" y=\"17\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">{Esc(title)}</text>");
        if (finite.Count == 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{width / 2}\" y=\"{height / 2}\" text-anchor=\"middle\" font-size=\"12\" fill=\"#888\">no data</text></svg>");
            return sb.ToString();
        }
        var (x0, x1) = xDomain ?? (finite.Min(p => p.X), finite.Max(p => p.X));
        if (!(x1 > x0)) { x0 -= 0.5; x1 += 0.5; }
        double xStep = ChartTicks.Step(x1 - x0, 5);
        var (y0, y1, yStep) = ChartTicks.Extend(finite.Min(p => p.Y), finite.Max(p => p.Y), 4);
        double pw = width - Left - Right, ph = height - top - Bottom;
        string Px(double x) => (Left + (x - x0) / (x1 - x0) * pw).ToString("F1", CultureInfo.InvariantCulture);
        string Py(double y) => (top + (1 - (y - y0) / (y1 - y0)) * ph).ToString("F1", CultureInfo.InvariantCulture);

        foreach (var yv in ChartTicks.Multiples(y0, y1, yStep))
        {
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Left + pw}\" y1=\"{Py(yv)}\" y2=\"{Py(yv)}\" stroke=\"#e6e6e6\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 5}\" y=\"{Py(yv)}\" dy=\"3.5\" text-anchor=\"end\" font-size=\"10\">{Fmt(yv, yStep)}</text>");
        }
        foreach (var xv in ChartTicks.Multiples(x0, x1, xStep))
        {
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Px(xv)}\" x2=\"{Px(xv)}\" y1=\"{top}\" y2=\"{top + ph}\" stroke=\"#e6e6e6\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Px(xv)}\" y=\"{top + ph + 13}\" text-anchor=\"middle\" font-size=\"10\">{Fmt(xv, xStep)}</text>");
        }
        sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left}\" y=\"{top}\" width=\"{pw}\" height=\"{ph}\" fill=\"none\" stroke=\"#888\"/>");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + pw / 2}\" y=\"{height - 6}\" text-anchor=\"middle\" font-size=\"11\">{Esc(xLabel)}</text>");
        for (int s = 0; s < series.Count; s++)
        {
            var color = Palette[s % Palette.Length];
            var pts = series[s].Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
            if (pts.Count == 1)
                sb.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{Px(pts[0].X)}\" cy=\"{Py(pts[0].Y)}\" r=\"2.5\" fill=\"{color}\"/>");
            else if (pts.Count > 1)
                sb.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\" points=\"{string.Join(' ', pts.Select(p => Px(p.X) + "," + Py(p.Y)))}\"/>");
            int skipped = series[s].Points.Count - pts.Count;
            var label = Esc(series[s].Name) + (skipped > 0 ? $" ({skipped} non-finite)" : "");
            double lx = Left + (s % 2) * pw / 2, ly = Top + LegendRow * (s / 2);
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{lx:F1}\" y=\"{ly + 4:F1}\" width=\"14\" height=\"3\" fill=\"{color}\"/><text x=\"{lx + 18:F1}\" y=\"{ly + 9:F1}\" font-size=\"10\">{label}</text>");
        }
        sb.Append("</svg>");
        return sb.ToString();
    }

    /// <summary>A tick label with as many decimals as the step needs (none for whole steps), or scientific notation for very large or small values.</summary>
    internal static string Fmt(double v, double step)
    {
        if (v == 0) return "0";
        double a = Math.Abs(v);
        if (a >= 1e6 || a < 1e-4) return v.ToString("0.##E+0", CultureInfo.InvariantCulture);
        int decimals = step >= 1 ? 0 : Math.Min(10, (int)Math.Ceiling(-Math.Log10(step) - 1e-9));
        return v.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    private static string Esc(string s) => WebUtility.HtmlEncode(s);
}
