using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.GanSdp.Models;
using Ml.GanSdp.Onnx;
using Ml.GanSdp.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Onnx.Export;

/// <summary>
/// Every exported generator family against the TorchSharp generator it came from (itself tested against PyTorch in
/// Models/): the TorchSharp module in evaluation mode is fed the <see cref="SeededLatent"/> codes of the seeds (C#
/// reference), the ONNX model gets the seeds; both in one thread. Compared on the [-1, 1] scale to 1e-5 (the model
/// writes 0..255: |onnx - (127.5 t + 127.5)| &lt;= 127.5e-5), once on the batched model in ONNX Runtime and once through
/// ML.NET's OnnxTransformer (<see cref="OnnxGeneratorCatalog.ApplyOnnxGenerator(TransformsCatalog, byte[], OnnxGeneratorOptions)"/>).
/// The modules are made non-trivial first: every parameter perturbed (batch-norm and conditional gains and biases included)
/// and a few training-mode forwards move the batch-norm running statistics and the spectral-norm vectors.
/// </summary>
[TestClass]
public sealed class GeneratorOnnxExportTests
{
    private const double Tol = 1e-5;
    private static readonly long[] Seeds = [0, 1, -5, 12_345_678_901, long.MinValue, long.MaxValue, 42];

    public static IEnumerable<object[]> Families()
    {
        yield return ["mlp", new ModelOptions { Architecture = Architecture.Mlp, LatentSize = 6, Channels = 48, Width = 12, Depth = 2 }];
        foreach (int size in new[] { 28, 32, 64 })
            foreach (int channels in new[] { 1, 3 })
                foreach (int classes in new[] { 0, 4 })
                    yield return [$"dcgan{size} c{channels} k{classes}", new ModelOptions { Architecture = Architecture.Dcgan, ImageSize = size, Channels = channels, Width = 4, LatentSize = 7, NumClasses = classes }];
        foreach (int classes in new[] { 0, 3 })
        {
            yield return [$"sngan-cnn k{classes}", new ModelOptions { Architecture = Architecture.SnganCnn, ImageSize = 32, Channels = 3, Width = 4, LatentSize = 9, NumClasses = classes }];
            yield return [$"sngan-resnet k{classes}", new ModelOptions { Architecture = Architecture.SnganResNet, ImageSize = 32, Channels = classes == 0 ? 3 : 1, Width = 4, LatentSize = 9, NumClasses = classes }];
        }
    }

    [TestMethod]
    [DynamicData(nameof(Families))]
    public void ExportedFamily_EqualsTheTorchSharpGeneratorInEvalMode(string name, ModelOptions options)
    {
        manual_seed(11);
        using var generator = ModelFactory.CreateGenerator(options);
        MakeNonTrivial(generator);
        ImageShape? shape = options.Architecture == Architecture.Mlp ? new ImageShape(3, 4, 4) : null;
        AssertExportMatches(generator, name, shape);
    }

    [TestMethod]
    public void Mlp_HasNoConditionalVariant()
    {
        // The engine has no class-conditional MLP (ModelOptions refuses it), so there is nothing conditional to export.
        var e = Assert.ThrowsExactly<ArgumentException>(() => ModelFactory.CreateGenerator(new ModelOptions { Architecture = Architecture.Mlp, NumClasses = 2 }));
        StringAssert.Contains(e.Message, "NumClasses");
    }

    [TestMethod]
    public void SpectralNormLayers_AreBakedInAsWeightOverSigmaFromTheStoredVectors()
    {
        manual_seed(5);
        const int latent = 5, width = 6;
        var main = new LayerStack();
        main.Add(SpectralNorm.Apply(nn.Linear(latent, width * 4 * 4)));
        main.Add(nn.Unflatten(1, [width, 4, 4]));
        main.Add(nn.BatchNorm2d(width));
        main.Add(nn.LeakyReLU(0.2));
        main.Add(SpectralNorm.Apply(nn.ConvTranspose2d(width, width, 4, 2, 1)));
        main.Add(nn.ReLU());
        main.Add(SpectralNorm.Apply(nn.Conv2d(width, 2, 3, 1, 1)));
        main.Add(nn.Tanh());
        using var generator = new StackedGenerator("SnGenerator", main, latent, [2, 8, 8], 0, latentAsImage: false);
        var sn = (SpectralNormLayer)main[4];
        using var uBefore = sn.U.clone();
        MakeNonTrivial(generator);
        using (var moved = (sn.U - uBefore).abs().max()) Assert.IsTrue(moved.item<float>() > 1e-4, "the power iterations moved u, so the stored vectors differ from their initial values");
        AssertExportMatches(generator, "spectral-norm stack", null);
    }

    [TestMethod]
    public void AnUnsupportedModuleType_IsANotSupportedExceptionNamingIt()
    {
        var main = new LayerStack();
        main.Add(nn.Linear(4, 8));
        main.Add(nn.ELU());
        main.Add(nn.Linear(8, 12));
        using var generator = new StackedGenerator("OddGenerator", main, 4, [12], 0, latentAsImage: false);
        var e = Assert.ThrowsExactly<NotSupportedException>(() => GeneratorOnnxExport.Export(generator, new GeneratorExportOptions { ImageShape = new ImageShape(3, 2, 2) }));
        StringAssert.Contains(e.Message, "ELU");
        StringAssert.Contains(e.Message, "OddGenerator.main.1");

        var other = Assert.ThrowsExactly<NotSupportedException>(() => GeneratorOnnxExport.Export(new ForeignGenerator()));
        StringAssert.Contains(other.Message, nameof(ForeignGenerator));
    }

    [TestMethod]
    public void VectorGenerator_NeedsAnImageShapeOfItsSize()
    {
        using var g = ModelFactory.CreateGenerator(new ModelOptions { Architecture = Architecture.Mlp, LatentSize = 3, Channels = 12, Width = 4, Depth = 1 });
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => GeneratorOnnxExport.Export(g)).Message, "ImageShape");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => GeneratorOnnxExport.Export(g, new GeneratorExportOptions { ImageShape = new ImageShape(1, 3, 3) })).Message, "holds 9 values");
    }

    [TestMethod]
    public void Mlp_OutputIsClippedToTheRange_OthersKeepTheirTanh()
    {
        manual_seed(3);
        using var g = ModelFactory.CreateGenerator(new ModelOptions { Architecture = Architecture.Mlp, LatentSize = 4, Channels = 8, Width = 16, Depth = 2 });
        using (no_grad()) foreach (var p in g.Module.parameters()) p.mul_(6); // outputs far beyond [-1, 1]
        g.Module.eval();
        var bytes = GeneratorOnnxExport.Export(g, new GeneratorExportOptions { ImageShape = new ImageShape(2, 2, 2), PixelRange = new PixelRange(-3, 5) });
        var (onnx, _) = RunBatched(bytes, Seeds, null);
        var torchOut = TorchForward(g, Seeds, null);
        Assert.IsTrue(torchOut.Any(v => Math.Abs(v) > 1.5f), "the raw MLP output leaves [-1, 1]");
        for (int i = 0; i < onnx.Length; i++)
        {
            float expected = Math.Clamp(torchOut[i], -1f, 1f) * 4f + 1f;
            Assert.AreEqual(expected, onnx[i], 8 * Tol * 4, $"element {i}");
            Assert.IsTrue(onnx[i] >= -3f && onnx[i] <= 5f, $"element {i} = {onnx[i]} is inside [-3, 5]");
        }
    }

    // ------------------------------------------------------------------ helpers

    /// <summary>Perturbs every parameter and moves the running statistics and spectral-norm vectors with training-mode forwards; leaves the module in eval mode.</summary>
    internal static void MakeNonTrivial(IGenerator g)
    {
        using (no_grad())
        {
            foreach (var p in g.Module.parameters()) p.add_(randn_like(p) * 0.05);
            g.Module.train();
            for (int i = 0; i < 3; i++)
            {
                using var scope = NewDisposeScope();
                var z = randn(8, g.LatentSize) * 1.5 + 0.3;
                var y = g.NumClasses > 0 ? randint(0, g.NumClasses, [8]) : null;
                g.Forward(z, y);
            }
        }
        g.Module.eval();
    }

    /// <summary>The TorchSharp generator (eval mode, one thread, no_grad) on the seeds' latent codes; labels are 0-based classes.</summary>
    internal static float[] TorchForward(IGenerator g, long[] seeds, long[]? classes)
    {
        int threads = get_num_threads();
        set_num_threads(1);
        try
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            int latent = (int)g.LatentSize;
            var z = seeds.SelectMany(s => SeededLatent.Compute(s, latent)).ToArray();
            var zt = tensor(z, [seeds.Length, latent]);
            var yt = classes is null ? null : tensor(classes, [classes.Length]);
            Assert.IsFalse(g.Module.training, "the generator is compared in evaluation mode");
            return g.Forward(zt, yt).contiguous().data<float>().ToArray();
        }
        finally { set_num_threads(threads); }
    }

    /// <summary>Runs the batched model in ONNX Runtime (one thread) on seeds and raw keys; returns the images and their shape.</summary>
    internal static (float[] Data, int[] Shape) RunBatched(byte[] model, long[] seeds, uint[]? keys, string output = "Image")
    {
        using var session = Ort.Session(model);
        var inputs = new List<Microsoft.ML.OnnxRuntime.NamedOnnxValue> { Ort.Input("Seed", new NdArray<long>(seeds, [seeds.Length, 1])) };
        if (keys is not null) inputs.Add(Ort.Input("Label", new NdArray<uint>(keys, [keys.Length, 1])));
        var r = Ort.RunOne<float>(session, output, [.. inputs]);
        return (r.Data, r.Shape);
    }

    private static void AssertExportMatches(IGenerator generator, string name, ImageShape? shape)
    {
        int k = generator.NumClasses;
        var bytes = GeneratorOnnxExport.Export(generator, new GeneratorExportOptions { ImageShape = shape });
        var imageShape = GeneratorOnnxExport.ImageShapeOf(generator, shape);
        long[]? classes = k > 0 ? Seeds.Select((_, i) => (long)(i % k)).ToArray() : null;
        uint[]? keys = classes?.Select(c => (uint)c + 1).ToArray();
        var expected = TorchForward(generator, Seeds, classes).Select(v => 127.5f * v + 127.5f).ToArray();

        var (batched, dims) = RunBatched(bytes, Seeds, keys);
        CollectionAssert.AreEqual(new[] { Seeds.Length, imageShape.Channels, imageShape.Height, imageShape.Width }, dims, $"{name}: [N, C, H, W]");
        double worstOrt = ArrayAssert.Close(expected, batched, 127.5 * Tol, 0, $"{name}: ONNX Runtime vs TorchSharp");

        var ml = new MLContext(seed: 1);
        using var dir = new TempDir();
        using var estimator = ml.Transforms.ApplyOnnxGenerator(bytes, new OnnxGeneratorOptions
        {
            OutputColumnName = "Image", ImageDimensions = [imageShape.Channels, imageShape.Height, imageShape.Width],
            LabelColumnName = k > 0 ? "Label" : null, ClassCount = k, TempFolder = dir.Path,
        });
        var rows = ml.Data.LoadFromEnumerable(Seeds.Select((s, i) => new Row { Seed = s, Label = (uint)(classes?[i] ?? 0) }), RowSchema(k));
        var scored = estimator.Fit(rows).Transform(rows);
        // LoadFromEnumerable reads a key property as the 0-based class and stores key = class + 1 (measured).
        if (k > 0) CollectionAssert.AreEqual(keys, scored.GetColumn<uint>("Label").ToArray(), $"{name}: the rows carry the raw keys");
        var images = scored.GetColumn<float[]>("Image").SelectMany(x => x).ToArray();
        double worstMl = ArrayAssert.Close(expected, images, 127.5 * Tol, 0, $"{name}: ML.NET vs TorchSharp");
        Console.WriteLine($"{name}: max |diff| on [-1, 1]: ONNX Runtime {worstOrt / 127.5:E2}, ML.NET {worstMl / 127.5:E2}");

        if (k > 0)
        {
            var (missing, _) = RunBatched(bytes, [3], [0]);
            Assert.IsTrue(missing.All(float.IsNaN), $"{name}: key 0 (a label the key mapping never saw) gives an all-NaN image");
        }
    }

    /// <summary>Label: the 0-based class (ML.NET stores key = class + 1 for a key-typed property).</summary>
    public sealed class Row
    {
        public long Seed { get; set; }
        public uint Label { get; set; }
    }

    private static SchemaDefinition RowSchema(int classes)
    {
        var def = SchemaDefinition.Create(typeof(Row));
        if (classes > 0) def["Label"].ColumnType = new KeyDataViewType(typeof(uint), classes);
        else def.Remove(def["Label"]);
        return def;
    }

    private sealed class ForeignGenerator : IGenerator
    {
        private readonly nn.Module _m = nn.Identity();
        public long LatentSize => 2;
        public long[] SampleShape => [1, 2, 2];
        public int NumClasses => 0;
        public nn.Module Module => _m;
        public Tensor Forward(Tensor z, Tensor? labels = null) => throw new NotImplementedException();
        public void Dispose() => _m.Dispose();
    }
}
