using System.Text.Json;
using Ml.GanSdp.Models;
using Ml.GanSdp.Serialization;
using Ml.GanSdp.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Models;

/// <summary>
/// Runs Oracles/models_oracle.py (PyTorch twins of our models, same module trees) and compares with ours. Cases are
/// batched into one Python process per test (importing torch dominates the cost).
/// </summary>
internal static class ModelOracle
{
    /// <summary>The oracle's configuration for the model that <paramref name="o"/> describes.</summary>
    public static Dictionary<string, object> Config(ModelOptions o, bool generator) => new()
    {
        ["model"] = (o.Architecture, generator) switch
        {
            (Architecture.Mlp, true) => "mlp_g",
            (Architecture.Mlp, false) => "mlp_d",
            (Architecture.Dcgan, true) => "dcgan_g",
            (Architecture.Dcgan, false) => "dcgan_d",
            (Architecture.SnganCnn, true) => "cnn_g",
            (Architecture.SnganCnn, false) => "cnn_d",
            (Architecture.SnganResNet, true) => "res_g",
            (Architecture.SnganResNet, false) => "res_d",
            _ => throw new ArgumentException(o.Architecture.ToString()),
        },
        ["nz"] = o.LatentSize,
        ["nc"] = o.Channels,
        ["size"] = o.ImageSize,
        ["w"] = o.Width,
        ["depth"] = o.Depth,
        ["classes"] = o.NumClasses,
        ["sn"] = o.DiscriminatorSpectralNorm,
        ["bn"] = o.DiscriminatorBatchNorm,
    };

    /// <summary>Writes <paramref name="cfg"/> into a fresh sub-folder <paramref name="name"/> of <paramref name="root"/> and returns it.</summary>
    public static string CaseDir(string root, string name, Dictionary<string, object> cfg)
    {
        var dir = Path.Combine(root, name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "cfg.json"), JsonSerializer.Serialize(cfg));
        return dir;
    }

    /// <summary>Runs the (command, folder) jobs in one Python process.</summary>
    public static void RunBatch(string root, IEnumerable<(string command, string dir)> jobs)
    {
        File.WriteAllText(Path.Combine(root, "jobs.json"), JsonSerializer.Serialize(jobs.Select(j => new[] { j.command, j.dir }).ToArray()));
        Python.Run("models_oracle.py", "batch", root);
    }

    /// <summary>Asserts that each module's state-dict keys, in order, are those of its PyTorch twin.</summary>
    public static void AssertKeys(IEnumerable<(string name, ModelOptions options)> cases)
    {
        using var root = new TempDir();
        var jobs = new List<(string, string)>();
        var expected = new List<(string name, string dir, List<string> ours)>();
        foreach (var (name, o) in cases)
        {
            var (g, d) = ModelFactory.Create(o);
            using var _g = g;
            using var _d = d;
            foreach (var (module, isG) in new[] { (g.Module, true), (d.Module, false) })
            {
                var label = $"{name} {(isG ? "G" : "D")}";
                var dir = CaseDir(root.Path, label.Replace(' ', '_'), Config(o, isG));
                var sd = StateDicts.Copy(module);
                expected.Add((label, dir, sd.Keys.ToList()));
                foreach (var t in sd.Values) t.Dispose();
                jobs.Add(("keys", dir));
            }
        }
        RunBatch(root.Path, jobs);
        foreach (var (label, dir, ours) in expected)
        {
            var theirs = File.ReadAllText(Path.Combine(dir, "keys.txt")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            CollectionAssert.AreEquivalent(theirs, ours, $"{label}: ours {string.Join(", ", ours)}; PyTorch {string.Join(", ", theirs)}");
        }
    }

    public static void SaveState(torch.nn.Module m, string path)
    {
        var sd = StateDicts.Copy(m);
        try { Npy.SaveNpz(path, sd); }
        finally { foreach (var t in sd.Values) t.Dispose(); }
    }

    /// <summary>Asserts that <paramref name="m"/>'s state equals the oracle's final.npz (running statistics, u, v).</summary>
    public static void AssertStateClose(torch.nn.Module m, string path, double tol, string label)
    {
        var theirs = Npy.LoadNpz(path);
        var ours = StateDicts.Copy(m);
        try
        {
            CollectionAssert.AreEquivalent(theirs.Keys.ToList(), ours.Keys.ToList(), $"{label}: state keys");
            foreach (var (k, v) in ours) TensorAssert.Close(theirs[k], v, tol, tol, $"{label}: {k}");
        }
        finally
        {
            foreach (var t in theirs.Values.Concat(ours.Values)) t.Dispose();
        }
    }

    /// <summary>A training forward, loss = mean(out^2) (+ the mean of each block feature for D), backward; compares every parameter's gradient.</summary>
    private static void AssertGradientsClose(ParityCase c, torch.nn.Module module, IGenerator g, IDiscriminator d, Tensor x, Tensor? y, string path, double tol)
    {
        module.train();
        module.zero_grad();
        Tensor loss;
        if (c.Generator) loss = g.Forward(x, y).pow(2).mean();
        else
        {
            using var output = d.Forward(x, y);
            loss = output.Scores.pow(2).mean();
            foreach (var f in output.BlockFeatures) loss = loss + f.mean();
        }
        loss.backward();
        var theirs = Npy.LoadNpz(path);
        var ours = module.named_parameters().ToList();
        CollectionAssert.AreEquivalent(theirs.Keys.ToList(), ours.Select(p => p.name).ToList(), $"{c.Name}: parameters");
        foreach (var (name, p) in ours)
        {
            Assert.IsNotNull(p.grad, $"{c.Name}: {name} has no gradient");
            TensorAssert.Close(theirs[name], p.grad!, 1e-4, tol, $"{c.Name}: gradient of {name}");
        }
    }

    /// <summary>One model whose forwards are compared with its PyTorch twin.</summary>
    public sealed record ParityCase(string Name, ModelOptions Options, bool Generator, string[] Modes, long Batch = 4);

    /// <summary>
    /// For each case: loads our weights into the PyTorch twin, runs the same sequence of train/eval forwards in both,
    /// and compares the outputs (scores and every block feature for D), the final state (running statistics,
    /// spectral-norm vectors), then the gradients of every parameter after one more training forward.
    /// </summary>
    public static void AssertForwardParity(IReadOnlyList<ParityCase> cases, double tol = 1e-5)
    {
        using var root = new TempDir();
        using var scope = NewDisposeScope();
        var prepared = new List<(ParityCase c, string dir, torch.nn.Module module, IGenerator g, IDiscriminator d, Tensor x, Tensor? y)>();
        try
        {
            foreach (var c in cases)
            {
                manual_seed(11);
                var (g, d) = ModelFactory.Create(c.Options);
                var cfg = Config(c.Options, c.Generator);
                cfg["modes"] = c.Modes;
                var dir = CaseDir(root.Path, c.Name.Replace(' ', '_'), cfg);
                var module = c.Generator ? g.Module : d.Module;
                SaveState(module, Path.Combine(dir, "state.npz"));
                var o = c.Options;
                var x = c.Generator ? randn(c.Batch, o.LatentSize)
                    : o.Architecture == Architecture.Mlp ? randn(c.Batch, o.Channels)
                    : rand(new[] { c.Batch, (long)o.Channels, o.ImageSize, o.ImageSize }) * 2 - 1;
                Npy.Save(Path.Combine(dir, "x.npy"), x);
                Tensor? y = null;
                if (o.NumClasses > 0)
                {
                    y = randint(o.NumClasses, new[] { c.Batch });
                    Npy.Save(Path.Combine(dir, "y.npy"), y);
                }
                prepared.Add((c, dir, module, g, d, x, y));
            }
            RunBatch(root.Path, prepared.Select(p => ("forward", p.dir)));
            foreach (var (c, dir, module, g, d, x, y) in prepared)
            {
                string F(string f) => Path.Combine(dir, f);
                for (int i = 0; i < c.Modes.Length; i++)
                {
                    var label = $"{c.Name}, forward {i} ({c.Modes[i]})";
                    module.train(c.Modes[i] == "train");
                    if (c.Generator)
                    {
                        TensorAssert.Close(Npy.Load(F($"out{i}.npy")), g.Forward(x, y), tol, tol, $"{label}: G output");
                        continue;
                    }
                    using var output = d.Forward(x, y);
                    TensorAssert.Close(Npy.Load(F($"out{i}.npy")), output.Scores, tol, tol, $"{label}: D scores");
                    for (int j = 0; j < output.BlockFeatures.Count; j++)
                        TensorAssert.Close(Npy.Load(F($"out{i}_f{j}.npy")), output.BlockFeatures[j], tol, tol, $"{label}: D block {j}");
                    Assert.IsFalse(File.Exists(F($"out{i}_f{output.BlockFeatures.Count}.npy")), $"{label}: PyTorch's twin has more blocks");
                }
                AssertStateClose(module, F("final.npz"), tol, c.Name);
                AssertGradientsClose(c, module, g, d, x, y, F("grads.npz"), tol);
            }
        }
        finally
        {
            foreach (var p in prepared)
            {
                p.g.Dispose();
                p.d.Dispose();
            }
        }
    }
}
