using System.Globalization;

namespace Ml.GanSdp.Bench;

/// <summary>
/// Options of a subcommand: <c>key=value</c>, <c>--key=value</c> or <c>--key value</c> (keys case-insensitive).
/// Reading an option marks it used; <see cref="ThrowIfUnused"/> rejects typos after the subcommand has read its options.
/// </summary>
internal sealed class Args
{
    private readonly Dictionary<string, string> _values;
    private readonly HashSet<string> _used = new(StringComparer.OrdinalIgnoreCase);

    private Args(Dictionary<string, string> values) => _values = values;

    public static Args Parse(IReadOnlyList<string> args)
    {
        var d = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < args.Count; i++)
        {
            var a = args[i];
            int eq = a.IndexOf('=');
            if (eq > 0) d[a[..eq].TrimStart('-')] = a[(eq + 1)..];
            else if (a.StartsWith("--", StringComparison.Ordinal) && a.Length > 2 && i + 1 < args.Count) d[a[2..]] = args[++i];
            else throw new ArgumentException($"Expected key=value or --key value, got '{a}'.");
        }
        return new Args(d);
    }

    private bool TryGet(string key, out string value)
    {
        _used.Add(key);
        return _values.TryGetValue(key, out value!);
    }

    public string Str(string key, string dflt) => TryGet(key, out var v) ? v : dflt;
    public int Int(string key, int dflt) => TryGet(key, out var v) ? Parse(key, v, s => int.Parse(s, CultureInfo.InvariantCulture)) : dflt;
    public long Long(string key, long dflt) => TryGet(key, out var v) ? Parse(key, v, s => long.Parse(s, CultureInfo.InvariantCulture)) : dflt;
    public double Dbl(string key, double dflt) => TryGet(key, out var v) ? Parse(key, v, s => double.Parse(s, CultureInfo.InvariantCulture)) : dflt;
    public bool Has(string key) => TryGet(key, out _);

    /// <summary>An intra-op thread count: "default" (or absent) gives null, else 1 and up.</summary>
    public int? Threads(string key = "threads")
    {
        var s = Str(key, "default");
        if (s == "default" || s == "0") return null;
        int n = Parse(key, s, x => int.Parse(x, CultureInfo.InvariantCulture));
        TorchThreads.Validate(n, key);
        return n;
    }

    public long[] Longs(string key, long[] dflt)
        => TryGet(key, out var v) ? v.Split(',').Select(s => Parse(key, s, x => long.Parse(x, CultureInfo.InvariantCulture))).ToArray() : dflt;

    /// <summary>Throws when an option was given that the subcommand never read (a typo would silently do nothing).</summary>
    public void ThrowIfUnused()
    {
        var unused = _values.Keys.Where(k => !_used.Contains(k)).ToList();
        if (unused.Count > 0) throw new ArgumentException($"Unknown option(s): {string.Join(", ", unused)}.");
    }

    private static T Parse<T>(string key, string value, Func<string, T> parse)
    {
        try { return parse(value); }
        catch (FormatException) { throw new ArgumentException($"Option {key}: '{value}' is not a valid {typeof(T).Name}."); }
        catch (OverflowException) { throw new ArgumentException($"Option {key}: '{value}' is out of range."); }
    }
}
