using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Ml.GanSdp.Samples.Commands;

/// <summary>
/// Options with their checks attached: every number must be finite and inside its range, checked by the parser, so a
/// bad value (<c>--lr NaN</c>, <c>--ema 2</c>, <c>-n 0</c>) is a usage error naming the option before any file is read or
/// written. Enumerations accept their names case-insensitively with or without dashes (<c>sngan-resnet</c>).
/// </summary>
internal static class Opt
{
    /// <summary>A double in [min, max] (min excluded when <paramref name="minExclusive"/>), finite.</summary>
    public static Option<double> Double(string name, string description, double defaultValue, double min, double max, bool minExclusive = false, params string[] aliases)
        => new(name, aliases) { Description = description, DefaultValueFactory = _ => defaultValue, CustomParser = r => ParseDouble(r, name, min, max, minExclusive, false) ?? defaultValue };

    /// <summary>An optional double in [min, max] (min excluded when <paramref name="minExclusive"/>, max when <paramref name="maxExclusive"/>), finite.</summary>
    public static Option<double?> OptionalDouble(string name, string description, double min, double max, bool minExclusive = false, bool maxExclusive = false, params string[] aliases)
        => new(name, aliases) { Description = description, CustomParser = r => ParseDouble(r, name, min, max, minExclusive, maxExclusive) };

    /// <summary>A long in [min, max].</summary>
    public static Option<long> Long(string name, string description, long defaultValue, long min, long max, params string[] aliases)
        => new(name, aliases) { Description = description, DefaultValueFactory = _ => defaultValue, CustomParser = r => ParseLong(r, name, min, max) ?? defaultValue };

    /// <summary>An optional long in [min, max].</summary>
    public static Option<long?> OptionalLong(string name, string description, long min, long max, params string[] aliases)
        => new(name, aliases) { Description = description, CustomParser = r => ParseLong(r, name, min, max) };

    /// <summary>An int in [min, max].</summary>
    public static Option<int> Int(string name, string description, int defaultValue, int min, int max, params string[] aliases)
        => new(name, aliases) { Description = description, DefaultValueFactory = _ => defaultValue, CustomParser = r => (int?)ParseLong(r, name, min, max) ?? defaultValue };

    /// <summary>An optional int in [min, max].</summary>
    public static Option<int?> OptionalInt(string name, string description, int min, int max, params string[] aliases)
        => new(name, aliases) { Description = description, CustomParser = r => (int?)ParseLong(r, name, min, max) };

    /// <summary>An enumeration value named case-insensitively, dashes and underscores ignored (<c>least-squares</c> = LeastSquares).</summary>
    public static Option<T> Enum<T>(string name, string description, T defaultValue, params string[] aliases) where T : struct, System.Enum
        => new(name, aliases) { Description = description, HelpName = string.Join("|", Names<T>()), DefaultValueFactory = _ => defaultValue, CustomParser = r => ParseEnum<T>(r, name) };

    /// <summary>A comma-separated list of enumeration values.</summary>
    public static Option<T[]> EnumList<T>(string name, string description, T[] defaultValue) where T : struct, System.Enum
        => new(name) { Description = description + " (comma-separated: " + string.Join(", ", Names<T>()) + ")", DefaultValueFactory = _ => defaultValue, CustomParser = r => ParseList<T>(r, name, ParseEnumText<T>) };

    /// <summary>A comma-separated list of integers in [min, max].</summary>
    public static Option<int[]> IntList(string name, string description, int[] defaultValue, int min, int max)
        => new(name) { Description = description, DefaultValueFactory = _ => defaultValue, CustomParser = r => ParseList<int>(r, name, t => int.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max ? v : null) };

    /// <summary>The kebab-case names of <typeparamref name="T"/>'s values (<c>LeastSquares</c> -> <c>least-squares</c>).</summary>
    public static IEnumerable<string> Names<T>() where T : struct, System.Enum => System.Enum.GetNames<T>().Select(Kebab);

    /// <summary><c>LeastSquares</c> -> <c>least-squares</c>.</summary>
    public static string Kebab(string pascal)
    {
        // words that are names, not two words: ResNet, LightGbm
        var text = pascal.Replace("ResNet", "Resnet", StringComparison.Ordinal).Replace("LightGbm", "Lightgbm", StringComparison.Ordinal);
        return string.Concat(text.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
    }

    /// <summary>The kebab-case name of <paramref name="value"/>.</summary>
    public static string Kebab<T>(T value) where T : struct, System.Enum => Kebab(value.ToString());

    /// <summary>Whether the user gave <paramref name="option"/> on the command line (not its default).</summary>
    public static bool Given(this ParseResult p, Option option) => p.GetResult(option) is { Implicit: false };

    private static T ParseEnum<T>(ArgumentResult r, string name) where T : struct, System.Enum
    {
        var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
        if (ParseEnumText<T>(text) is { } v) return v;
        r.AddError($"{name}: unknown value '{text}'; use one of {string.Join(", ", Names<T>())}.");
        return default;
    }

    private static T? ParseEnumText<T>(string text) where T : struct, System.Enum
    {
        var key = text.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal);
        foreach (var n in System.Enum.GetNames<T>())
            if (string.Equals(n, key, StringComparison.OrdinalIgnoreCase)) return System.Enum.Parse<T>(n);
        return null;
    }

    private static TItem[] ParseList<TItem>(ArgumentResult r, string name, Func<string, TItem?> parse) where TItem : struct
    {
        var items = new List<TItem>();
        foreach (var token in r.Tokens)
            foreach (var part in token.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (parse(part) is { } v) items.Add(v);
                else
                {
                    r.AddError($"{name}: '{part}' is not a valid item.");
                    return [];
                }
            }
        if (items.Count == 0) r.AddError($"{name} needs at least one item.");
        return [.. items];
    }

    /// <summary>The option's number, or null with an error naming the option when it is not a finite number in range.</summary>
    private static double? ParseDouble(ArgumentResult r, string name, double min, double max, bool minExclusive, bool maxExclusive)
    {
        var text = r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
        {
            r.AddError($"{name}: '{text}' is not a number.");
            return null;
        }
        bool ok = double.IsFinite(v) && (minExclusive ? v > min : v >= min) && (maxExclusive ? v < max : v <= max);
        if (!ok)
        {
            r.AddError(FormattableString.Invariant($"{name} must be a finite number in {(minExclusive ? "(" : "[")}{min:G}, {max:G}{(maxExclusive ? ")" : "]")} (got {text})."));
            return null;
        }
        return v;
    }

    /// <summary>The option's whole number, or null with an error naming the option when it is not one in range.</summary>
    private static long? ParseLong(ArgumentResult r, string name, long min, long max)
    {
        var text = r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
        {
            r.AddError(FormattableString.Invariant($"{name} must be a whole number in [{min}, {max}] (got {text})."));
            return null;
        }
        return v;
    }
}
