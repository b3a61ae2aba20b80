using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.GanSdp.Tests.Classifiers;

/// <summary>
/// The child side of the fresh-process test of a saved classifier: loads the model with ML.NET alone (nothing of
/// Ml.GanSdp is touched here), scores images read from a raw float32 file and writes Score (float32) and PredictedLabel
/// (uint32) per row, printing the predicted class names.
/// </summary>
public static class ClassifierChild
{
    private sealed class Row
    {
        public float[] Image { get; set; } = [];
    }

    public static int LoadAndScoreInThisProcess(string zip, string input, string output)
    {
        var ml = new MLContext(seed: 5);
        var model = ml.Model.Load(zip, out var schema);
        var imageType = (VectorDataViewType)schema["Image"].Type;
        var pixels = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(input)).ToArray();
        int d = imageType.Size;
        var rows = Enumerable.Range(0, pixels.Length / d).Select(i => new Row { Image = pixels.AsSpan(i * d, d).ToArray() }).ToArray();
        var definition = SchemaDefinition.Create(typeof(Row));
        definition["Image"].ColumnType = imageType;
        var scored = model.Transform(ml.Data.LoadFromEnumerable(rows, definition));
        var names = ml.Transforms.Conversion.MapKeyToValue("PredictedName", "PredictedLabel").Fit(scored).Transform(scored);
        using (var fs = File.Create(output))
        {
            foreach (var score in scored.GetColumn<float[]>("Score")) fs.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(score.AsSpan()));
            foreach (var key in scored.GetColumn<uint>("PredictedLabel")) fs.Write(BitConverter.GetBytes(key));
        }
        Console.WriteLine("names=" + string.Join("|", names.GetColumn<string>("PredictedName")));
        Console.WriteLine($"Ml.GanSdp loaded: {AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name == "Ml.GanSdp")}");
        (model as IDisposable)?.Dispose();
        return 0;
    }
}
