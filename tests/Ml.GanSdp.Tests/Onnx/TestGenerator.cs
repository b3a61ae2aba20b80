using Ml.GanSdp.Onnx;

namespace Ml.GanSdp.Tests.Onnx;

/// <summary>
/// A tiny conditional DCGAN-like generator graph built the way the exporters will build theirs: seed -> seeded latent z;
/// label key -> one-hot row (GatherClassRows over an identity table); [z, one-hot] -> ConvTranspose(k4, s1, p0) -> BN ->
/// ReLU -> ConvTranspose(k4, s2, p1) -> Tanh -> pixel range -> NaN for a missing label -> image outputs [C, 8, 8].
/// The same network is Oracles/onnx_oracle.py's "dcgan" case.
/// </summary>
public static class TestGenerator
{
    public static readonly string[] WeightNames = ["w1", "b1", "gamma", "beta", "mean", "var", "w2", "b2"];

    public static byte[] Build(IReadOnlyDictionary<string, NdArray<float>> w, int latent, int classes, int channels,
        float pixelMin = 0, float pixelMax = 255, string output = "Image", string seedColumn = "Seed", string labelColumn = "Label")
    {
        var g = new OnnxGraphBuilder("generator") { DocString = "test generator" };
        OnnxValue W(string k) => g.AddInitializer(k, w[k].Data, w[k].Shape.Select(d => (long)d).ToArray());
        var seed = g.AddSeedInput(seedColumn);
        var h = SeededLatent.AddTo(g, seed, latent);
        OnnxValue? key = null;
        if (classes > 0)
        {
            key = g.AddLabelKeyInput(labelColumn);
            var identity = new float[classes * classes];
            for (int c = 0; c < classes; c++) identity[c * classes + c] = 1;
            h = g.Concat(1, h, g.GatherClassRows("onehot", identity, classes, key.Value));
        }
        h = g.ConvTranspose(g.Reshape(h, 0, latent + classes, 1, 1), W("w1"), W("b1"));
        h = g.Relu(g.BatchNormalization(h, W("gamma"), W("beta"), W("mean"), W("var")));
        var img = g.ScaleTanhToRange(g.Tanh(g.ConvTranspose(h, W("w2"), W("b2"), strides: [2, 2], pads: [1, 1, 1, 1])), pixelMin, pixelMax);
        if (key is { } k) img = g.MaskMissingLabels(img, k);
        g.AddImageOutput(img, output, channels, 8, 8);
        return g.ToBytes();
    }

    public static Dictionary<string, NdArray<float>> RandomWeights(int seed, int latent, int classes, int hidden, int channels)
    {
        var rng = new Random(seed);
        NdArray<float> Scaled(NdArray<float> a, float s, float shift = 0) { for (int i = 0; i < a.Data.Length; i++) a.Data[i] = a.Data[i] * s + shift; return a; }
        return new()
        {
            ["w1"] = Scaled(Rand.Normal(rng, latent + classes, hidden, 4, 4), 0.2f),
            ["b1"] = Scaled(Rand.Normal(rng, hidden), 0.1f),
            ["gamma"] = Rand.Uniform(rng, 0.5f, 1.5f, hidden),
            ["beta"] = Scaled(Rand.Normal(rng, hidden), 0.1f),
            ["mean"] = Scaled(Rand.Normal(rng, hidden), 0.1f),
            ["var"] = Rand.Uniform(rng, 0.5f, 2f, hidden),
            ["w2"] = Scaled(Rand.Normal(rng, hidden, channels, 4, 4), 0.2f),
            ["b2"] = Scaled(Rand.Normal(rng, channels), 0.1f),
        };
    }
}
