using Ml.GanSdp.Metrics;
using Ml.GanSdp.Models;
using Ml.GanSdp.Regularizers;
using Ml.GanSdp.Tests.TestSupport;
using Ml.GanSdp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Engine;

/// <summary>
/// Devices: the same work on CUDA as on the CPU. These tests need a CUDA device and the TorchSharp-cuda-linux
/// package (docs/architecture.md); elsewhere they end Inconclusive with the reason. Device strings themselves are
/// validated in TrainerReliabilityTests.
/// </summary>
[TestClass]
public class DevicesTests
{
    private static void RequireCuda()
    {
        if (!cuda.is_available())
            Assert.Inconclusive("No CUDA device in this process (no GPU, or TorchSharp-cpu is referenced instead of TorchSharp-cuda-linux): the CUDA tests did not run.");
    }

    /// <summary>MLP GAN (cuBLAS matmuls, no TF32 by default) with SDP from iteration 0, R1 (double backward) and EMA.</summary>
    private static GanTrainerOptions Options(string device) => new()
    {
        Model = new ModelOptions { Architecture = Architecture.Mlp, LatentSize = 2, Channels = 2, Width = 32, Depth = 2 },
        LatentSize = 2,
        BatchSize = 32,
        Iterations = 5,
        Seed = 3,
        Sdp = new SdpOptions { Threshold = 0, InitialK = 4, Period = 100 },
        Regularizers = new[] { new RegularizerSpec(RegularizerKind.R1, 0.5) },
        EmaDecay = 0.9,
        Device = device,
    };

    [TestMethod]
    public void TrainingOnCudaGivesTheCpuLossesAndKeepsEveryTensorThere()
    {
        RequireCuda();
        using var rng = new Generator(5);
        using var samples = GaussianMixture2D.Ring8().Sample(512, rng);
        using var data = new TensorBatchSource(samples);
        var (cpuLosses, cpuSamples) = Train("cpu");
        var (cudaLosses, cudaSamples) = Train("cuda");
        for (int i = 0; i < cpuLosses.Count; i++)
            TensorAssert.Close(cpuLosses[i], cudaLosses[i], 1e-4, 1e-5, $"iteration {i} losses, CUDA against CPU");
        TensorAssert.Close(cpuSamples, cudaSamples, 1e-4, 1e-5, "EMA generator samples, CUDA against CPU");
        cpuSamples.Dispose();
        cudaSamples.Dispose();

        (List<double[]> Losses, Tensor Samples) Train(string device)
        {
            using var session = GanTraining.Create(Options(device), data);
            var want = Devices.Parse(device, "device").type;
            foreach (var m in new[] { session.Generator.Module, session.Discriminator.Module, session.EmaGenerator!.Module })
            foreach (var (name, t) in m.state_dict())
                Assert.AreEqual(want, t.device.type, $"{device}: {name}");
            var losses = new List<double[]>();
            while (session.Trainer.Iteration < 5) losses.Add(session.Trainer.TrainIteration().AllLosses().ToArray());
            using var x = session.Trainer.GenerateSamples();
            Assert.AreEqual(want, x.device.type, "samples are generated on the training device");
            return (losses, x.cpu());
        }
    }

    [TestMethod]
    public void FidFeaturesOnCudaMatchTheCpuFeatures()
    {
        RequireCuda();
        manual_seed(4);
        using var cpuNet = new InceptionV3Fid(64);
        using var cudaNet = new InceptionV3Fid(64, "cuda");
        var weights = StateDicts.Copy(cpuNet);
        try { cudaNet.LoadWeights(weights); }
        finally { foreach (var t in weights.Values) t.Dispose(); }
        Assert.IsTrue(cudaNet.parameters().All(p => p.device.type == DeviceType.CUDA));
        using var images = rand(3, 1, 28, 28);
        using var onCpu = cpuNet.Extract(images);
        using var onCuda = cudaNet.Extract(images);
        Assert.AreEqual(DeviceType.CPU, onCuda.device.type, "features come back on the CPU");
        // cuDNN may run convolutions in TF32 (libtorch's default), 10-bit mantissas: 1e-2 relative.
        TensorAssert.Close(onCpu, onCuda, 1e-2, 1e-2, "Inception block-0 (64-d) features, CUDA against CPU");
    }
}
