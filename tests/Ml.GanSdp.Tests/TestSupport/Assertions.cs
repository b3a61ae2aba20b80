using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.TestSupport;

public static class TensorAssert
{
    /// <summary>Whether two tensors have the same shape and bit-equal values (torch.equal).</summary>
    public static bool Equal(Tensor a, Tensor b)
    {
        return a.dtype == b.dtype && TensorData.ValuesEqual(a, b);
    }

    /// <summary>Asserts equal shapes and |a - b| &lt;= atol + rtol |b| element-wise, reporting the worst element.</summary>
    public static void Close(Tensor expected, Tensor actual, double rtol = 1e-5, double atol = 1e-6, string what = "")
    {
        CollectionAssert.AreEqual(expected.shape, actual.shape, $"{what}: shape [{string.Join(",", actual.shape)}] != expected [{string.Join(",", expected.shape)}]");
        using var e = expected.to(ScalarType.Float64);
        using var a = actual.to(ScalarType.Float64);
        Close(e.ToArray<double>(), a.ToArray<double>(), rtol, atol, what);
    }

    public static void Close(double[] expected, double[] actual, double rtol = 1e-5, double atol = 1e-6, string what = "")
    {
        Assert.AreEqual(expected.Length, actual.Length, $"{what}: length");
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs(expected[i] - actual[i]) - (atol + rtol * Math.Abs(expected[i]));
            if (double.IsNaN(actual[i]) != double.IsNaN(expected[i])) err = double.PositiveInfinity;
            if (err > worst) { worst = err; at = i; }
        }
        if (at >= 0)
            Assert.Fail($"{what}: element {at} is {actual[at]:R}, expected {expected[at]:R} (rtol {rtol}, atol {atol})");
    }
}
