using System.IO.Compression;
using System.Text.Json.Nodes;
using Ml.GanSdp.Pipeline;
using Ml.GanSdp.Serialization;
using Ml.GanSdp.Tests.TestSupport;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Tests.Pipeline;

[TestClass]
public class ModelFileTests
{
    [TestMethod]
    public void SaveThenLoadGivesIdenticalImagesForIdenticalSeeds()
    {
        using var dir = new TempDir();
        var ctx = new GanContext(seed: 1);
        var g = PipelineFixtures.ConditionalGenerator;
        var path = dir.File("model.zip");
        ctx.Model.Save(g, path, includeDiscriminator: true);
        using var loaded = ctx.Model.Load(path, loadDiscriminator: true);
        Assert.AreEqual(g.Model, loaded.Model);
        CollectionAssert.AreEqual(g.ClassNames!.ToArray(), loaded.ClassNames!.ToArray());
        Assert.IsNotNull(loaded.EmaGenerator);
        Assert.IsNotNull(loaded.Discriminator);
        Assert.AreEqual(g.TrainerOptions!.Iterations, loaded.TrainerOptions!.Iterations);
        Assert.AreEqual(g.Metrics["loss_d"], loaded.Metrics["loss_d"], 1e-12);
        using var a = g.Generate(6, seed: 123);
        using var b = loaded.Generate(6, seed: 123);
        TensorAssert.Close(a, b, 0, 0, "loaded generator");

        using var zip = ZipFile.OpenRead(path);
        CollectionAssert.IsSubsetOf(new[] { "manifest.json", "generator.safetensors", "generator_ema.safetensors", "discriminator.safetensors" },
            zip.Entries.Select(e => e.FullName).ToArray());
        var manifest = GanModelFile.ReadManifest(path);
        Assert.AreEqual(1, manifest["format_version"]!.GetValue<int>());
        Assert.AreEqual("Dcgan", manifest["architecture"]!.GetValue<string>());
        Assert.AreEqual(8, manifest["latent_size"]!.GetValue<int>());
        Assert.AreEqual(3, manifest["image_shape"]!.AsArray().Count);
        Assert.IsNotNull(manifest["training_options"]!["sdp"]);
    }

    [TestMethod]
    public void PyTorchLoadsTheSafetensorsAndReproducesTheImages()
    {
        using var dir = new TempDir();
        var g = PipelineFixtures.ConditionalGenerator;
        var path = dir.File("model.zip");
        GanModelFile.Save(g, path);
        using var rng = new Generator(77);
        using var z = randn(new long[] { 6, g.LatentSize }, ScalarType.Float32, null, rng);
        using var y = tensor(new long[] { 0, 1, 1, 0, 1, 0 });
        Npy.Save(dir.File("z.npy"), z);
        Npy.Save(dir.File("y.npy"), y);
        Python.Run("load_generator.py", path, dir.File("z.npy"), dir.File("out.npy"), dir.File("y.npy"));
        using var expected = Npy.Load(dir.File("out.npy"));
        using var actual = g.Generate(z, y);
        TensorAssert.Close(expected, actual, 0, 1e-5, "PyTorch twin, EMA weights");

        // the plain generator entry, and latent codes drawn by PyTorch from the same seed
        Python.Run("load_generator.py", path, "--seed", "5", "--count", "4", dir.File("seeded.npy"));
        using var seeded = Npy.Load(dir.File("seeded.npy"));
        using var mine = g.Generate(4, seed: 5);
        TensorAssert.Close(seeded, mine, 0, 1e-5, "torch.randn with the same seed");
    }

    [TestMethod]
    public void TruncatedCorruptForeignAndNewerFilesGiveClearErrors()
    {
        using var dir = new TempDir();
        var good = dir.File("good.zip");
        GanModelFile.Save(PipelineFixtures.ConditionalGenerator, good);
        var bytes = File.ReadAllBytes(good);

        var truncated = dir.File("truncated.zip");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        var e1 = Assert.ThrowsExactly<InvalidDataException>(() => GanModelFile.Load(truncated));
        StringAssert.Contains(e1.Message, "truncated.zip");
        StringAssert.Contains(e1.Message, "truncated or corrupt");

        var corrupt = dir.File("corrupt.zip");
        Rewrite(good, corrupt, (name, data) =>
        {
            if (name == "generator.safetensors") data[^3] ^= 0x55;
            return data;
        });
        var e2 = Assert.ThrowsExactly<InvalidDataException>(() => GanModelFile.Load(corrupt));
        StringAssert.Contains(e2.Message, "generator.safetensors does not match its SHA-256 checksum");

        var newer = dir.File("newer.zip");
        Rewrite(good, newer, (name, data) =>
        {
            if (name != "manifest.json") return data;
            var m = JsonNode.Parse(data)!.AsObject();
            m["format_version"] = 2;
            return System.Text.Encoding.UTF8.GetBytes(m.ToJsonString());
        });
        var e3 = Assert.ThrowsExactly<NotSupportedException>(() => GanModelFile.Load(newer));
        StringAssert.Contains(e3.Message, "format version 2");
        StringAssert.Contains(e3.Message, "newer");

        var foreign = dir.File("foreign.zip");
        Rewrite(good, foreign, (name, data) => name == "manifest.json" ? null : data);
        var e4 = Assert.ThrowsExactly<InvalidDataException>(() => GanModelFile.Load(foreign));
        StringAssert.Contains(e4.Message, "no manifest.json");

        var notZip = dir.File("text.zip");
        File.WriteAllText(notZip, "hello");
        Assert.ThrowsExactly<InvalidDataException>(() => GanModelFile.Load(notZip));
        Assert.ThrowsExactly<FileNotFoundException>(() => GanModelFile.Load(dir.File("missing.zip")));
    }

    [TestMethod]
    public void SaveIsAtomicAndOverwrites()
    {
        using var dir = new TempDir();
        var path = dir.File("m.zip");
        File.WriteAllText(path, "old");
        GanModelFile.Save(PipelineFixtures.ConditionalGenerator, path);
        using var loaded = GanModelFile.Load(path);
        Assert.AreEqual(1, Directory.GetFiles(dir.Path).Length, "no temporary files left");
    }

    private static void Rewrite(string from, string to, Func<string, byte[], byte[]?> edit)
    {
        using var src = ZipFile.OpenRead(from);
        using var fs = File.Create(to);
        using var dst = new ZipArchive(fs, ZipArchiveMode.Create);
        foreach (var e in src.Entries)
        {
            using var ms = new MemoryStream();
            using (var s = e.Open()) s.CopyTo(ms);
            var data = edit(e.FullName, ms.ToArray());
            if (data is null) continue;
            using var o = dst.CreateEntry(e.FullName).Open();
            o.Write(data);
        }
    }
}
