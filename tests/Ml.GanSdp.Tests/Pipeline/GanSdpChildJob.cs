using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.GanSdp.Tests.Pipeline;

/// <summary>
/// The fresh-process side of the TrainGanSdp Save/Load tests: loads a model zip with ML.NET alone (nothing of Ml.GanSdp
/// or TorchSharp is touched here), transforms the rows of a job file and writes the generated column's floats.
/// </summary>
public static class GanSdpChildJob
{
    /// <summary>A job: "generator" rows are (Seed, 0-based class as a key over Classes), "chain" rows are (ImagePath, Label text, Seed).</summary>
    public sealed record Job(string Kind, int Classes, string Column, ChainRow[] Rows);

    public sealed class ChainRow
    {
        public string ImagePath { get; set; } = "";
        public string Label { get; set; } = "";
        public long Seed { get; set; }
    }

    public sealed class KeyRow
    {
        public long Seed { get; set; }
        public uint Label { get; set; }
    }

    public static void Write(string path, Job job) => File.WriteAllText(path, JsonSerializer.Serialize(job));

    public static IDataView Rows(MLContext ml, Job job)
    {
        if (job.Kind == "chain") return ml.Data.LoadFromEnumerable(job.Rows);
        var def = SchemaDefinition.Create(typeof(KeyRow));
        if (job.Classes > 0) def["Label"].ColumnType = new KeyDataViewType(typeof(uint), job.Classes);
        else def.Remove(def["Label"]);
        return ml.Data.LoadFromEnumerable(job.Rows.Select(r => new KeyRow { Seed = r.Seed, Label = uint.Parse(r.Label) }), def);
    }

    public static int LoadAndTransformInThisProcess(string zip, string jobPath, string output)
    {
        var job = JsonSerializer.Deserialize<Job>(File.ReadAllText(jobPath))!;
        var ml = new MLContext(seed: 5);
        var model = ml.Model.Load(zip, out var inputSchema);
        var scored = model.Transform(Rows(ml, job));
        var type = (VectorDataViewType)scored.Schema[job.Column].Type;
        using (var fs = File.Create(output))
            foreach (var image in scored.GetColumn<float[]>(job.Column))
                fs.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(image.AsSpan()));
        (model as IDisposable)?.Dispose();
        Console.WriteLine($"dims={string.Join(",", type.Dimensions)}");
        Console.WriteLine($"input columns={string.Join(",", inputSchema.Select(c => c.Name))}");
        var loaded = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name).ToHashSet();
        Console.WriteLine($"Ml.GanSdp loaded: {loaded.Contains("Ml.GanSdp")}");
        Console.WriteLine($"TorchSharp loaded: {loaded.Contains("TorchSharp")}");
        return 0;
    }
}
