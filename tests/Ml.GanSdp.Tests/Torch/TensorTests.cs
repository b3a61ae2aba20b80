using Ml.GanSdp.Serialization;
using Ml.GanSdp.Tests.TestSupport;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Tests.Torch;

[TestClass]
public class TensorTests
{
    [TestMethod]
    public void NativeShimLoadsAndReportsLibtorchVersion()
    {
        StringAssert.StartsWith(__version__, "1.13");
    }

    [TestMethod]
    public void SeededRandnMatchesPyTorch()
    {
        manual_seed(1234);
        using var ours = randn(3, 4);
        var text = Python.Exec("import torch\ntorch.manual_seed(1234)\nprint(' '.join(repr(v) for v in torch.randn(3,4).flatten().tolist()))");
        var theirs = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(double.Parse).ToArray();
        TensorAssert.Close(theirs, ours.to(ScalarType.Float64).ToArray<double>(), 0, 0, "randn");
    }

    [TestMethod]
    public void ElementwiseAndReductionsMatchPyTorch()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        manual_seed(7);
        var a = randn(new long[] { 4, 5 }, ScalarType.Float64);
        var b = rand(new long[] { 4, 5 }, ScalarType.Float64) + 0.5;
        Npy.Save(dir.File("a.npy"), a);
        Npy.Save(dir.File("b.npy"), b);
        Python.Exec("""
import oracle, torch
a = oracle.load(sys.argv[1] + '/a.npy'); b = oracle.load(sys.argv[1] + '/b.npy')
r = torch.cat([(a + b).flatten(), (a * b - 2).flatten(), (a / b).flatten(), b.log().flatten(), a.exp().flatten(),
               b.sqrt().flatten(), a.abs().flatten(), a.clamp(-0.5, 0.5).flatten(), (3 - a).flatten(), b.pow(1.7).flatten(),
               a.sum(1), a.mean(0), a.amax(1), b.var(1), a.softmax(1).flatten(), a.sigmoid().flatten(), a.tanh().flatten()])
oracle.save(sys.argv[1] + '/r.npy', r)
""", dir.Path);
        var ours = cat(new[] { (a + b).flatten(), (a * b - 2).flatten(), (a / b).flatten(), b.log().flatten(), a.exp().flatten(),
            b.sqrt().flatten(), a.abs().flatten(), a.clamp(-0.5, 0.5).flatten(), (3 - a).flatten(), b.pow(1.7).flatten(),
            a.sum(1), a.mean(0), a.amax(new long[] { 1 }), b.var(1), a.softmax(1).flatten(), a.sigmoid().flatten(), a.tanh().flatten() });
        TensorAssert.Close(Npy.Load(dir.File("r.npy")), ours, 1e-12, 1e-12, "ops");
    }

    [TestMethod]
    public void ShapeMismatchIsAClearExceptionAndTheProcessLivesOn()
    {
        using var a = zeros(2, 3);
        using var b = zeros(4, 5);
        var e = Assert.ThrowsExactly<TorchException>(() => a + b);
        StringAssert.Contains(e.Message, "add");
        StringAssert.Contains(e.Message, "size of tensor");
        using var c = a + 1;
        Assert.AreEqual(1f, c.sum().item<float>() / 6f, 1e-6);
    }

    [TestMethod]
    public void UsingADisposedTensorThrowsObjectDisposed()
    {
        var a = ones(2);
        a.Dispose();
        Assert.ThrowsExactly<ObjectDisposedException>(() => a.sum());
    }

    [TestMethod]
    public void DisposeScopeFreesTemporariesAndKeepsMovedResults()
    {
        long before = LiveTensorCount;
        Tensor kept;
        using (NewDisposeScope())
        {
            var x = randn(10, 10);
            var y = (x * 2 + 1).relu();
            kept = y.sum().MoveToOuterDisposeScope();
        }
        Assert.AreEqual(before + 1, LiveTensorCount);
        Assert.IsFalse(kept.IsInvalid);
        kept.Dispose();
        Assert.AreEqual(before, LiveTensorCount);
    }
}
