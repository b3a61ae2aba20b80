using Ml.GanSdp.Tests.TestSupport;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Tests.Torch;

/// <summary>The tensor API (creation, readout, element-wise maths, reductions, shapes, indexing, RNG) against PyTorch 1.13.</summary>
[TestClass]
public class TensorOpsTests
{
    private static TensorBag Inputs()
    {
        manual_seed(11);
        var a = randn(new long[] { 4, 5 }, float64);
        var b = rand(new long[] { 4, 5 }, float64) + 0.5;
        var x = randn(new long[] { 2, 3, 4 }, float32);
        var i = randint(-6, 7, new long[] { 3, 4 });
        var u = randint(0, 250, new long[] { 6 }, uint8);
        var s = randn(new long[] { 6, 6 }, float64);
        var sym = s + s.T;
        s.Dispose();
        return new TensorBag { ["a"] = a, ["b"] = b, ["x"] = x, ["i"] = i, ["u"] = u, ["sym"] = sym };
    }

    [TestMethod]
    public void ElementwiseOperatorsAndDtypePromotionMatchPyTorch()
    {
        using var scope = NewDisposeScope();
        using var inp = Inputs();
        Tensor a = inp["a"], b = inp["b"], x = inp["x"], i = inp["i"], u = inp["u"];
        var ours = new Dictionary<string, Tensor>
        {
            ["add"] = a + b, ["sub"] = a - b, ["mul"] = a * b, ["div"] = a / b,
            ["adds"] = a + 2.5, ["rsub"] = 3 - a, ["rsubf"] = 0.5 - a, ["muls"] = a * 1.5, ["rdiv"] = 2 / b, ["divs"] = a / 4,
            ["neg"] = -a, ["pow"] = b.pow(1.7), ["pow2"] = a.pow(2), ["powt"] = b.pow(a), ["sqrt"] = b.sqrt(), ["exp"] = a.exp(),
            ["log"] = b.log(), ["abs"] = a.abs(), ["clamp"] = a.clamp(-0.5, 0.5), ["clampmin"] = a.clamp_min(0.1),
            ["clampmax"] = a.clamp(max: 0.2), ["x32"] = x * 3 + 1, ["x32sqrt"] = x.abs().sqrt(),
            ["iadd"] = i + 1, ["imul"] = i * 3, ["idiv"] = i / 2, ["isub"] = i - 4, ["irsub"] = 5 - i, ["imod"] = i % 3,
            ["ipow"] = i.pow(2), ["ifdiv"] = i.floor_divide(4), ["iaddf"] = i + 0.5, ["imulf"] = i * 0.25,
            ["uadd"] = u + 3, ["ufloat"] = u.to(float32) / 255, ["udiv"] = u / 255,
            ["gt"] = a.gt(0), ["le"] = a.le(b), ["eq"] = i.eq(0), ["ne"] = i.ne(2), ["and"] = a.gt(0) & b.gt(1), ["or"] = a.gt(0) | b.gt(1),
            ["not"] = !a.gt(0), ["maximum"] = maximum(a, b), ["minimum"] = minimum(a, b),
            ["where"] = where(a.gt(0), a, b), ["masked_fill"] = a.masked_fill(a.lt(0), -7),
            ["tof"] = a.to(float32), ["toi"] = (a * 3).to(int64), ["tob"] = a.gt(0.3).to(float64), ["tou"] = b.mul(100).to(uint8),
            ["ibool"] = i.to(@bool), ["sigmoid"] = a.sigmoid(), ["tanh"] = a.tanh(), ["softmax"] = a.softmax(1), ["lsm"] = a.log_softmax(0),
        };
        using var expected = new TensorBag(TorchOracle.Run("""
a, b, x, i, u = I['a'], I['b'], I['x'], I['i'], I['u']
O.update(add=a + b, sub=a - b, mul=a * b, div=a / b, adds=a + 2.5, rsub=3 - a, rsubf=0.5 - a, muls=a * 1.5, rdiv=2 / b, divs=a / 4,
         neg=-a, pow=b.pow(1.7), pow2=a.pow(2), powt=b.pow(a), sqrt=b.sqrt(), exp=a.exp(), log=b.log(), abs=a.abs(),
         clamp=a.clamp(-0.5, 0.5), clampmin=a.clamp_min(0.1), clampmax=a.clamp(max=0.2), x32=x * 3 + 1, x32sqrt=x.abs().sqrt(),
         iadd=i + 1, imul=i * 3, idiv=i / 2, isub=i - 4, irsub=5 - i, imod=i % 3, ipow=i.pow(2), ifdiv=i.div(4, rounding_mode='floor'),
         iaddf=i + 0.5, imulf=i * 0.25, uadd=u + 3, ufloat=u.float() / 255, udiv=u / 255,
         gt=a.gt(0), le=a.le(b), eq=i.eq(0), ne=i.ne(2))
O['and'] = (a > 0) & (b > 1); O['or'] = (a > 0) | (b > 1); O['not'] = ~(a > 0)
O.update(maximum=torch.maximum(a, b), minimum=torch.minimum(a, b), where=torch.where(a > 0, a, b), masked_fill=a.masked_fill(a < 0, -7),
         tof=a.float(), toi=(a * 3).long(), tob=(a > 0.3).double(), tou=(b * 100).to(torch.uint8), ibool=i.bool(),
         sigmoid=a.sigmoid(), tanh=a.tanh(), softmax=a.softmax(1), lsm=a.log_softmax(0))
""", inp));
        OracleAssert.AllClose(expected, ours, rtol: 1e-15, atol: 1e-15, rtol32: 1e-7, atol32: 1e-7);
    }

    [TestMethod]
    public void ReductionsSortingAndProductsMatchPyTorch()
    {
        using var scope = NewDisposeScope();
        using var inp = Inputs();
        Tensor a = inp["a"], b = inp["b"], x = inp["x"], sym = inp["sym"];
        var (mxv, mxi) = a.max(1, keepdim: true);
        var (mnv, mni) = a.min(0);
        var (tkv, tki) = a.topk(2, 1);
        var (tsv, tsi) = x.topk(3, 0 - 1, largest: false);
        var (sv, si) = a.sort(1, descending: true);
        var (s0v, s0i) = x.sort(0);
        var (w, v) = linalg.eigh(sym);
        var ours = new Dictionary<string, Tensor>
        {
            ["sum"] = a.sum(), ["sum1"] = a.sum(1), ["sum1k"] = a.sum(1, keepdim: true), ["sum02"] = x.sum(new long[] { 0, 2 }),
            ["mean"] = a.mean(), ["mean0"] = a.mean(0), ["meank"] = x.mean(new long[] { 1, 2 }, keepdim: true), ["xsum"] = x.sum(-1),
            ["max"] = a.max(), ["min"] = x.min(), ["mxv"] = mxv, ["mxi"] = mxi, ["mnv"] = mnv, ["mni"] = mni,
            ["argmax"] = a.argmax(), ["argmax1"] = a.argmax(1, keepdim: true), ["argmin0"] = x.argmin(0), ["argmin"] = x.argmin(),
            ["tkv"] = tkv, ["tki"] = tki, ["tsv"] = tsv, ["tsi"] = tsi, ["sv"] = sv, ["si"] = si, ["s0v"] = s0v, ["s0i"] = s0i,
            ["var"] = b.var(1), ["std"] = a.std(), ["cdist"] = cdist(a, b), ["cdist1"] = cdist(a, b, 1.0),
            ["mm"] = a.matmul(b.T), ["bmm"] = x.matmul(x.transpose(1, 2)), ["mv"] = matmul(a, b[0]),
            ["w"] = w, ["vrec"] = v.matmul(w.diag()).matmul(v.T), ["vabs"] = v.abs(), ["wh"] = linalg.eigvalsh(sym),
            ["norm"] = a.norm(), ["norm1"] = a.norm(1, new long[] { 1 }), ["cumsum"] = a.cumsum(0),
        };
        using var expected = new TensorBag(TorchOracle.Run("""
a, b, x, sym = I['a'], I['b'], I['x'], I['sym']
mxv, mxi = a.max(1, keepdim=True); mnv, mni = a.min(0)
tkv, tki = a.topk(2, 1); tsv, tsi = x.topk(3, -1, largest=False)
sv, si = a.sort(1, descending=True); s0v, s0i = x.sort(0)
w, v = torch.linalg.eigh(sym)
O.update(sum=a.sum(), sum1=a.sum(1), sum1k=a.sum(1, keepdim=True), sum02=x.sum((0, 2)), mean=a.mean(), mean0=a.mean(0),
         meank=x.mean((1, 2), keepdim=True), xsum=x.sum(-1), max=a.max(), min=x.min(), mxv=mxv, mxi=mxi, mnv=mnv, mni=mni,
         argmax=a.argmax(), argmax1=a.argmax(1, keepdim=True), argmin0=x.argmin(0), argmin=x.argmin(),
         tkv=tkv, tki=tki, tsv=tsv, tsi=tsi, sv=sv, si=si, s0v=s0v, s0i=s0i, var=b.var(1), std=a.std(),
         cdist=torch.cdist(a, b), cdist1=torch.cdist(a, b, p=1.0), mm=a @ b.T, bmm=x @ x.transpose(1, 2), mv=a @ b[0],
         w=w, vrec=v @ torch.diag(w) @ v.T, vabs=v.abs(), wh=torch.linalg.eigvalsh(sym),
         norm=a.norm(), norm1=torch.linalg.vector_norm(a, 1, dim=1), cumsum=a.cumsum(0))
""", inp));
        OracleAssert.AllClose(expected, ours, rtol: 1e-12, atol: 1e-12, rtol32: 2e-6, atol32: 2e-6);
        // the reconstruction must also equal the input itself (a property, independent of the oracle)
        TensorAssert.Close(sym, ours["vrec"], 1e-10, 1e-10, "V diag(w) V^T");
    }

    [TestMethod]
    public void ShapesSlicingAndIndexingMatchPyTorch()
    {
        using var scope = NewDisposeScope();
        using var inp = Inputs();
        Tensor a = inp["a"], b = inp["b"], x = inp["x"], i = inp["i"];
        var idx = tensor(new long[] { 3, 0, 3 });
        var gidx = tensor(new long[] { 0, 4, 1, 2, 2, 0, 3, 3 }, new long[] { 4, 2 });
        var p = x.permute(2, 0, 1);
        var ours = new Dictionary<string, Tensor>
        {
            ["view"] = a.view(5, 4), ["viewm1"] = x.view(-1, 4), ["reshape"] = x.permute(1, 0, 2).reshape(-1), ["permute"] = p,
            ["permc"] = p.contiguous(), ["transpose"] = a.transpose(0, 1), ["T"] = a.T, ["flatten"] = x.flatten(), ["flatten1"] = x.flatten(1),
            ["unsq"] = a.unsqueeze(1), ["unsqm"] = a.unsqueeze(-1), ["squeeze"] = a.unsqueeze(0).unsqueeze(2).squeeze(),
            ["squeeze0"] = a.unsqueeze(0).squeeze(0), ["expand"] = b[0].unsqueeze(0).expand(3, 5), ["expandm"] = a.unsqueeze(1).expand(-1, 2, -1),
            ["cat0"] = cat(new[] { a, b }), ["cat1"] = cat(new[] { a, b, a }, 1), ["stack"] = stack(new[] { a, b }), ["stack2"] = stack(new[] { a, b }, 2),
            ["narrow"] = a.narrow(1, 1, 3), ["slice"] = a.slice(1, 0, 5, 2), ["slicem"] = x.slice(2, 1, 4), ["select"] = x.select(1, 2), ["index"] = x[1, 2],
            ["isel"] = a.index_select(1, idx), ["isel0"] = x.index_select(0, tensor(new long[] { 1, 1, 0 })), ["gather"] = a.gather(1, gidx),
            ["flip"] = a.flip(0), ["flip2"] = x.flip(1, 2), ["roll"] = a.roll(2, 1), ["roll2"] = x.roll(new long[] { 1, -1 }, new long[] { 0, 2 }),
            ["pad"] = nn.functional.pad(x.unsqueeze(0), new long[] { 1, 2 }, value: -1), ["pad4"] = nn.functional.pad(x.unsqueeze(0), new long[] { 0, 3, 2, 1 }),
            ["padr"] = nn.functional.pad(x.unsqueeze(0), new long[] { 2, 1, 1, 2 }, PaddingModes.Reflect),
            ["padp"] = nn.functional.pad(x.unsqueeze(0), new long[] { 1, 1, 2, 0 }, PaddingModes.Replicate),
            ["clone"] = a.clone(), ["detach"] = a.detach(), ["repeat"] = i.repeat(2, 1), ["ipermute"] = i.T.contiguous(),
        };
        Assert.IsFalse(p.is_contiguous());
        Assert.IsTrue(ours["permc"].is_contiguous());
        CollectionAssert.AreEqual(new long[] { 1, 12, 4 }, p.stride());
        using var expected = new TensorBag(TorchOracle.Run("""
a, b, x, i = I['a'], I['b'], I['x'], I['i']
p = x.permute(2, 0, 1)
O.update(view=a.view(5, 4), viewm1=x.view(-1, 4), reshape=x.permute(1, 0, 2).reshape(-1), permute=p, permc=p.contiguous(),
         transpose=a.transpose(0, 1), T=a.T, flatten=x.flatten(), flatten1=x.flatten(1), unsq=a.unsqueeze(1), unsqm=a.unsqueeze(-1),
         squeeze=a[None, :, None].squeeze(), squeeze0=a[None].squeeze(0), expand=b[0][None].expand(3, 5), expandm=a[:, None].expand(-1, 2, -1),
         cat0=torch.cat([a, b]), cat1=torch.cat([a, b, a], 1), stack=torch.stack([a, b]), stack2=torch.stack([a, b], 2),
         narrow=a.narrow(1, 1, 3), slice=a[:, 0:5:2], slicem=x[:, :, 1:4], select=x[:, 2], index=x[1, 2],
         isel=a.index_select(1, torch.tensor([3, 0, 3])), isel0=x.index_select(0, torch.tensor([1, 1, 0])),
         gather=a.gather(1, torch.tensor([[0, 4], [1, 2], [2, 0], [3, 3]])), flip=a.flip(0), flip2=x.flip(1, 2), roll=a.roll(2, 1),
         roll2=x.roll((1, -1), (0, 2)), pad=F.pad(x[None], (1, 2), value=-1), pad4=F.pad(x[None], (0, 3, 2, 1)),
         padr=F.pad(x[None], (2, 1, 1, 2), mode='reflect'), padp=F.pad(x[None], (1, 1, 2, 0), mode='replicate'),
         clone=a.clone(), detach=a.detach(), repeat=i.repeat(2, 1), ipermute=i.T.contiguous())
""", inp));
        OracleAssert.AllClose(expected, ours, 0, 0, 0, 0);
    }

    [TestMethod]
    public void MoreOpsInPlaceUpdatesAndInitializersMatchPyTorch()
    {
        using var scope = NewDisposeScope();
        using var inp = Inputs();
        Tensor a = inp["a"], b = inp["b"], sym = inp["sym"];
        var gen = a.narrow(0, 0, 3).narrow(1, 0, 3).contiguous();
        var (re, im) = linalg.eigvals(gen);
        var ours = new Dictionary<string, Tensor>
        {
            ["masked_select"] = a.masked_select(a.gt(0)), ["nonzero"] = a.gt(0).nonzero(),
            ["one_hot"] = nn.functional.one_hot(tensor(new long[] { 0, 2, 1, 2 }), 4), ["diag"] = sym.diag(), ["diagm"] = b[0].diag(),
            ["tril"] = sym.tril(-1), ["triu"] = sym.triu(1), ["trace"] = sym.trace(), ["lse"] = a.logsumexp(1),
            ["var0"] = a.var(0, unbiased: false), ["std1"] = a.std(1, keepdim: true), ["prod"] = b.prod(),
            ["any"] = a.gt(2).any(), ["all"] = a.gt(-10).all(), ["outer"] = outer(a[0], b[1]),
            ["linspace"] = linspace(0, 1, 7), ["eye"] = eye(3), ["re"] = re, ["im"] = im,
            ["index_copy"] = zeros(new long[] { 4, 5 }, float64).index_copy_(0, tensor(new long[] { 2, 0 }), a.narrow(0, 0, 2)),
            ["lerp"] = a.clone().lerp_(b, 0.3), ["clamp_"] = a.clone().clamp_(-0.1, 0.2), ["add_"] = a.clone().add_(b, 2),
            ["mul_"] = a.clone().mul_(b), ["div_"] = a.clone().div_(4), ["sub_"] = a.clone().sub_(b), ["amin"] = a.amin(new long[] { 0 }),
        };
        manual_seed(5);
        ours["xavier"] = nn.init.xavier_uniform_(empty(new long[] { 3, 4 }));
        ours["kaiming"] = nn.init.kaiming_uniform_(empty(new long[] { 6, 2, 3, 3 }), 0.2);
        ours["normal"] = empty(new long[] { 20 }).normal_(2, 3);
        ours["uniform"] = empty(new long[] { 20 }, float64).uniform_(-1, 4);
        ours["bernoulli"] = bernoulli(full(new long[] { 30 }, 0.4));
        Assert.IsTrue(allclose(a, a + 1e-9) && !allclose(a, a + 1e-3));
        using var expected = new TensorBag(TorchOracle.Run("""
a, b, sym = I['a'], I['b'], I['sym']
e = torch.linalg.eigvals(a[:3, :3])
ic = torch.zeros(4, 5, dtype=torch.float64); ic.index_copy_(0, torch.tensor([2, 0]), a[:2])
O.update(masked_select=a[a > 0], nonzero=torch.nonzero(a > 0), one_hot=F.one_hot(torch.tensor([0, 2, 1, 2]), 4), diag=sym.diag(),
         diagm=torch.diag(b[0]), tril=sym.tril(-1), triu=sym.triu(1), trace=sym.trace(), lse=a.logsumexp(1), var0=a.var(0, unbiased=False),
         std1=a.std(1, keepdim=True), prod=b.prod(), any=(a > 2).any(), all=(a > -10).all(), outer=torch.outer(a[0], b[1]),
         linspace=torch.linspace(0, 1, 7), eye=torch.eye(3), re=e.real, im=e.imag, index_copy=ic, lerp=a.clone().lerp_(b, 0.3),
         clamp_=a.clone().clamp_(-0.1, 0.2), add_=a.clone().add_(b, alpha=2), mul_=a.clone().mul_(b), div_=a.clone().div_(4),
         sub_=a.clone().sub_(b), amin=a.amin(0))
torch.manual_seed(5)
O['xavier'] = torch.nn.init.xavier_uniform_(torch.empty(3, 4))
O['kaiming'] = torch.nn.init.kaiming_uniform_(torch.empty(6, 2, 3, 3), 0.2)
O['normal'] = torch.empty(20).normal_(2, 3)
O['uniform'] = torch.empty(20, dtype=torch.float64).uniform_(-1, 4)
O['bernoulli'] = torch.bernoulli(torch.full((30,), 0.4))
""", inp));
        OracleAssert.AllClose(expected, ours, rtol: 1e-12, atol: 1e-12, rtol32: 0, atol32: 0);
    }

    [TestMethod]
    public void CreationAndReadoutCoverEveryDtype()
    {
        using var scope = NewDisposeScope();
        CollectionAssert.AreEqual(new float[] { 0, 0, 0, 0, 0, 0 }, zeros(2, 3).ToArray<float>());
        CollectionAssert.AreEqual(new double[] { 1, 1 }, ones(new long[] { 2 }, float64).ToArray<double>());
        CollectionAssert.AreEqual(new long[] { 7, 7, 7 }, full(new long[] { 3 }, 7, int64).ToArray<long>());
        CollectionAssert.AreEqual(new byte[] { 200, 200 }, full(new long[] { 1, 2 }, 200, uint8).ToArray<byte>());
        CollectionAssert.AreEqual(new[] { true, true }, ones(new long[] { 2 }, @bool).ToArray<bool>());
        CollectionAssert.AreEqual(new[] { false }, zeros(new long[] { 1 }, @bool).ToArray<bool>());
        Assert.AreEqual(ScalarType.Int64, arange(5).dtype);
        CollectionAssert.AreEqual(new long[] { 0, 1, 2, 3, 4 }, arange(5).ToArray<long>());
        CollectionAssert.AreEqual(new long[] { 1, 4, 7 }, arange(1, 10, 3).ToArray<long>());
        Assert.AreEqual(ScalarType.Float32, arange(0, 1, 0.25).dtype);
        CollectionAssert.AreEqual(new float[] { 0, 0.25f, 0.5f, 0.75f }, arange(0, 1, 0.25).ToArray<float>());
        CollectionAssert.AreEqual(new double[] { 2, 1.5, 1, 0.5 }, arange(2, 0, -0.5, float64).ToArray<double>());

        var m = tensor(new float[] { 1, 2, 3, 4, 5, 6 }, new long[] { 2, 3 });
        CollectionAssert.AreEqual(new long[] { 2, 3 }, m.shape);
        CollectionAssert.AreEqual(new float[] { 1, 4, 2, 5, 3, 6 }, m.T.ToArray<float>());
        Assert.AreEqual(6f, m[1, 2].item<float>());
        Assert.AreEqual(6.0, m[1, 2].item<double>());
        var one = tensor(new double[] { 2.5 });
        CollectionAssert.AreEqual(new long[] { 1 }, one.shape, "a one-element array is 1-D, as torch.tensor([2.5])");
        Assert.AreEqual(0, tensor(new double[] { 2.5 }, Array.Empty<long>()).dim());
        Assert.AreEqual(0, tensor(3.0).dim());
        Assert.AreEqual(-3L, tensor(new long[] { -3 }).item<long>());
        Assert.AreEqual(9_007_199_254_740_993L, full(Array.Empty<long>(), 0, int64).add(9_007_199_254_740_993L).item<long>(), "int64 readout is exact beyond 2^53");
        Assert.IsTrue(tensor(new[] { true }).item<bool>());
        Assert.AreEqual((byte)255, tensor(new byte[] { 255 }).item<byte>());
        Assert.AreEqual(7, tensor(new int[] { 7 }).item<int>());
        var span = tensor<double>(new double[] { 1, 2, 3, 4 }.AsSpan(), new long[] { 2, 2 });
        CollectionAssert.AreEqual(new double[] { 1, 3, 2, 4 }, span.T.contiguous().ToArray<double>());
        var f64 = randn(new long[] { 2, 3 }, float64);
        var zl = zeros_like(f64);
        Assert.AreEqual(ScalarType.Float64, zl.dtype);
        CollectionAssert.AreEqual(new double[6], zl.ToArray<double>());
        CollectionAssert.AreEqual(new long[] { 1, 1, 1, 1, 1, 1 }, ones_like(f64, int64).ToArray<long>());
        CollectionAssert.AreEqual(Enumerable.Repeat(2.5, 6).ToArray(), full_like(f64, 2.5).ToArray<double>());
        CollectionAssert.AreEqual(new long[] { 2, 3 }, empty_like(f64).size());
        manual_seed(9);
        var r1 = randn_like(f64);
        var u1 = rand_like(f64, float32);
        manual_seed(9);
        Assert.IsTrue(equal(r1, randn(new long[] { 2, 3 }, float64)));
        Assert.IsTrue(equal(u1, rand(new long[] { 2, 3 }, float32)));
        Assert.IsTrue(equal(exp(f64), f64.exp()) && equal(pow(f64, 2), f64.square()) && equal(sum(f64, 1), f64.sum(1)));
        Assert.IsTrue(equal(flatten(f64), f64.view(-1)) && equal(transpose(f64, 0, 1), f64.T) && equal(clamp(f64, 0), f64.relu()));
        Assert.ThrowsExactly<ArgumentException>(() => tensor(new float[] { 1, 2, 3 }, new long[] { 2, 2 }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => arange(0, 1, 0));
    }

    [TestMethod]
    public void SeededGeneratorsReproducePyTorchSequencesAndStatesRestore()
    {
        using var scope = NewDisposeScope();
        var ours = new Dictionary<string, Tensor>();
        manual_seed(2024);
        ours["randn"] = randn(3, 4);
        ours["randn_big"] = randn(new long[] { 37 }, float64);
        ours["rand"] = rand(5);
        ours["randint"] = randint(0, 10, new long[] { 7 });
        ours["randperm"] = randperm(9);
        var saved = get_rng_state();
        ours["after_state"] = randn(20);
        using (var g = new Generator(42))
        {
            ours["g_randn"] = randn(new long[] { 17 }, generator: g);
            ours["g_rand"] = rand(new long[] { 2, 3 }, float64, generator: g);
            ours["g_randint"] = randint(-5, 5, new long[] { 6 }, generator: g);
            var gstate = g.get_state();
            var first = randn(new long[] { 25 }, generator: g);
            g.set_state(gstate);
            var again = randn(new long[] { 25 }, generator: g);
            Assert.IsTrue(equal(first, again), "restoring a generator state replays its sequence");
            ours["g_after"] = again;
            g.manual_seed(7);
            ours["g_reseed"] = rand(new long[] { 4 }, generator: g);
        }
        set_rng_state(saved);
        var replay = randn(20);
        Assert.IsTrue(equal(ours["after_state"], replay), "restoring the default generator state replays its sequence");
        using var expected = new TensorBag(TorchOracle.Run("""
torch.manual_seed(2024)
O.update(randn=torch.randn(3, 4), randn_big=torch.randn(37, dtype=torch.float64), rand=torch.rand(5), randint=torch.randint(0, 10, (7,)),
         randperm=torch.randperm(9), after_state=torch.randn(20))
g = torch.Generator().manual_seed(42)
O.update(g_randn=torch.randn(17, generator=g), g_rand=torch.rand(2, 3, dtype=torch.float64, generator=g),
         g_randint=torch.randint(-5, 5, (6,), generator=g), g_after=torch.randn(25, generator=g))
g.manual_seed(7)
O['g_reseed'] = torch.rand(4, generator=g)
"""));
        OracleAssert.AllClose(expected, ours, 0, 0, 0, 0);
    }

    [TestMethod]
    public void ThreadCountIsSettableAndCudaIsAbsent()
    {
        int before = get_num_threads();
        try
        {
            set_num_threads(1);
            Assert.AreEqual(1, get_num_threads());
            set_num_threads(2);
            Assert.AreEqual(2, get_num_threads());
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => set_num_threads(0));
        }
        finally { set_num_threads(before); }
        Assert.IsFalse(cuda.is_available());
        Assert.AreEqual(0, cuda.device_count());
    }
}
