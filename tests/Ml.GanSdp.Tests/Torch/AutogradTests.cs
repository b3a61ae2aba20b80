using Ml.GanSdp.Tests.TestSupport;
using static Ml.GanSdp.torch;
using static Ml.GanSdp.torch.nn.functional;

namespace Ml.GanSdp.Tests.Torch;

/// <summary>
/// Autograd: backward, .grad, autograd.grad with create_graph (double backward) and the grad-mode scopes, with
/// gradients checked against central finite differences in float64.
/// </summary>
[TestClass]
public class AutogradTests
{
    /// <summary>
    /// Checks d f / d inputs[k] from autograd against central differences (f must return a scalar and must not
    /// change the inputs). Perturbs every element of every input.
    /// </summary>
    private static void CheckGradients(Func<Tensor> f, Tensor[] inputs, string what, double h = 1e-6, double rtol = 1e-5, double atol = 1e-7)
    {
        Tensor?[] analytic;
        using (var scope = NewDisposeScope())
        {
            var y = f();
            analytic = autograd.grad(new[] { y }, inputs);
            foreach (var g in analytic) g!.MoveToOuterDisposeScope();
        }
        for (int k = 0; k < inputs.Length; k++)
        {
            using var g = analytic[k]!;
            var ga = g.ToArray<double>();
            var numeric = new double[ga.Length];
            using var flat = inputs[k].detach().view(-1); // shares storage, invisible to autograd
            for (int j = 0; j < ga.Length; j++)
            {
                using var scope = NewDisposeScope();
                var e = flat[j];
                double v = e.item<double>();
                e.fill_(v + h);
                double fp = f().item<double>();
                e.fill_(v - h);
                double fm = f().item<double>();
                e.fill_(v);
                numeric[j] = (fp - fm) / (2 * h);
            }
            TensorAssert.Close(numeric, ga, rtol, atol, $"{what}: d/d input {k}");
        }
    }

    private static Tensor Leaf(long[] shape, double scale = 1) => (randn(shape, float64) * scale).detach().requires_grad_();

    [TestMethod]
    public void BackwardWithGradOutputsAccumulatesIntoGrad()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new double[] { 1, -2, 3 }, requires_grad: true);
        Assert.IsTrue(x.requires_grad);
        Assert.IsTrue(x.is_leaf);
        Assert.IsNull(x.grad);
        var y = x * x * 3;
        Assert.IsFalse(y.is_leaf);
        StringAssert.StartsWith(y.grad_fn_name(), "MulBackward");
        Assert.AreEqual("", x.grad_fn_name());
        y.backward(tensor(new double[] { 1, 10, 100 }));
        CollectionAssert.AreEqual(new double[] { 6, -120, 1800 }, x.grad!.ToArray<double>());
        (x * 2).sum().backward();
        CollectionAssert.AreEqual(new double[] { 8, -118, 1802 }, x.grad!.ToArray<double>(), "gradients accumulate");
        StringAssert.Contains(Assert.ThrowsExactly<TorchException>(() => x.grad = zeros(2)).Message, "different size");
        StringAssert.Contains(Assert.ThrowsExactly<TorchException>(() => x.grad = zeros(3)).Message, "different type");
        CollectionAssert.AreEqual(new double[] { 8, -118, 1802 }, x.grad!.ToArray<double>(), "a rejected assignment leaves .grad as it was");
        x.grad = null;
        Assert.IsNull(x.grad);
        var z = (x * x).sum();
        z.backward(retain_graph: true);
        z.backward();
        CollectionAssert.AreEqual(new double[] { 4, -8, 12 }, x.grad!.ToArray<double>(), "retain_graph allows a second backward");
        Assert.ThrowsExactly<TorchException>(() => z.backward(), "a freed graph cannot be back-propagated twice");
    }

    [TestMethod]
    public void AutogradGradSupportsGradOutputsAndHigherOrderDerivatives()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new double[] { 0.5, -1, 2 }, requires_grad: true);
        var w = tensor(new double[] { 3, 4, 5 }, requires_grad: true);
        var y = x.pow(3) * w;
        var g = autograd.grad(new[] { y }, new[] { x, w }, new[] { tensor(new double[] { 1, 2, 3 }) }, create_graph: true);
        TensorAssert.Close(new double[] { 3 * 0.25 * 3 * 1, 3 * 1 * 4 * 2, 3 * 4 * 5 * 3 }, g[0]!.ToArray<double>(), 0, 1e-15, "dy/dx * v");
        TensorAssert.Close(new double[] { 0.125, -2, 24 }, g[1]!.ToArray<double>(), 0, 1e-15, "dy/dw * v");
        Assert.IsTrue(g[0]!.requires_grad, "create_graph makes the gradient differentiable");
        var gg = autograd.grad(new[] { g[0]!.sum() }, new[] { x, w });
        TensorAssert.Close(new double[] { 6 * 0.5 * 3 * 1, 6 * -1 * 4 * 2, 6 * 2 * 5 * 3 }, gg[0]!.ToArray<double>(), 0, 1e-14, "d2/dx2");
        TensorAssert.Close(new double[] { 3 * 0.25 * 1, 3 * 1 * 2, 3 * 4 * 3 }, gg[1]!.ToArray<double>(), 0, 1e-14, "d2/dxdw");
        Assert.IsNull(x.grad, "autograd.grad does not touch .grad");
        var unused = tensor(new double[] { 1 }, requires_grad: true);
        var r = autograd.grad(new[] { (x * 2).sum() }, new[] { x, unused }, allow_unused: true);
        Assert.IsNull(r[1]);
        Assert.ThrowsExactly<TorchException>(() => autograd.grad(new[] { (x * 2).sum() }, new[] { unused }));
    }

    [TestMethod]
    public void NoGradAndEnableGradScopesNestAndRestore()
    {
        using var scope = NewDisposeScope();
        var x = ones(new long[] { 2 }, requires_grad: true);
        Assert.IsTrue(is_grad_enabled());
        using (no_grad())
        {
            Assert.IsFalse(is_grad_enabled());
            Assert.IsFalse((x * 2).requires_grad);
            using (enable_grad())
            {
                Assert.IsTrue(is_grad_enabled());
                Assert.IsTrue((x * 2).requires_grad);
                using (no_grad()) Assert.IsFalse(is_grad_enabled());
                Assert.IsTrue(is_grad_enabled());
            }
            Assert.IsFalse(is_grad_enabled());
        }
        Assert.IsTrue(is_grad_enabled());
        var s = no_grad();
        s.Dispose();
        s.Dispose();
        Assert.IsTrue(is_grad_enabled(), "disposing a scope twice restores only once");
        Assert.IsFalse(x.detach().requires_grad);
    }

    [TestMethod]
    public void ConvLinearActivationGradientsMatchFiniteDifferences()
    {
        using var scope = NewDisposeScope();
        manual_seed(21);
        var x = Leaf(new long[] { 2, 3, 5, 4 });
        var w = Leaf(new long[] { 4, 3, 3, 3 }, 0.3);
        var b = Leaf(new long[] { 4 });
        var r = randn(new long[] { 2, 4, 5, 1 }, float64);
        CheckGradients(() => (conv2d(x, w, b, stride: (1, 2), padding: (1, 0)) * r).sum(), new[] { x, w, b }, "conv2d");

        var wg = Leaf(new long[] { 4, 1, 2, 3 }, 0.3);
        var rg = randn(new long[] { 2, 4, 5, 3 }, float64);
        var x4 = Leaf(new long[] { 2, 2, 5, 3 });
        CheckGradients(() => (conv2d(x4, wg, null, padding: (1, 1), dilation: (2, 1), groups: 2) * rg).sum(), new[] { x4, wg }, "grouped dilated conv2d");

        var wt = Leaf(new long[] { 3, 2, 3, 3 }, 0.3);
        var bt = Leaf(new long[] { 2 });
        var rt = randn(new long[] { 2, 2, 10, 8 }, float64);
        CheckGradients(() => (conv_transpose2d(x, wt, bt, stride: 2, padding: 1, output_padding: 1) * rt).sum(), new[] { x, wt, bt }, "conv_transpose2d");

        var xl = Leaf(new long[] { 5, 6 });
        var wl = Leaf(new long[] { 3, 6 });
        var bl = Leaf(new long[] { 3 });
        var rl = randn(new long[] { 5, 3 }, float64);
        CheckGradients(() => (linear(xl, wl, bl) * rl).sum(), new[] { xl, wl, bl }, "linear");

        var xa = Leaf(new long[] { 4, 7 });
        var ra = randn(new long[] { 4, 7 }, float64);
        CheckGradients(() => (leaky_relu(xa, 0.2) * ra).sum(), new[] { xa }, "leaky_relu");
    }

    [TestMethod]
    public void TrainingModeBatchNormGradientsMatchFiniteDifferences()
    {
        using var scope = NewDisposeScope();
        manual_seed(22);
        var x = Leaf(new long[] { 3, 2, 3, 2 });
        var gamma = Leaf(new long[] { 2 });
        var beta = Leaf(new long[] { 2 });
        var r = randn(new long[] { 3, 2, 3, 2 }, float64);
        CheckGradients(() => (batch_norm(x, null, null, gamma, beta, training: true) * r).sum(), new[] { x, gamma, beta }, "batch_norm (training)");
        // with running statistics the output and the gradient are the same (the running update is a side effect)
        var rm = zeros(new long[] { 2 }, float64);
        var rv = ones(new long[] { 2 }, float64);
        CheckGradients(() => (batch_norm(x, rm, rv, gamma, beta, training: true) * r).sum(), new[] { x }, "batch_norm (training, running stats)");
    }

    [TestMethod]
    public void GradientPenaltyDoubleBackwardThroughConvolutionsMatchesFiniteDifferences()
    {
        using var scope = NewDisposeScope();
        manual_seed(23);
        var x = randn(new long[] { 2, 2, 6, 6 }, float64);
        var w1 = Leaf(new long[] { 3, 2, 3, 3 }, 0.4);
        var b1 = Leaf(new long[] { 3 }, 0.1);
        var w2 = Leaf(new long[] { 1, 3, 4, 4 }, 0.4);
        // GP(W) = sum over the batch of ||d D(x) / d x||^2, D(x) = mean(conv(leaky_relu(conv(x, W1) + b1), W2, stride 2))
        Tensor Penalty()
        {
            var xi = x.detach().requires_grad_();
            var h = leaky_relu(conv2d(xi, w1, b1, padding: 1), 0.2);
            var d = conv2d(h, w2, null, stride: 2).mean(new long[] { 1, 2, 3 });
            var g = autograd.grad(new[] { d }, new[] { xi }, new[] { ones_like(d) }, create_graph: true)[0]!;
            return g.pow(2).sum();
        }
        CheckGradients(Penalty, new[] { w1, b1, w2 }, "gradient penalty (double backward)", h: 1e-6, rtol: 1e-5, atol: 1e-9);
        // the same through .backward(): the gradient reaches the weights' .grad
        Penalty().backward();
        Assert.IsNotNull(w1.grad);
        Assert.IsTrue(w1.grad!.abs().sum().item<double>() > 0);
    }

}
