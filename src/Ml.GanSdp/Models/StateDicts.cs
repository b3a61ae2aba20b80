using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Models;

/// <summary>State-dict copies and checked loads (TorchSharp's <c>state_dict()</c> returns live references).</summary>
public static class StateDicts
{
    /// <summary>Detached CPU copies of <paramref name="module"/>'s parameters and persistent buffers (the caller owns them).</summary>
    public static Dictionary<string, Tensor> Copy(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        using var scope = NewDisposeScope();
        return module.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().cpu().clone().MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Copies <paramref name="state"/> into <paramref name="module"/> after checking that the keys are exactly the
    /// module's and every shape matches (an <see cref="InvalidDataException"/> naming <paramref name="source"/>, the
    /// keys and shapes; the module is unchanged then). Values are converted to the module's dtype and device.
    /// </summary>
    public static void Load(nn.Module module, IReadOnlyDictionary<string, Tensor> state, string source)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(state);
        var own = module.state_dict();
        var missing = own.Keys.Where(k => !state.ContainsKey(k)).ToList();
        var unexpected = state.Keys.Where(k => !own.ContainsKey(k)).ToList();
        var shapes = own.Where(kv => state.TryGetValue(kv.Key, out var s) && !s.shape.SequenceEqual(kv.Value.shape))
            .Select(kv => $"'{kv.Key}' is [{string.Join(", ", state[kv.Key].shape)}] in {source} but [{string.Join(", ", kv.Value.shape)}] in the model").ToList();
        if (missing.Count + unexpected.Count + shapes.Count > 0)
        {
            var parts = new List<string>();
            if (missing.Count > 0) parts.Add($"missing keys [{string.Join(", ", missing)}]");
            if (unexpected.Count > 0) parts.Add($"unexpected keys [{string.Join(", ", unexpected)}]");
            parts.AddRange(shapes);
            throw new InvalidDataException($"{source} does not fit {module.GetName()}: {string.Join("; ", parts)}.");
        }
        using var _ = no_grad();
        foreach (var (k, target) in own) target.copy_(state[k]);
    }
}
