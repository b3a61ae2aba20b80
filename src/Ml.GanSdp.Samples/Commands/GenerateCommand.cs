using System.CommandLine;
using Ml.GanSdp.Imaging;
using Ml.GanSdp.Pipeline;
using Spectre.Console;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Samples.Commands;

/// <summary><c>gansdp generate MODEL</c>: images from a model zip, as one PNG grid or one PNG per image.</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "model zip written by train" };
        var count = new Option<int>("--count", "-c") { Description = "number of images", DefaultValueFactory = _ => 64 };
        var seed = new Option<int>("--seed", "-s") { Description = "seed of the latent codes", DefaultValueFactory = _ => 0 };
        var cls = new Option<string?>("--class") { Description = "class name or index (conditional models; default: cycle over the classes)" };
        var outPath = new Option<string>("--out", "-o") { Description = "PNG grid path, or a folder with --files", DefaultValueFactory = _ => "generated.png" };
        var files = new Option<bool>("--files") { Description = "write one PNG per image into the --out folder" };
        var cmd = new Command("generate", "Generate images with a trained model.");
        cmd.Arguments.Add(model);
        foreach (var o in new Option[] { count, seed, cls, outPath, files }) cmd.Options.Add(o);
        cmd.SetAction(p => CommandRunner.Guard(() =>
        {
            var ctx = new GanContext(p.GetValue(seed));
            using var g = ctx.Model.Load(p.GetValue(model)!);
            int n = p.GetValue(count);
            if (n < 1) throw new ArgumentException("--count must be at least 1.");
            Tensor? labels = null;
            if (p.GetValue(cls) is { } c)
            {
                if (g.NumClasses == 0) throw new ArgumentException("--class needs a class-conditional model; this one is unconditional.");
                int k = g.ClassNames!.ToList().IndexOf(c);
                if (k < 0 && !(int.TryParse(c, out k) && k >= 0 && k < g.NumClasses))
                    throw new ArgumentException($"Unknown class '{c}'; the model's classes are {string.Join(", ", g.ClassNames!)}.");
                labels = full(new long[] { n }, k, ScalarType.Int64);
            }
            using (labels)
            using (var images = g.Generate(n, p.GetValue(seed), labels))
            {
                var o = p.GetValue(outPath)!;
                if (p.GetValue(files))
                {
                    Directory.CreateDirectory(o);
                    for (int i = 0; i < n; i++)
                    {
                        using var one = images.select(0, i);
                        using var hwc = ImageTensors.ToHwcBytes(one, PixelRange.MinusOneToOne);
                        ImageCodec.Save(Path.Combine(o, $"image-{i:D5}.png"), hwc);
                    }
                    AnsiConsole.MarkupLine($"{n} images in [green]{Markup.Escape(o)}[/]");
                }
                else
                {
                    ImageGrid.Save(o, images);
                    AnsiConsole.MarkupLine($"grid of {n} images: [green]{Markup.Escape(o)}[/]");
                }
            }
            return 0;
        }));
        return cmd;
    }
}
