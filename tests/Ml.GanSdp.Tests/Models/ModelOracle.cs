using System.Text.Json;
using Ml.GanSdp.Models;
using Ml.GanSdp.Serialization;
using Ml.GanSdp.Tests.TestSupport;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Tests.Models;

/// <summary>Runs Oracles/models_oracle.py (PyTorch twins of our models) and compares with ours.</summary>
internal static class ModelOracle
{
    /// <summary>The oracle's configuration for the model that <paramref name="o"/> describes.</summary>
    public static Dictionary<string, object> Config(ModelOptions o, bool generator) => new()
    {
        ["model"] = (o.Architecture, generator) switch
        {
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
        ["classes"] = o.NumClasses,
        ["sn"] = o.DiscriminatorSpectralNorm,
        ["bn"] = o.DiscriminatorBatchNorm,
    };

    public static void Run(string command, TempDir dir, Dictionary<string, object> cfg)
    {
        File.WriteAllText(dir.File("cfg.json"), JsonSerializer.Serialize(cfg));
        Python.Run("models_oracle.py", command, dir.Path);
    }

    /// <summary>The PyTorch twin's state-dict keys, in order.</summary>
    public static string[] Keys(Dictionary<string, object> cfg)
    {
        using var dir = new TempDir();
        Run("keys", dir, cfg);
        return File.ReadAllText(dir.File("keys.txt")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    public static void SaveState(torch.nn.Module m, string path)
    {
        var sd = m.state_dict();
        try { Npy.SaveNpz(path, sd); }
        finally { foreach (var t in sd.Values) t.Dispose(); }
    }

    /// <summary>Asserts that <paramref name="m"/>'s state equals the oracle's final.npz (running statistics, u, v).</summary>
    public static void AssertStateClose(torch.nn.Module m, string path, double tol)
    {
        var theirs = Npy.LoadNpz(path);
        var ours = m.state_dict();
        try
        {
            CollectionAssert.AreEquivalent(theirs.Keys.ToList(), ours.Keys.ToList(), "state keys");
            foreach (var (k, v) in ours) TensorAssert.Close(theirs[k], v, tol, tol, k);
        }
        finally
        {
            foreach (var t in theirs.Values.Concat(ours.Values)) t.Dispose();
        }
    }

    /// <summary>
    /// Loads our weights into the PyTorch twin, runs the same sequence of train/eval forwards in both, and compares the
    /// outputs (scores and block features for D) and the final state (running statistics, spectral-norm vectors).
    /// </summary>
    public static void AssertForwardParity(ModelOptions o, bool generator, string[] modes, long batch, double tol = 1e-5)
    {
        manual_seed(11);
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        var (g, d) = ModelFactory.Create(o);
        using var _g = g;
        using var _d = d;
        torch.nn.Module module = generator ? g.Module : d.Module;
        ModelOracle.SaveState(module, dir.File("state.npz"));
        var x = generator ? randn(batch, o.LatentSize) : rand(new[] { batch, (long)o.Channels, o.ImageSize, o.ImageSize }) * 2 - 1;
        Npy.Save(dir.File("x.npy"), x);
        Tensor? y = null;
        if (o.NumClasses > 0)
        {
            y = randint(o.NumClasses, new[] { batch });
            Npy.Save(dir.File("y.npy"), y);
        }
        var cfg = Config(o, generator);
        cfg["modes"] = modes;
        Run("forward", dir, cfg);
        for (int i = 0; i < modes.Length; i++)
        {
            module.train(modes[i] == "train");
            if (generator)
            {
                TensorAssert.Close(Npy.Load(dir.File($"out{i}.npy")), g.Forward(x, y), tol, tol, $"G output, forward {i} ({modes[i]})");
                continue;
            }
            using var output = d.Forward(x, y);
            TensorAssert.Close(Npy.Load(dir.File($"out{i}.npy")), output.Scores, tol, tol, $"D scores, forward {i} ({modes[i]})");
            for (int j = 0; j < output.BlockFeatures.Count; j++)
                TensorAssert.Close(Npy.Load(dir.File($"out{i}_f{j}.npy")), output.BlockFeatures[j], tol, tol, $"D block {j}, forward {i} ({modes[i]})");
            Assert.IsFalse(File.Exists(dir.File($"out{i}_f{output.BlockFeatures.Count}.npy")), "PyTorch's twin has more blocks");
        }
        AssertStateClose(module, dir.File("final.npz"), tol);
    }
}
