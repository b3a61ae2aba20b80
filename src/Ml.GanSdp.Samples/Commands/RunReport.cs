using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ml.GanSdp.Models;
using Ml.GanSdp.Reporting;

namespace Ml.GanSdp.Samples.Commands;

/// <summary>
/// report.html of a run folder (<see cref="HtmlReport"/>): the latest sample grid first (class names beside its rows when
/// conditional) with final.json beside it, the curves of metrics.jsonl in a grid sharing the iteration axis (losses,
/// adversarial terms, SDP weighted and unweighted, k, score gap, other stabilizers, FD, speed), the earlier grids, and
/// options.json's resolved options as tables.
/// </summary>
internal static class RunReport
{
    /// <summary>The charts: title and the metrics.jsonl fields drawn.</summary>
    public static readonly ReportChart[] Charts =
    [
        new("Losses", ["loss_d", "loss_g"]),
        new("Adversarial terms", ["D/adversarial", "G/adversarial"]),
        new("SDP penalty (lambda / k) L_SDP", ["D/sdp", "G/sdp"]),
        new("L_SDP (unweighted)", ["D/sdp/l_sdp", "G/sdp/l_sdp"]),
        new("SDP k", ["G/sdp/k"]),
        new("SDP score gap D(x') - D(G(z'))", ["D/sdp/score_gap", "G/sdp/score_gap"]),
    ];

    /// <summary>Earlier grids shown in the gallery (evenly spaced, the first always included).</summary>
    public const int GalleryGrids = 8;

    /// <summary>Writes <c>report.html</c> into the run folder and returns its path; <paramref name="notes"/> are shown under the title.</summary>
    public static string Write(RunFolder folder, params string[] notes)
    {
        if (!File.Exists(folder.MetricsPath) && !File.Exists(folder.OptionsPath))
            throw new FileNotFoundException($"'{folder.Path}' is not a gansdp run folder: it has neither metrics.jsonl nor options.json.", folder.MetricsPath);
        var metrics = File.Exists(folder.MetricsPath) ? HtmlReport.ReadMetrics(folder.MetricsPath) : new Dictionary<string, List<(double X, double Y)>>();
        JsonObject? options = File.Exists(folder.OptionsPath) ? Parse(folder.OptionsPath) : null;
        JsonObject? final = File.Exists(folder.FinalPath) ? Parse(folder.FinalPath) : null;
        JsonObject? classify = File.Exists(folder.ClassifyPath) ? Parse(folder.ClassifyPath) : null;

        var model = options?["Model"] is JsonObject m ? m.Deserialize<ModelOptions>(RunJson.Options) : null;
        var classNames = options?["Data"]?["ClassNames"] is JsonArray a ? a.Select(n => n?.ToString() ?? "").ToArray() : [];
        long? total = options?["Training"]?["Iterations"] is JsonValue v && v.TryGetValue<long>(out var t) ? t : null;

        var samples = folder.Samples();
        ReportImage? latest = null;
        var gallery = new List<ReportImage>();
        if (samples.Count > 0)
        {
            var (lastIt, lastPath) = samples[^1];
            bool perClass = model is { NumClasses: > 0 } && classNames.Length == model.NumClasses;
            latest = new ReportImage($"iteration {lastIt} (latest){(perClass ? ", one row per class" : "")}", lastPath,
                perClass ? classNames : null, model is null ? 0 : model.ImageSize + 2);
            var earlier = samples.Take(samples.Count - 1).ToList();
            var picked = earlier.Count <= GalleryGrids ? earlier
                : Enumerable.Range(0, GalleryGrids).Select(i => earlier[(int)Math.Round(i * (earlier.Count - 1) / (double)(GalleryGrids - 1))]).Distinct().ToList();
            gallery.AddRange(picked.Select(s => new ReportImage($"iteration {s.Iteration}", s.Path)));
        }

        var notes2 = notes.ToList();
        if (final is null && metrics.Count > 0 && notes2.Count == 0)
            notes2.Add($"This run has no final.json: it stopped early (interrupted or diverged) or is still running. Continue it with: gansdp train -o {folder.Path} --resume");

        string fdTitle = options?["Fd"] is JsonObject fd ? $"{fd["DistanceName"]} ({fd["Samples"]} images)" : "Frechet distance";
        var content = new ReportContent
        {
            Title = $"gansdp run {Path.GetFileName(folder.Path)}",
            Subtitle = Subtitle(options, model),
            Notes = notes2,
            Latest = latest,
            Summary = [.. final is null ? [] : new[] { new ReportTable("Final metrics (final.json)", Rows(final)) }, .. classify is null ? [] : ClassifyTables(classify)],
            Metrics = metrics,
            Charts = [.. Charts, .. OtherRegularizers(metrics), new ReportChart(fdTitle, ["fd"]), new ReportChart("Speed (iterations / s)", ["it_per_s"])],
            XDomain = (0, Math.Max(total ?? 0, metrics.Values.SelectMany(s => s).Select(p => p.X).DefaultIfEmpty(1).Max())),
            Gallery = gallery,
            Details = options is null ? [] : OptionTables(options),
        };
        HtmlReport.Write(folder.ReportPath, content);
        return folder.ReportPath;
    }

    /// <summary>classify.json (the demo's downstream classifier) as one table per classifier: accuracy mean ± SD per arm, gain and CAS.</summary>
    private static IEnumerable<ReportTable> ClassifyTables(JsonObject classify)
    {
        foreach (var (name, node) in classify)
        {
            if (node is not JsonObject c || c["arms"] is not JsonObject arms) continue;
            var rows = new List<(string, string)>();
            foreach (var (arm, a) in arms)
                if (a is JsonObject o && o["mean"] is JsonValue m && o["sd"] is JsonValue sd)
                    rows.Add(($"{arm} ({o["training_rows"]} rows)", string.Create(CultureInfo.InvariantCulture, $"{100 * m.GetValue<double>():F2} ± {100 * sd.GetValue<double>():F2} %")));
            if (c["augmentation_gain"] is JsonValue g && c["augmentation_gain_sd"] is JsonValue gsd)
                rows.Add(("augmentation gain (b) - (a)", string.Create(CultureInfo.InvariantCulture, $"{100 * g.GetValue<double>():+0.00;-0.00;0.00} ± {100 * gsd.GetValue<double>():F2} points")));
            if (c["cas"] is JsonValue cas) rows.Add(("CAS (synthetic only)", string.Create(CultureInfo.InvariantCulture, $"{100 * cas.GetValue<double>():F2} %")));
            yield return new ReportTable($"Downstream classifier: {name} (test accuracy over seeds)", rows);
        }
    }

    /// <summary>A chart for each stabilizer other than SDP whose terms are in the metrics (<c>D/name</c>, <c>G/name</c>).</summary>
    private static IEnumerable<ReportChart> OtherRegularizers(IReadOnlyDictionary<string, List<(double X, double Y)>> metrics)
        => metrics.Keys
            .Select(k => k.Split('/'))
            .Where(p => p.Length == 2 && p[0] is "D" or "G" && p[1] is not ("adversarial" or "sdp"))
            .Select(p => p[1])
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .Select(name => new ReportChart($"{name} penalty", [$"D/{name}", $"G/{name}"]));

    private static string? Subtitle(JsonObject? options, ModelOptions? model)
    {
        if (options is null) return null;
        var parts = new List<string>();
        if (options["Data"]?["Description"] is JsonValue d) parts.Add(d.ToString());
        try
        {
            if (model is not null && options["Training"] is JsonObject t)
                parts.Add(TrainRun.Describe(GanSdpOptions.FromJson(t.ToJsonString(), "options.json"), model));
        }
        catch (InvalidDataException) { }
        return parts.Count == 0 ? null : string.Join(" · ", parts);
    }

    /// <summary>options.json as tables: the model, the data, the training options, SDP, the FD curve and the run.</summary>
    private static List<ReportTable> OptionTables(JsonObject options)
    {
        var tables = new List<ReportTable>();
        if (options["Model"] is JsonObject model) tables.Add(new("Model (resolved from the data)", Rows(model)));
        var data = new List<(string, string)>();
        if (options["Data"] is JsonObject d) data.AddRange(Rows(d));
        if (options["Dataset"] is JsonObject ds) data.AddRange(Rows(ds).Where(r => r.Value != "null"));
        if (data.Count > 0) tables.Add(new("Data", data));
        if (options["Training"] is JsonObject training)
        {
            tables.Add(new("Training", Rows(training).Where(r => r.Name is not ("Sdp" or "Regularizers")).ToList()));
            tables.Add(new("SDP (resolved schedule)", training["Sdp"] is JsonObject sdp ? Rows(sdp) : [("SDP", "off")]));
            if (training["Regularizers"] is JsonArray { Count: > 0 } regs) tables.Add(new("Other stabilizers", regs.Select((r, i) => ($"{i + 1}", Value(r))).ToList()));
        }
        if (options["Fd"] is JsonObject fd) tables.Add(new("Frechet distance during training", Rows(fd)));
        tables.Add(new("Run", Rows(options).Where(r => r.Name is "CommandLine" or "LibraryVersion" or "Format" or "Version").ToList()));
        return tables;
    }

    private static List<(string Name, string Value)> Rows(JsonObject o) => o.Select(p => (p.Key, Value(p.Value))).ToList();

    /// <summary>A JSON value as table text: strings bare, numbers as written, arrays of scalars comma-separated, objects as compact JSON.</summary>
    private static string Value(JsonNode? node) => node switch
    {
        null => "null",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.TryGetValue<double>(out var d) && d != Math.Floor(d) => d.ToString("G6", CultureInfo.InvariantCulture),
        JsonValue v => v.ToJsonString(),
        JsonArray a when a.All(x => x is JsonValue or null) => "[" + string.Join(", ", a.Select(Value)) + "]",
        _ => node.ToJsonString(RunJson.Line),
    };

    private static JsonObject Parse(string path)
    {
        try { return JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"'{path}' is not a JSON object."); }
        catch (JsonException e) { throw new InvalidDataException($"'{path}' is not valid JSON: {e.Message}", e); }
    }
}
