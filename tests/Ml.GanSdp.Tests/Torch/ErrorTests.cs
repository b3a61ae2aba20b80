using static Ml.GanSdp.torch;
using static Ml.GanSdp.torch.nn.functional;

namespace Ml.GanSdp.Tests.Torch;

/// <summary>Misuse gives a .NET exception with a message that names the problem, and the process carries on.</summary>
[TestClass]
public class ErrorTests
{
    /// <summary>After any failure, ordinary work still succeeds and no native handle leaked.</summary>
    private static void AssertStillWorks()
    {
        using var scope = NewDisposeScope();
        var y = (ones(2, 2) * 3).sum();
        Assert.AreEqual(12f, y.item<float>());
    }

    [TestMethod]
    public void ShapeMismatchNamesTheOperationAndTheSizes()
    {
        using var scope = NewDisposeScope();
        var a = zeros(2, 3);
        var b = zeros(4, 5);
        var e = Assert.ThrowsExactly<TorchException>(() => a.matmul(b));
        Assert.AreEqual("matmul", e.Operation);
        StringAssert.Contains(e.Message, "2x3");
        StringAssert.Contains(e.Message, "4x5");
        Assert.ThrowsExactly<TorchException>(() => a.view(4, 2));
        Assert.ThrowsExactly<TorchException>(() => cat(new[] { a, b }));
        Assert.IsInstanceOfType<InvalidOperationException>(e, "TorchException is an InvalidOperationException");
        AssertStillWorks();
    }

    [TestMethod]
    public void WrongDtypeIsReported()
    {
        using var scope = NewDisposeScope();
        var i = arange(6);
        var c = Assert.ThrowsExactly<InvalidCastException>(() => i.ToArray<float>());
        StringAssert.Contains(c.Message, "Int64");
        StringAssert.Contains(c.Message, "Float32");
        var f = ones(3, 2);
        var e = Assert.ThrowsExactly<TorchException>(() => f.matmul(arange(6).view(2, 3)));
        StringAssert.Contains(e.Message, "Long");
        Assert.ThrowsExactly<TorchException>(() => embedding(ones(2), ones(4, 3)), "embedding indices must be integers");
        Assert.ThrowsExactly<InvalidOperationException>(() => f.item<float>());
        AssertStillWorks();
    }

    [TestMethod]
    public void UsingADisposedTensorIsObjectDisposed()
    {
        var t = ones(3);
        t.Dispose();
        Assert.IsTrue(t.IsInvalid);
        var e = Assert.ThrowsExactly<ObjectDisposedException>(() => t.shape);
        StringAssert.Contains(e.Message, "disposed");
        Assert.ThrowsExactly<ObjectDisposedException>(() => t + 1);
        using var other = ones(3);
        Assert.ThrowsExactly<ObjectDisposedException>(() => other + t);
        Assert.AreEqual("tensor(disposed)", t.ToString());
        t.Dispose(); // disposing twice is harmless
        Tensor escaped;
        using (NewDisposeScope()) escaped = ones(2);
        Assert.ThrowsExactly<ObjectDisposedException>(() => escaped.sum(), "the scope disposed it");
        AssertStillWorks();
    }

    [TestMethod]
    public void DisposedGeneratorsModulesAndOptimizersAreObjectDisposed()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(1);
        g.Dispose();
        Assert.ThrowsExactly<ObjectDisposedException>(() => randn(new long[] { 2 }, generator: g));
        var lin = nn.Linear(2, 2);
        var opt = optim.SGD(lin.parameters(), lr: 0.1);
        opt.Dispose();
        Assert.ThrowsExactly<ObjectDisposedException>(() => opt.step());
        lin.Dispose();
        Assert.ThrowsExactly<ObjectDisposedException>(() => lin.forward(ones(1, 2)));
        AssertStillWorks();
    }

    [TestMethod]
    public void ConvolutionWithTheWrongChannelCountNamesTheChannels()
    {
        using var scope = NewDisposeScope();
        using var conv = nn.Conv2d(3, 8, 3);
        var e = Assert.ThrowsExactly<TorchException>(() => conv.forward(zeros(1, 4, 8, 8)));
        StringAssert.Contains(e.Message, "channels");
        Assert.ThrowsExactly<TorchException>(() => conv.forward(zeros(4, 8, 8, 8, 1)), "5-D input");
        Assert.ThrowsExactly<ArgumentException>(() => nn.Conv2d(3, 8, 3, groups: 2));
        AssertStillWorks();
    }

    [TestMethod]
    public void IndexOutOfRangeIsReported()
    {
        using var scope = NewDisposeScope();
        var t = arange(12).view(3, 4);
        StringAssert.Contains(Assert.ThrowsExactly<TorchException>(() => t.select(0, 3)).Message, "out of range");
        Assert.ThrowsExactly<TorchException>(() => t[5]);
        Assert.ThrowsExactly<TorchException>(() => t.index_select(1, tensor(new long[] { 0, 4 })));
        Assert.ThrowsExactly<TorchException>(() => t.gather(1, tensor(new long[] { 9 }, new long[] { 1, 1 })));
        Assert.ThrowsExactly<TorchException>(() => t.narrow(1, 2, 5));
        Assert.ThrowsExactly<TorchException>(() => t.sum(2));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => t.size(2));
        Assert.ThrowsExactly<TorchException>(() => embedding(tensor(new long[] { 10 }), ones(4, 3)));
        AssertStillWorks();
    }

    [TestMethod]
    public void FailedCallsLeakNoNativeTensors()
    {
        using var a = zeros(2, 3);
        using var b = zeros(4, 5);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = LiveTensorCount;
        for (int k = 0; k < 100; k++)
        {
            try { using var _ = a.matmul(b); }
            catch (TorchException) { }
        }
        // finalizers of other tests' tensors may lower the count meanwhile, never raise it
        Assert.IsTrue(LiveTensorCount <= before, $"{LiveTensorCount - before} native tensors leaked by 100 failed calls");
    }
}
