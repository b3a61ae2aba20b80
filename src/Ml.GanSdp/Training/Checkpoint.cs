using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ml.GanSdp.Serialization;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Training;

/// <summary>
/// Everything needed to continue a run exactly: the iteration, the options, the regularizers' names, the
/// state dicts of G, D, the EMA generator and both optimizers, and the random generators' states (the
/// trainer's data and noise generators and libtorch's default one). Owns its tensors.
/// </summary>
public sealed class CheckpointState : IDisposable
{
    /// <summary>Generator iterations completed.</summary>
    public required long Iteration { get; init; }
    /// <summary>The options of the run.</summary>
    public required GanTrainerOptions Options { get; init; }
    /// <summary>Names of the regularizers, in order.</summary>
    public required IReadOnlyList<string> Regularizers { get; init; }
    /// <summary>G's state dict.</summary>
    public required IReadOnlyDictionary<string, Tensor> Generator { get; init; }
    /// <summary>D's state dict.</summary>
    public required IReadOnlyDictionary<string, Tensor> Discriminator { get; init; }
    /// <summary>The EMA generator's state dict, or null without EMA.</summary>
    public IReadOnlyDictionary<string, Tensor>? GeneratorEma { get; init; }
    /// <summary>G's optimizer state dict.</summary>
    public required IReadOnlyDictionary<string, Tensor> GeneratorOptimizer { get; init; }
    /// <summary>D's optimizer state dict.</summary>
    public required IReadOnlyDictionary<string, Tensor> DiscriminatorOptimizer { get; init; }
    /// <summary>Random generator states (uint8 tensors) by name: <c>data</c>, <c>noise</c>, <c>torch</c>.</summary>
    public required IReadOnlyDictionary<string, Tensor> Rng { get; init; }

    internal IEnumerable<(string group, IReadOnlyDictionary<string, Tensor> tensors)> Groups()
    {
        yield return ("generator", Generator);
        yield return ("discriminator", Discriminator);
        if (GeneratorEma is not null) yield return ("generator_ema", GeneratorEma);
        yield return ("optimizer_g", GeneratorOptimizer);
        yield return ("optimizer_d", DiscriminatorOptimizer);
        yield return ("rng", Rng);
    }

    /// <summary>Frees every tensor.</summary>
    public void Dispose()
    {
        foreach (var (_, g) in Groups())
            foreach (var t in g.Values) t.Dispose();
    }
}

/// <summary>
/// The checkpoint file: a zip (uncompressed) of <c>{group}/{key}.npy</c> arrays plus a <c>checkpoint.json</c>
/// manifest holding the format name and version, iteration, options, regularizer names and a SHA-256 of
/// every array entry. Written atomically. See docs/checkpoints.md.
/// </summary>
public static class Checkpoint
{
    /// <summary>The manifest's format name.</summary>
    public const string Format = "ml-gansdp-checkpoint";
    /// <summary>The format version this library writes and the newest it reads.</summary>
    public const int FormatVersion = 1;
    /// <summary>The manifest entry's name.</summary>
    public const string ManifestEntry = "checkpoint.json";
    /// <summary>The file extension of checkpoints written by the trainer.</summary>
    public const string Extension = ".ckpt";

    private static readonly string[] RequiredGroups = { "generator", "discriminator", "optimizer_g", "optimizer_d", "rng" };
    private static readonly string[] KnownGroups = { "generator", "discriminator", "generator_ema", "optimizer_g", "optimizer_d", "rng" };

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The trainer's file name for a checkpoint after <paramref name="iteration"/> iterations.</summary>
    public static string FileName(long iteration) => string.Create(CultureInfo.InvariantCulture, $"checkpoint-{iteration:D8}{Extension}");

    /// <summary>The trainer's checkpoints in <paramref name="directory"/>, oldest first (empty when none or no folder).</summary>
    public static IReadOnlyList<string> List(string directory)
    {
        if (!Directory.Exists(directory)) return Array.Empty<string>();
        return Directory.EnumerateFiles(directory, "checkpoint-*" + Extension)
            .Select(p => (path: p, it: ParseIteration(p)))
            .Where(x => x.it >= 0)
            .OrderBy(x => x.it)
            .Select(x => x.path)
            .ToList();
    }

    /// <summary>The largest array entry read from a checkpoint (bounded before anything is allocated).</summary>
    public const long MaxEntryBytes = int.MaxValue;

    /// <summary>
    /// The newest checkpoint of <paramref name="directory"/> that loads, with its state (the caller disposes it), or
    /// null when there is none. A newer one that is truncated or corrupt is skipped, and <paramref name="onWarning"/>
    /// says which and why, so a kill during a write (or a damaged disk) costs at most the newest checkpoint.
    /// </summary>
    public static (string Path, CheckpointState State)? LoadLatestValid(string directory, Action<string>? onWarning = null)
    {
        var all = List(directory);
        for (int i = all.Count - 1; i >= 0; i--)
        {
            try { return (all[i], Load(all[i])); }
            catch (InvalidDataException e)
            {
                onWarning?.Invoke($"Skipping checkpoint '{all[i]}': {e.Message}" + (i > 0 ? $" Falling back to '{all[i - 1]}'." : " No older checkpoint is left."));
            }
        }
        return null;
    }

    /// <summary>
    /// Deletes the temporary files that an interrupted atomic write left in <paramref name="directory"/>
    /// (<c>.{name}.{pid}.{guid}.tmp</c>) when the writing process is gone; returns the deleted paths.
    /// </summary>
    public static IReadOnlyList<string> CleanStaleTemporaries(string directory)
    {
        var deleted = new List<string>();
        if (!Directory.Exists(directory)) return deleted;
        foreach (var path in Directory.EnumerateFiles(directory, ".*.tmp"))
        {
            if (AtomicFile.WriterProcessId(path) is not int pid || IsAlive(pid)) continue;
            try
            {
                File.Delete(path);
                deleted.Add(path);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return deleted;
    }

    private static bool IsAlive(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    /// <summary>The newest checkpoint in <paramref name="directory"/>, or null.</summary>
    public static string? FindLatest(string directory) => List(directory) is { Count: > 0 } l ? l[^1] : null;

    private static long ParseIteration(string path)
    {
        var name = Path.GetFileNameWithoutExtension(path);
        return name.StartsWith("checkpoint-", StringComparison.Ordinal) &&
               long.TryParse(name.AsSpan("checkpoint-".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var it) ? it : -1;
    }

    /// <summary>Writes <paramref name="state"/> to <paramref name="path"/> atomically (a crash leaves the old file, never a partial one).</summary>
    public static void Save(string path, CheckpointState state)
    {
        AtomicFile.Write(path, fs =>
        {
            using var zip = new ZipArchive(fs, ZipArchiveMode.Create, leaveOpen: true);
            var entries = new List<ManifestTensor>();
            foreach (var (group, tensors) in state.Groups())
            {
                foreach (var (key, t) in tensors)
                {
                    using var ms = new MemoryStream();
                    Npy.Write(ms, t);
                    var bytes = ms.ToArray();
                    var name = $"{group}/{key}.npy";
                    var entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
                    using (var es = entry.Open()) es.Write(bytes);
                    entries.Add(new ManifestTensor(name, group, key, Convert.ToHexStringLower(SHA256.HashData(bytes))));
                }
            }
            var manifest = new Manifest(Format, FormatVersion, state.Iteration, DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
                typeof(Checkpoint).Assembly.GetName().Version?.ToString() ?? "?", TorchSharp.torch.__version__, state.Options, state.Regularizers.ToList(), entries);
            var m = zip.CreateEntry(ManifestEntry, CompressionLevel.NoCompression);
            using var s = m.Open();
            JsonSerializer.Serialize(s, manifest, Json);
        });
    }

    /// <summary>
    /// Reads a checkpoint. Throws <see cref="FileNotFoundException"/> when absent, <see cref="NotSupportedException"/>
    /// for a newer format version, and <see cref="InvalidDataException"/> naming the problem when the file is
    /// truncated, corrupt, or not a checkpoint.
    /// </summary>
    public static CheckpointState Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No checkpoint at '{path}'.", path);
        var loaded = new Dictionary<string, Dictionary<string, Tensor>>();
        try
        {
            using var zip = OpenZip(path);
            var manifest = ReadManifest(zip, path);
            foreach (var t in manifest.Tensors)
            {
                if (!loaded.TryGetValue(t.Group, out var g)) loaded[t.Group] = g = new Dictionary<string, Tensor>();
                g[t.Key] = ReadTensor(zip, t, path);
            }
            foreach (var g in RequiredGroups)
                if (!loaded.ContainsKey(g)) throw Corrupt(path, $"it has no '{g}' tensors");
            foreach (var unknown in loaded.Keys.Except(KnownGroups).ToList())
            {
                foreach (var t in loaded[unknown].Values) t.Dispose();
                loaded.Remove(unknown);
            }
            IReadOnlyDictionary<string, Tensor> G(string name) => loaded[name];
            return new CheckpointState
            {
                Iteration = manifest.Iteration,
                Options = manifest.Options,
                Regularizers = manifest.Regularizers,
                Generator = G("generator"),
                Discriminator = G("discriminator"),
                GeneratorEma = loaded.TryGetValue("generator_ema", out var ema) ? ema : null,
                GeneratorOptimizer = G("optimizer_g"),
                DiscriminatorOptimizer = G("optimizer_d"),
                Rng = G("rng"),
            };
        }
        catch
        {
            foreach (var g in loaded.Values)
                foreach (var t in g.Values) t.Dispose();
            throw;
        }
    }

    private static ZipArchive OpenZip(string path)
    {
        try { return ZipFile.OpenRead(path); }
        catch (InvalidDataException e) { throw Corrupt(path, $"it is not a complete zip archive, so it is truncated or corrupt ({e.Message})", e); }
    }

    private static Manifest ReadManifest(ZipArchive zip, string path)
    {
        var entry = zip.GetEntry(ManifestEntry) ?? throw Corrupt(path, $"it has no {ManifestEntry} manifest");
        byte[] bytes = ReadEntry(entry, path);
        JsonElement root;
        try { root = JsonDocument.Parse(bytes).RootElement; }
        catch (JsonException e) { throw Corrupt(path, $"its {ManifestEntry} is not valid JSON ({e.Message})", e); }
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out var f) || f.ValueKind != JsonValueKind.String || f.GetString() != Format)
            throw Corrupt(path, $"its manifest does not declare the format '{Format}'");
        if (!root.TryGetProperty("version", out var v) || !v.TryGetInt32(out var version) || version < 1)
            throw Corrupt(path, "its manifest has no valid format version");
        if (version > FormatVersion)
            throw new NotSupportedException($"Checkpoint '{path}' has format version {version}, newer than the version {FormatVersion} this library reads; update Ml.GanSdp to load it.");
        Manifest? m;
        try { m = root.Deserialize<Manifest>(Json); }
        catch (JsonException e) { throw Corrupt(path, $"its manifest is malformed ({e.Message})", e); }
        if (m is null || m.Options is null || m.Tensors is null || m.Regularizers is null || m.Iteration < 0)
            throw Corrupt(path, "its manifest lacks the iteration, options, regularizers or tensor list");
        return m;
    }

    private static Tensor ReadTensor(ZipArchive zip, ManifestTensor t, string path)
    {
        var entry = zip.GetEntry(t.Entry) ?? throw Corrupt(path, $"the array '{t.Entry}' listed in the manifest is missing");
        var bytes = ReadEntry(entry, path);
        if (!string.Equals(Convert.ToHexStringLower(SHA256.HashData(bytes)), t.Sha256, StringComparison.Ordinal))
            throw Corrupt(path, $"the array '{t.Entry}' does not match its SHA-256 (the file is corrupt)");
        using var ms = new MemoryStream(bytes);
        return Npy.Read(ms, $"{path}:{t.Entry}").DetachFromDisposeScope();
    }

    private static byte[] ReadEntry(ZipArchiveEntry entry, string path)
    {
        try
        {
            if (entry.Length > MaxEntryBytes)
                throw Corrupt(path, $"the entry '{entry.FullName}' declares {entry.Length} bytes, more than the {MaxEntryBytes}-byte limit");
            using var s = entry.Open();
            var buffer = new byte[entry.Length];
            s.ReadExactly(buffer);
            if (s.ReadByte() != -1) throw Corrupt(path, $"the entry '{entry.FullName}' holds more than its declared {entry.Length} bytes");
            return buffer;
        }
        catch (InvalidDataException e) { throw Corrupt(path, $"the entry '{entry.FullName}' cannot be read, so the file is corrupt ({e.Message})", e); }
        catch (IOException e) { throw Corrupt(path, $"the entry '{entry.FullName}' cannot be read, so the file is corrupt ({e.Message})", e); }
        catch (NotSupportedException e) { throw Corrupt(path, $"the entry '{entry.FullName}' uses an unsupported compression ({e.Message})", e); }
    }

    private static InvalidDataException Corrupt(string path, string why, Exception? inner = null)
        => new($"Checkpoint '{path}' cannot be loaded: {why}.", inner);

    private sealed record Manifest(string Format, int Version, long Iteration, string CreatedUtc, string LibraryVersion, string LibtorchVersion,
        GanTrainerOptions Options, List<string> Regularizers, List<ManifestTensor> Tensors);

    private sealed record ManifestTensor(string Entry, string Group, string Key, string Sha256);
}
