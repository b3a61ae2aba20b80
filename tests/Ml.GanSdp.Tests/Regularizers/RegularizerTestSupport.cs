using Ml.GanSdp.Models;
using Ml.GanSdp.Regularizers;
using Ml.GanSdp.Serialization;
using Ml.GanSdp.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Regularizers;

/// <summary>Inputs shared by the regularizer tests: the golden SDP discriminator and batch, a tiny generator, contexts, the oracle.</summary>
internal static class RegularizerTestSupport
{
    public static Tensor GoldenReal() => Npy.Load(GoldenSdpDiscriminator.GoldenPath("real.npy"));
    public static Tensor GoldenFake() => Npy.Load(GoldenSdpDiscriminator.GoldenPath("fake.npy"));

    /// <summary>A seeded tiny generator (float64) and its weights' copies for the oracle.</summary>
    public static TinyGenerator MakeGenerator(long seed = 11)
    {
        using var g = new Generator(unchecked((ulong)seed), CPU);
        var w = randn(new long[] { 64, 4 }, ScalarType.Float64, generator: g) * 0.5;
        var b = randn(new long[] { 64 }, ScalarType.Float64, generator: g) * 0.1;
        return new TinyGenerator(w.DetachFromDisposeScope(), b.DetachFromDisposeScope());
    }

    public static RegularizerContext Context(IDiscriminator d, IGenerator g, Tensor real, Tensor fake, DiscriminatorOutput? realOutput,
        DiscriminatorOutput fakeOutput, Tensor latent, long iteration, Generator random, Tensor? realLabels = null, Tensor? fakeLabels = null)
        => new()
        {
            Discriminator = d, Generator = g, Real = real, Fake = fake, RealOutput = realOutput, FakeOutput = fakeOutput,
            Latent = latent, Iteration = iteration, Random = random, RealLabels = realLabels, FakeLabels = fakeLabels,
        };

    /// <summary>
    /// Runs Oracles/regularizers_oracle.py in <paramref name="mode"/> on the .npy inputs already in <paramref name="dir"/>;
    /// returns the value and its gradients (in the oracle's parameter order).
    /// </summary>
    public static (double Value, Tensor[] Grads) Oracle(string mode, TempDir dir, int gradCount)
    {
        Python.Run("regularizers_oracle.py", mode, dir.Path, GoldenSdpDiscriminator.GoldenDir);
        using var v = Npy.Load(dir.File("value.npy"));
        var grads = Enumerable.Range(0, gradCount).Select(i => Npy.Load(dir.File($"grad_{i}.npy"))).ToArray();
        return (v.ToDouble(), grads);
    }

    /// <summary>Asserts that our value and its gradients with respect to <paramref name="inputs"/> match the oracle's.</summary>
    public static void AssertMatches(string mode, TempDir dir, Tensor value, IReadOnlyList<Tensor> inputs, double tol = 1e-9)
    {
        var (expected, expectedGrads) = Oracle(mode, dir, inputs.Count);
        Assert.AreEqual(expected, value.ToDouble(), tol * Math.Max(1, Math.Abs(expected)), $"{mode}: value");
        // Unused inputs (the last layer's bias for input-gradient penalties) have zero gradient.
        var grads = autograd.grad(new[] { value }, inputs.ToList(), retain_graph: true, allow_unused: true);
        for (int i = 0; i < inputs.Count; i++)
        {
            // TorchSharp returns an empty tensor (no handle) for an unused input where PyTorch returns None.
            var actual = grads[i] is { IsInvalid: false } gi ? gi : zeros_like(inputs[i]);
            TensorAssert.Close(expectedGrads[i], actual, 1e-7, tol, $"{mode}: gradient {i}");
            expectedGrads[i].Dispose();
            actual.Dispose();
        }
    }

    public static Tensor zeros_like(Tensor t) => zeros(t.shape, t.dtype);

    public static void Save(TempDir dir, string name, Tensor t) => Npy.Save(dir.File(name + ".npy"), t);
}

/// <summary>
/// The golden SDP discriminator and batch with the tiny generator, D's outputs on the reals and fakes and zero
/// latents: the inputs most regularizer tests share. Disposing it frees the models and the outputs.
/// </summary>
internal sealed class GoldenBatch : IDisposable
{
    public GoldenBatch()
    {
        D = new GoldenSdpDiscriminator();
        G = RegularizerTestSupport.MakeGenerator();
        Real = RegularizerTestSupport.GoldenReal();
        Fake = RegularizerTestSupport.GoldenFake();
        RealOutput = D.Forward(Real);
        FakeOutput = D.Forward(Fake);
        Latent = zeros(new long[] { 8, 4 }, ScalarType.Float64);
    }

    public GoldenSdpDiscriminator D { get; }
    public TinyGenerator G { get; }
    public Tensor Real { get; }
    public Tensor Fake { get; }
    public DiscriminatorOutput RealOutput { get; }
    public DiscriminatorOutput FakeOutput { get; }
    public Tensor Latent { get; }

    public void Deconstruct(out GoldenSdpDiscriminator d, out TinyGenerator g, out Tensor real, out Tensor fake,
        out DiscriminatorOutput realOutput, out DiscriminatorOutput fakeOutput, out Tensor latent)
        => (d, g, real, fake, realOutput, fakeOutput, latent) = (D, G, Real, Fake, RealOutput, FakeOutput, Latent);

    public void Dispose()
    {
        RealOutput.Dispose();
        FakeOutput.Dispose();
        D.Dispose();
        G.Dispose();
    }
}
