using Ml.GanSdp.Models;
using System.Globalization;
using Ml.GanSdp.Serialization;
using Ml.GanSdp.Tests.TestSupport;
using Ml.GanSdp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Training;

/// <summary>The trainer's loop against a hand-written PyTorch loop (same weights, same generators, same order).</summary>
[TestClass]
public class PyTorchReferenceTests
{
    private const string Reference = """
        import sys, numpy as np, torch, torch.nn.functional as F
        import oracle
        d = sys.argv[1]
        seed, batch, latent, iters, ncritic = 7, 16, 4, 5, 2
        data = oracle.load(d + '/data.npy')
        def params(name):
            z = np.load(d + '/' + name + '.npz')
            return {k: torch.from_numpy(z[k]).clone().requires_grad_() for k in ['l1.weight', 'l1.bias', 'l2.weight', 'l2.bias', 'l3.weight', 'l3.bias']}
        G, D = params('g'), params('d')
        def mlp(p, x, slope):
            h = F.leaky_relu(F.linear(x, p['l1.weight'], p['l1.bias']), slope)
            h = F.leaky_relu(F.linear(h, p['l2.weight'], p['l2.bias']), slope)
            return F.linear(h, p['l3.weight'], p['l3.bias'])
        gen = lambda z: mlp(G, z, 0.0)
        dis = lambda x: mlp(D, x, 0.2).squeeze(1)
        opt_g = torch.optim.Adam(list(G.values()), lr=1e-3, betas=(0.5, 0.999))
        opt_d = torch.optim.Adam(list(D.values()), lr=2e-3, betas=(0.5, 0.999))
        rng_data = torch.Generator().manual_seed(seed)
        rng_noise = torch.Generator().manual_seed(seed + 1)
        out = []
        for it in range(iters):
            for c in range(ncritic):
                real = data[torch.randint(0, data.shape[0], (batch,), generator=rng_data)]
                z = torch.randn(batch, latent, generator=rng_noise)
                with torch.no_grad():
                    fake = gen(z)
                loss_d = F.softplus(-dis(real)).mean() + F.softplus(dis(fake)).mean()
                opt_d.zero_grad(); loss_d.backward(); opt_d.step()
                out.append(loss_d.item())
            for p in D.values(): p.requires_grad_(False)
            z = torch.randn(batch, latent, generator=rng_noise)
            loss_g = F.softplus(-dis(gen(z))).mean()
            opt_g.zero_grad(); loss_g.backward(); opt_g.step()
            for p in D.values(): p.requires_grad_(True)
            out.append(loss_g.item())
        print(' '.join(repr(v) for v in out))
        np.savez(d + '/g_final.npz', **{k: v.detach().numpy() for k, v in G.items()})
        np.savez(d + '/d_final.npz', **{k: v.detach().numpy() for k, v in D.items()})
        """;

    [TestMethod]
    public void FiveIterationsMatchAPyTorchLoop()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        var (g, d, _) = TinyGan.Models(3);
        using (g) using (d)
        {
            using var rng = new Generator(99);
            var data = randn(new long[] { 64, 2 }, ScalarType.Float32, generator: rng);
            Npy.Save(dir.File("data.npy"), data);
            Npy.SaveNpz(dir.File("g.npz"), StateDicts.Copy(g.Module));
            Npy.SaveNpz(dir.File("d.npz"), StateDicts.Copy(d.Module));
            var theirs = Python.Exec(Reference.Replace("\r", ""), dir.Path)
                .Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();

            using var source = new TensorBatchSource(data);
            using var trainer = new GanTrainer(TinyGan.Options(5) with { DiscriminatorSteps = 2 }, g, d, source);
            var ours = new List<double>();
            while (trainer.Iteration < 5)
            {
                var r = trainer.TrainIteration();
                ours.AddRange(r.DiscriminatorSteps.Select(s => s.Loss));
                ours.Add(r.GeneratorStep.Loss);
            }
            TensorAssert.Close(theirs, ours.ToArray(), 1e-5, 1e-6, "losses");
            foreach (var (name, module) in new[] { ("g_final", g.Module), ("d_final", d.Module) })
            {
                var expected = Npy.LoadNpz(dir.File(name + ".npz"));
                foreach (var (k, t) in StateDicts.Copy(module)) TensorAssert.Close(expected[k], t, 1e-4, 1e-6, $"{name}/{k}");
            }
        }
    }
}
