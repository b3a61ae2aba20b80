using Ml.GanSdp.Serialization;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.TestSupport;

/// <summary>
/// Runs one batch of PyTorch computations in a single python start: the inputs travel as an .npz file and
/// appear in the script as the dict <c>I</c> of torch tensors; the script fills the dict <c>O</c> with tensors
/// (or numpy arrays) that come back as a dictionary of tensors the caller owns.
/// </summary>
public static class TorchOracle
{
    /// <summary>Runs <paramref name="body"/> (python, with <c>torch</c>, <c>F</c>, <c>np</c>, <c>I</c>, <c>O</c> in scope).</summary>
    public static Dictionary<string, Tensor> Run(string body, IReadOnlyDictionary<string, Tensor>? inputs = null)
    {
        using var dir = new TempDir();
        var inPath = dir.File("in.npz");
        var outPath = dir.File("out.npz");
        Npy.SaveNpz(inPath, inputs ?? new Dictionary<string, Tensor>());
        var script = $$"""
import numpy as np, torch
import torch.nn.functional as F
torch.set_num_threads(1)
_z = np.load(sys.argv[1])
I = {k: torch.from_numpy(_z[k].copy()) for k in _z.files}
O = {}
{{body}}

np.savez(sys.argv[2], **{k: np.array(v.detach().cpu().numpy() if isinstance(v, torch.Tensor) else v, order='C') for k, v in O.items()})
""";
        Python.Exec(script, inPath, outPath);
        return Npy.LoadNpz(outPath);
    }
}

/// <summary>Compares named results with an oracle's: same keys, dtypes, shapes, and values within tolerance.</summary>
public static class OracleAssert
{
    /// <summary>
    /// Every key of <paramref name="ours"/> must be in <paramref name="expected"/> with the same dtype and shape;
    /// floating values agree within |a-b| &lt;= atol + rtol|b| (float32 results use at least <paramref name="rtol32"/>),
    /// integer and bool values exactly.
    /// </summary>
    public static void AllClose(IReadOnlyDictionary<string, Tensor> expected, IReadOnlyDictionary<string, Tensor> ours,
        double rtol = 1e-12, double atol = 1e-12, double rtol32 = 1e-6, double atol32 = 1e-6)
    {
        Assert.IsTrue(ours.Count > 0, "nothing to compare");
        foreach (var (name, actual) in ours)
        {
            Assert.IsTrue(expected.TryGetValue(name, out var e), $"the oracle did not compute '{name}'");
            Assert.AreEqual(e!.dtype, actual.dtype, $"{name}: dtype");
            bool exact = actual.dtype is not (ScalarType.Float32 or ScalarType.Float64 or ScalarType.Float16);
            bool single = actual.dtype == ScalarType.Float32;
            TensorAssert.Close(e, actual, exact ? 0 : single ? Math.Max(rtol, rtol32) : rtol, exact ? 0 : single ? Math.Max(atol, atol32) : atol, name);
        }
    }
}

/// <summary>A dictionary of tensors disposed together (oracle results, state dicts).</summary>
public sealed class TensorBag : Dictionary<string, Tensor>, IDisposable
{
    public TensorBag() { }
    public TensorBag(IDictionary<string, Tensor> from) : base(from) { }
    public void Dispose()
    {
        foreach (var t in Values) t.Dispose();
        Clear();
    }
}
