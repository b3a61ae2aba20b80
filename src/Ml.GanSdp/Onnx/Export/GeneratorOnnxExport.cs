using Ml.GanSdp.Models;

namespace Ml.GanSdp.Onnx;

/// <summary>
/// Exports a trained TorchSharp generator to a batched ONNX generator model (<see cref="GeneratorGraph"/>'s layout):
/// seed int64 [N, 1] (and label key uint32 [N, 1] when conditional) -> <see cref="SeededLatent"/> z [N, L] -> the network
/// with the module's current weights -> [-1, 1] -> <see cref="GeneratorGraph.ScaleTanhToRange"/> -> NaN for a missing
/// label -> image float [N, C, H, W]. Pass the EMA generator to export the EMA weights.
/// </summary>
/// <remarks>
/// <para>Families: <see cref="StackedGenerator"/> (MLP, DCGAN 28/32/64, SNGAN standard CNN) and
/// <see cref="ResNetGenerator"/> (SNGAN ResNet), unconditional or with conditional batch norm. Batch norms are written in
/// inference form with their running statistics, spectral-norm layers with the weight weight_orig / sigma computed from
/// the stored u and v (no power iteration): the graph computes what the generator computes in evaluation mode.
/// Nothing is written to the module, which may stay in training mode.</para>
/// <para>A network whose last layer is not a Tanh (the MLP) is clipped to [-1, 1] before the pixel mapping, so the
/// image output always lies in <see cref="GeneratorExportOptions.PixelRange"/>; a vector output (MLP) is reshaped to
/// <see cref="GeneratorExportOptions.ImageShape"/> in C order.</para>
/// <para>Exporting reads the weights; do not train the generator on another thread meanwhile.</para>
/// </remarks>
public static class GeneratorOnnxExport
{
    /// <summary>The ONNX bytes of <paramref name="generator"/> (see the class remarks). Throws <see cref="NotSupportedException"/> naming a module the exporter does not know.</summary>
    public static byte[] Export(IGenerator generator, GeneratorExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        options ??= new GeneratorExportOptions();
        options.Validate();
        var shape = ImageShapeOf(generator, options.ImageShape);

        var g = new OnnxGraphBuilder("generator") { DocString = options.DocString };
        foreach (var (k, v) in options.Metadata) g.SetMetadata(k, v);
        var seed = g.AddSeedInput(options.SeedInputName);
        var z = SeededLatent.AddTo(g, seed, checked((int)generator.LatentSize));
        OnnxValue? key = generator.NumClasses > 0 ? g.AddLabelKeyInput(options.LabelInputName) : null;
        var ctx = new ExportContext(g, key, generator.NumClasses);

        var net = generator switch
        {
            StackedGenerator s => StackedGeneratorExport.AddNetwork(ctx, s, z),
            ResNetGenerator r => ResNetGeneratorExport.AddNetwork(ctx, r, z),
            _ => throw new NotSupportedException($"ONNX export supports StackedGenerator (MLP, DCGAN, SNGAN CNN) and ResNetGenerator (SNGAN ResNet), not {generator.GetType().FullName}."),
        };

        var image = net.Value;
        if (net.Rank == 2) image = g.Reshape(image, 0, shape.Channels, shape.Height, shape.Width);
        else if (net.Rank != 4) throw new NotSupportedException($"ONNX export of {generator.GetType().Name}: the network ends in a rank-{net.Rank} value, not an image or a vector.");
        if (!ctx.EndsWithTanh) image = g.Clip(image, -1f, 1f);
        image = g.ScaleTanhToRange(image, options.PixelRange.Min, options.PixelRange.Max);
        if (key is { } labelKey) image = g.MaskMissingLabels(image, labelKey);
        g.AddImageOutput(image, options.OutputName, shape.Channels, shape.Height, shape.Width);
        return g.ToBytes();
    }

    /// <summary>The [C, H, W] of the images: the generator's sample shape, or for a vector generator the given shape of the same size.</summary>
    internal static ImageShape ImageShapeOf(IGenerator generator, ImageShape? given)
    {
        var s = generator.SampleShape;
        if (s.Length == 3)
        {
            var own = new ImageShape(checked((int)s[0]), checked((int)s[1]), checked((int)s[2]));
            if (given is { } gs && gs != own)
                throw new ArgumentException($"GeneratorExportOptions.ImageShape {gs} differs from the generator's sample shape {own}.");
            return own;
        }
        if (s.Length == 1)
        {
            if (given is not { } shape)
                throw new ArgumentException($"The generator makes vectors of {s[0]} values: set GeneratorExportOptions.ImageShape to the [C, H, W] they hold.");
            if (shape.Size != s[0])
                throw new ArgumentException($"GeneratorExportOptions.ImageShape {shape} holds {shape.Size} values but the generator makes vectors of {s[0]}.");
            return shape;
        }
        throw new NotSupportedException($"ONNX export: a generator sample shape [{string.Join(", ", s)}] is neither an image [C, H, W] nor a vector.");
    }
}
