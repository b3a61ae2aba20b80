using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using Google.Protobuf;
using Ml.GanSdp.Models;
using Ml.GanSdp.Onnx;
using Ml.GanSdp.Onnx.Protobuf;

namespace Ml.GanSdp;

/// <summary>
/// What a generator fitted by <see cref="GanSdpEstimator"/> records about itself in its ONNX model's
/// <c>metadata_props</c> (keys <c>gansdp.*</c>, see <see cref="Keys"/>): the format and library versions, the
/// architecture, latent size, image shape, pixel range, class names, column names, the options (JSON) and the training
/// summary (JSON). <see cref="Read"/> finds it in an ML.NET model zip (<c>mlContext.Model.Save</c>) or an .onnx file,
/// <see cref="FromOnnx"/> in ONNX bytes; both validate every field and name the file and the field on error.
/// </summary>
public sealed record GanSdpModelInfo
{
    /// <summary>The metadata keys.</summary>
    public static class Keys
    {
        /// <summary>Format version of these fields (an integer; this library writes <see cref="CurrentFormatVersion"/>).</summary>
        public const string FormatVersion = "gansdp.format_version";
        /// <summary>The library's version that wrote the model.</summary>
        public const string LibraryVersion = "gansdp.library_version";
        /// <summary>The <see cref="Models.Architecture"/> name.</summary>
        public const string Architecture = "gansdp.architecture";
        /// <summary>Latent size (integer).</summary>
        public const string LatentSize = "gansdp.latent_size";
        /// <summary>[C, H, W] as a JSON array of three integers.</summary>
        public const string ImageDimensions = "gansdp.image_dimensions";
        /// <summary>The pixel range as a JSON object {"Min": .., "Max": ..}.</summary>
        public const string PixelRange = "gansdp.pixel_range";
        /// <summary>Number of classes (0 = unconditional).</summary>
        public const string ClassCount = "gansdp.class_count";
        /// <summary>Class names as a JSON array of strings (class k has key k + 1).</summary>
        public const string ClassNames = "gansdp.class_names";
        /// <summary>The generated column (the graph's output).</summary>
        public const string OutputColumn = "gansdp.output_column";
        /// <summary>The seed column (a graph input).</summary>
        public const string SeedColumn = "gansdp.seed_column";
        /// <summary>The label column (a graph input) or the empty string when unconditional.</summary>
        public const string LabelColumn = "gansdp.label_column";
        /// <summary>"ema" or "generator": which weights were exported.</summary>
        public const string ExportedWeights = "gansdp.exported_weights";
        /// <summary>The resolved <see cref="GanSdpOptions"/> as JSON.</summary>
        public const string Options = "gansdp.options";
        /// <summary>The <see cref="GanSdpTrainingSummary"/> as JSON.</summary>
        public const string Training = "gansdp.training";
    }

    /// <summary>The format version this library writes and reads.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>The largest latent size accepted when reading (larger values are refused before anything is allocated).</summary>
    public const int MaxLatentSize = 65_536;

    /// <summary>The largest class count accepted when reading.</summary>
    public const int MaxClassCount = 100_000;

    /// <summary>The largest ONNX model read from a zip entry or file (protobuf's 2 GiB message limit).</summary>
    public const long MaxModelBytes = int.MaxValue;

    /// <summary>Format version.</summary>
    public int FormatVersion { get; init; } = CurrentFormatVersion;
    /// <summary>The writing library's version.</summary>
    public string LibraryVersion { get; init; } = "";
    /// <summary>The architecture.</summary>
    public Architecture Architecture { get; init; }
    /// <summary>Latent size.</summary>
    public int LatentSize { get; init; }
    /// <summary>[C, H, W] of the generated images.</summary>
    public ImageShape ImageShape { get; init; }
    /// <summary>The pixel scale of the generated images.</summary>
    public PixelRange PixelRange { get; init; }
    /// <summary>Class names (empty when unconditional); class k has key k + 1.</summary>
    public IReadOnlyList<string> ClassNames { get; init; } = [];
    /// <summary>The generated column.</summary>
    public string OutputColumnName { get; init; } = "";
    /// <summary>The seed column.</summary>
    public string SeedColumnName { get; init; } = "";
    /// <summary>The label column, or null when unconditional.</summary>
    public string? LabelColumnName { get; init; }
    /// <summary>Whether the EMA generator's weights were exported.</summary>
    public bool ExportedEmaGenerator { get; init; }
    /// <summary>The options of the fit (resolved).</summary>
    public GanSdpOptions Options { get; init; } = new();
    /// <summary>The training summary.</summary>
    public GanSdpTrainingSummary Training { get; init; } = new();

    /// <summary>Number of classes (0 when unconditional).</summary>
    public int ClassCount => ClassNames.Count;

    private static readonly JsonSerializerOptions Json = new()
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The <c>metadata_props</c> entries that describe this model.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ToMetadata() =>
    [
        new(Keys.FormatVersion, FormatVersion.ToString(CultureInfo.InvariantCulture)),
        new(Keys.LibraryVersion, LibraryVersion),
        new(Keys.Architecture, Architecture.ToString()),
        new(Keys.LatentSize, LatentSize.ToString(CultureInfo.InvariantCulture)),
        new(Keys.ImageDimensions, JsonSerializer.Serialize(new[] { ImageShape.Channels, ImageShape.Height, ImageShape.Width })),
        new(Keys.PixelRange, JsonSerializer.Serialize(PixelRange)),
        new(Keys.ClassCount, ClassCount.ToString(CultureInfo.InvariantCulture)),
        new(Keys.ClassNames, JsonSerializer.Serialize(ClassNames)),
        new(Keys.OutputColumn, OutputColumnName),
        new(Keys.SeedColumn, SeedColumnName),
        new(Keys.LabelColumn, LabelColumnName ?? ""),
        new(Keys.ExportedWeights, ExportedEmaGenerator ? "ema" : "generator"),
        new(Keys.Options, Options.ToJson()),
        new(Keys.Training, JsonSerializer.Serialize(Training, Json)),
    ];

    /// <summary>This library's version as written into models.</summary>
    public static string CurrentLibraryVersion =>
        typeof(GanSdpModelInfo).Assembly.GetName().Version?.ToString() ?? "0";

    // ------------------------------------------------------------------ reading

    /// <summary>
    /// Reads the generator's metadata from <paramref name="path"/>: an ML.NET model zip (the ONNX model of ML.NET's
    /// OnnxTransformer, entry <c>.../OnnxModel</c>) or an .onnx file. The zip must hold exactly one Ml.GanSdp generator
    /// (<see cref="ReadAll"/> returns every one). Entry sizes are checked against <see cref="MaxModelBytes"/> before
    /// reading, no entry is read beyond its declared size, and the model streams through in bounded memory: only its
    /// metadata and the graph's inputs, outputs and initializer names are kept (a zip entry that expands to gigabytes
    /// costs reading time, not memory). Errors (<see cref="InvalidDataException"/>) name the file,
    /// the entry and the field.
    /// </summary>
    public static GanSdpModelInfo Read(string path)
    {
        var all = ReadAll(path);
        return all.Count switch
        {
            1 => all[0],
            0 => throw new InvalidDataException($"'{path}' holds no Ml.GanSdp generator (no ONNX model with '{Keys.FormatVersion}' metadata)."),
            _ => throw new InvalidDataException($"'{path}' holds {all.Count} Ml.GanSdp generators; use GanSdpModelInfo.ReadAll."),
        };
    }

    /// <summary>Every Ml.GanSdp generator in <paramref name="path"/> (see <see cref="Read"/>), in entry order.</summary>
    public static IReadOnlyList<GanSdpModelInfo> ReadAll(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"'{path}' does not exist.", path);
        bool zip;
        using (var probe = File.OpenRead(path))
        {
            Span<byte> magic = stackalloc byte[4];
            zip = probe.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && magic[0] == (byte)'P' && magic[1] == (byte)'K' && magic[2] == 3 && magic[3] == 4;
            if (!zip)
            {
                if (probe.Length > MaxModelBytes) throw new InvalidDataException($"'{path}' is {probe.Length} bytes, beyond the {MaxModelBytes}-byte limit of an ONNX model.");
                probe.Position = 0;
                var info = TryFromOutline(ReadOutline(probe, probe.Length, $"'{path}'"), $"'{path}'");
                return info is null ? [] : [info];
            }
        }
        var found = new List<GanSdpModelInfo>();
        ZipArchive archive;
        try { archive = ZipFile.OpenRead(path); }
        catch (InvalidDataException e) { throw new InvalidDataException($"'{path}' is not a readable zip: {e.Message}", e); }
        using (archive)
        {
            foreach (var entry in archive.Entries)
            {
                if (!string.Equals(entry.Name, "OnnxModel", StringComparison.Ordinal)) continue;
                var source = $"'{path}' entry '{entry.FullName}'";
                if (entry.Length > MaxModelBytes || entry.Length < 0)
                    throw new InvalidDataException($"{source} declares {entry.Length} bytes, beyond the {MaxModelBytes}-byte limit of an ONNX model.");
                if (TryFromOutline(ReadEntryOutline(entry, source), source) is { } info) found.Add(info);
            }
        }
        return found;
    }

    /// <summary>The metadata of ONNX model <paramref name="onnxModel"/>; <paramref name="source"/> names it in errors.</summary>
    public static GanSdpModelInfo FromOnnx(byte[] onnxModel, string source = "the ONNX model")
    {
        ArgumentNullException.ThrowIfNull(onnxModel);
        using var stream = new MemoryStream(onnxModel, writable: false);
        return TryFromOutline(ReadOutline(stream, onnxModel.Length, source), source)
            ?? throw new InvalidDataException($"{source} is not an Ml.GanSdp generator (no '{Keys.FormatVersion}' metadata).");
    }

    /// <summary>
    /// The outline of the ONNX model in an OnnxTransformer zip entry, streamed in bounded memory: ML.NET stores the model
    /// as an int32 (little-endian) length n, then n bytes; the entry may hold no more than it declares.
    /// </summary>
    private static ModelProto ReadEntryOutline(ZipArchiveEntry entry, string source)
    {
        try
        {
            using var s = entry.Open();
            Span<byte> prefix = stackalloc byte[4];
            int got = s.ReadAtLeast(prefix, 4, throwOnEndOfStream: false);
            long declared = got == 4 ? BitConverter.ToInt32(prefix) : -1;
            if (got < 4 || declared != entry.Length - 4)
                throw new InvalidDataException($"{source} is not an OnnxTransformer model entry: its length prefix ({(got < 4 ? "missing" : declared.ToString(CultureInfo.InvariantCulture))}) does not match the {entry.Length - 4} bytes that follow.");
            var outline = ReadOutline(s, declared, source);
            if (s.ReadByte() != -1) throw new InvalidDataException($"{source} holds more than its declared {entry.Length} bytes.");
            return outline;
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(source, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{source} cannot be decompressed: {e.Message}", e);
        }
    }

    private static ModelProto ReadOutline(Stream stream, long length, string source)
    {
        try { return OnnxModelOutline.Read(stream, length); }
        catch (Exception e) when (e is InvalidDataException or InvalidProtocolBufferException)
        {
            if (e.Message.StartsWith(source, StringComparison.Ordinal)) throw;
            throw new InvalidDataException($"{source} is not an ONNX model: {e.Message}", e);
        }
    }

    private static GanSdpModelInfo? TryFromOutline(ModelProto model, string source)
    {
        var props = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in model.MetadataProps)
            if (!props.TryAdd(p.Key, p.Value)) throw new InvalidDataException($"{source}: metadata field '{p.Key}' appears twice.");
        if (!props.ContainsKey(Keys.FormatVersion)) return null;
        var info = Parse(props, source);
        CheckGraph(model, info, source);
        return info;
    }

    private static GanSdpModelInfo Parse(Dictionary<string, string> props, string source)
    {
        string Field(string key) => props.TryGetValue(key, out var v) ? v : throw Bad(source, key, "is missing");
        int format = Int(source, Keys.FormatVersion, Field(Keys.FormatVersion), 1, int.MaxValue);
        if (format != CurrentFormatVersion)
            throw Bad(source, Keys.FormatVersion, $"is {format}; this library reads version {CurrentFormatVersion}");
        var version = Field(Keys.LibraryVersion);
        if (string.IsNullOrWhiteSpace(version)) throw Bad(source, Keys.LibraryVersion, "is empty");
        var archText = Field(Keys.Architecture);
        if (!Enum.TryParse<Architecture>(archText, ignoreCase: false, out var architecture) || !Enum.IsDefined(architecture) || int.TryParse(archText, out _))
            throw Bad(source, Keys.Architecture, $"is '{archText}', not one of {string.Join(", ", Enum.GetNames<Architecture>())}");
        int latent = Int(source, Keys.LatentSize, Field(Keys.LatentSize), 1, MaxLatentSize);
        var dims = Deserialize<int[]>(source, Keys.ImageDimensions, Field(Keys.ImageDimensions));
        if (dims is not { Length: 3 } || dims.Any(d => d < 1 || d > 65_536) || (long)dims[0] * dims[1] * dims[2] > int.MaxValue)
            throw Bad(source, Keys.ImageDimensions, $"is {Field(Keys.ImageDimensions)}; it must be [C, H, W] with sizes 1 .. 65536 and at most {int.MaxValue} values");
        var range = Deserialize<PixelRange>(source, Keys.PixelRange, Field(Keys.PixelRange));
        if (!float.IsFinite(range.Min) || !float.IsFinite(range.Max) || !(range.Min < range.Max))
            throw Bad(source, Keys.PixelRange, $"is {range}; it must have finite ends with Min < Max");
        int classCount = Int(source, Keys.ClassCount, Field(Keys.ClassCount), 0, MaxClassCount);
        var names = Deserialize<string?[]>(source, Keys.ClassNames, Field(Keys.ClassNames)) ?? throw Bad(source, Keys.ClassNames, "is null; it must be an array of strings");
        if (names.Length != classCount)
            throw Bad(source, Keys.ClassNames, $"holds {names.Length} names but '{Keys.ClassCount}' is {classCount}");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < names.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(names[i])) throw Bad(source, Keys.ClassNames, $"has a null or blank name at index {i}");
            if (!seen.Add(names[i]!)) throw Bad(source, Keys.ClassNames, $"names class '{names[i]}' twice (again at index {i})");
        }
        var output = Field(Keys.OutputColumn);
        var seed = Field(Keys.SeedColumn);
        var label = Field(Keys.LabelColumn);
        if (string.IsNullOrWhiteSpace(output)) throw Bad(source, Keys.OutputColumn, "is empty");
        if (string.IsNullOrWhiteSpace(seed)) throw Bad(source, Keys.SeedColumn, "is empty");
        if ((label.Length > 0) != (classCount > 0))
            throw Bad(source, Keys.LabelColumn, classCount > 0 ? $"is empty but the model has {classCount} classes" : $"is '{label}' but the model has no classes");
        var weights = Field(Keys.ExportedWeights);
        if (weights is not ("ema" or "generator")) throw Bad(source, Keys.ExportedWeights, $"is '{weights}', not 'ema' or 'generator'");
        GanSdpOptions options;
        try { options = GanSdpOptions.FromJson(Field(Keys.Options), $"{source}: metadata field '{Keys.Options}'"); }
        catch (InvalidDataException e) { throw new InvalidDataException(e.Message, e); }
        var training = Deserialize<GanSdpTrainingSummary>(source, Keys.Training, Field(Keys.Training)) ?? throw Bad(source, Keys.Training, "is null");
        if (training.Terms is null) throw Bad(source, Keys.Training, "has null Terms");
        if (options.Architecture != architecture) throw Bad(source, Keys.Options, $"names architecture {options.Architecture} but '{Keys.Architecture}' is {architecture}");
        if (options.LatentSize != latent) throw Bad(source, Keys.Options, $"has LatentSize {options.LatentSize} but '{Keys.LatentSize}' is {latent}");
        return new GanSdpModelInfo
        {
            FormatVersion = format,
            LibraryVersion = version,
            Architecture = architecture,
            LatentSize = latent,
            ImageShape = new ImageShape(dims[0], dims[1], dims[2]),
            PixelRange = range,
            ClassNames = names!,
            OutputColumnName = output,
            SeedColumnName = seed,
            LabelColumnName = label.Length > 0 ? label : null,
            ExportedEmaGenerator = weights == "ema",
            Options = options,
            Training = training,
        };
    }

    /// <summary>The metadata must describe the graph it sits in: the seed and label inputs and the image output.</summary>
    private static void CheckGraph(ModelProto model, GanSdpModelInfo info, string source)
    {
        var graph = model.Graph ?? throw new InvalidDataException($"{source}: the ONNX model has no graph.");
        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var inputs = graph.Input.Where(i => !initializers.Contains(i.Name)).Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        if (!inputs.Contains(info.SeedColumnName)) throw Bad(source, Keys.SeedColumn, $"is '{info.SeedColumnName}' but the graph has no such input (it has {string.Join(", ", inputs.Select(n => $"'{n}'"))})");
        if (info.LabelColumnName is { } l && !inputs.Contains(l)) throw Bad(source, Keys.LabelColumn, $"is '{l}' but the graph has no such input");
        if (inputs.Count != (info.LabelColumnName is null ? 1 : 2)) throw Bad(source, Keys.ClassCount, $"is {info.ClassCount} but the graph has inputs {string.Join(", ", inputs.Select(n => $"'{n}'"))}");
        var output = graph.Output.FirstOrDefault(o => o.Name == info.OutputColumnName)
            ?? throw Bad(source, Keys.OutputColumn, $"is '{info.OutputColumnName}' but the graph has no such output");
        var dims = output.Type?.TensorType?.Shape?.Dim.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue : -1).ToArray() ?? [];
        var s = info.ImageShape;
        bool matches = dims.Length switch
        {
            4 => dims[1] == s.Channels && dims[2] == s.Height && dims[3] == s.Width,   // batched: [N, C, H, W]
            3 => dims[0] == s.Channels && dims[1] == s.Height && dims[2] == s.Width,   // ML.NET's one-row view: [C, H, W]
            _ => false,
        };
        if (!matches) throw Bad(source, Keys.ImageDimensions, $"is {s} but the graph's output '{info.OutputColumnName}' is [{string.Join(", ", dims)}]");
    }

    private static int Int(string source, string key, string text, int min, int max)
    {
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
            throw Bad(source, key, $"is '{text}'; it must be a whole number between {min} and {max}");
        return (int)v;
    }

    private static T? Deserialize<T>(string source, string key, string json)
    {
        try { return JsonSerializer.Deserialize<T>(json, Json); }
        catch (JsonException e) { throw Bad(source, key, $"is not valid JSON for {typeof(T).Name} (at '{e.Path ?? "$"}': {e.Message})", e); }
    }

    private static InvalidDataException Bad(string source, string key, string problem, Exception? inner = null)
        => new($"{source}: metadata field '{key}' {problem}.", inner);
}
