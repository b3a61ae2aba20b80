using System.Globalization;

namespace Ml.GanSdp.Bench.Modes;

/// <summary>key=value command-line options.</summary>
internal sealed class Args
{
    private readonly Dictionary<string, string> _values;

    private Args(Dictionary<string, string> values) => _values = values;

    public static Args Parse(IEnumerable<string> args)
    {
        var d = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var a in args)
        {
            int eq = a.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"Expected key=value, got '{a}'.");
            d[a[..eq].TrimStart('-')] = a[(eq + 1)..];
        }
        return new Args(d);
    }

    public string Str(string key, string dflt) => _values.TryGetValue(key, out var v) ? v : dflt;
    public int Int(string key, int dflt) => _values.TryGetValue(key, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : dflt;
    public long Long(string key, long dflt) => _values.TryGetValue(key, out var v) ? long.Parse(v, CultureInfo.InvariantCulture) : dflt;
    public double Dbl(string key, double dflt) => _values.TryGetValue(key, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : dflt;
    public bool Has(string key) => _values.ContainsKey(key);

    public long[] Longs(string key, long[] dflt)
        => _values.TryGetValue(key, out var v) ? v.Split(',').Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray() : dflt;
}
