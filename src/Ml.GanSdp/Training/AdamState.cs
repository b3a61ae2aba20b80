using System.Globalization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ml.GanSdp.Training;

/// <summary>
/// Adam's state as named tensors, for checkpoints: per parameter i (in the optimizer's parameter order)
/// <c>state.{i}.step</c> (int64 scalar), <c>state.{i}.exp_avg</c>, <c>state.{i}.exp_avg_sq</c> and, with amsgrad,
/// <c>state.{i}.max_exp_avg_sq</c>, plus <c>lr</c> (float64 scalar) - PyTorch's <c>optimizer.state_dict()</c> names.
/// TorchSharp's own <c>state_dict()</c> returns live references; <see cref="Capture"/> returns copies.
/// </summary>
public static class AdamState
{
    private static readonly string[] Slots = { "exp_avg", "exp_avg_sq", "max_exp_avg_sq" };

    /// <summary>Copies of the optimizer's state (the caller owns them).</summary>
    public static Dictionary<string, Tensor> Capture(Adam optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        using var scope = NewDisposeScope();
        var d = new Dictionary<string, Tensor>();
        var states = optimizer.state_dict().State;
        for (int i = 0; i < states.Count; i++)
        {
            var s = (Adam.State)states[i];
            d[Key(i, "step")] = tensor(s.step, ScalarType.Int64);
            foreach (var (slot, t) in SlotTensors(s))
                if (t is not null) d[Key(i, slot)] = t.detach().cpu().clone();
        }
        d["lr"] = tensor(optimizer.ParamGroups.First().LearningRate, ScalarType.Float64);
        foreach (var t in d.Values) t.MoveToOuterDisposeScope();
        return d;
    }

    /// <summary>
    /// Restores a state captured by <see cref="Capture"/> into <paramref name="optimizer"/> (same parameters in the
    /// same order). Every key and shape is checked before anything changes; <paramref name="source"/> names the file.
    /// </summary>
    public static void Restore(Adam optimizer, IReadOnlyDictionary<string, Tensor> state, string source)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(state);
        var states = optimizer.state_dict().State;
        foreach (var key in state.Keys)
        {
            if (key == "lr") continue;
            var parts = key.Split('.');
            if (parts.Length != 3 || parts[0] != "state" || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var idx)
                || idx >= states.Count || (parts[2] != "step" && Array.IndexOf(Slots, parts[2]) < 0))
                throw new InvalidDataException($"{source}: optimizer state key '{key}' does not fit an Adam over {states.Count} parameters.");
        }
        for (int i = 0; i < states.Count; i++)
        {
            var s = (Adam.State)states[i];
            if (!state.ContainsKey(Key(i, "step"))) throw new InvalidDataException($"{source}: optimizer state '{Key(i, "step")}' is missing.");
            foreach (var (slot, t) in SlotTensors(s))
            {
                if (!state.TryGetValue(Key(i, slot), out var src))
                {
                    if (t is not null && slot != "max_exp_avg_sq") throw new InvalidDataException($"{source}: optimizer state '{Key(i, slot)}' is missing.");
                    continue;
                }
                if (t is null) throw new InvalidDataException($"{source}: optimizer state '{Key(i, slot)}' is present but this Adam does not use it (amsgrad differs).");
                if (!t.shape.SequenceEqual(src.shape))
                    throw new InvalidDataException($"{source}: optimizer state '{Key(i, slot)}' has shape [{string.Join(", ", src.shape)}], the parameter [{string.Join(", ", t.shape)}].");
            }
        }
        using var _ = no_grad();
        for (int i = 0; i < states.Count; i++)
        {
            var s = (Adam.State)states[i];
            using (var step = state[Key(i, "step")].to(ScalarType.Int64)) s.step = step.item<long>();
            foreach (var (slot, t) in SlotTensors(s))
                if (t is not null && state.TryGetValue(Key(i, slot), out var src)) t.copy_(src);
        }
        if (state.TryGetValue("lr", out var lr)) SetLearningRate(optimizer, lr.ToDouble());
    }

    /// <summary>Sets the learning rate of every parameter group.</summary>
    public static void SetLearningRate(OptimizerHelper optimizer, double lr)
    {
        if (!(lr >= 0) || !double.IsFinite(lr)) throw new ArgumentOutOfRangeException(nameof(lr), lr, "The learning rate must be finite and non-negative.");
        foreach (var g in optimizer.ParamGroups) g.LearningRate = lr;
    }

    private static string Key(int i, string slot) => string.Create(CultureInfo.InvariantCulture, $"state.{i}.{slot}");

    private static IEnumerable<(string slot, Tensor? tensor)> SlotTensors(Adam.State s)
    {
        yield return ("exp_avg", s.exp_avg);
        yield return ("exp_avg_sq", s.exp_avg_sq);
        yield return ("max_exp_avg_sq", s.max_exp_avg_sq);
    }
}
