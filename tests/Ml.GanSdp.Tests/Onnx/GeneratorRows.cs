using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.GanSdp.Tests.Onnx;

/// <summary>
/// Row types and data of the ML.NET generator tests, and the job of the fresh child process that loads a saved model.
/// Nothing here touches the library (Ml.GanSdp), so the child process runs with ML.NET alone.
/// </summary>
public static class GeneratorRows
{
    public const int Channels = 3;

    public sealed class SeedLabelRow
    {
        public long Seed { get; set; }
        public string Label { get; set; } = "";
    }

    public sealed class SeedOnlyRow
    {
        public long Seed { get; set; }
    }

    public sealed class ImageRow
    {
        [VectorType(Channels, 8, 8)]
        public float[] Image { get; set; } = [];
    }

    public static readonly string[] ClassNames = ["cat", "dog", "bird"];

    /// <summary>Training rows: the key mapping learns cat = 1, dog = 2, bird = 3.</summary>
    public static SeedLabelRow[] TrainRows => Enumerable.Range(0, 6).Select(i => new SeedLabelRow { Seed = i, Label = ClassNames[i % 3] }).ToArray();

    /// <summary>Scoring rows: many seeds, all classes, and an unseen label ("zebra", key 0).</summary>
    public static SeedLabelRow[] ScoringRows => Enumerable.Range(0, 40)
        .Select(i => new SeedLabelRow { Seed = i * 7919L - 100, Label = i % 13 == 5 ? "zebra" : ClassNames[i % 3] })
        .Append(new SeedLabelRow { Seed = long.MinValue, Label = "dog" }).ToArray();

    /// <summary>The child side of <see cref="OnnxGeneratorEstimatorTests.SaveThenLoadInAFreshProcess_GivesBitIdenticalImages"/> (ML.NET only).</summary>
    public static int LoadAndTransformInThisProcess(string zip, string output)
    {
        var ml = new MLContext(seed: 2);
        var model = ml.Model.Load(zip, out _);
        var scored = model.Transform(ml.Data.LoadFromEnumerable(ScoringRows));
        var type = (VectorDataViewType)scored.Schema["Image"].Type;
        using (var fs = File.Create(output))
            foreach (var image in scored.GetColumn<float[]>("Image"))
                fs.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(image.AsSpan()));
        (model as IDisposable)?.Dispose();
        Console.WriteLine($"dims={string.Join(",", type.Dimensions)}");
        Console.WriteLine($"Ml.GanSdp loaded: {AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name == "Ml.GanSdp")}");
        return 0;
    }
}
