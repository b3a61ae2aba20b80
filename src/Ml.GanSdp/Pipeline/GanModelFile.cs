using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ml.GanSdp.Models;
using Ml.GanSdp.Serialization;
using Ml.GanSdp.Training;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Pipeline;

/// <summary>
/// A trained generator on disk: one zip (written atomically) holding <c>manifest.json</c> (format and library
/// versions, architecture and its options, image shape, latent size, class names, training options, final metrics,
/// a SHA-256 per entry), <c>generator.safetensors</c> (G's state dict, PyTorch's key names), and when present
/// <c>generator_ema.safetensors</c> and <c>discriminator.safetensors</c>. The safetensors entries are stored
/// uncompressed, so <c>unzip</c> + any safetensors reader (or tools/load_generator.py) loads them in PyTorch.
/// </summary>
public static class GanModelFile
{
    /// <summary>The manifest's format name.</summary>
    public const string Format = "ml-gansdp-model";
    /// <summary>The format version written, and the newest read.</summary>
    public const int FormatVersion = 1;
    /// <summary>The manifest entry.</summary>
    public const string ManifestEntry = "manifest.json";
    /// <summary>G's weights.</summary>
    public const string GeneratorEntry = "generator.safetensors";
    /// <summary>The EMA generator's weights.</summary>
    public const string GeneratorEmaEntry = "generator_ema.safetensors";
    /// <summary>D's weights.</summary>
    public const string DiscriminatorEntry = "discriminator.safetensors";

    private static JsonSerializerOptions Json => Checkpoint.Json;

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> (a crash leaves the old file, never a partial one).</summary>
    public static void Save(GanGeneratorTransformer model, string path, bool includeDiscriminator = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(path);
        var parts = new List<(string Entry, nn.Module Module)> { (GeneratorEntry, model.Generator.Module) };
        if (model.EmaGenerator is { } ema) parts.Add((GeneratorEmaEntry, ema.Module));
        if (includeDiscriminator)
        {
            if (model.Discriminator is null) throw new InvalidOperationException("This model has no discriminator to save (it was loaded without one).");
            parts.Add((DiscriminatorEntry, model.Discriminator.Module));
        }
        AtomicFile.Write(path, fs =>
        {
            using var zip = new ZipArchive(fs, ZipArchiveMode.Create, leaveOpen: true);
            var hashes = new JsonObject();
            foreach (var (entry, module) in parts)
            {
                var state = module.state_dict();
                byte[] bytes;
                try
                {
                    using var ms = new MemoryStream();
                    Safetensors.Write(ms, state, new Dictionary<string, string> { ["format"] = "pt" });
                    bytes = ms.ToArray();
                }
                finally
                {
                    foreach (var t in state.Values) t.Dispose();
                }
                var e = zip.CreateEntry(entry, CompressionLevel.NoCompression);
                using (var es = e.Open()) es.Write(bytes);
                hashes[entry] = Convert.ToHexStringLower(SHA256.HashData(bytes));
            }
            var manifest = new JsonObject
            {
                ["format"] = Format,
                ["format_version"] = FormatVersion,
                ["library_version"] = typeof(GanModelFile).Assembly.GetName().Version?.ToString() ?? "?",
                ["libtorch_version"] = __version__,
                ["created_utc"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
                ["architecture"] = model.Model.Architecture.ToString(),
                ["model_options"] = JsonSerializer.SerializeToNode(model.Model, Json),
                ["image_shape"] = new JsonArray(model.ImageShape.Select(d => (JsonNode)d).ToArray()),
                ["latent_size"] = model.LatentSize,
                ["num_classes"] = model.NumClasses,
                ["class_names"] = model.ClassNames is null ? null : new JsonArray(model.ClassNames.Select(c => (JsonNode)c).ToArray()),
                ["label_column"] = model.LabelColumnName,
                ["training_options"] = model.TrainerOptions is null ? null : JsonSerializer.SerializeToNode(model.TrainerOptions, Json),
                ["metrics"] = new JsonObject(model.Metrics.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)(double.IsFinite(kv.Value) ? kv.Value : kv.Value.ToString(CultureInfo.InvariantCulture))))),
                ["sha256"] = hashes,
            };
            var m = zip.CreateEntry(ManifestEntry, CompressionLevel.Optimal);
            using var s = m.Open();
            using var w = new Utf8JsonWriter(s, new JsonWriterOptions { Indented = true });
            manifest.WriteTo(w);
        });
    }

    /// <summary>
    /// Reads a model. Throws <see cref="FileNotFoundException"/> when absent, <see cref="NotSupportedException"/> for a
    /// file written by a newer format version, and <see cref="InvalidDataException"/> naming the file and the problem
    /// when it is truncated, corrupt (a checksum fails) or not a model file. The loaded generator makes the same images
    /// for the same seeds as the saved one.
    /// </summary>
    public static GanGeneratorTransformer Load(string path, bool loadDiscriminator = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Model file '{path}' does not exist.", path);
        ZipArchive zip;
        try { zip = ZipFile.OpenRead(path); }
        catch (InvalidDataException e) { throw Corrupt(path, $"it is not a readable zip archive (truncated or corrupt: {e.Message})", e); }
        using (zip)
        {
            var manifest = ReadManifest(zip, path);
            int version = manifest["format_version"]?.GetValue<int>() ?? throw Corrupt(path, "its manifest has no format_version");
            if (version > FormatVersion)
                throw new NotSupportedException($"Model file '{path}' has format version {version}, written by a newer Ml.GanSdp (library {manifest["library_version"]}); this version ({typeof(GanModelFile).Assembly.GetName().Version}) reads up to version {FormatVersion}. Upgrade Ml.GanSdp.");
            if (version < 1) throw Corrupt(path, $"its format version {version} is invalid");
            ModelOptions model;
            GanTrainerOptions? training = null;
            try
            {
                model = manifest["model_options"].Deserialize<ModelOptions>(Json) ?? throw Corrupt(path, "its manifest has no model_options");
                if (manifest["training_options"] is { } to) training = to.Deserialize<GanTrainerOptions>(Json);
                model.Validate();
            }
            catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
            {
                throw Corrupt(path, $"its manifest's options are malformed ({e.Message})", e);
            }
            var classNames = manifest["class_names"] is JsonArray a ? a.Select(n => n!.GetValue<string>()).ToArray() : null;
            var metrics = new Dictionary<string, double>();
            if (manifest["metrics"] is JsonObject mo)
                foreach (var (k, v) in mo)
                    if (v is JsonValue jv && jv.TryGetValue<double>(out var d)) metrics[k] = d;
            var hashes = manifest["sha256"] as JsonObject ?? throw Corrupt(path, "its manifest has no sha256 table");

            IGenerator? g = null, ema = null;
            IDiscriminator? disc = null;
            try
            {
                g = ModelFactory.CreateGenerator(model);
                LoadInto(zip, path, GeneratorEntry, hashes, g.Module, required: true);
                if (zip.GetEntry(GeneratorEmaEntry) is not null)
                {
                    ema = ModelFactory.CreateGenerator(model);
                    LoadInto(zip, path, GeneratorEmaEntry, hashes, ema.Module, required: true);
                }
                if (loadDiscriminator && zip.GetEntry(DiscriminatorEntry) is not null)
                {
                    disc = ModelFactory.CreateDiscriminator(model);
                    LoadInto(zip, path, DiscriminatorEntry, hashes, disc.Module, required: true);
                }
                return new GanGeneratorTransformer(model, g, ema, disc, classNames, training, metrics, manifest["label_column"]?.GetValue<string>());
            }
            catch
            {
                g?.Dispose();
                ema?.Dispose();
                disc?.Dispose();
                throw;
            }
        }
    }

    /// <summary>The manifest of a model file (for inspection, e.g. <c>gansdp generate</c> printing the classes).</summary>
    public static JsonObject ReadManifest(string path)
    {
        ZipArchive zip;
        try { zip = ZipFile.OpenRead(path); }
        catch (InvalidDataException e) { throw Corrupt(path, $"it is not a readable zip archive (truncated or corrupt: {e.Message})", e); }
        using (zip) return ReadManifest(zip, path);
    }

    private static JsonObject ReadManifest(ZipArchive zip, string path)
    {
        var entry = zip.GetEntry(ManifestEntry) ?? throw Corrupt(path, $"it has no {ManifestEntry} (not an Ml.GanSdp model file)");
        byte[] bytes = ReadEntry(entry, path);
        JsonNode? node;
        try { node = JsonNode.Parse(bytes); }
        catch (JsonException e) { throw Corrupt(path, $"its {ManifestEntry} is not valid JSON ({e.Message})", e); }
        if (node is not JsonObject o || o["format"] is not JsonValue f || !f.TryGetValue<string>(out var fs) || fs != Format)
            throw Corrupt(path, $"its {ManifestEntry} is not an Ml.GanSdp model manifest (format '{Format}' expected)");
        return o;
    }

    private static void LoadInto(ZipArchive zip, string path, string name, JsonObject hashes, nn.Module module, bool required)
    {
        var entry = zip.GetEntry(name);
        if (entry is null)
        {
            if (required) throw Corrupt(path, $"it has no {name}");
            return;
        }
        var bytes = ReadEntry(entry, path);
        var expected = hashes[name]?.GetValue<string>() ?? throw Corrupt(path, $"its manifest has no checksum for {name}");
        if (!string.Equals(Convert.ToHexStringLower(SHA256.HashData(bytes)), expected, StringComparison.OrdinalIgnoreCase))
            throw Corrupt(path, $"{name} does not match its SHA-256 checksum (the file is corrupt)");
        Dictionary<string, Tensor> state;
        using (var ms = new MemoryStream(bytes)) state = Safetensors.Read(ms, $"{path}!{name}");
        try
        {
            module.load_state_dict(state);
        }
        catch (ArgumentException e)
        {
            throw Corrupt(path, $"{name} does not fit the architecture in the manifest ({e.Message})", e);
        }
        finally
        {
            foreach (var t in state.Values) t.Dispose();
        }
    }

    private static byte[] ReadEntry(ZipArchiveEntry entry, string path)
    {
        try
        {
            using var s = entry.Open();
            using var ms = new MemoryStream();
            s.CopyTo(ms);
            return ms.ToArray();
        }
        catch (InvalidDataException e) { throw Corrupt(path, $"its entry {entry.FullName} cannot be read ({e.Message})", e); }
        catch (IOException e) { throw Corrupt(path, $"its entry {entry.FullName} cannot be read ({e.Message})", e); }
    }

    private static InvalidDataException Corrupt(string path, string what, Exception? inner = null)
        => new($"Model file '{path}' cannot be loaded: {what}.", inner);
}

/// <summary><c>Save</c> and <c>Load</c> on <see cref="GanContext.Model"/> (ML.NET's <c>mlContext.Model.Save/Load</c>).</summary>
public static class ModelCatalogExtensions
{
    /// <summary>Saves a trained generator as a model zip (see <see cref="GanModelFile"/>).</summary>
    public static void Save(this ModelOperationsCatalog catalog, GanGeneratorTransformer model, string path, bool includeDiscriminator = false)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        GanModelFile.Save(model, path, includeDiscriminator);
    }

    /// <summary>Loads a model zip (see <see cref="GanModelFile.Load"/> for the errors).</summary>
    public static GanGeneratorTransformer Load(this ModelOperationsCatalog catalog, string path, bool loadDiscriminator = false)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return GanModelFile.Load(path, loadDiscriminator);
    }
}
