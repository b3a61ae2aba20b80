using System.Text.Json;
using System.Text.Json.Nodes;
using Ml.GanSdp.Models;

namespace Ml.GanSdp.Samples.Commands;

/// <summary>
/// The Frechet-distance curve during training: every <see cref="Every"/> iterations, <see cref="Samples"/> images of the
/// current generator (seeds 0 .. Samples - 1, classes in turn) against the reference statistics, in a feature space.
/// </summary>
public sealed record FdSpec
{
    /// <summary>Iterations between two measurements (a multiple of the sample interval).</summary>
    public long Every { get; init; }
    /// <summary>Generated images per measurement (and real images when the run computes the reference statistics).</summary>
    public int Samples { get; init; } = 1000;
    /// <summary>The feature space (Auto: Inception with <see cref="Weights"/>, else ResNet18).</summary>
    public GenerativeFeatureSpace Features { get; init; } = GenerativeFeatureSpace.Auto;
    /// <summary>pytorch-fid's Inception weights, for FID.</summary>
    public string? Weights { get; init; }
    /// <summary>The domain classifier (.npz); once the run has started, the run folder's fd-classifier.npz.</summary>
    public string? Classifier { get; init; }
    /// <summary>The reference statistics (.npz); once the run has started, the run folder's fd-reference.npz.</summary>
    public string? Reference { get; init; }
    /// <summary>The features as the CLI checks them.</summary>
    [System.Text.Json.Serialization.JsonIgnore] public FeatureSpec FeatureSpec => new(Features, Weights, Classifier);
    /// <summary>The distance's report name: "FID", "FD (ResNet18)" or "FD (classifier)".</summary>
    public string DistanceName => FeatureSpec.DistanceName;
}

/// <summary>
/// Everything a training run is: the data, the estimator's options and the FD curve. Written to the run's options.json
/// (with the resolved model the data gives) and read back by <c>--resume</c>, which continues the run as it was configured.
/// </summary>
public sealed record TrainSpec
{
    /// <summary>options.json's format name.</summary>
    public const string Format = "gansdp-run";

    /// <summary>options.json's version.</summary>
    public const int Version = 1;

    /// <summary>The data.</summary>
    public required DatasetSpec Dataset { get; init; }

    /// <summary>The estimator's options (no callbacks; checkpoint and temp folders are set by the run).</summary>
    public required GanSdpOptions Training { get; init; }

    /// <summary>The FD curve, or null.</summary>
    public FdSpec? Fd { get; init; }

    /// <summary>
    /// options.json: the format, the library version, the command line, the data (with its description, image shape and
    /// classes), the model the data resolves to (architecture, channels, image size, number of classes), the estimator's
    /// options resolved (SDP schedule, input column and progress interval filled in) and the FD settings.
    /// </summary>
    public JsonObject ToJson(LoadedData data, ModelOptions model, IReadOnlyList<string> commandLine) => new()
    {
        ["Format"] = Format,
        ["Version"] = Version,
        ["LibraryVersion"] = GanSdpModelInfo.CurrentLibraryVersion,
        ["CommandLine"] = string.Join(' ', commandLine.Select(Quote)),
        ["Dataset"] = JsonSerializer.SerializeToNode(Dataset, RunJson.Options),
        ["Data"] = new JsonObject
        {
            ["Description"] = data.Description,
            ["ImageShape"] = new JsonArray(data.Shape.Channels, data.Shape.Height, data.Shape.Width),
            ["ClassNames"] = new JsonArray([.. data.ClassNames.Select(n => (JsonNode?)JsonValue.Create(n))]),
        },
        ["Model"] = JsonSerializer.SerializeToNode(model, RunJson.Options),
        ["Training"] = JsonNode.Parse(Training.Resolved().ToJson()),
        ["Fd"] = Fd is null ? null : JsonSerializer.SerializeToNode(Fd, RunJson.Options),
    };

    /// <summary>Reads the spec of a run's options.json; errors name the file and the field.</summary>
    public static TrainSpec Read(string path)
    {
        JsonObject root;
        try { root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"'{path}' is not a JSON object."); }
        catch (JsonException e) { throw new InvalidDataException($"'{path}' is not valid JSON: {e.Message}", e); }
        if (root["Format"]?.GetValueKind() != JsonValueKind.String || root["Format"]!.GetValue<string>() != Format)
            throw new InvalidDataException($"'{path}' is not a gansdp run's options file (field 'Format' is not '{Format}').");
        if (root["Version"]?.GetValueKind() != JsonValueKind.Number || root["Version"]!.GetValue<int>() != Version)
            throw new InvalidDataException($"'{path}': field 'Version' is {root["Version"]?.ToJsonString() ?? "missing"}; this gansdp reads version {Version}.");
        var dataset = Field<DatasetSpec>(root, "Dataset", path);
        var fd = root["Fd"] is null ? null : Field<FdSpec>(root, "Fd", path);
        var training = GanSdpOptions.FromJson(root["Training"]?.ToJsonString() ?? throw new InvalidDataException($"'{path}': field 'Training' is missing."), $"'{path}' field 'Training'");
        return new TrainSpec { Dataset = dataset, Training = training, Fd = fd };
    }

    private static T Field<T>(JsonObject root, string name, string path)
    {
        try
        {
            return (root[name] ?? throw new InvalidDataException($"'{path}': field '{name}' is missing.")).Deserialize<T>(RunJson.Options)
                ?? throw new InvalidDataException($"'{path}': field '{name}' is null.");
        }
        catch (JsonException e) { throw new InvalidDataException($"'{path}': field '{name}' is malformed at '{e.Path}': {e.Message}", e); }
    }

    private static string Quote(string arg) => arg.Length > 0 && arg.All(c => char.IsLetterOrDigit(c) || "-_./=:,+@".Contains(c)) ? arg : "'" + arg.Replace("'", "'\\''") + "'";
}
