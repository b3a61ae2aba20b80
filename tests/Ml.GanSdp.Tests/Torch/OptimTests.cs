using Ml.GanSdp.Tests.TestSupport;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Tests.Torch;

/// <summary>libtorch's Adam, AdamW and SGD: the same updates as Python's torch.optim, and bit-exact resume from state_dict.</summary>
[TestClass]
public class OptimTests
{
    private const int Steps = 6;

    private static readonly (string name, Func<IEnumerable<Tensor>, optim.Optimizer> make, string python)[] Configs =
    {
        ("adam", p => optim.Adam(p, lr: 0.01, beta1: 0.5, beta2: 0.99), "torch.optim.Adam(ps, lr=0.01, betas=(0.5, 0.99))"),
        ("adam_wd_ams", p => optim.Adam(p, lr: 0.003, weight_decay: 0.1, amsgrad: true), "torch.optim.Adam(ps, lr=0.003, weight_decay=0.1, amsgrad=True)"),
        ("adamw", p => optim.AdamW(p, lr: 0.01, beta1: 0.0, beta2: 0.9, weight_decay: 0.05), "torch.optim.AdamW(ps, lr=0.01, betas=(0.0, 0.9), weight_decay=0.05)"),
        ("sgd", p => optim.SGD(p, lr: 0.1, momentum: 0.9, dampening: 0.1, weight_decay: 1e-3), "torch.optim.SGD(ps, lr=0.1, momentum=0.9, dampening=0.1, weight_decay=1e-3)"),
        ("nesterov", p => optim.SGD(p, lr: 0.05, momentum: 0.8, nesterov: true), "torch.optim.SGD(ps, lr=0.05, momentum=0.8, nesterov=True)"),
    };

    private static TensorBag Problem()
    {
        manual_seed(31);
        var bag = new TensorBag { ["p0"] = randn(3, 4), ["p1"] = randn(5) };
        for (int k = 0; k < Steps; k++)
        {
            bag[$"g0_{k}"] = randn(3, 4);
            bag[$"g1_{k}"] = randn(5) * (k + 1);
        }
        return bag;
    }

    private static Tensor[] FreshParameters(TensorBag problem) =>
        new[] { problem["p0"].clone().requires_grad_(), problem["p1"].clone().requires_grad_() };

    private static void Step(optim.Optimizer o, Tensor[] ps, TensorBag problem, int k)
    {
        for (int i = 0; i < ps.Length; i++) ps[i].grad = problem[$"g{i}_{k}"].clone();
        o.step();
    }

    [TestMethod]
    public void UpdatesMatchPythonTorchOptim()
    {
        using var scope = NewDisposeScope();
        using var problem = Problem();
        var ours = new Dictionary<string, Tensor>();
        foreach (var (name, make, _) in Configs)
        {
            var ps = FreshParameters(problem);
            using var o = make(ps);
            for (int k = 0; k < Steps; k++)
            {
                Step(o, ps, problem, k);
                if (k == 0 || k == Steps - 1)
                    for (int i = 0; i < ps.Length; i++) ours[$"{name}.{k}.p{i}"] = ps[i].detach().clone();
            }
        }
        var python = string.Join("\n", Configs.Select(c => $"run('{c.name}', lambda ps: {c.python})"));
        using var expected = new TensorBag(TorchOracle.Run($$"""
def run(name, make):
    ps = [I['p0'].clone().requires_grad_(), I['p1'].clone().requires_grad_()]
    o = make(ps)
    for k in range({{Steps}}):
        for i, p in enumerate(ps): p.grad = I[f'g{i}_{k}'].clone()
        o.step()
        if k == 0 or k == {{Steps - 1}}:
            for i, p in enumerate(ps): O[f'{name}.{k}.p{i}'] = p.detach().clone()
{{python}}
""", problem));
        OracleAssert.AllClose(expected, ours, rtol32: 1e-6, atol32: 1e-6);
    }

    [TestMethod]
    public void StateDictResumeIsBitExact()
    {
        using var scope = NewDisposeScope();
        using var problem = Problem();
        const int n = 3;
        foreach (var (name, make, _) in Configs)
        {
            var straight = FreshParameters(problem);
            using (var o = make(straight))
            {
                for (int k = 0; k < Steps; k++) Step(o, straight, problem, k);
            }

            var first = FreshParameters(problem);
            Dictionary<string, Tensor> saved;
            using (var o = make(first))
            {
                for (int k = 0; k < n; k++) Step(o, first, problem, k);
                saved = o.state_dict();
            }
            // a new process would reload the parameters from a checkpoint: copies, not the same tensors
            var resumed = first.Select(p => p.detach().clone().requires_grad_()).ToArray();
            using (var o = make(resumed))
            {
                o.load_state_dict(saved);
                for (int k = n; k < Steps; k++) Step(o, resumed, problem, k);
            }
            for (int i = 0; i < straight.Length; i++)
                Assert.IsTrue(equal(straight[i], resumed[i]), $"{name}: parameter {i} after resume differs from the uninterrupted run");

            // and the fresh optimizer without the state really does differ (the test would catch a lost state)
            var cold = first.Select(p => p.detach().clone().requires_grad_()).ToArray();
            using (var o = make(cold))
                for (int k = n; k < Steps; k++) Step(o, cold, problem, k);
            Assert.IsFalse(equal(straight[0], cold[0]), $"{name}: resuming without state should not match");
        }
    }

    [TestMethod]
    public void StateDictCarriesTheLearningRateAndStepCount()
    {
        using var scope = NewDisposeScope();
        using var problem = Problem();
        var ps = FreshParameters(problem);
        using var o = optim.Adam(ps, lr: 0.01);
        Step(o, ps, problem, 0);
        Step(o, ps, problem, 1);
        o.learning_rate = 0.0025;
        var sd = o.state_dict();
        Assert.AreEqual(2L, sd["state.0.step"].item<long>());
        CollectionAssert.AreEqual(new long[] { 3, 4 }, sd["state.0.exp_avg"].shape);
        Assert.AreEqual(0.0025, sd["lr"].item<double>());
        using var fresh = optim.Adam(FreshParameters(problem), lr: 0.5);
        fresh.load_state_dict(sd);
        Assert.AreEqual(0.0025, fresh.learning_rate);
    }

    [TestMethod]
    public void BadOptimizerStateIsAClearException()
    {
        using var scope = NewDisposeScope();
        using var problem = Problem();
        var ps = FreshParameters(problem);
        using var o = optim.Adam(ps);
        Step(o, ps, problem, 0);
        var sd = o.state_dict();

        var bogus = new Dictionary<string, Tensor>(sd) { ["state.0.bogus"] = zeros(1) };
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => o.load_state_dict(bogus)).Message, "state.0.bogus");
        var outOfRange = new Dictionary<string, Tensor>(sd) { ["state.7.exp_avg"] = zeros(1) };
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => o.load_state_dict(outOfRange)).Message, "state.7.exp_avg");
        var junk = new Dictionary<string, Tensor>(sd) { ["momentum"] = zeros(1) };
        Assert.ThrowsExactly<ArgumentException>(() => o.load_state_dict(junk));
        using (var sgd = optim.SGD(FreshParameters(problem), lr: 0.1, momentum: 0.9))
            Assert.ThrowsExactly<ArgumentException>(() => sgd.load_state_dict(sd), "Adam state does not fit SGD");
        var wrongShape = new Dictionary<string, Tensor>(sd) { ["state.0.exp_avg"] = zeros(2, 2) };
        StringAssert.Contains(Assert.ThrowsExactly<TorchException>(() => o.load_state_dict(wrongShape)).Message, "shape");

        // the optimizer still works afterwards
        Step(o, ps, problem, 1);
        o.zero_grad();
        Assert.IsNull(ps[0].grad);
        Step(o, ps, problem, 2);
        o.zero_grad(set_to_none: false);
        Assert.AreEqual(0f, ps[0].grad!.abs().sum().item<float>());
        Assert.ThrowsExactly<ArgumentException>(() => optim.Adam(Array.Empty<Tensor>()));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => optim.Adam(ps, beta1: 1.0));
    }
}
