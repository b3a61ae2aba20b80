using Ml.GanSdp.Data;
using Ml.GanSdp.Models;
using Ml.GanSdp.Pipeline;
using Ml.GanSdp.Training;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Tests.Pipeline;

/// <summary>Tiny data and a tiny trained generator shared by the pipeline tests (trained once per test run).</summary>
internal static class PipelineFixtures
{
    private static readonly object Gate = new();
    private static GanGeneratorTransformer? _conditional;

    /// <summary>
    /// n uint8 1 x 28 x 28 images in two separable classes (class 0 dark with a bright top half, class 1 bright with a
    /// dark top half) plus noise, and their labels.
    /// </summary>
    internal static InMemoryDataView TwoClassImages(int n = 64, long seed = 3)
    {
        using var scope = NewDisposeScope();
        using var rng = new Generator(seed);
        var labels = arange(n).remainder(2).to(ScalarType.Int64);
        var noise = randn(new long[] { n, 1, 28, 28 }, ScalarType.Float32, null, rng) * 20.0;
        var top = zeros(new long[] { 1, 1, 28, 28 });
        top.narrow(2, 0, 14).fill_(1);
        var lf = labels.to(ScalarType.Float32).view(n, 1, 1, 1);
        // class 0: top 200, bottom 50; class 1: top 50, bottom 200
        var pattern = (top * 150.0 + 50.0) * (1.0 - lf) + ((1.0 - top) * 150.0 + 50.0) * lf;
        var images = (pattern + noise).clamp(0, 255).round().to(ScalarType.Byte);
        return new InMemoryDataViewBuilder()
            .AddImages("Image", images)
            .AddKey("Label", labels, new[] { "dark", "bright" })
            .Build();
    }

    internal static GanTrainerOptions TinyTrainer(long iterations = 4, long seed = 7) => new()
    {
        Iterations = iterations,
        BatchSize = 8,
        LatentSize = 8,
        Seed = seed,
        EmaDecay = 0.9,
        Model = new ModelOptions { Architecture = Architecture.Dcgan, Width = 8, LatentSize = 8 },
        Sdp = new Ml.GanSdp.Regularizers.SdpOptions { Threshold = 1, InitialK = 2, Period = 2 },
        ProgressInterval = 1,
    };

    /// <summary>A class-conditional DCGAN (28 px, width 8, EMA) trained for 4 iterations; shared, do not dispose.</summary>
    internal static GanGeneratorTransformer ConditionalGenerator
    {
        get
        {
            lock (Gate)
            {
                if (_conditional is null)
                {
                    var ctx = new GanContext(seed: 1);
                    using var data = TwoClassImages();
                    _conditional = ctx.Transforms.TrainGanSdp(new GanSdpTrainerOptions { LabelColumnName = "Label", Trainer = TinyTrainer() }).Fit(data);
                }
                return _conditional;
            }
        }
    }
}
