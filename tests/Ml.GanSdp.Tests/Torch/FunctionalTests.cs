using Ml.GanSdp.Tests.TestSupport;
using static Ml.GanSdp.torch;
using static Ml.GanSdp.torch.nn.functional;

namespace Ml.GanSdp.Tests.Torch;

/// <summary>torch.nn.functional against PyTorch 1.13, in float64 (tight tolerances) with a few float32 checks.</summary>
[TestClass]
public class FunctionalTests
{
    [TestMethod]
    public void ConvolutionsLinearNormalizationAndEmbeddingMatchPyTorch()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var inp = new TensorBag
        {
            ["x"] = randn(new long[] { 2, 4, 9, 8 }, float64),
            ["w"] = randn(new long[] { 6, 4, 3, 3 }, float64), ["b"] = randn(new long[] { 6 }, float64),
            ["wg"] = randn(new long[] { 6, 2, 3, 3 }, float64),
            ["wa"] = randn(new long[] { 3, 4, 1, 7 }, float64),
            ["wt"] = randn(new long[] { 4, 3, 4, 4 }, float64), ["bt"] = randn(new long[] { 3 }, float64),
            ["wtg"] = randn(new long[] { 4, 3, 3, 3 }, float64),
            ["xl"] = randn(new long[] { 5, 7 }, float64), ["wl"] = randn(new long[] { 3, 7 }, float64), ["bl"] = randn(new long[] { 3 }, float64),
            ["rm"] = randn(new long[] { 4 }, float64), ["rv"] = rand(new long[] { 4 }, float64) + 0.5,
            ["gamma"] = randn(new long[] { 4 }, float64), ["beta"] = randn(new long[] { 4 }, float64),
            ["lw"] = randn(new long[] { 9, 8 }, float64), ["lb"] = randn(new long[] { 9, 8 }, float64),
            ["table"] = randn(new long[] { 10, 5 }, float64), ["idx"] = randint(0, 10, new long[] { 3, 4 }),
            ["x32"] = randn(new long[] { 2, 4, 9, 8 }), ["w32"] = randn(new long[] { 6, 4, 3, 3 }),
        };
        Tensor x = inp["x"], w = inp["w"], b = inp["b"];
        var rmTrain = inp["rm"].clone();
        var rvTrain = inp["rv"].clone();
        var ours = new Dictionary<string, Tensor>
        {
            ["conv"] = conv2d(x, w, b),
            ["conv_s2p1"] = conv2d(x, w, b, stride: 2, padding: 1),
            ["conv_dil"] = conv2d(x, w, null, padding: (2, 1), dilation: 2),
            ["conv_grp"] = conv2d(x, inp["wg"], b, padding: 1, groups: 2),
            ["conv_asym"] = conv2d(x, inp["wa"], null, padding: (0, 3)),
            ["conv_rect"] = conv2d(x, w, b, stride: (2, 1), padding: (1, 0)),
            ["convt"] = conv_transpose2d(x, inp["wt"], inp["bt"], stride: 2, padding: 1),
            ["convt_op"] = conv_transpose2d(x, inp["wt"], inp["bt"], stride: 2, padding: 1, output_padding: 1),
            ["convt_grp"] = conv_transpose2d(x, inp["wtg"], null, stride: 2, output_padding: (1, 0), groups: 2),
            ["linear"] = linear(inp["xl"], inp["wl"], inp["bl"]), ["linear_nb"] = linear(inp["xl"], inp["wl"]),
            ["bn_train"] = batch_norm(x, rmTrain, rvTrain, inp["gamma"], inp["beta"], training: true, momentum: 0.3),
            ["bn_rm"] = rmTrain, ["bn_rv"] = rvTrain,
            ["bn_eval"] = batch_norm(x, inp["rm"], inp["rv"], inp["gamma"], inp["beta"], training: false),
            ["bn_noaffine"] = batch_norm(x, null, null, training: true),
            ["ln"] = layer_norm(x, new long[] { 9, 8 }, inp["lw"], inp["lb"]), ["ln1"] = layer_norm(x, new long[] { 8 }),
            ["emb"] = embedding(inp["idx"], inp["table"]),
            ["conv32"] = conv2d(inp["x32"], inp["w32"], null, padding: 1),
        };
        using var expected = new TensorBag(TorchOracle.Run("""
x, w, b = I['x'], I['w'], I['b']
rm, rv = I['rm'].clone(), I['rv'].clone()
O.update(conv=F.conv2d(x, w, b), conv_s2p1=F.conv2d(x, w, b, stride=2, padding=1), conv_dil=F.conv2d(x, w, None, padding=(2, 1), dilation=2),
         conv_grp=F.conv2d(x, I['wg'], b, padding=1, groups=2), conv_asym=F.conv2d(x, I['wa'], None, padding=(0, 3)),
         conv_rect=F.conv2d(x, w, b, stride=(2, 1), padding=(1, 0)),
         convt=F.conv_transpose2d(x, I['wt'], I['bt'], stride=2, padding=1),
         convt_op=F.conv_transpose2d(x, I['wt'], I['bt'], stride=2, padding=1, output_padding=1),
         convt_grp=F.conv_transpose2d(x, I['wtg'], None, stride=2, output_padding=(1, 0), groups=2),
         linear=F.linear(I['xl'], I['wl'], I['bl']), linear_nb=F.linear(I['xl'], I['wl']),
         bn_train=F.batch_norm(x, rm, rv, I['gamma'], I['beta'], training=True, momentum=0.3), bn_rm=rm, bn_rv=rv,
         bn_eval=F.batch_norm(x, I['rm'], I['rv'], I['gamma'], I['beta'], training=False),
         bn_noaffine=F.batch_norm(x, None, None, training=True),
         ln=F.layer_norm(x, (9, 8), I['lw'], I['lb']), ln1=F.layer_norm(x, (8,)), emb=F.embedding(I['idx'], I['table']),
         conv32=F.conv2d(I['x32'], I['w32'], None, padding=1))
""", inp));
        OracleAssert.AllClose(expected, ours, rtol: 1e-11, atol: 1e-11, rtol32: 1e-5, atol32: 1e-5);
        CollectionAssert.AreEqual(new long[] { 2, 3, 9, 8 }, ours["conv_asym"].shape, "padding (0, 3) keeps the width of a 1x7 kernel");
    }

    [TestMethod]
    public void PoolingResamplingActivationsAndLossesMatchPyTorch()
    {
        using var scope = NewDisposeScope();
        manual_seed(6);
        var inp = new TensorBag
        {
            ["x"] = randn(new long[] { 2, 3, 9, 8 }, float64),
            ["img"] = rand(new long[] { 1, 1, 28, 28 }, float64),
            ["sq"] = randn(new long[] { 2, 4, 8, 8 }, float64),
            ["logits"] = randn(new long[] { 6, 5 }, float64), ["cls"] = randint(0, 5, new long[] { 6 }),
            ["cw"] = rand(new long[] { 5 }, float64) + 0.5,
            ["t"] = rand(new long[] { 6, 5 }, float64), ["pw"] = rand(new long[] { 5 }, float64) * 3,
            ["img32"] = rand(new long[] { 2, 3, 28, 28 }),
        };
        Tensor x = inp["x"], img = inp["img"], sq = inp["sq"], lg = inp["logits"], t = inp["t"];
        var ours = new Dictionary<string, Tensor>
        {
            ["avg"] = avg_pool2d(x, 2), ["avg_inc"] = avg_pool2d(x, 3, stride: 2, padding: 1, count_include_pad: true),
            ["avg_exc"] = avg_pool2d(x, 3, stride: 2, padding: 1, count_include_pad: false),
            ["avg_ceil"] = avg_pool2d(x, 2, ceil_mode: true), ["avg_rect"] = avg_pool2d(x, (3, 2), stride: (1, 2)),
            ["max"] = max_pool2d(x, 2), ["max_p"] = max_pool2d(x, 3, stride: 2, padding: 1), ["max_dil"] = max_pool2d(x, 2, stride: 1, dilation: 2),
            ["aavg"] = adaptive_avg_pool2d(x, (3, 5)), ["aavg1"] = adaptive_avg_pool2d(x, 1), ["amax"] = adaptive_max_pool2d(x, (2, 3)),
            ["bil299"] = interpolate(img, (299, 299), InterpolationMode.Bilinear, align_corners: false),
            ["bil299ac"] = interpolate(img, (299, 299), InterpolationMode.Bilinear, align_corners: true),
            ["near299"] = interpolate(img, (299, 299)),
            ["bil5"] = interpolate(sq, (5, 5), InterpolationMode.Bilinear), ["bil5ac"] = interpolate(sq, (5, 5), InterpolationMode.Bilinear, true),
            ["near5"] = interpolate(sq, (5, 5)), ["near_x2"] = interpolate(sq, 2.0), ["bil_x2"] = interpolate(sq, 2.0, InterpolationMode.Bilinear),
            ["bil32"] = interpolate(inp["img32"], (299, 299), InterpolationMode.Bilinear),
            ["relu"] = relu(x), ["lrelu"] = leaky_relu(x, 0.2), ["lrelu_d"] = leaky_relu(x), ["tanh"] = tanh(x), ["sigmoid"] = sigmoid(x),
            ["softplus"] = softplus(x * 10), ["softplus_b"] = softplus(x * 10, beta: 2, threshold: 5),
            ["bce"] = binary_cross_entropy_with_logits(lg, t), ["bce_none"] = binary_cross_entropy_with_logits(lg, t, reduction: Reduction.None),
            ["bce_sum"] = binary_cross_entropy_with_logits(lg, t, reduction: Reduction.Sum), ["bce_pw"] = binary_cross_entropy_with_logits(lg, t, pos_weight: inp["pw"]),
            ["ce"] = cross_entropy(lg, inp["cls"]), ["ce_w"] = cross_entropy(lg, inp["cls"], weight: inp["cw"]),
            ["ce_ls"] = cross_entropy(lg, inp["cls"], label_smoothing: 0.1), ["ce_none"] = cross_entropy(lg, inp["cls"], reduction: Reduction.None),
            ["mse"] = mse_loss(lg, t), ["mse_sum"] = mse_loss(lg, t, Reduction.Sum), ["mse_none"] = mse_loss(lg, t, Reduction.None),
            ["normalize"] = normalize(lg), ["normalize0"] = normalize(x, 1, 0),
        };
        using var expected = new TensorBag(TorchOracle.Run("""
x, img, sq, lg, t = I['x'], I['img'], I['sq'], I['logits'], I['t']
O.update(avg=F.avg_pool2d(x, 2), avg_inc=F.avg_pool2d(x, 3, 2, 1, count_include_pad=True), avg_exc=F.avg_pool2d(x, 3, 2, 1, count_include_pad=False),
         avg_ceil=F.avg_pool2d(x, 2, ceil_mode=True), avg_rect=F.avg_pool2d(x, (3, 2), stride=(1, 2)),
         max=F.max_pool2d(x, 2), max_p=F.max_pool2d(x, 3, 2, 1), max_dil=F.max_pool2d(x, 2, stride=1, dilation=2),
         aavg=F.adaptive_avg_pool2d(x, (3, 5)), aavg1=F.adaptive_avg_pool2d(x, 1), amax=F.adaptive_max_pool2d(x, (2, 3)),
         bil299=F.interpolate(img, size=(299, 299), mode='bilinear', align_corners=False),
         bil299ac=F.interpolate(img, size=(299, 299), mode='bilinear', align_corners=True),
         near299=F.interpolate(img, size=(299, 299), mode='nearest'),
         bil5=F.interpolate(sq, size=(5, 5), mode='bilinear', align_corners=False), bil5ac=F.interpolate(sq, size=(5, 5), mode='bilinear', align_corners=True),
         near5=F.interpolate(sq, size=(5, 5)), near_x2=F.interpolate(sq, scale_factor=2.0), bil_x2=F.interpolate(sq, scale_factor=2.0, mode='bilinear'),
         bil32=F.interpolate(I['img32'], size=(299, 299), mode='bilinear', align_corners=False),
         relu=F.relu(x), lrelu=F.leaky_relu(x, 0.2), lrelu_d=F.leaky_relu(x), tanh=torch.tanh(x), sigmoid=torch.sigmoid(x),
         softplus=F.softplus(x * 10), softplus_b=F.softplus(x * 10, beta=2, threshold=5),
         bce=F.binary_cross_entropy_with_logits(lg, t), bce_none=F.binary_cross_entropy_with_logits(lg, t, reduction='none'),
         bce_sum=F.binary_cross_entropy_with_logits(lg, t, reduction='sum'), bce_pw=F.binary_cross_entropy_with_logits(lg, t, pos_weight=I['pw']),
         ce=F.cross_entropy(lg, I['cls']), ce_w=F.cross_entropy(lg, I['cls'], weight=I['cw']), ce_ls=F.cross_entropy(lg, I['cls'], label_smoothing=0.1),
         ce_none=F.cross_entropy(lg, I['cls'], reduction='none'), mse=F.mse_loss(lg, t), mse_sum=F.mse_loss(lg, t, reduction='sum'),
         mse_none=F.mse_loss(lg, t, reduction='none'), normalize=F.normalize(lg), normalize0=F.normalize(x, 1, 0))
""", inp));
        OracleAssert.AllClose(expected, ours, rtol: 1e-12, atol: 1e-12, rtol32: 1e-6, atol32: 1e-6);
        CollectionAssert.AreEqual(new long[] { 1, 1, 299, 299 }, ours["bil299"].shape);
    }

    [TestMethod]
    public void DropoutZeroesAboutPAndScalesTheRestInTrainingAndIsTheIdentityInEval()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var x = ones(new long[] { 200_000 });
        const double p = 0.3;
        var y = dropout(x, p, training: true);
        var values = y.ToArray<float>();
        int zeros = values.Count(v => v == 0);
        double fraction = zeros / (double)values.Length;
        Assert.AreEqual(p, fraction, 0.005, "fraction of zeroed elements");
        float kept = (float)(1 / (1 - p));
        Assert.IsTrue(values.All(v => v == 0 || Math.Abs(v - kept) <= 1e-6f), "survivors are scaled by 1/(1-p)");
        var z = randn(new long[] { 3, 4 });
        Assert.IsTrue(equal(z, dropout(z, p, training: false)), "eval is the identity");
        Assert.IsTrue(equal(z, dropout(z, 0.0, training: true)), "p = 0 is the identity");
        Assert.AreEqual(0f, dropout(z, 1.0, training: true).abs().sum().item<float>(), "p = 1 zeroes everything");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => dropout(z, 1.5));
    }
}
