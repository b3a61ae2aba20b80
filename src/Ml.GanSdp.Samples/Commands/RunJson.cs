using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Ml.GanSdp.Samples.Commands;

/// <summary>JSON as the run folder writes it: indented, enums by name, and no HTML escaping of '&lt;' or '&gt;' (the files are data, not HTML).</summary>
internal static class RunJson
{
    /// <summary>Serializer options for options.json and final.json.</summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>One metrics.jsonl line: compact, same encoder.</summary>
    public static readonly JsonSerializerOptions Line = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A number as JSON: finite values as numbers (round-trip), NaN and infinities as the strings "NaN", "Infinity", "-Infinity".</summary>
    public static JsonNode Number(double v) => double.IsFinite(v) ? JsonValue.Create(v) : JsonValue.Create(v.ToString(CultureInfo.InvariantCulture));

    /// <summary><paramref name="node"/> as indented text.</summary>
    public static string Text(JsonNode node) => node.ToJsonString(Options);
}
