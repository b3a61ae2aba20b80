using Ml.GanSdp.Models;
using Ml.GanSdp.Metrics;
using Ml.GanSdp.Serialization;
using Ml.GanSdp.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Metrics;

[TestClass]
public class InceptionV3FidTests
{
    /// <summary>
    /// Oracles/inception_fid_oracle.py builds the FID Inception in PyTorch (torchvision's layers with the FID blocks)
    /// with seeded random weights, saves them as .npz, and runs 2 RGB 40x52 images and 2 grayscale 28x28 images.
    /// </summary>
    [TestMethod]
    public void AllFourBlocksMatchThePyTorchNetworkForRgbAndGrayscaleInputs()
    {
        using var dir = new TempDir();
        Python.Run("inception_fid_oracle.py", dir.Path);
        using var net = InceptionV3Fid.FromFile(dir.File("weights.npz"));
        Assert.IsFalse(net.training);
        Assert.IsFalse(net.IsBatchNormFused);
        foreach (var fused in new[] { false, true })
        foreach (var input in new[] { "rgb", "gray" })
        {
            if (fused && !net.IsBatchNormFused) net.FuseBatchNorm();
            using var scope = NewDisposeScope();
            var images = Npy.Load(dir.File($"{input}.npy"));
            var blocks = net.Blocks(images, 0, 1, 2, 3);
            Assert.AreEqual(4, blocks.Length);
            for (int b = 0; b < 4; b++)
                TensorAssert.Close(Npy.Load(dir.File($"{input}_block{b}.npy")), blocks[b], fused ? 2e-3 : 1e-4, fused ? 2e-3 : 1e-4, $"{input} block {b}{(fused ? " (batch norm fused)" : "")}");
            var features = net.Extract(images);
            CollectionAssert.AreEqual(new long[] { 2, 2048 }, features.shape);
            TensorAssert.Close(blocks[3].flatten(1), features, 0, 0, $"{input} pool features");
        }
    }

    [TestMethod]
    public void WrongWeightsListMissingUnexpectedAndMisshapenKeys()
    {
        using var net = new InceptionV3Fid();
        var sd = StateDicts.Copy(net);
        try
        {
            sd.Remove("Mixed_6c.branch7x7_2.conv.weight", out var removed);
            removed!.Dispose();
            sd["Mixed_8a.weight"] = zeros(3);
            var w = sd["Conv2d_1a_3x3.bn.running_var"];
            sd["Conv2d_1a_3x3.bn.running_var"] = zeros(31);
            w.Dispose();
            sd["fc.weight"] = zeros(1008, 2048); // pytorch-fid's unused classifier is accepted
            using var other = new InceptionV3Fid(64);
            var e = Assert.ThrowsExactly<ArgumentException>(() => other.LoadWeights(sd));
            StringAssert.Contains(e.Message, "missing keys [Mixed_6c.branch7x7_2.conv.weight]");
            StringAssert.Contains(e.Message, "unexpected keys [Mixed_8a.weight]");
            StringAssert.Contains(e.Message, "Conv2d_1a_3x3.bn.running_var: [31] given, [32] expected");
            Assert.IsFalse(e.Message.Contains("fc.weight"));
        }
        finally
        {
            foreach (var t in sd.Values) t.Dispose();
        }
    }

    [TestMethod]
    public void ParameterNamesFollowTorchvision()
    {
        using var net = new InceptionV3Fid();
        var sd = StateDicts.Copy(net);
        try
        {
            Assert.AreEqual(566 - 2, sd.Count); // the oracle's state dict holds 566 entries, 2 of them the 1008-class fc
            foreach (var key in new[] { "Conv2d_1a_3x3.conv.weight", "Conv2d_1a_3x3.bn.running_mean", "Mixed_5b.branch1x1.conv.weight",
                         "Mixed_7c.branch_pool.bn.num_batches_tracked", "Mixed_6e.branch7x7dbl_5.bn.bias", "Mixed_7a.branch7x7x3_4.conv.weight" })
                Assert.IsTrue(sd.ContainsKey(key), key);
            CollectionAssert.AreEqual(new long[] { 192, 160, 1, 7 }, sd["Mixed_6c.branch7x7dbl_5.conv.weight"].shape);
        }
        finally
        {
            foreach (var t in sd.Values) t.Dispose();
        }
    }

    [TestMethod]
    public void UnsupportedWeightFilesAndInputsAreClearErrors()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("w.pth"), new byte[] { 1, 2, 3 });
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => InceptionV3Fid.FromFile(dir.File("w.pth"))).Message, "w.pth");
        File.WriteAllBytes(dir.File("w.bin"), new byte[] { 1, 2, 3 });
        StringAssert.Contains(Assert.ThrowsExactly<NotSupportedException>(() => InceptionV3Fid.FromFile(dir.File("w.bin"))).Message, ".safetensors");
        Assert.ThrowsExactly<FileNotFoundException>(() => InceptionV3Fid.FromFile(dir.File("none.npz")));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new InceptionV3Fid(100));
        using var scope = NewDisposeScope();
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => FidPreprocessing.Prepare(rand(1, 3, 8, 8) * 2 - 1)).Message, "[0, 1]");
        Assert.ThrowsExactly<ArgumentException>(() => FidPreprocessing.Prepare(rand(1, 2, 8, 8)));
    }

    [TestMethod]
    public void PreprocessingResizesReplicatesGrayAndScales()
    {
        using var scope = NewDisposeScope();
        var gray = full(new long[] { 2, 1, 28, 28 }, 0.25);
        var x = FidPreprocessing.Prepare(gray);
        CollectionAssert.AreEqual(new long[] { 2, 3, 299, 299 }, x.shape);
        Assert.AreEqual(-0.5, x.min().ToDouble(), 1e-6);
        Assert.AreEqual(-0.5, x.max().ToDouble(), 1e-6);
    }
}
