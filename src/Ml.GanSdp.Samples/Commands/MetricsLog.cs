using System.Globalization;
using System.Text.Json.Nodes;
using Ml.GanSdp.Training;

namespace Ml.GanSdp.Samples.Commands;

/// <summary>
/// metrics.jsonl: one JSON object per line, appended and flushed as training goes. Progress lines hold the iteration,
/// the losses (<c>loss_d</c>, <c>loss_g</c>), every term of the engine by name (<c>D/adversarial</c>, <c>G/sdp</c>,
/// <c>G/sdp/k</c>, ...), the speed and the elapsed time; FD lines hold the iteration and <c>fd</c>. Non-finite values
/// are written as the strings "NaN", "Infinity", "-Infinity".
/// </summary>
internal sealed class MetricsLog : IDisposable
{
    /// <summary>Fields of a progress line that are not losses or terms.</summary>
    public static readonly string[] BookkeepingFields = ["iteration", "it_per_s", "elapsed_s"];

    private readonly StreamWriter _writer;

    public MetricsLog(string path)
    {
        try { _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read)) { NewLine = "\n" }; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new IOException($"Cannot write '{path}': {e.Message}", e); }
    }

    /// <summary>Appends a progress line.</summary>
    public void Progress(TrainingProgress p)
    {
        var line = new JsonObject
        {
            ["iteration"] = p.Iteration,
            ["loss_d"] = RunJson.Number(p.DiscriminatorLoss),
            ["loss_g"] = RunJson.Number(p.GeneratorLoss),
        };
        foreach (var (k, v) in p.Terms) line[k] = RunJson.Number(v);
        line["it_per_s"] = RunJson.Number(Math.Round(p.IterationsPerSecond, 3));
        line["elapsed_s"] = RunJson.Number(Math.Round(p.Elapsed.TotalSeconds, 3));
        Write(line);
    }

    /// <summary>Appends a Frechet-distance line.</summary>
    public void FrechetDistance(long iteration, double fd, string name)
        => Write(new JsonObject { ["iteration"] = iteration, ["fd"] = RunJson.Number(fd), ["fd_name"] = name });

    private void Write(JsonObject line)
    {
        _writer.WriteLine(line.ToJsonString(RunJson.Line));
        _writer.Flush();
    }

    /// <summary>
    /// The last progress line's losses and terms and the last FD line of a metrics.jsonl (what final.json reports), read from
    /// the file so that a resumed run that had nothing left to train still reports the losses of its last iteration.
    /// </summary>
    public static (long? Iteration, Dictionary<string, double> Values) LastValues(string path)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        long? progressIteration = null;
        if (!File.Exists(path)) return (null, values);
        JsonObject? lastProgress = null, lastFd = null;
        foreach (var (line, it) in RunFolder.MetricsLines(path))
        {
            if (it is null || JsonNode.Parse(line) is not JsonObject o) continue;
            if (o.ContainsKey("loss_d")) { lastProgress = o; progressIteration = it; }
            if (o.ContainsKey("fd")) lastFd = o;
        }
        if (lastProgress is not null)
            foreach (var (k, v) in lastProgress)
                if (!BookkeepingFields.Contains(k) && ReadNumber(v) is { } d) values[k] = d;
        if (lastFd is not null && ReadNumber(lastFd["fd"]) is { } fd)
        {
            values["fd"] = fd;
            values["fd_iteration"] = lastFd["iteration"]!.GetValue<long>();
        }
        return (progressIteration, values);
    }

    private static double? ReadNumber(JsonNode? v) => v switch
    {
        JsonValue j when j.TryGetValue<double>(out var d) => d,
        JsonValue j when j.TryGetValue<string>(out var s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };

    public void Dispose() => _writer.Dispose();
}
