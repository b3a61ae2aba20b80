using Microsoft.ML.OnnxRuntime;
using Ml.GanSdp.Metrics;
using Ml.GanSdp.Onnx;
using Ml.GanSdp.Tests.Onnx;
using Ml.GanSdp.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Metrics;

/// <summary>
/// The ONNX export of pytorch-fid's Inception-v3 (<see cref="InceptionV3Fid.ToOnnx"/>) against PyTorch
/// (Oracles/inception_fid_oracle.py: torchvision's layers with the FID blocks, seeded random weights) and against the
/// TorchSharp network, with one thread on every side (PyTorch, libtorch, ONNX Runtime).
/// </summary>
[TestClass]
public class InceptionV3FidOnnxTests
{
    /// <summary>Parity tolerance of the brief: |a - b| &lt;= 1e-4 + 1e-4 |b| per element.</summary>
    private const double Tolerance = 1e-4;

    private static readonly long[][] BlockShapes = [[64, 73, 73], [192, 35, 35], [768, 17, 17], [2048, 1, 1]];

    [TestMethod]
    public void PreprocessingEqualsPytorchFidsResizeAndScaling()
    {
        using var dir = new TempDir();
        var rng = new Random(5);
        var cases = new (string Name, int[] Shape)[] { ("rgb", [2, 3, 40, 52]), ("gray", [2, 1, 28, 28]), ("shrink", [1, 3, 320, 301]), ("same", [1, 3, 299, 299]), ("tiny", [1, 1, 1, 2]) };
        foreach (var (name, shape) in cases) Npy.Save(dir.File($"{name}.npy"), Rand.Uniform(rng, 0, 1, shape));
        Python.Exec("""
import numpy as np, torch, inception_fid_oracle as o
torch.set_num_threads(1)
for name in sys.argv[2:]:
    x = torch.from_numpy(np.load(f'{sys.argv[1]}/{name}.npy'))
    np.save(f'{sys.argv[1]}/{name}_prepared.npy', o.preprocess(x).numpy())
""", [dir.Path, .. cases.Select(c => c.Name)]);
        foreach (var (name, shape) in cases)
        {
            var g = new OnnxGraphBuilder();
            var images = g.AddInput("images", OnnxElementType.Float, OnnxGraphBuilder.Batch, shape[1], shape[2], shape[3]);
            g.AddOutput(FidPreprocessing.AddTo(g, images, shape[1], shape[2], shape[3], pixelMax: 1f), "prepared", OnnxGraphBuilder.Batch, 3, 299, 299);
            var ours = Ort.Run(g.ToBytes(), Ort.Input("images", Npy.Load<float>(dir.File($"{name}.npy"))))["prepared"];
            var expected = Npy.Load<float>(dir.File($"{name}_prepared.npy"));
            double error = ArrayAssert.Close(expected, ours, atol: 5e-7, rtol: 0, what: name);
            Console.WriteLine($"{name} {string.Join("x", shape)}: max |ONNX - PyTorch| = {error:E2}");
        }
    }

    [TestMethod]
    public void BilinearWeightsArePyTorchsBitForBit()
    {
        using var dir = new TempDir();
        int[] sizes = [28, 32, 40, 52, 320, 1, 2, 299, 1000];
        // PyTorch's weights: one-hot rows through F.interpolate (H 1 -> 1 is the identity), one 299 x N matrix per size.
        Python.Exec("""
import numpy as np, torch, torch.nn.functional as F
torch.set_num_threads(1)
for n in map(int, sys.argv[2:]):
    x = torch.eye(n).reshape(n, 1, 1, n)
    w = F.interpolate(x, size=(1, 299), mode='bilinear', align_corners=False)[:, 0, 0, :].T.contiguous()
    np.save(f'{sys.argv[1]}/w{n}.npy', w.numpy())
""", [dir.Path, .. sizes.Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        foreach (int n in sizes)
        {
            var w = FidPreprocessing.BilinearWeights(n, 299);
            ArrayAssert.BitEqual(Npy.Load<float>(dir.File($"w{n}.npy")).Data, w, $"{n} -> 299");
            for (int i = 0; i < 299; i++)
            {
                var row = w.AsSpan(i * n, n).ToArray();
                Assert.IsTrue(row.All(v => v >= 0) && row.Count(v => v != 0) <= 2, $"{n}->299 row {i}: not two non-negative taps");
                Assert.AreEqual(1.0, row.Sum(v => (double)v), 1e-6, $"{n}->299 row {i}: weights do not sum to 1");
            }
        }
        var identity = FidPreprocessing.BilinearWeights(299, 299);
        for (int i = 0; i < 299; i++) Assert.AreEqual(1f, identity[i * 299 + i]);
        Assert.AreEqual(299.0, identity.Sum(v => (double)v));
    }

    /// <summary>
    /// Every block's raw output, for 2 RGB 40x52 and 2 gray 28x28 images: ONNX = PyTorch and ONNX = TorchSharp to 1e-4;
    /// then the exported feature models (64/192/768/2048-d) = TorchSharp's <see cref="InceptionV3Fid.Extract"/>.
    /// </summary>
    [TestMethod]
    public void AllFourBlocksMatchPyTorchAndTorchSharpForRgbAndGrayscaleInputs()
    {
        using var dir = new TempDir();
        Python.Run("inception_fid_oracle.py", dir.Path);
        TorchThreads.Set(1);
        foreach (var input in new[] { "rgb", "gray" })
        {
            var images = Npy.Load<float>(dir.File($"{input}.npy"));
            int c = images.Shape[1], h = images.Shape[2], w = images.Shape[3];
            using var net = InceptionV3Fid.FromFile(dir.File("weights.npz"));
            using var session = Ort.Session(net.ToBlockMapsOnnx(c, h, w, lastBlock: 3));
            var onnx = Ort.Run(session, Ort.Input("images", images));
            using var scope = NewDisposeScope();
            var torchSharp = net.Blocks(torch.tensor(images.Data, images.Shape.Select(d => (long)d).ToArray()), 0, 1, 2, 3);
            for (int b = 0; b < 4; b++)
            {
                var ours = onnx[$"block{b}"];
                CollectionAssert.AreEqual(new[] { images.Shape[0] }.Concat(BlockShapes[b].Select(d => (int)d)).ToArray(), ours.Shape, $"{input} block {b} shape");
                double vsPyTorch = ArrayAssert.Close(Npy.Load<float>(dir.File($"{input}299_block{b}.npy")), ours, Tolerance, Tolerance, $"{input} block {b}: ONNX vs PyTorch");
                double vsTorchSharp = ArrayAssert.Close(new NdArray<float>(torchSharp[b].ToArray<float>(), ours.Shape), ours, Tolerance, Tolerance, $"{input} block {b}: ONNX vs TorchSharp");
                Console.WriteLine($"{input} block {b}: max |ONNX - PyTorch| = {vsPyTorch:E2}, max |ONNX - TorchSharp| = {vsTorchSharp:E2}");
            }
            foreach (var dimension in InceptionV3Fid.BlockDimensions)
            {
                using var sized = InceptionV3Fid.FromFile(dir.File("weights.npz"), dimension);
                var features = Ort.Run(sized.ToOnnx(c, h, w), Ort.Input(InceptionV3Fid.OnnxInputName, images))[InceptionV3Fid.OnnxOutputName];
                CollectionAssert.AreEqual(new[] { images.Shape[0], dimension }, features.Shape);
                var expected = sized.Extract(torch.tensor(images.Data, images.Shape.Select(d => (long)d).ToArray()));
                double error = ArrayAssert.Close(new NdArray<float>(expected.ToArray<float>(), features.Shape), features, Tolerance, Tolerance, $"{input} {dimension}-d features");
                Console.WriteLine($"{input} {dimension}-d features: max |ONNX - TorchSharp| = {error:E2}");
            }
        }
    }
}
