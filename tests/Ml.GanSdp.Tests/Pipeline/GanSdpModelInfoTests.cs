using System.IO.Compression;
using Google.Protobuf;
using Ml.GanSdp.Models;
using Ml.GanSdp.Onnx;
using Ml.GanSdp.Onnx.Protobuf;
using Ml.GanSdp.Tests.TestSupport;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Pipeline;

/// <summary>
/// The model metadata reader (#12.5): a valid model round-trips every field; each malformed field (null class names,
/// wrong JSON types, an absurd latent size, a class-count mismatch, missing or duplicated fields, a graph that does not
/// match) is an <see cref="InvalidDataException"/> naming the file and the field; zip entries are bounded by their
/// declared sizes (#12.4).
/// </summary>
[TestClass]
public sealed class GanSdpModelInfoTests
{
    private static readonly GanSdpModelInfo Info = new()
    {
        LibraryVersion = "9.9.9",
        Architecture = Architecture.Dcgan,
        LatentSize = 7,
        ImageShape = new ImageShape(1, 28, 28),
        PixelRange = PixelRange.Bytes,
        ClassNames = ["a", "b", "c", "d"],
        OutputColumnName = "Image",
        SeedColumnName = "Seed",
        LabelColumnName = "Label",
        ExportedEmaGenerator = true,
        Options = new GanSdpOptions { LatentSize = 7, LabelColumnName = "Label", EmaDecay = 0.9 }.Resolved(),
        Training = new GanSdpTrainingSummary { Iterations = 5, IterationsThisFit = 5, Seconds = 1.5, Rows = 10, DiscriminatorLoss = 1.25, GeneratorLoss = 0.5, Terms = new Dictionary<string, double> { ["G/sdp/k"] = 5 } },
    };

    private static readonly Lazy<byte[]> Model = new(() =>
    {
        manual_seed(1);
        using var g = ModelFactory.CreateGenerator(new ModelOptions { Architecture = Architecture.Dcgan, ImageSize = 28, Width = 2, LatentSize = 7, NumClasses = 4 });
        return GeneratorOnnxExport.Export(g, new GeneratorExportOptions { Metadata = Info.ToMetadata() });
    });

    private static byte[] WithMetadata(Action<Google.Protobuf.Collections.RepeatedField<StringStringEntryProto>> edit)
    {
        var m = ModelProto.Parser.ParseFrom(Model.Value);
        edit(m.MetadataProps);
        return m.ToByteArray();
    }

    private static byte[] With(string key, string? value) => WithMetadata(props =>
    {
        var entry = props.Single(p => p.Key == key);
        if (value is null) props.Remove(entry);
        else entry.Value = value;
    });

    [TestMethod]
    public void ValidModel_RoundTripsEveryField_FromBytesAnOnnxFileAndAnMlNetZip()
    {
        using var dir = new TempDir();
        var fromBytes = GanSdpModelInfo.FromOnnx(Model.Value);
        var onnx = dir.File("g.onnx");
        File.WriteAllBytes(onnx, Model.Value);
        var zip = dir.File("m.zip");
        WriteZip(zip, Prefixed(Model.Value));
        foreach (var info in new[] { fromBytes, GanSdpModelInfo.Read(onnx), GanSdpModelInfo.Read(zip) })
        {
            Assert.AreEqual(1, info.FormatVersion);
            Assert.AreEqual("9.9.9", info.LibraryVersion);
            Assert.AreEqual(Architecture.Dcgan, info.Architecture);
            Assert.AreEqual(7, info.LatentSize);
            Assert.AreEqual(new ImageShape(1, 28, 28), info.ImageShape);
            Assert.AreEqual(PixelRange.Bytes, info.PixelRange);
            CollectionAssert.AreEqual(new[] { "a", "b", "c", "d" }, info.ClassNames.ToArray());
            Assert.AreEqual(4, info.ClassCount);
            Assert.AreEqual("Label", info.LabelColumnName);
            Assert.IsTrue(info.ExportedEmaGenerator);
            Assert.AreEqual(Info.Options.ToJson(), info.Options.ToJson());
            Assert.AreEqual(5, info.Training.Iterations);
            Assert.AreEqual(5.0, info.Training.Terms["G/sdp/k"]);
        }
    }

    [TestMethod]
    public void EachMalformedField_IsNamedWithTheFile()
    {
        (string Key, string? Value, string Expected)[] cases =
        [
            (GanSdpModelInfo.Keys.ClassNames, """[null, "b", "c", "d"]""", "has a null or blank name at index 0"),
            (GanSdpModelInfo.Keys.ClassNames, """["a", " ", "c", "d"]""", "has a null or blank name at index 1"),
            (GanSdpModelInfo.Keys.ClassNames, """["a", "b", "a", "d"]""", "names class 'a' twice"),
            (GanSdpModelInfo.Keys.ClassNames, """{"a": 1}""", "is not valid JSON for String[]"),
            (GanSdpModelInfo.Keys.ClassNames, """[1, 2, 3, 4]""", "is not valid JSON for String[]"),
            (GanSdpModelInfo.Keys.ClassNames, "null", "is null"),
            (GanSdpModelInfo.Keys.ClassNames, """["only one"]""", "holds 1 names but 'gansdp.class_count' is 4"),
            (GanSdpModelInfo.Keys.ClassCount, "10", "holds 4 names but 'gansdp.class_count' is 10"),
            (GanSdpModelInfo.Keys.LatentSize, "2000000000", "must be a whole number between 1 and 65536"),
            (GanSdpModelInfo.Keys.LatentSize, "-3", "is '-3'"),
            (GanSdpModelInfo.Keys.LatentSize, "7.5", "is '7.5'"),
            (GanSdpModelInfo.Keys.ClassCount, "many", "is 'many'"),
            (GanSdpModelInfo.Keys.FormatVersion, "2", "this library reads version 1"),
            (GanSdpModelInfo.Keys.Architecture, "Vae", "is 'Vae', not one of Mlp, Dcgan, SnganCnn, SnganResNet"),
            (GanSdpModelInfo.Keys.Architecture, "3", "is '3'"),
            (GanSdpModelInfo.Keys.ImageDimensions, "[1, 28]", "must be [C, H, W]"),
            (GanSdpModelInfo.Keys.ImageDimensions, "[1, 32, 32]", "but the graph's output 'Image' is [-1, 1, 28, 28]"),
            (GanSdpModelInfo.Keys.ImageDimensions, "\"1x28x28\"", "is not valid JSON for Int32[]"),
            (GanSdpModelInfo.Keys.PixelRange, """{"Min": "0", "Max": 255}""", "is not valid JSON for PixelRange"),
            (GanSdpModelInfo.Keys.PixelRange, """{"Min": 5, "Max": 5}""", "must have finite ends with Min < Max"),
            (GanSdpModelInfo.Keys.LabelColumn, "", "is empty but the model has 4 classes"),
            (GanSdpModelInfo.Keys.LabelColumn, "Class", "is 'Class' but the graph has no such input"),
            (GanSdpModelInfo.Keys.SeedColumn, "Noise", "is 'Noise' but the graph has no such input"),
            (GanSdpModelInfo.Keys.OutputColumn, "Picture", "is 'Picture' but the graph has no such output"),
            (GanSdpModelInfo.Keys.ExportedWeights, "both", "is 'both'"),
            (GanSdpModelInfo.Keys.Options, """{"Iterations": "x"}""", "$.Iterations"),
            (GanSdpModelInfo.Keys.Options, """{"LatentSize": 8}""", "has LatentSize 8 but 'gansdp.latent_size' is 7"),
            (GanSdpModelInfo.Keys.Training, """{"Rows": "ten"}""", "is not valid JSON for GanSdpTrainingSummary"),
            (GanSdpModelInfo.Keys.Training, """{"Terms": null}""", "has null Terms"),
            (GanSdpModelInfo.Keys.LibraryVersion, null, "metadata field 'gansdp.library_version' is missing"),
            (GanSdpModelInfo.Keys.Options, null, "metadata field 'gansdp.options' is missing"),
        ];
        using var dir = new TempDir();
        foreach (var (key, value, expected) in cases)
        {
            var path = dir.File("bad.onnx");
            File.WriteAllBytes(path, With(key, value));
            var e = Assert.ThrowsExactly<InvalidDataException>(() => GanSdpModelInfo.Read(path), $"{key} = {value}");
            StringAssert.Contains(e.Message, $"'{path}'", $"{key} = {value}: the file is named");
            StringAssert.Contains(e.Message, key, $"{key} = {value}: the field is named");
            StringAssert.Contains(e.Message, expected, $"{key} = {value}");
        }
        var twice = Assert.ThrowsExactly<InvalidDataException>(() => GanSdpModelInfo.FromOnnx(WithMetadata(p => p.Add(new StringStringEntryProto { Key = GanSdpModelInfo.Keys.LatentSize, Value = "7" })), "x.onnx"));
        StringAssert.Contains(twice.Message, "x.onnx: metadata field 'gansdp.latent_size' appears twice");
    }

    [TestMethod]
    public void NotAGenerator_OrNotOnnx_IsSaidSo()
    {
        using var dir = new TempDir();
        var plain = dir.File("plain.onnx");
        File.WriteAllBytes(plain, WithMetadata(p => p.Clear()));
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => GanSdpModelInfo.Read(plain)).Message, "holds no Ml.GanSdp generator");
        var junk = dir.File("junk.onnx");
        File.WriteAllBytes(junk, [0x0a, 0xff, 0xff]);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => GanSdpModelInfo.Read(junk)).Message, "is not an ONNX model");
        Assert.ThrowsExactly<FileNotFoundException>(() => GanSdpModelInfo.Read(dir.File("none.zip")));
    }

    [TestMethod]
    public void ZipEntries_AreBoundedByTheirDeclaredSize_AndTheLengthPrefixIsChecked()
    {
        using var dir = new TempDir();
        var prefixed = Prefixed(Model.Value);

        var huge = dir.File("huge.zip");
        WriteZip(huge, prefixed);
        PatchCentralDirectorySize(huge, 0xF000_0000u);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => GanSdpModelInfo.Read(huge));
        StringAssert.Contains(e.Message, "entry 'TransformerChain/Transform_000/OnnxModel' declares 4026531840 bytes");

        var lying = dir.File("lying.zip");
        WriteZip(lying, prefixed);
        PatchCentralDirectorySize(lying, 100u);
        var l = Assert.ThrowsExactly<InvalidDataException>(() => GanSdpModelInfo.Read(lying));
        StringAssert.Contains(l.Message, "'TransformerChain/Transform_000/OnnxModel'");
        Console.WriteLine(l.Message);

        var badPrefix = dir.File("prefix.zip");
        WriteZip(badPrefix, Model.Value);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => GanSdpModelInfo.Read(badPrefix)).Message, "length prefix");

        var two = dir.File("two.zip");
        WriteZip(two, prefixed, prefixed);
        Assert.AreEqual(2, GanSdpModelInfo.ReadAll(two).Count);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => GanSdpModelInfo.Read(two)).Message, "holds 2 Ml.GanSdp generators");
    }

    [TestMethod]
    public void AnEntryThatExpandsToHundredsOfMegabytes_IsReadInBoundedMemory()
    {
        // #12.4: a small zip whose OnnxModel entry inflates to 256 MiB (a zero-filled initializer appended to the graph)
        // must not be read whole: the reader streams it and keeps only the metadata and the graph's outline.
        using var dir = new TempDir();
        var path = dir.File("bomb.zip");
        const int zeros = 256 << 20;
        var model = ModelProto.Parser.ParseFrom(Model.Value);
        byte[] graph = model.Graph.ToByteArray();
        model.Graph = null;
        byte[] rest = model.ToByteArray();
        byte[] tensorHead = [0x42, 3, (byte)'b', (byte)'i', (byte)'g', 0x4A, .. Varint(zeros)];     // name = "big", raw_data: zeros
        byte[] initializerHead = [0x2A, .. Varint(tensorHead.Length + zeros)];                        // GraphProto.initializer
        long graphLength = graph.Length + initializerHead.Length + tensorHead.Length + zeros;
        byte[] graphHead = [0x3A, .. Varint(graphLength)];                                             // ModelProto.graph
        long modelLength = graphHead.Length + graphLength + rest.Length;
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        using (var s = zip.CreateEntry("TransformerChain/Transform_000/OnnxModel", CompressionLevel.SmallestSize).Open())
        {
            s.Write(BitConverter.GetBytes(checked((int)modelLength)));
            s.Write(graphHead); s.Write(graph); s.Write(initializerHead); s.Write(tensorHead);
            var block = new byte[1 << 20];
            for (int i = 0; i < zeros / block.Length; i++) s.Write(block);
            s.Write(rest);
        }
        Assert.IsTrue(new FileInfo(path).Length < 4 << 20, $"the zip itself is small ({new FileInfo(path).Length} bytes)");

        long before = GC.GetAllocatedBytesForCurrentThread();
        var info = GanSdpModelInfo.Read(path);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        CollectionAssert.AreEqual(Info.ToMetadata().ToList(), info.ToMetadata().ToList(), "every field read back");
        Assert.AreEqual(Info.LatentSize, info.LatentSize);
        Assert.IsTrue(allocated < 16 << 20, $"reading the 256 MiB entry allocated {allocated / (1 << 20)} MiB");
    }

    private static byte[] Varint(long value)
    {
        var bytes = new List<byte>();
        for (ulong v = (ulong)value; ; v >>= 7)
        {
            if (v < 0x80) { bytes.Add((byte)v); return [.. bytes]; }
            bytes.Add((byte)(v & 0x7f | 0x80));
        }
    }

    private static byte[] Prefixed(byte[] model) => [.. BitConverter.GetBytes(model.Length), .. model];

    private static void WriteZip(string path, params byte[][] entries)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        for (int i = 0; i < entries.Length; i++)
        {
            var entry = zip.CreateEntry($"TransformerChain/Transform_{i:D3}/OnnxModel", CompressionLevel.NoCompression);
            using var s = entry.Open();
            s.Write(entries[i]);
        }
    }

    /// <summary>Rewrites the uncompressed size of the first entry in the central directory (offset 24 of its header).</summary>
    private static void PatchCentralDirectorySize(string path, uint size)
    {
        var bytes = File.ReadAllBytes(path);
        int at = bytes.AsSpan().IndexOf(new byte[] { 0x50, 0x4b, 0x01, 0x02 });
        Assert.IsTrue(at >= 0);
        BitConverter.GetBytes(size).CopyTo(bytes, at + 24);
        File.WriteAllBytes(path, bytes);
    }
}
