using System.Globalization;
using System.Text.RegularExpressions;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp;

/// <summary>
/// The device option ("cpu", "cuda", "cuda:N"): parsed and checked before anything reaches TorchSharp, with an
/// error that names the option and says what is available. CUDA needs the TorchSharp-cuda-linux package in place of
/// TorchSharp-cpu (docs/architecture.md).
/// </summary>
public static partial class Devices
{
    /// <summary>The CPU.</summary>
    public const string Cpu = "cpu";

    /// <summary>
    /// Parses <paramref name="value"/> into a device, throwing <see cref="ArgumentException"/> naming
    /// <paramref name="optionName"/> when it is malformed or names a CUDA device this process cannot use.
    /// </summary>
    public static Device Parse(string? value, string optionName)
    {
        var (type, index) = Check(value, optionName);
        return type == DeviceType.CPU ? CPU : new Device(DeviceType.CUDA, index);
    }

    /// <summary>
    /// Checks <paramref name="value"/> as <see cref="Parse"/> does without creating a device (for options'
    /// <c>Validate()</c>); returns the device type and index (-1 for the current CUDA device).
    /// </summary>
    public static (DeviceType Type, int Index) Check(string? value, string optionName)
    {
        var text = value?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(text))
            throw new ArgumentException($"{optionName} must name a device: \"cpu\", \"cuda\" or \"cuda:N\" (got an empty value).");
        if (text == Cpu) return (DeviceType.CPU, -1);
        var m = CudaPattern().Match(text);
        if (!m.Success)
            throw new ArgumentException($"{optionName} \"{value}\" is not a device: use \"cpu\", \"cuda\" or \"cuda:N\".");
        int index = -1;
        if (m.Groups[1].Success && !int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out index))
            throw new ArgumentException($"{optionName} \"{value}\": the CUDA device index is out of range.");
        if (!cuda.is_available())
            throw new ArgumentException($"{optionName} \"{value}\": CUDA is not available in this process (no GPU, or the TorchSharp-cpu package is referenced; reference TorchSharp-cuda-linux instead, see docs/architecture.md).");
        int count = cuda.device_count();
        if (index >= count)
            throw new ArgumentException($"{optionName} \"{value}\": there {(count == 1 ? "is 1 CUDA device" : $"are {count} CUDA devices")} (cuda:0..cuda:{count - 1}).");
        return (DeviceType.CUDA, index);
    }

    /// <summary>Whether two devices are the same (an unindexed "cuda" matches any CUDA device index).</summary>
    public static bool Same(Device a, Device b)
        => a.type == b.type && (a.type == DeviceType.CPU || a.index == b.index || a.index < 0 || b.index < 0);

    [GeneratedRegex(@"^cuda(?::(\d{1,9}))?$")]
    private static partial Regex CudaPattern();
}
