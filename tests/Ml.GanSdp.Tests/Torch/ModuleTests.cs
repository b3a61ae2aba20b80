using Ml.GanSdp.Tests.TestSupport;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Tests.Torch;

/// <summary>torch.nn modules: PyTorch's state_dict names, default initializations (bit for bit), load_state_dict, train/eval.</summary>
[TestClass]
public class ModuleTests
{
    private const string PythonModel = """
import torch.nn as nn
torch.manual_seed(77)
net = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.LeakyReLU(0.2),
                    nn.Sequential(nn.ConvTranspose2d(8, 4, 4, stride=2, padding=1), nn.BatchNorm2d(4), nn.ReLU()),
                    nn.Conv2d(4, 2, (1, 7), padding=(0, 3), bias=False), nn.Flatten(), nn.Linear(2 * 16 * 16, 3))
extra = [nn.Linear(7, 5), nn.Linear(6, 2, bias=False), nn.Embedding(10, 3), nn.ConvTranspose2d(3, 6, 3, groups=3), nn.BatchNorm2d(5)]

""";

    private static (nn.Module net, nn.Module[] extra) OurModel()
    {
        manual_seed(77);
        var net = nn.Sequential(nn.Conv2d(3, 8, 3, padding: 1), nn.BatchNorm2d(8), nn.LeakyReLU(0.2),
            nn.Sequential(nn.ConvTranspose2d(8, 4, 4, stride: 2, padding: 1), nn.BatchNorm2d(4), nn.ReLU()),
            nn.Conv2d(4, 2, (1, 7), padding: (0, 3), bias: false), nn.Flatten(), nn.Linear(2 * 16 * 16, 3));
        var extra = new nn.Module[] { nn.Linear(7, 5), nn.Linear(6, 2, hasBias: false), nn.Embedding(10, 3), nn.ConvTranspose2d(3, 6, 3, groups: 3), nn.BatchNorm2d(5) };
        return (net, extra);
    }

    [TestMethod]
    public void StateDictNamesAndDefaultInitializationsEqualPyTorchBitForBit()
    {
        using var scope = NewDisposeScope();
        var (net, extra) = OurModel();
        using var _ = net;
        using var state = new TensorBag(net.state_dict());
        var ours = new Dictionary<string, Tensor>(state);
        for (int i = 0; i < extra.Length; i++)
            foreach (var (k, v) in extra[i].state_dict()) ours[$"extra{i}.{k}"] = v;
        using var expected = new TensorBag(TorchOracle.Run(PythonModel + """
for k, v in net.state_dict().items(): O[k] = v
for i, m in enumerate(extra):
    for k, v in m.state_dict().items(): O[f'extra{i}.{k}'] = v
for k, _ in net.named_parameters(): O['param:' + k] = torch.zeros(0)
"""));
        var expectedStateKeys = expected.Keys.Where(k => !k.StartsWith("extra", StringComparison.Ordinal) && !k.StartsWith("param:", StringComparison.Ordinal)).ToList();
        CollectionAssert.AreEqual(expectedStateKeys, state.Keys.ToList(), $"state_dict keys: {string.Join(", ", state.Keys)}");
        CollectionAssert.Contains(expectedStateKeys, "1.num_batches_tracked");
        CollectionAssert.Contains(expectedStateKeys, "3.1.running_var");
        CollectionAssert.AreEqual(expected.Keys.Where(k => k.StartsWith("param:", StringComparison.Ordinal)).Select(k => k[6..]).ToList(),
            net.named_parameters().Select(p => p.name).ToList(), "named_parameters");
        OracleAssert.AllClose(expected, ours, 0, 0, 0, 0);
        foreach (var m in extra) m.Dispose();
    }

    [TestMethod]
    public void LoadedPyTorchWeightsGiveTheSameOutputsInTrainAndEvalMode()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var x = randn(new long[] { 4, 3, 8, 8 });
        var (net, extra) = OurModel();
        using var _ = net;
        foreach (var m in extra) m.Dispose();
        using var expected = new TensorBag(TorchOracle.Run(PythonModel + """
torch.manual_seed(5)
with torch.no_grad():
    for p in net.parameters(): p.copy_(torch.randn_like(p) * 0.2)
for k, v in net.state_dict().items(): O['init.' + k] = v.clone()
x = I['x']
net.train(); O['out_train'] = net(x)
for k, v in net.state_dict().items(): O['after.' + k] = v.clone()
net.eval(); O['out_eval'] = net(x)
""", new Dictionary<string, Tensor> { ["x"] = x }));
        var init = expected.Where(kv => kv.Key.StartsWith("init.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key[5..], kv => kv.Value);
        var result = net.load_state_dict(init);
        Assert.AreEqual(0, result.missing_keys.Count + result.unexpected_keys.Count);
        var fwd = (nn.Module<Tensor, Tensor>)net;
        net.train();
        Assert.IsTrue(net.named_modules().All(m => m.module.training));
        var ours = new Dictionary<string, Tensor> { ["out_train"] = fwd.forward(x) };
        foreach (var (k, v) in net.state_dict()) ours["after." + k] = v;
        net.eval();
        Assert.IsTrue(net.named_modules().All(m => !m.module.training));
        ours["out_eval"] = fwd.forward(x);
        OracleAssert.AllClose(expected, ours, rtol32: 2e-5, atol32: 2e-5);
        Assert.AreEqual(1L, ours["after.1.num_batches_tracked"].item<long>());
    }

    [TestMethod]
    public void SequentialFreesItsIntermediatesButNeverItsInput()
    {
        using var scope = NewDisposeScope();
        using var net = nn.Sequential(new Modules.Lambda("Same", t => t), nn.LeakyReLU(0.5), nn.Tanh());
        var x = tensor(new float[] { -2, 0, 2 });
        GC.Collect();
        GC.WaitForPendingFinalizers(); // no other test's leaked tensor is freed while we count
        long before = LiveTensorCount;
        var y = net.forward(x);
        Assert.IsFalse(x.IsInvalid, "a layer that returns its input must not make Sequential dispose the caller's tensor");
        Assert.AreEqual(before + 1, LiveTensorCount, "only the output stays alive");
        TensorAssert.Close(new double[] { Math.Tanh(-1), 0, Math.Tanh(2) }, y.to(float64).ToArray<double>(), 1e-6, 1e-7, "tanh(leaky_relu(x))");
    }

    [TestMethod]
    public void LoadStateDictReportsMissingUnexpectedAndMismatchedEntries()
    {
        using var scope = NewDisposeScope();
        using var net = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.LeakyReLU(0.2), nn.Flatten(), nn.Linear(8, 2));
        var good = net.state_dict();

        var missing = new Dictionary<string, Tensor>(good);
        missing.Remove("1.running_mean");
        var e1 = Assert.ThrowsExactly<ArgumentException>(() => net.load_state_dict(missing));
        StringAssert.Contains(e1.Message, "missing keys [1.running_mean]");

        var unexpected = new Dictionary<string, Tensor>(good) { ["9.weight"] = zeros(2) };
        var e2 = Assert.ThrowsExactly<ArgumentException>(() => net.load_state_dict(unexpected));
        StringAssert.Contains(e2.Message, "unexpected keys [9.weight]");

        var both = new Dictionary<string, Tensor>(missing) { ["9.weight"] = zeros(2) };
        var r = net.load_state_dict(both, strict: false);
        CollectionAssert.AreEqual(new[] { "1.running_mean" }, r.missing_keys.ToArray());
        CollectionAssert.AreEqual(new[] { "9.weight" }, r.unexpected_keys.ToArray());

        var wrongShape = new Dictionary<string, Tensor>(good) { ["0.weight"] = zeros(8, 3, 5, 5) };
        var e3 = Assert.ThrowsExactly<ArgumentException>(() => net.load_state_dict(wrongShape));
        StringAssert.Contains(e3.Message, "'0.weight'");
        StringAssert.Contains(e3.Message, "[8, 3, 5, 5]");
        StringAssert.Contains(e3.Message, "[8, 3, 3, 3]");
        Assert.ThrowsExactly<ArgumentException>(() => net.load_state_dict(wrongShape, strict: false), "a shape mismatch throws even when not strict");

        // values are copied in place (an optimizer holding the parameters keeps working) and converted to the parameter dtype
        var weight = net.named_parameters().First(p => p.name == "0.weight").parameter;
        var replacement = new Dictionary<string, Tensor>(good) { ["0.weight"] = full(new long[] { 8, 3, 3, 3 }, 0.5, float64) };
        net.load_state_dict(replacement);
        Assert.AreEqual(ScalarType.Float32, weight.dtype);
        Assert.AreEqual(0.5f, weight.mean().item<float>());
        Assert.IsTrue(weight.requires_grad);
    }
}
