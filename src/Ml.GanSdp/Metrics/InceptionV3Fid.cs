using Ml.GanSdp.Models;
using TorchSharp.Modules;
using Ml.GanSdp.Serialization;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace Ml.GanSdp.Metrics;

using Module = TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>;

/// <summary>
/// Inception-v3 as pytorch-fid uses it for the Frechet Inception Distance (Heusel et al. 2017, "GANs Trained by a
/// Two Time-Scale Update Rule Converge to a Local Nash Equilibrium"): TensorFlow's 2015-12-05 Inception graph in
/// torchvision's layer structure (Szegedy et al. 2016, "Rethinking the Inception Architecture"), with the FID
/// blocks: the pool branches of Mixed_5b..5d, Mixed_6b..6e and Mixed_7b average without counting padding
/// (count_include_pad=False) and Mixed_7c's pool branch takes a 3 x 3 max. The 1008-class classifier is not used.
/// <para>
/// The network returns four blocks: 0 = after Conv2d_1a..2b and a max pool (64 channels, 73 x 73), 1 = after
/// Conv2d_3b, Conv2d_4a and a max pool (192, 35 x 35), 2 = after Mixed_5b..6e (768, 17 x 17), 3 = after
/// Mixed_7a..7c and global average pooling (2048, 1 x 1). Features of dimension 64, 192, 768 or 2048 are the
/// spatial means of the block's output, as pytorch-fid computes them; 2048 (block 3) is the standard.
/// </para>
/// <para>
/// Parameters are named as in torchvision and in pytorch-fid's weights file
/// (<c>Conv2d_1a_3x3.conv.weight</c>, <c>Mixed_7c.branch_pool.bn.running_var</c>, ...). Construction gives random
/// weights; load real ones with <see cref="FromFile"/> or <see cref="FromStateDict"/>.
/// </para>
/// </summary>
public sealed partial class InceptionV3Fid : Module, IFeatureExtractor
{
    /// <summary>Components are registered explicitly under PyTorch's names; TorchSharp's field-name registration would add duplicates.</summary>
    protected override void RegisterComponents() { }

    /// <summary>Feature dimension of each block.</summary>
    public static IReadOnlyList<int> BlockDimensions { get; } = new[] { 64, 192, 768, 2048 };

    /// <summary>The default block: the 2048-d pool features.</summary>
    public const int DefaultDimension = 2048;

    private readonly BasicConv2d _conv1a, _conv2a, _conv2b, _conv3b, _conv4a;
    private readonly Module[] _mixed5to6, _mixed7;
    private readonly int _outputBlock;

    /// <summary>
    /// Builds the network with random weights; <paramref name="dimension"/> picks the feature block (64, 192, 768 or
    /// 2048); <paramref name="device"/> ("cpu", "cuda", "cuda:N", see <see cref="Devices"/>) is where it runs.
    /// </summary>
    public InceptionV3Fid(int dimension = DefaultDimension, string device = Devices.Cpu) : base(nameof(InceptionV3Fid))
    {
        _outputBlock = BlockForDimension(dimension);
        Device = Devices.Parse(device, "InceptionV3Fid device");
        TorchThreads.EnsureDefault();
        _conv1a = this.Register("Conv2d_1a_3x3", new BasicConv2d(3, 32, 3, stride: 2));
        _conv2a = this.Register("Conv2d_2a_3x3", new BasicConv2d(32, 32, 3));
        _conv2b = this.Register("Conv2d_2b_3x3", new BasicConv2d(32, 64, 3, padding: 1));
        _conv3b = this.Register("Conv2d_3b_1x1", new BasicConv2d(64, 80, 1));
        _conv4a = this.Register("Conv2d_4a_3x3", new BasicConv2d(80, 192, 3));
        _mixed5to6 = new Module[]
        {
            this.Register("Mixed_5b", new FidInceptionA(192, poolFeatures: 32)),
            this.Register("Mixed_5c", new FidInceptionA(256, poolFeatures: 64)),
            this.Register("Mixed_5d", new FidInceptionA(288, poolFeatures: 64)),
            this.Register("Mixed_6a", new InceptionB(288)),
            this.Register("Mixed_6b", new FidInceptionC(768, channels7x7: 128)),
            this.Register("Mixed_6c", new FidInceptionC(768, channels7x7: 160)),
            this.Register("Mixed_6d", new FidInceptionC(768, channels7x7: 160)),
            this.Register("Mixed_6e", new FidInceptionC(768, channels7x7: 192)),
        };
        _mixed7 = new Module[]
        {
            this.Register("Mixed_7a", new InceptionD(768)),
            this.Register("Mixed_7b", new FidInceptionE(1280, maxPool: false)),
            this.Register("Mixed_7c", new FidInceptionE(2048, maxPool: true)),
        };
        if (Device.type != DeviceType.CPU) this.to(Device);
        eval();
    }

    /// <summary>Where the network runs; images are moved there and features come back on the CPU.</summary>
    public Device Device { get; }

    /// <summary>The block (0..3) whose output has <paramref name="dimension"/> channels.</summary>
    public static int BlockForDimension(int dimension)
    {
        for (int i = 0; i < BlockDimensions.Count; i++)
            if (BlockDimensions[i] == dimension) return i;
        throw new ArgumentOutOfRangeException(nameof(dimension), dimension, $"Inception-v3 FID features have dimension 64, 192, 768 or 2048, not {dimension}.");
    }

    /// <summary>The feature space's name (<see cref="IFeatureExtractor.Name"/>).</summary>
    public string ExtractorName => $"inception-v3-fid-{FeatureDimension}";

    string IFeatureExtractor.Name => ExtractorName;

    /// <inheritdoc/>
    public int FeatureDimension => BlockDimensions[_outputBlock];

    /// <summary>The block the features come from.</summary>
    public int OutputBlock => _outputBlock;

    // ---- weights ---------------------------------------------------------------------------------------

    /// <summary>
    /// Keys of pytorch-fid's weights file that this network does not use and that loading skips: the 1008-class
    /// classifier (<c>fc.weight</c>, <c>fc.bias</c>) and, if present, torchvision's auxiliary head.
    /// </summary>
    public static bool IsIgnoredKey(string key) => key is "fc.weight" or "fc.bias" || key.StartsWith("AuxLogits.", StringComparison.Ordinal);

    /// <summary>
    /// Builds the network and loads <paramref name="stateDict"/> into it (see <see cref="LoadWeights"/>); with
    /// <paramref name="fuseBatchNorm"/> the batch norms are then folded into the convolutions (faster, see <see cref="FuseBatchNorm"/>).
    /// </summary>
    public static InceptionV3Fid FromStateDict(IReadOnlyDictionary<string, Tensor> stateDict, int dimension = DefaultDimension, bool fuseBatchNorm = false, string device = Devices.Cpu)
    {
        var net = new InceptionV3Fid(dimension, device);
        try
        {
            net.LoadWeights(stateDict);
            if (fuseBatchNorm) net.FuseBatchNorm();
            return net;
        }
        catch
        {
            net.Dispose();
            throw;
        }
    }

    /// <summary>Builds the network from a weights file (see <see cref="ReadStateDictFile"/> and <see cref="FromStateDict"/>).</summary>
    public static InceptionV3Fid FromFile(string path, int dimension = DefaultDimension, bool fuseBatchNorm = false, string device = Devices.Cpu)
    {
        var sd = ReadStateDictFile(path);
        try
        {
            try { return FromStateDict(sd, dimension, fuseBatchNorm, device); }
            catch (ArgumentException e) { throw new InvalidDataException($"'{path}' does not hold pytorch-fid's Inception-v3 weights: {e.Message}", e); }
        }
        finally
        {
            foreach (var t in sd.Values) t.Dispose();
        }
    }

    /// <summary>
    /// Reads a state dict from a <c>.pth</c>/<c>.pt</c> (what <c>torch.save(model.state_dict())</c> writes, such as
    /// pytorch-fid's <c>pt_inception-2015-12-05-6726825d.pth</c>, loaded directly), <c>.safetensors</c> or <c>.npz</c>
    /// file through <see cref="StateDictFile.Load"/>. The caller disposes the tensors.
    /// </summary>
    public static Dictionary<string, Tensor> ReadStateDictFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No Inception weights file at '{path}'.", path);
        return StateDictFile.Load(path);
    }

    /// <summary>
    /// Copies a state dict into the network. Every parameter and running statistic must be present with its shape;
    /// <c>*.num_batches_tracked</c> may be absent (older files), the keys of <see cref="IsIgnoredKey"/> are skipped.
    /// Anything else that is missing, unexpected or of the wrong shape is reported in one exception listing all of it.
    /// </summary>
    public void LoadWeights(IReadOnlyDictionary<string, Tensor> stateDict)
    {
        var own = state_dict(); // live references to the network's tensors: not disposed here
        {
            var missing = own.Keys.Where(k => !stateDict.ContainsKey(k) && !k.EndsWith(".num_batches_tracked", StringComparison.Ordinal)).ToList();
            var unexpected = stateDict.Keys.Where(k => !own.ContainsKey(k) && !IsIgnoredKey(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
            var badShapes = new List<string>();
            foreach (var (k, t) in own)
            {
                if (!stateDict.TryGetValue(k, out var src)) continue;
                var want = t.shape;
                var have = src.shape;
                if (!want.SequenceEqual(have)) badShapes.Add($"{k}: [{string.Join(", ", have)}] given, [{string.Join(", ", want)}] expected");
            }
            if (missing.Count + unexpected.Count + badShapes.Count > 0)
            {
                var parts = new List<string>();
                if (missing.Count > 0) parts.Add($"{missing.Count} missing keys [{string.Join(", ", missing)}]");
                if (unexpected.Count > 0) parts.Add($"{unexpected.Count} unexpected keys [{string.Join(", ", unexpected)}]");
                if (badShapes.Count > 0) parts.Add($"{badShapes.Count} wrong shapes [{string.Join("; ", badShapes)}]");
                throw new ArgumentException("Inception-v3 (FID) weights do not match the network: " + string.Join("; ", parts) + ".", nameof(stateDict));
            }
            var used = stateDict.Where(kv => own.ContainsKey(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
            using (no_grad()) load_state_dict(used, strict: false);
            if (IsBatchNormFused) FuseBatchNorm();
        }
    }

    /// <summary>Whether the batch norms are folded into the convolutions (see <see cref="FuseBatchNorm"/>).</summary>
    public bool IsBatchNormFused => _conv1a.IsFused;

    /// <summary>
    /// Folds every batch norm into its convolution for faster evaluation (one op instead of two per layer). The
    /// result differs from PyTorch's conv + batch norm sequence only by float32 rounding (the parity test holds both
    /// to 1e-4 against PyTorch; rounding differences grow through a network, so this is opt-in). The ONNX export
    /// always folds, in the same float64 arithmetic. Loading new weights afterwards re-folds them.
    /// </summary>
    public void FuseBatchNorm()
    {
        foreach (var (_, m) in named_modules())
            if (m is BasicConv2d b) b.FuseBatchNorm();
    }

    /// <summary>Returns to separate convolution and batch norm (the exact PyTorch operation sequence).</summary>
    public void UnfuseBatchNorm()
    {
        foreach (var (_, m) in named_modules())
            if (m is BasicConv2d b) b.Unfuse();
    }

    // ---- forward -----------------------------------------------------------------------------------------

    /// <summary>
    /// The outputs of the requested blocks (ascending, 0..3) for images in [0, 1] (N x 1|3 x H x W), after
    /// pytorch-fid's preprocessing (<see cref="FidPreprocessing.Prepare"/>). Blocks 0..2 are feature maps,
    /// block 3 is N x 2048 x 1 x 1. Stops after the last requested block. The caller owns the results.
    /// </summary>
    public Tensor[] Blocks(Tensor images, params int[] outputBlocks)
    {
        if (training) eval(); // FID always uses the running statistics; training mode would also update them
        if (outputBlocks.Length == 0) outputBlocks = new[] { _outputBlock };
        var wanted = new bool[4];
        foreach (var b in outputBlocks)
        {
            if (b < 0 || b > 3) throw new ArgumentOutOfRangeException(nameof(outputBlocks), b, "Inception-v3 FID blocks are numbered 0 to 3.");
            wanted[b] = true;
        }
        int last = outputBlocks.Max();
        var results = new List<Tensor>();
        using var _ = no_grad();
        using var onDevice = images.to(Device);
        var x = FidPreprocessing.Prepare(onDevice);
        try
        {
            for (int block = 0; block <= last; block++)
            {
                var next = RunBlock(block, x);
                x.Dispose();
                x = next;
                if (wanted[block]) results.Add(x.alias());
            }
        }
        catch
        {
            foreach (var r in results) r.Dispose();
            throw;
        }
        finally
        {
            x.Dispose();
        }
        return results.ToArray();
    }

    private Tensor RunBlock(int block, Tensor x) => block switch
    {
        0 => Chain(x, _conv1a.call, _conv2a.call, _conv2b.call, MaxPool3x3Stride2),
        1 => Chain(x, _conv3b.call, _conv4a.call, MaxPool3x3Stride2),
        2 => Chain(x, _mixed5to6.Select(m => (Func<Tensor, Tensor>)m.call).ToArray()),
        3 => Chain(x, _mixed7.Select(m => (Func<Tensor, Tensor>)m.call).Append(GlobalAveragePool).ToArray()),
        _ => throw new ArgumentOutOfRangeException(nameof(block)),
    };

    private static Tensor MaxPool3x3Stride2(Tensor t) => max_pool2d(t, 3, 2);
    private static Tensor GlobalAveragePool(Tensor t) => adaptive_avg_pool2d(t, 1);

    private static Tensor Chain(Tensor input, params Func<Tensor, Tensor>[] layers)
    {
        var x = layers[0](input);
        for (int i = 1; i < layers.Length; i++)
        {
            var next = layers[i](x);
            x.Dispose();
            x = next;
        }
        return x;
    }

    /// <summary>The features of <see cref="OutputBlock"/>: N x d, spatially averaged (as pytorch-fid).</summary>
    public override Tensor forward(Tensor images) => Extract(images);

    /// <inheritdoc/>
    public Tensor Extract(Tensor images)
    {
        if (training) eval();
        var outs = Blocks(images, _outputBlock);
        using var map = outs[0];
        using var _ = no_grad();
        using var pooled = map.size(2) == 1 && map.size(3) == 1 ? map.alias() : adaptive_avg_pool2d(map, 1);
        using var flat = pooled.flatten(1);
        return flat.cpu();
    }
}

/// <summary>
/// Convolution without bias, batch norm (eps 0.001) and ReLU: torchvision's <c>BasicConv2d</c>. After
/// <see cref="FuseBatchNorm"/>, evaluation runs one convolution with the batch norm folded in:
/// <c>W' = W gamma / sqrt(var + eps)</c> (per output channel) and <c>b' = beta - mean gamma / sqrt(var + eps)</c>,
/// computed in float64 and kept as non-persistent buffers (not part of the state dict).
/// </summary>
internal sealed partial class BasicConv2d : Module
{
    /// <summary>Components are registered explicitly under PyTorch's names; TorchSharp's field-name registration would add duplicates.</summary>
    protected override void RegisterComponents() { }

    private const double BatchNormEps = 0.001;
    private readonly Conv2d _conv;
    private readonly BatchNorm2d _bn;
    private readonly long[] _stride, _padding;
    private Tensor? _fusedWeight, _fusedBias;

    public BasicConv2d(long inChannels, long outChannels, long kernel, long stride = 1, long padding = 0)
        : this(inChannels, outChannels, (kernel, kernel), (stride, stride), (padding, padding)) { }

    public BasicConv2d(long inChannels, long outChannels, (long, long) kernel, (long, long)? stride = null, (long, long)? padding = null) : base(nameof(BasicConv2d))
    {
        var s = stride ?? (1, 1);
        var p = padding ?? (0, 0);
        _stride = new[] { s.Item1, s.Item2 };
        _padding = new[] { p.Item1, p.Item2 };
        _conv = this.Register("conv", nn.Conv2d(inChannels, outChannels, kernel, stride: s, padding: p, bias: false));
        _bn = this.Register("bn", nn.BatchNorm2d(outChannels, eps: BatchNormEps));
    }

    /// <summary>Whether the batch norm is folded into the convolution for evaluation.</summary>
    public bool IsFused => _fusedWeight is not null;

    /// <summary>Folds the current batch-norm statistics and affine parameters into the convolution (evaluation only; fuse after moving the network to its device).</summary>
    public void FuseBatchNorm()
    {
        Unfuse();
        var (weight, bias) = FoldedWeightAndBias();
        _fusedWeight = weight;
        _fusedBias = bias;
    }

    /// <summary>
    /// The convolution with the batch norm folded in, computed in float64 and rounded once to float32:
    /// <c>W' = W gamma / sqrt(var + eps)</c>, <c>b' = beta - mean gamma / sqrt(var + eps)</c>. The caller owns both tensors.
    /// </summary>
    internal (Tensor Weight, Tensor Bias) FoldedWeightAndBias()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var scale = _bn.weight!.to(ScalarType.Float64) / (_bn.running_var!.to(ScalarType.Float64) + BatchNormEps).sqrt();
        var weight = _conv.weight!.to(ScalarType.Float64) * scale.view(-1, 1, 1, 1);
        var bias = _bn.bias!.to(ScalarType.Float64) - _bn.running_mean!.to(ScalarType.Float64) * scale;
        return (weight.to(ScalarType.Float32).DetachFromDisposeScope(), bias.to(ScalarType.Float32).DetachFromDisposeScope());
    }

    /// <summary>Drops the folded weights (after new weights are loaded they would be stale).</summary>
    public void Unfuse()
    {
        _fusedWeight?.Dispose();
        _fusedBias?.Dispose();
        _fusedWeight = _fusedBias = null;
    }

    public override Tensor forward(Tensor input)
    {
        if (!training && _fusedWeight is { } w)
            return conv2d(input, w, _fusedBias, _stride, _padding).relu_();
        using var c = _conv.call(input);
        var y = _bn.call(c);
        return y.relu_();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) Unfuse();
        base.Dispose(disposing);
    }
}

/// <summary>Shared helpers of the mixed blocks.</summary>
internal static partial class Branches
{
    /// <summary>Applies the layers in order, disposing intermediates (not the input).</summary>
    public static Tensor Run(Tensor input, params BasicConv2d[] layers)
    {
        var x = layers[0].call(input);
        for (int i = 1; i < layers.Length; i++)
        {
            var next = layers[i].call(x);
            x.Dispose();
            x = next;
        }
        return x;
    }

    /// <summary>Concatenates along channels and disposes the parts.</summary>
    public static Tensor Concat(params Tensor[] parts)
    {
        try { return cat(parts, 1); }
        finally { foreach (var p in parts) p.Dispose(); }
    }

    /// <summary>3 x 3 average, stride 1, padding 1, not counting the padding (the FID blocks' pool).</summary>
    public static Tensor AveragePoolExcludingPadding(Tensor x) => avg_pool2d(x, 3, 1, 1, count_include_pad: false);
}

/// <summary>Mixed_5b..5d: torchvision's InceptionA with the FID pool (average excluding padding).</summary>
internal sealed partial class FidInceptionA : Module
{
    /// <summary>Components are registered explicitly under PyTorch's names; TorchSharp's field-name registration would add duplicates.</summary>
    protected override void RegisterComponents() { }

    private readonly BasicConv2d b1x1, b5x5_1, b5x5_2, b3dbl_1, b3dbl_2, b3dbl_3, bPool;

    public FidInceptionA(long inChannels, long poolFeatures) : base("FIDInceptionA")
    {
        b1x1 = this.Register("branch1x1", new BasicConv2d(inChannels, 64, 1));
        b5x5_1 = this.Register("branch5x5_1", new BasicConv2d(inChannels, 48, 1));
        b5x5_2 = this.Register("branch5x5_2", new BasicConv2d(48, 64, 5, padding: 2));
        b3dbl_1 = this.Register("branch3x3dbl_1", new BasicConv2d(inChannels, 64, 1));
        b3dbl_2 = this.Register("branch3x3dbl_2", new BasicConv2d(64, 96, 3, padding: 1));
        b3dbl_3 = this.Register("branch3x3dbl_3", new BasicConv2d(96, 96, 3, padding: 1));
        bPool = this.Register("branch_pool", new BasicConv2d(inChannels, poolFeatures, 1));
    }

    public override Tensor forward(Tensor x)
    {
        var a = b1x1.call(x);
        var b = Branches.Run(x, b5x5_1, b5x5_2);
        var c = Branches.Run(x, b3dbl_1, b3dbl_2, b3dbl_3);
        using var pooled = Branches.AveragePoolExcludingPadding(x);
        var d = bPool.call(pooled);
        return Branches.Concat(a, b, c, d);
    }
}

/// <summary>Mixed_6a: torchvision's InceptionB (grid reduction 35 -> 17).</summary>
internal sealed partial class InceptionB : Module
{
    /// <summary>Components are registered explicitly under PyTorch's names; TorchSharp's field-name registration would add duplicates.</summary>
    protected override void RegisterComponents() { }

    private readonly BasicConv2d b3x3, b3dbl_1, b3dbl_2, b3dbl_3;

    public InceptionB(long inChannels) : base(nameof(InceptionB))
    {
        b3x3 = this.Register("branch3x3", new BasicConv2d(inChannels, 384, 3, stride: 2));
        b3dbl_1 = this.Register("branch3x3dbl_1", new BasicConv2d(inChannels, 64, 1));
        b3dbl_2 = this.Register("branch3x3dbl_2", new BasicConv2d(64, 96, 3, padding: 1));
        b3dbl_3 = this.Register("branch3x3dbl_3", new BasicConv2d(96, 96, 3, stride: 2));
    }

    public override Tensor forward(Tensor x)
    {
        var a = b3x3.call(x);
        var b = Branches.Run(x, b3dbl_1, b3dbl_2, b3dbl_3);
        var c = max_pool2d(x, 3, 2);
        return Branches.Concat(a, b, c);
    }
}

/// <summary>Mixed_6b..6e: torchvision's InceptionC (factorized 7 x 7) with the FID pool.</summary>
internal sealed partial class FidInceptionC : Module
{
    /// <summary>Components are registered explicitly under PyTorch's names; TorchSharp's field-name registration would add duplicates.</summary>
    protected override void RegisterComponents() { }

    private readonly BasicConv2d b1x1, b7_1, b7_2, b7_3, bd_1, bd_2, bd_3, bd_4, bd_5, bPool;

    public FidInceptionC(long inChannels, long channels7x7) : base("FIDInceptionC")
    {
        long c7 = channels7x7;
        b1x1 = this.Register("branch1x1", new BasicConv2d(inChannels, 192, 1));
        b7_1 = this.Register("branch7x7_1", new BasicConv2d(inChannels, c7, 1));
        b7_2 = this.Register("branch7x7_2", new BasicConv2d(c7, c7, (1, 7), padding: (0, 3)));
        b7_3 = this.Register("branch7x7_3", new BasicConv2d(c7, 192, (7, 1), padding: (3, 0)));
        bd_1 = this.Register("branch7x7dbl_1", new BasicConv2d(inChannels, c7, 1));
        bd_2 = this.Register("branch7x7dbl_2", new BasicConv2d(c7, c7, (7, 1), padding: (3, 0)));
        bd_3 = this.Register("branch7x7dbl_3", new BasicConv2d(c7, c7, (1, 7), padding: (0, 3)));
        bd_4 = this.Register("branch7x7dbl_4", new BasicConv2d(c7, c7, (7, 1), padding: (3, 0)));
        bd_5 = this.Register("branch7x7dbl_5", new BasicConv2d(c7, 192, (1, 7), padding: (0, 3)));
        bPool = this.Register("branch_pool", new BasicConv2d(inChannels, 192, 1));
    }

    public override Tensor forward(Tensor x)
    {
        var a = b1x1.call(x);
        var b = Branches.Run(x, b7_1, b7_2, b7_3);
        var c = Branches.Run(x, bd_1, bd_2, bd_3, bd_4, bd_5);
        using var pooled = Branches.AveragePoolExcludingPadding(x);
        var d = bPool.call(pooled);
        return Branches.Concat(a, b, c, d);
    }
}

/// <summary>Mixed_7a: torchvision's InceptionD (grid reduction 17 -> 8).</summary>
internal sealed partial class InceptionD : Module
{
    /// <summary>Components are registered explicitly under PyTorch's names; TorchSharp's field-name registration would add duplicates.</summary>
    protected override void RegisterComponents() { }

    private readonly BasicConv2d b3_1, b3_2, b7_1, b7_2, b7_3, b7_4;

    public InceptionD(long inChannels) : base(nameof(InceptionD))
    {
        b3_1 = this.Register("branch3x3_1", new BasicConv2d(inChannels, 192, 1));
        b3_2 = this.Register("branch3x3_2", new BasicConv2d(192, 320, 3, stride: 2));
        b7_1 = this.Register("branch7x7x3_1", new BasicConv2d(inChannels, 192, 1));
        b7_2 = this.Register("branch7x7x3_2", new BasicConv2d(192, 192, (1, 7), padding: (0, 3)));
        b7_3 = this.Register("branch7x7x3_3", new BasicConv2d(192, 192, (7, 1), padding: (3, 0)));
        b7_4 = this.Register("branch7x7x3_4", new BasicConv2d(192, 192, 3, stride: 2));
    }

    public override Tensor forward(Tensor x)
    {
        var a = Branches.Run(x, b3_1, b3_2);
        var b = Branches.Run(x, b7_1, b7_2, b7_3, b7_4);
        var c = max_pool2d(x, 3, 2);
        return Branches.Concat(a, b, c);
    }
}

/// <summary>
/// Mixed_7b (FIDInceptionE_1: average pool excluding padding) and Mixed_7c (FIDInceptionE_2: 3 x 3 max pool,
/// stride 1, padding 1): torchvision's InceptionE with the FID pool branch.
/// </summary>
internal sealed partial class FidInceptionE : Module
{
    /// <summary>Components are registered explicitly under PyTorch's names; TorchSharp's field-name registration would add duplicates.</summary>
    protected override void RegisterComponents() { }

    private readonly BasicConv2d b1x1, b3_1, b3_2a, b3_2b, bd_1, bd_2, bd_3a, bd_3b, bPool;
    private readonly bool _maxPool;

    public FidInceptionE(long inChannels, bool maxPool) : base(maxPool ? "FIDInceptionE_2" : "FIDInceptionE_1")
    {
        _maxPool = maxPool;
        b1x1 = this.Register("branch1x1", new BasicConv2d(inChannels, 320, 1));
        b3_1 = this.Register("branch3x3_1", new BasicConv2d(inChannels, 384, 1));
        b3_2a = this.Register("branch3x3_2a", new BasicConv2d(384, 384, (1, 3), padding: (0, 1)));
        b3_2b = this.Register("branch3x3_2b", new BasicConv2d(384, 384, (3, 1), padding: (1, 0)));
        bd_1 = this.Register("branch3x3dbl_1", new BasicConv2d(inChannels, 448, 1));
        bd_2 = this.Register("branch3x3dbl_2", new BasicConv2d(448, 384, 3, padding: 1));
        bd_3a = this.Register("branch3x3dbl_3a", new BasicConv2d(384, 384, (1, 3), padding: (0, 1)));
        bd_3b = this.Register("branch3x3dbl_3b", new BasicConv2d(384, 384, (3, 1), padding: (1, 0)));
        bPool = this.Register("branch_pool", new BasicConv2d(inChannels, 192, 1));
    }

    public override Tensor forward(Tensor x)
    {
        var a = b1x1.call(x);
        Tensor b, c;
        using (var t = b3_1.call(x)) b = Branches.Concat(b3_2a.call(t), b3_2b.call(t));
        using (var t = Branches.Run(x, bd_1, bd_2)) c = Branches.Concat(bd_3a.call(t), bd_3b.call(t));
        using var pooled = _maxPool ? max_pool2d(x, 3, 1, 1) : Branches.AveragePoolExcludingPadding(x);
        var d = bPool.call(pooled);
        return Branches.Concat(a, b, c, d);
    }
}
