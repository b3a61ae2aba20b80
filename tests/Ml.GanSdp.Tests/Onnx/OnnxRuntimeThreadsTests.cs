using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using Ml.GanSdp.Features;
using Ml.GanSdp.Tests.Features;
using Ml.GanSdp.Tests.TestSupport;

namespace Ml.GanSdp.Tests.Onnx;

/// <summary>
/// <see cref="OnnxRuntimeThreads"/>: the ONNX Runtime sessions the library opens do not pin threads to cores behind the
/// process's back (ONNX Runtime's own default pins one pool thread per core and ignores <c>taskset</c>). Measured in a
/// child process, so sessions other tests keep open do not count: the number of threads whose allowed-CPU list differs
/// from the main thread's.
/// </summary>
[TestClass]
public class OnnxRuntimeThreadsTests
{
    [TestMethod]
    public void TheDefaultIsOneThreadOnSmallMachinesAndARequestedCountWins()
    {
        Assert.AreEqual(Environment.ProcessorCount <= 2 ? 1 : null, OnnxRuntimeThreads.IntraOp(null));
        Assert.AreEqual(3, OnnxRuntimeThreads.IntraOp(3));
    }

    [TestMethod]
    public void FeaturizingWithTheDefaultsPinsNoThread_WhileOnnxRuntimesOwnDefaultDoes()
    {
        if (Environment.ProcessorCount > 2 || Environment.ProcessorCount < 2)
            Assert.Inconclusive($"the library default differs from ONNX Runtime's only on 2-core machines (this one has {Environment.ProcessorCount}).");
        var library = int.Parse(Program.RunChild(TimeSpan.FromMinutes(3), "onnx-thread-affinity", "library").Trim());
        var ortDefault = int.Parse(Program.RunChild(TimeSpan.FromMinutes(3), "onnx-thread-affinity", "ort-default").Trim());
        Assert.AreEqual(0, library, "threads pinned after FeaturizeResNet18 with default options");
        Assert.IsTrue(ortDefault > 0, "the probe must see ONNX Runtime's own default pinning its pool threads (else it proves nothing)");
    }

    /// <summary>Child: opens sessions the given way, runs them once, prints the number of threads pinned differently from the main thread.</summary>
    public static int CountPinnedThreadsInThisProcess(string how)
    {
        if (how == "library")
        {
            var ml = new MLContext(seed: 1);
            var data = FeatureTestData.PixelData(ml, FeatureTestData.FashionMnist(new[] { 1 }, 2), 1, 28, 28);
            var features = FeatureTestData.Column(ml.Transforms.FeaturizeResNet18("Features", "Pixels").Fit(data).Transform(data), "Features");
            Assert.AreEqual(2, features.Length);
            Console.WriteLine(PinnedThreads());
        }
        else
        {
            using var session = new InferenceSession(File.ReadAllBytes(ResNet18Model.PreprocessModelPath(ResNet18Model.DefaultDirectory)));
            Console.WriteLine(PinnedThreads());
        }
        return 0;
    }

    private static int PinnedThreads()
    {
        static string Allowed(string status) => File.ReadLines(status).First(l => l.StartsWith("Cpus_allowed_list:")).Split(':')[1].Trim();
        var main = Allowed($"/proc/{Environment.ProcessId}/status");
        return Directory.GetDirectories($"/proc/{Environment.ProcessId}/task")
            .Count(t => { try { return Allowed(Path.Combine(t, "status")) != main; } catch (IOException) { return false; } });
    }
}
