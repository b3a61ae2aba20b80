using System.CommandLine;
using Ml.GanSdp.Data;
using Ml.GanSdp.Imaging;
using Ml.GanSdp.Pipeline;
using Spectre.Console;

namespace Ml.GanSdp.Samples.Commands;

/// <summary><c>gansdp augment MODEL</c>: writes the real rows plus labelled synthetic rows as an image folder.</summary>
internal static class AugmentCommand
{
    public static Command Create()
    {
        var data = new DatasetOptions();
        var model = new Argument<string>("model") { Description = "class-conditional model zip written by train --conditional" };
        var ratio = new Option<double>("--ratio", "-r") { Description = "synthetic rows per real row", DefaultValueFactory = _ => 1.0 };
        var seed = new Option<int>("--seed", "-s") { Description = "seed of the synthetic latent codes", DefaultValueFactory = _ => 0 };
        var outDir = new Option<string>("--out", "-o") { Description = "output image folder (<class>/real-N.png, <class>/synthetic-N.png)", DefaultValueFactory = _ => "augmented" };
        var cmd = new Command("augment", "Add labelled synthetic images from a conditional model to a dataset and write the result as an image folder.");
        cmd.Arguments.Add(model);
        data.AddTo(cmd);
        foreach (var o in new Option[] { ratio, seed, outDir }) cmd.Options.Add(o);
        cmd.SetAction(p => CommandRunner.Guard(() =>
        {
            var ctx = new GanContext(p.GetValue(seed));
            using var g = ctx.Model.Load(p.GetValue(model)!);
            var view = FitToModel(ctx, data.Load(ctx, p, train: true), g);
            if (p.GetValue(data.MaxRows) is { } max) view = new TakeRows(view, max);
            using var augmented = (InMemoryDataView)ctx.Transforms.Augment(g, p.GetValue(ratio)).Fit(view).Transform(view);
            var o = p.GetValue(outDir)!;
            var names = augmented.Schema["Label"].KeyValues!;
            var counts = new long[names.Count, 2];
            long row = 0;
            foreach (var batch in augmented.GetBatches(256))
                using (batch)
                {
                    var images = batch.GetTensor("Image");
                    var labels = batch.GetTensor("Label").ToArray<long>();
                    var flags = batch.GetTensor("IsSynthetic").ToArray<byte>();
                    for (int i = 0; i < batch.Count; i++, row++)
                    {
                        var dir = Path.Combine(o, Safe(names[(int)labels[i]]));
                        Directory.CreateDirectory(dir);
                        using var one = images.select(0, i);
                        using var hwc = one.permute(1, 2, 0);
                        using var contiguous = hwc.contiguous();
                        ImageCodec.Save(Path.Combine(dir, $"{(flags[i] == 1 ? "synthetic" : "real")}-{row:D6}.png"), contiguous);
                        counts[labels[i], flags[i]]++;
                    }
                }
            var table = new Table().Title("rows written").AddColumn("class").AddColumn(new TableColumn("real").RightAligned()).AddColumn(new TableColumn("synthetic").RightAligned());
            for (int c = 0; c < names.Count; c++) table.AddRow(Markup.Escape(names[c]), counts[c, 0].ToString(), counts[c, 1].ToString());
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine($"image folder: [green]{Markup.Escape(o)}[/]");
            return 0;
        }));
        return cmd;
    }

    /// <summary>Resizes (and converts to grayscale) the images to what the generator makes, when they differ.</summary>
    internal static IDataView FitToModel(GanContext ctx, IDataView view, GanGeneratorTransformer g)
    {
        var t = (ImageDataViewType)view.Schema["Image"].Type;
        if (t.Channels == 3 && g.Model.Channels == 1) view = ctx.Transforms.ConvertToGrayscale().Fit(view).Transform(view);
        if (!t.HasFixedSize || t.Height != g.Model.ImageSize || t.Width != g.Model.ImageSize)
            view = ctx.Transforms.ResizeImages("Image", g.Model.ImageSize, g.Model.ImageSize).Fit(view).Transform(view);
        return view;
    }

    private static string Safe(string name) => string.Concat(name.Select(c => Path.GetInvalidFileNameChars().Contains(c) || c == '/' ? '_' : c));
}

/// <summary>The first rows of a view (ML.NET's <c>TakeRows</c> filter).</summary>
internal sealed class TakeRows(IDataView input, long count) : IDataView
{
    public DataViewSchema Schema => input.Schema;

    public long? GetRowCount() => input.GetRowCount() is { } n ? Math.Min(n, count) : null;

    public IEnumerable<DataBatch> GetBatches(BatchOptions options)
    {
        if (options.Shuffle) throw new NotSupportedException("TakeRows reads the first rows in order; shuffle after it.");
        long seen = 0;
        foreach (var b in input.GetBatches(options))
        {
            if (seen >= count) { b.Dispose(); yield break; }
            if (seen + b.Count <= count) { seen += b.Count; yield return b; continue; }
            // cut the batch: rebuild it from its first rows
            int take = (int)(count - seen);
            var cut = new DataBatch(b.Schema, b.RowIds.Take(take).ToArray());
            foreach (var c in b.Schema)
            {
                if (c.Type.IsTensor)
                {
                    using var t = b.GetTensor(c.Name).narrow(0, 0, take);
                    cut.SetTensor(c.Name, t.clone());
                }
                else cut.SetText(c.Name, b.GetText(c.Name).Take(take).ToArray());
            }
            b.Dispose();
            seen = count;
            yield return cut;
            yield break;
        }
    }
}
