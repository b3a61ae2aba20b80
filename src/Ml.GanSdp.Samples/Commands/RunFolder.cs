using System.Globalization;
using System.Text;
using System.Text.Json;
using Ml.GanSdp.Serialization;
using Ml.GanSdp.Training;

namespace Ml.GanSdp.Samples.Commands;

/// <summary>
/// A training run's folder (docs/cli.md): options.json, metrics.jsonl, samples/, checkpoints/, model.zip, final.json and
/// report.html, and the rules that keep it whole: a non-empty folder is refused unless the run is resumed or overwritten,
/// overwriting removes only these entries, and resuming cuts metrics.jsonl and samples/ back to the checkpoint it
/// continues from and deletes the temporaries a killed write left.
/// </summary>
internal sealed class RunFolder(string path)
{
    /// <summary>The entries a run writes (all that <see cref="Clear"/> removes).</summary>
    public static readonly string[] Entries = ["options.json", "metrics.jsonl", "samples", "checkpoints", "model.zip", "final.json", "report.html", "classify.json", "generated.png", "fd-reference.npz", "fd-classifier.npz"];

    public string Path { get; } = System.IO.Path.GetFullPath(path);
    public string OptionsPath => Combine("options.json");
    public string MetricsPath => Combine("metrics.jsonl");
    public string SamplesDirectory => Combine("samples");
    public string CheckpointsDirectory => Combine("checkpoints");
    public string ModelPath => Combine("model.zip");
    public string FinalPath => Combine("final.json");
    public string ReportPath => Combine("report.html");
    public string ClassifyPath => Combine("classify.json");
    public string FdReferencePath => Combine("fd-reference.npz");
    public string FdClassifierPath => Combine("fd-classifier.npz");

    /// <summary>The sample grid of <paramref name="iteration"/>.</summary>
    public string SamplePath(long iteration) => System.IO.Path.Combine(SamplesDirectory, string.Create(CultureInfo.InvariantCulture, $"samples-{iteration:D8}.png"));

    /// <summary>The sample grids, oldest first, with their iterations.</summary>
    public IReadOnlyList<(long Iteration, string Path)> Samples()
    {
        if (!Directory.Exists(SamplesDirectory)) return [];
        return Directory.EnumerateFiles(SamplesDirectory, "samples-*.png")
            .Select(p => (Iteration: ParseIteration(p, "samples-"), Path: p))
            .Where(x => x.Iteration >= 0)
            .OrderBy(x => x.Iteration)
            .ToList();
    }

    /// <summary>
    /// Checks, before anything is written, that a new run may go here: the path is not a file, and an existing folder is
    /// empty unless <paramref name="overwrite"/>.
    /// </summary>
    public void CheckNewRun(bool overwrite)
    {
        if (File.Exists(Path)) throw new UsageException($"The run folder '{Path}' is a file.");
        if (!Directory.Exists(Path) || overwrite) return;
        if (Directory.EnumerateFileSystemEntries(Path).Any())
            throw new UsageException($"The run folder '{Path}' is not empty: continue its run with --resume, replace it with --overwrite, or choose another -o.");
    }

    /// <summary>Checks that a run can be resumed here: the folder holds a run's options.json.</summary>
    public void CheckResumable()
    {
        if (!File.Exists(OptionsPath))
            throw new UsageException($"--resume: '{Path}' is not a gansdp run folder (it has no options.json); start a new run without --resume.");
    }

    /// <summary>Removes a previous run's entries (and their temporaries); other files in the folder are left alone. Returns what was removed.</summary>
    public IReadOnlyList<string> Clear()
    {
        var removed = new List<string>();
        foreach (var name in Entries)
        {
            var p = Combine(name);
            if (Directory.Exists(p)) { Directory.Delete(p, recursive: true); removed.Add(p); }
            else if (File.Exists(p)) { File.Delete(p); removed.Add(p); }
        }
        if (Directory.Exists(Path))
            foreach (var tmp in Directory.EnumerateFiles(Path, ".*.tmp").Where(t => AtomicFile.WriterProcessId(t) is not null && Entries.Any(e => System.IO.Path.GetFileName(t).StartsWith("." + e + ".", StringComparison.Ordinal))))
            {
                File.Delete(tmp);
                removed.Add(tmp);
            }
        return removed;
    }

    /// <summary>Deletes the temporaries of killed atomic writes (their writer process gone) in the folder, samples/ and checkpoints/.</summary>
    public IReadOnlyList<string> CleanTemporaries()
        => [.. Checkpoint.CleanStaleTemporaries(Path), .. Checkpoint.CleanStaleTemporaries(SamplesDirectory), .. Checkpoint.CleanStaleTemporaries(CheckpointsDirectory)];

    /// <summary>
    /// Cuts metrics.jsonl back to the lines of iterations up to <paramref name="iteration"/> (the checkpoint a resumed run
    /// continues from), so iterations stay monotonic; a last line cut short by a kill is dropped. Written atomically.
    /// Returns the number of lines removed.
    /// </summary>
    public int TruncateMetrics(long iteration)
    {
        if (!File.Exists(MetricsPath)) return 0;
        var kept = new StringBuilder();
        int removed = 0;
        foreach (var (line, it) in MetricsLines(MetricsPath))
        {
            if (it is { } i && i <= iteration) kept.Append(line).Append('\n');
            else removed++;
        }
        AtomicFile.WriteAllText(MetricsPath, kept.ToString());
        return removed;
    }

    /// <summary>Deletes the sample grids of iterations after <paramref name="iteration"/>; returns how many.</summary>
    public int DeleteSamplesAfter(long iteration)
    {
        int n = 0;
        foreach (var (it, p) in Samples())
            if (it > iteration) { File.Delete(p); n++; }
        return n;
    }

    /// <summary>
    /// The lines of a metrics.jsonl with their iteration (null for a line that is not a JSON object with a numeric
    /// "iteration": only a last line cut short by a kill may be like that; any other is an error naming file and line).
    /// </summary>
    public static IEnumerable<(string Line, long? Iteration)> MetricsLines(string path)
    {
        var lines = File.ReadAllLines(path);
        int last = Array.FindLastIndex(lines, l => l.Length > 0);
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            long? it = null;
            try
            {
                using var doc = JsonDocument.Parse(lines[i]);
                if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("iteration", out var v) && v.TryGetInt64(out var x)) it = x;
            }
            catch (JsonException) { }
            if (it is null && i != last) throw new InvalidDataException($"{path}:{i + 1}: not a metrics line (a JSON object with a numeric \"iteration\").");
            yield return (lines[i], it);
        }
    }

    private string Combine(string name) => System.IO.Path.Combine(Path, name);

    private static long ParseIteration(string file, string prefix)
    {
        var name = System.IO.Path.GetFileNameWithoutExtension(file);
        return name.StartsWith(prefix, StringComparison.Ordinal) && long.TryParse(name.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var it) ? it : -1;
    }
}
