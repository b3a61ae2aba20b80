using Ml.GanSdp.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Losses;

/// <summary>Each loss against values computed by hand (in doubles) on small score vectors.</summary>
[TestClass]
public class GanLossTests
{
    private static readonly double[] Real = { 2.0, -0.5, 0.3 };
    private static readonly double[] Fake = { -1.0, 0.7, 25.0 };

    // log(1 + e^x), exact in doubles for these magnitudes; log(1 - sigmoid(s)) is written log sigmoid(-s) to avoid cancellation.
    private static double Softplus(double x) => x > 0 ? x + Math.Log(1 + Math.Exp(-x)) : Math.Log(1 + Math.Exp(x));
    private static double LogSigmoid(double x) => -Softplus(-x);
    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private static (double d, double g) Evaluate(GanLossKind kind)
    {
        using var scope = NewDisposeScope();
        var loss = GanLosses.Create(kind);
        Assert.AreEqual(kind, loss.Kind);
        var r = tensor(Real);
        var f = tensor(Fake);
        return (loss.DiscriminatorLoss(r, f).ToDouble(), loss.GeneratorLoss(f).ToDouble());
    }

    [TestMethod]
    public void SoftplusEqualsLog1PlusExpAndItsGradientIsTheSigmoid_HalfAtZero()
    {
        double[] xs = { -800, -50, -20, -1, -1e-8, 0, 1e-8, 1, 20, 21, 50, 800 };
        using var x = tensor(xs, ScalarType.Float64).requires_grad_();
        using var y = GanLosses.Softplus(x);
        using var total = y.sum();
        total.backward();
        var values = y.data<double>().ToArray();
        var grads = x.grad!.data<double>().ToArray();
        for (int i = 0; i < xs.Length; i++)
        {
            double expected = Softplus(xs[i]), sigmoid = 1 / (1 + Math.Exp(-xs[i]));
            Assert.AreEqual(expected, values[i], 1e-15 * Math.Max(1, Math.Abs(expected)), $"softplus({xs[i]})");
            Assert.AreEqual(sigmoid, grads[i], 1e-15, $"d softplus / dx at {xs[i]}");
        }
        Assert.AreEqual(0.5, grads[Array.IndexOf(xs, 0.0)], 0.0, "the gradient at 0 is exactly 1/2, as libtorch's softplus");
    }

    [TestMethod]
    public void NonSaturating()
    {
        var (d, g) = Evaluate(GanLossKind.NonSaturating);
        // D: -mean log sigmoid(D(x)) - mean log(1 - sigmoid(D(G(z)))).
        double expectedD = -Real.Average(LogSigmoid) - Fake.Average(s => LogSigmoid(-s));
        Assert.AreEqual(expectedD, d, 1e-10);
        // G: -mean log sigmoid(D(G(z))).
        Assert.AreEqual(-Fake.Average(LogSigmoid), g, 1e-10);
        Assert.AreEqual(-(Math.Log(Sigmoid(-1)) + Math.Log(Sigmoid(0.7)) + Math.Log(Sigmoid(25))) / 3, g, 1e-10);
    }

    [TestMethod]
    public void Minimax()
    {
        var (d, g) = Evaluate(GanLossKind.Minimax);
        Assert.AreEqual(-Real.Average(LogSigmoid) - Fake.Average(s => LogSigmoid(-s)), d, 1e-10);
        // G: mean log(1 - sigmoid(D(G(z)))); the 25 term is log(1 - sigmoid(25)) = -25 - log(1 + e^-25).
        double expectedG = (Math.Log(1 - Sigmoid(-1)) + Math.Log(1 - Sigmoid(0.7)) + (-25 - Math.Log(1 + Math.Exp(-25)))) / 3;   // last: log sigmoid(-25)
        Assert.AreEqual(expectedG, g, 1e-10);
    }

    [TestMethod]
    public void LeastSquares()
    {
        var (d, g) = Evaluate(GanLossKind.LeastSquares);
        // D: 1/2 mean (D(x) - 1)^2 + 1/2 mean D(G(z))^2 = 1/2 (1 + 2.25 + 0.49)/3 + 1/2 (1 + 0.49 + 625)/3.
        Assert.AreEqual(0.5 * (1 + 2.25 + 0.49) / 3 + 0.5 * (1 + 0.49 + 625) / 3, d, 1e-10);
        // G: 1/2 mean (D(G(z)) - 1)^2 = 1/2 (4 + 0.09 + 576)/3.
        Assert.AreEqual(0.5 * (4 + 0.09 + 576) / 3, g, 1e-10);
    }

    [TestMethod]
    public void Wasserstein()
    {
        var (d, g) = Evaluate(GanLossKind.Wasserstein);
        // D: mean D(G(z)) - mean D(x) = 24.7/3 - 1.8/3; G: -mean D(G(z)).
        Assert.AreEqual(24.7 / 3 - 1.8 / 3, d, 1e-10);
        Assert.AreEqual(-24.7 / 3, g, 1e-10);
    }

    [TestMethod]
    public void Hinge()
    {
        var (d, g) = Evaluate(GanLossKind.Hinge);
        // D: mean relu(1 - D(x)) = (0 + 1.5 + 0.7)/3; mean relu(1 + D(G(z))) = (0 + 1.7 + 26)/3.
        Assert.AreEqual((1.5 + 0.7) / 3 + (1.7 + 26) / 3, d, 1e-10);
        Assert.AreEqual(-24.7 / 3, g, 1e-10);
    }

    [TestMethod]
    public void LargeScoresStayFinite()
    {
        using var scope = NewDisposeScope();
        var r = tensor(new[] { -200.0, 200.0 });
        var f = tensor(new[] { 200.0, -200.0 });
        foreach (var kind in new[] { GanLossKind.NonSaturating, GanLossKind.Minimax })
        {
            var loss = GanLosses.Create(kind);
            Assert.AreEqual(200.0, loss.DiscriminatorLoss(r, f).ToDouble(), 1e-9, $"{kind} D");
            Assert.IsTrue(double.IsFinite(loss.GeneratorLoss(f).ToDouble()), $"{kind} G");
        }
    }

    [TestMethod]
    public void GradientsHaveTheRightSigns()
    {
        using var scope = NewDisposeScope();
        foreach (GanLossKind kind in Enum.GetValues<GanLossKind>())
        {
            var loss = GanLosses.Create(kind);
            var r = tensor(new[] { 0.1, -0.2 }).requires_grad_();
            var f = tensor(new[] { 0.3, 0.4 }).requires_grad_();   // LSGAN pushes fakes towards 0, so keep them above it
            var gd = autograd.grad(new[] { loss.DiscriminatorLoss(r, f) }, new[] { r, f });
            Assert.IsTrue(gd[0]!.max().ToDouble() < 0, $"{kind}: D lowers its loss by raising real scores");
            Assert.IsTrue(gd[1]!.min().ToDouble() > 0, $"{kind}: D lowers its loss by lowering fake scores");
            var gg = autograd.grad(new[] { loss.GeneratorLoss(f) }, new[] { f });
            Assert.IsTrue(gg[0]!.max().ToDouble() < 0, $"{kind}: G lowers its loss by raising fake scores");
        }
    }
}
