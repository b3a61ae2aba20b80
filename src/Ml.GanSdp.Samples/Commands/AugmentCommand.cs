using System.Buffers.Binary;
using System.CommandLine;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.GanSdp.Serialization;
using Spectre.Console;

namespace Ml.GanSdp.Samples.Commands;

/// <summary>The formats <c>augment</c> writes.</summary>
public enum AugmentFormat
{
    /// <summary>An image folder: &lt;out&gt;/&lt;class&gt;/real-NNNNNN.png and synthetic-NNNNNN.png (readable with --dataset folder).</summary>
    Folder,
    /// <summary>IDX files: &lt;out&gt;/train-images-idx3-ubyte, train-labels-idx1-ubyte, synthetic-idx1-ubyte (1 per synthetic row) and classes.txt (readable with --dataset idx or mnist); one-channel images only.</summary>
    Idx,
}

/// <summary>
/// <c>gansdp augment MODEL</c>: the real rows plus labelled synthetic rows of a conditional model
/// (<c>mlContext.Data.Augment</c>, streamed), written as an image folder or IDX files.
/// </summary>
internal static class AugmentCommand
{
    public static Command Create(CliConsole console)
    {
        var data = new DatasetOptions();
        var model = new Argument<string>("model") { Description = "a class-conditional model zip (train --conditional)" };
        var ratio = Opt.OptionalDouble("--ratio", "synthetic rows per real row, spread over the classes in proportion (default 1)", 0, SyntheticCountsLimit);
        var perClass = Opt.OptionalInt("--per-class", "synthetic rows per class instead of a ratio", 0, int.MaxValue);
        var seed = Opt.Long("--seed", "run seed of the synthetic rows", 0, long.MinValue, long.MaxValue, "-s");
        var format = Opt.Enum("--format", "output format", AugmentFormat.Folder);
        var output = new Option<string>("--out", "-o") { Description = "the output folder (new or empty)", Required = true };
        var cmd = new Command("augment", "Write a dataset's real rows plus labelled synthetic rows from a conditional model, as an image folder or IDX files.");
        cmd.Arguments.Add(model);
        data.AddTo(cmd);
        foreach (var o in new Option[] { ratio, perClass, seed, format, output }) cmd.Options.Add(o);
        cmd.SetAction(p =>
        {
            var spec = data.Spec(p);
            if (p.Given(ratio) && p.Given(perClass)) throw new UsageException("Give either --ratio or --per-class, not both.");
            var outDir = p.GetValue(output)!;
            ImageOutput.CheckFolder(outDir, "-o");
            var ml = new MLContext(seed: 1);
            using var g = GeneratorModel.Load(ml, p.GetValue(model)!);
            var fmt = p.GetValue(format);
            if (fmt == AugmentFormat.Idx && g.Info.ImageShape.Channels != 1)
                throw new UsageException($"--format idx holds one-channel images; the model makes {g.Info.ImageShape} images: use --format folder.");
            var real = ModelData.Load(ml, spec, g, train: true);
            var augmented = ml.Data.Augment(real.View, g.Transformer, new AugmentationOptions
            {
                ImageColumnName = ModelData.ImageColumn(g),
                LabelColumnName = ModelData.LabelColumn(g),
                SeedColumnName = g.Info.SeedColumnName,
                SyntheticRatio = p.Given(perClass) ? null : p.GetValue(ratio) ?? 1,
                SyntheticRowsPerClass = p.GetValue(perClass),
                Seed = p.GetValue(seed),
                SyntheticFlagColumnName = Synthetic,
            });
            var counts = fmt == AugmentFormat.Folder ? WriteFolder(augmented, g, outDir) : WriteIdx(augmented, g, outDir);
            var table = new Table().Title("rows written").AddColumn("class").AddColumn(new TableColumn("real").RightAligned()).AddColumn(new TableColumn("synthetic").RightAligned());
            for (int k = 0; k < g.Info.ClassCount; k++)
                table.AddRow(Markup.Escape(g.Info.ClassNames[k]), counts[k, 0].ToString(CultureInfo.InvariantCulture), counts[k, 1].ToString(CultureInfo.InvariantCulture));
            console.Out.Write(table);
            if (real.Folder is { SkippedCount: > 0 } f) console.Warn($"{f.SkippedCount} invalid images were skipped (--skip-invalid).");
            console.Path(fmt == AugmentFormat.Folder ? "image folder" : "IDX files", Path.GetFullPath(outDir));
            return ExitCodes.Success;
        });
        return cmd;
    }

    /// <summary>The Boolean column that marks synthetic rows.</summary>
    private const string Synthetic = "IsSynthetic";

    /// <summary>AugmentationOptions' ratio limit.</summary>
    private const double SyntheticCountsLimit = 1e6;

    /// <summary>Reads the augmented view row by row: (class 0-based, synthetic, pixels).</summary>
    private static void ForEachRow(IDataView view, GeneratorModel g, Action<int, bool, float[]> row)
    {
        var image = view.Schema[ModelData.ImageColumn(g)];
        var label = view.Schema[ModelData.LabelColumn(g)];
        var flag = view.Schema[Synthetic];
        using var cursor = view.GetRowCursor([image, label, flag]);
        var getImage = cursor.GetGetter<VBuffer<float>>(image);
        var getLabel = cursor.GetGetter<uint>(label);
        var getFlag = cursor.GetGetter<bool>(flag);
        VBuffer<float> buffer = default;
        uint key = 0;
        bool synthetic = false;
        while (cursor.MoveNext())
        {
            getLabel(ref key);
            if (key == 0) continue; // a real row without a label: nothing to file it under
            getFlag(ref synthetic);
            getImage(ref buffer);
            row((int)key - 1, synthetic, buffer.DenseValues().ToArray());
        }
    }

    private static long[,] WriteFolder(IDataView view, GeneratorModel g, string outDir)
    {
        var folders = ImageOutput.ClassFolders(g.Info.ClassNames);
        var counts = new long[g.Info.ClassCount, 2];
        var range = g.Info.PixelRange;
        ForEachRow(view, g, (k, synthetic, pixels) =>
        {
            long i = counts[k, synthetic ? 1 : 0]++;
            var file = Path.Combine(outDir, folders[k], string.Create(CultureInfo.InvariantCulture, $"{(synthetic ? "synthetic" : "real")}-{i:D6}.png"));
            ImageFile.Write(file, new ImagePixels(g.Info.ImageShape, pixels), range.Min, range.Max);
        });
        return counts;
    }

    /// <summary>
    /// IDX files (MNIST's format: magic 0x00000803 / 0x00000801, big-endian sizes, unsigned bytes): pixels mapped from the
    /// model's pixel range to 0..255 and rounded, labels 0-based; the count is patched into the headers at the end.
    /// </summary>
    private static long[,] WriteIdx(IDataView view, GeneratorModel g, string outDir)
    {
        var counts = new long[g.Info.ClassCount, 2];
        var shape = g.Info.ImageShape;
        var range = g.Info.PixelRange;
        Directory.CreateDirectory(outDir);
        AtomicFile.Write(Path.Combine(outDir, "train-images-idx3-ubyte"), images =>
            AtomicFile.Write(Path.Combine(outDir, "train-labels-idx1-ubyte"), labels =>
                AtomicFile.Write(Path.Combine(outDir, "synthetic-idx1-ubyte"), flags =>
                {
                    WriteHeader(images, 3, 0, shape.Height, shape.Width);
                    WriteHeader(labels, 1, 0);
                    WriteHeader(flags, 1, 0);
                    var bytes = new byte[shape.Size];
                    int n = 0;
                    ForEachRow(view, g, (k, synthetic, pixels) =>
                    {
                        if (k > 255) throw new InvalidDataException($"IDX labels are bytes; class {k} does not fit (use --format folder).");
                        for (int i = 0; i < bytes.Length; i++)
                            bytes[i] = (byte)Math.Clamp(MathF.Round(255f * (pixels[i] - range.Min) / (range.Max - range.Min)), 0, 255);
                        images.Write(bytes);
                        labels.WriteByte((byte)k);
                        flags.WriteByte(synthetic ? (byte)1 : (byte)0);
                        counts[k, synthetic ? 1 : 0]++;
                        n = checked(n + 1);
                    });
                    foreach (var s in new[] { images, labels, flags }) PatchCount(s, n);
                })));
        AtomicFile.WriteAllText(Path.Combine(outDir, "classes.txt"), string.Join('\n', g.Info.ClassNames) + "\n");
        return counts;
    }

    private static void WriteHeader(Stream s, int ndim, params int[] sizes)
    {
        Span<byte> b = stackalloc byte[4];
        s.Write([0, 0, 0x08, (byte)ndim]);
        foreach (var v in sizes)
        {
            BinaryPrimitives.WriteInt32BigEndian(b, v);
            s.Write(b);
        }
    }

    private static void PatchCount(Stream s, int n)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(b, n);
        s.Seek(4, SeekOrigin.Begin);
        s.Write(b);
        s.Seek(0, SeekOrigin.End);
    }
}
