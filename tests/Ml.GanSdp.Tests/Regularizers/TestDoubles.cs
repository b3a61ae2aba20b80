using Ml.GanSdp.Models;
using Ml.GanSdp.Serialization;
using Ml.GanSdp.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace Ml.GanSdp.Tests.Regularizers;

/// <summary>Holds parameters for the test doubles (a module with no layers of its own).</summary>
internal sealed class ParameterHolder : torch.nn.Module
{
    /// <summary>Components are registered explicitly under PyTorch's names; TorchSharp's field-name registration would add duplicates.</summary>
    protected override void RegisterComponents() { }

    public ParameterHolder(string name) : base(name) { }
}

/// <summary>
/// The discriminator of the SDP golden vectors, in float64: Conv2d(1,4,3,1,1)+LReLU(0.2) -> Conv2d(4,8,3,2,1)+LReLU(0.2)
/// -> Linear(128 -> 1) on block 1 flattened in C,H,W order. Weights from ../shared/golden/sdp/w_*.npy.
/// </summary>
internal sealed class GoldenSdpDiscriminator : IDiscriminator
{
    /// <summary>The golden parameter names, in PyTorch's order.</summary>
    public static readonly string[] ParameterNames =
        { "blocks.0.0.weight", "blocks.0.0.bias", "blocks.1.0.weight", "blocks.1.0.bias", "out.weight", "out.bias" };

    private readonly ParameterHolder _module = new("GoldenSdpDiscriminator");

    /// <summary>The golden (float64) weights, converted to <paramref name="dtype"/>.</summary>
    public GoldenSdpDiscriminator(ScalarType dtype = ScalarType.Float64)
    {
        for (int i = 0; i < ParameterNames.Length; i++)
        {
            using var golden = Npy.Load(GoldenPath($"w_{ParameterNames[i]}.npy"));
            _module.register_parameter($"p{i}", new TorchSharp.Modules.Parameter(golden.to(dtype, copy: true)));
        }
    }

    public static string GoldenDir => Path.Combine(Repo.Shared, "golden", "sdp");
    public static string GoldenPath(string file) => Path.Combine(GoldenDir, file);

    public Tensor Parameter(string name) => _module.get_parameter($"p{Array.IndexOf(ParameterNames, name)}")!;
    public IReadOnlyList<Tensor> Parameters => ParameterNames.Select(Parameter).ToArray();

    public int NumClasses => 0;
    public torch.nn.Module Module => _module;

    public DiscriminatorOutput Forward(Tensor x, Tensor? labels = null)
    {
        using var c0 = conv2d(x, Parameter("blocks.0.0.weight"), Parameter("blocks.0.0.bias"), new long[] { 1, 1 }, new long[] { 1, 1 });
        var b0 = leaky_relu(c0, 0.2);
        using var c1 = conv2d(b0, Parameter("blocks.1.0.weight"), Parameter("blocks.1.0.bias"), new long[] { 2, 2 }, new long[] { 1, 1 });
        var b1 = leaky_relu(c1, 0.2);
        using var flat = b1.flatten(1);
        using var o = linear(flat, Parameter("out.weight"), Parameter("out.bias"));
        var scores = o.flatten();
        return new DiscriminatorOutput(scores, new[] { b0, b1 });
    }

    public void Dispose() => _module.Dispose();
}

/// <summary>A tiny float64 generator: z (N x 4) -> tanh(Linear(4 -> 64)) reshaped to N x 1 x 8 x 8; weights given.</summary>
internal sealed class TinyGenerator : IGenerator
{
    private readonly ParameterHolder _module = new("TinyGenerator");

    public TinyGenerator(Tensor weight, Tensor bias)
    {
        _module.register_parameter("weight", new TorchSharp.Modules.Parameter(weight));
        _module.register_parameter("bias", new TorchSharp.Modules.Parameter(bias));
    }

    public long LatentSize => 4;
    public long[] SampleShape => new long[] { 1, 8, 8 };
    public int NumClasses => 0;
    public torch.nn.Module Module => _module;

    public Tensor Forward(Tensor z, Tensor? labels = null)
    {
        using var l = linear(z, _module.get_parameter("weight")!, _module.get_parameter("bias"));
        using var t = l.tanh();
        return t.reshape(z.shape[0], 1, 8, 8);
    }

    public void Dispose() => _module.Dispose();
}
