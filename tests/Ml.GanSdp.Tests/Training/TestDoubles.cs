using Ml.GanSdp.Models;
using TorchSharp.Modules;
using Ml.GanSdp.Regularizers;
using Ml.GanSdp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Training;

/// <summary>Three linear layers with an activation between them; keeps the hidden outputs for D's block features.</summary>
internal sealed class TinyMlp : nn.Module
{
    /// <summary>Components are registered explicitly under PyTorch's names; TorchSharp's field-name registration would add duplicates.</summary>
    protected override void RegisterComponents() { }

    private readonly Linear _l1, _l2, _l3;
    private readonly double _slope;

    public TinyMlp(long input, long hidden, long output, double negativeSlope) : base(nameof(TinyMlp))
    {
        _l1 = nn.Linear(input, hidden);
        register_module("l1", _l1);
        _l2 = nn.Linear(hidden, hidden);
        register_module("l2", _l2);
        _l3 = nn.Linear(hidden, output);
        register_module("l3", _l3);
        _slope = negativeSlope;
    }

    public (Tensor output, Tensor h1, Tensor h2) Forward(Tensor x)
    {
        using var a1 = _l1.forward(x);
        var h1 = nn.functional.leaky_relu(a1, _slope);
        using var a2 = _l2.forward(h1);
        var h2 = nn.functional.leaky_relu(a2, _slope);
        return (_l3.forward(h2), h1, h2);
    }
}

/// <summary>A tiny MLP generator (z -> 2-D points by default).</summary>
internal sealed class TinyGenerator : IGenerator
{
    private readonly TinyMlp _net;

    public TinyGenerator(long latentSize = 4, long hidden = 16, long dim = 2)
    {
        LatentSize = latentSize;
        SampleShape = new[] { dim };
        _net = new TinyMlp(latentSize, hidden, dim, 0.0);
    }

    public long LatentSize { get; }
    public long[] SampleShape { get; }
    public int NumClasses => 0;
    public nn.Module Module => _net;

    public Tensor Forward(Tensor z, Tensor? labels = null)
    {
        var (y, h1, h2) = _net.Forward(z);
        h1.Dispose();
        h2.Dispose();
        return y;
    }

    public void Dispose() => _net.Dispose();
}

/// <summary>A tiny MLP discriminator returning its two hidden layers as N x H x 1 x 1 block features.</summary>
internal sealed class TinyDiscriminator : IDiscriminator
{
    private readonly TinyMlp _net;

    private readonly long _dim, _hidden;

    public TinyDiscriminator(long dim = 2, long hidden = 16)
    {
        (_dim, _hidden) = (dim, hidden);
        _net = new TinyMlp(dim, hidden, 1, 0.2);
    }

    public int NumClasses => 0;
    public nn.Module Module => _net;

    /// <summary>How many times <see cref="Forward"/> ran.</summary>
    public int Forwards { get; private set; }

    /// <summary>A new discriminator holding a copy of this one's current weights.</summary>
    public TinyDiscriminator Copy()
    {
        var copy = new TinyDiscriminator(_dim, _hidden);
        copy.Module.load_state_dict(_net.state_dict());
        return copy;
    }

    public DiscriminatorOutput Forward(Tensor x, Tensor? labels = null)
    {
        Forwards++;
        var (y, h1, h2) = _net.Forward(x);
        var scores = y.squeeze(1);
        y.Dispose();
        var f1 = h1.reshape(h1.size(0), h1.size(1), 1, 1);
        var f2 = h2.reshape(h2.size(0), h2.size(1), 1, 1);
        h1.Dispose();
        h2.Dispose();
        return new DiscriminatorOutput(scores, new[] { f1, f2 });
    }

    public void Dispose() => _net.Dispose();
}

/// <summary>An R1-like D penalty (gamma/2 E||grad_x D(x)||^2 on reals) through autograd.grad, reporting the gradient norm.</summary>
internal sealed class TestGradientPenalty : IRegularizer
{
    private readonly double _gamma;
    public TestGradientPenalty(double gamma = 1.0) => _gamma = gamma;
    public string Name => "r1";
    public int DiscriminatorCalls { get; private set; }

    public PenaltyTerm? DiscriminatorTerm(RegularizerContext context)
    {
        DiscriminatorCalls++;
        var x = context.Real.detach().requires_grad_();
        using var output = context.Discriminator.Forward(x, context.RealLabels);
        using var sum = output.Scores.sum();
        var grad = autograd.grad(new[] { sum }, new[] { x }, retain_graph: true, create_graph: true)[0]!;
        var sq = grad.square();
        var perSample = sq.sum(1);
        var mean = perSample.mean();
        var loss = mean * (_gamma / 2);
        return new PenaltyTerm(loss, new Dictionary<string, double> { ["grad_norm"] = Math.Sqrt(mean.ToDouble()) });
    }

    public PenaltyTerm? GeneratorTerm(RegularizerContext context) => null;
}

/// <summary>
/// An SDP-shaped test double: a D term on the block features (fake vs real means) and a G term that needs
/// the real scores in the G step (it fails when <see cref="RegularizerContext.RealOutput"/> is missing).
/// </summary>
internal sealed class TestScoreGap : IRegularizer
{
    private readonly double _weight;
    public TestScoreGap(double weight = 0.1) => _weight = weight;
    public string Name => "gap";
    public int GeneratorCalls { get; private set; }
    public bool? SawRealOutputInGeneratorStep { get; private set; }
    public bool? GeneratorStepFakeRequiresGrad { get; private set; }
    /// <summary>The RealOutput the last G step passed (a reference, valid only while its owner keeps it).</summary>
    public DiscriminatorOutput? GeneratorStepRealOutput { get; private set; }

    public PenaltyTerm? DiscriminatorTerm(RegularizerContext context)
    {
        var real = context.RealOutput!.BlockFeatures[^1].mean();
        var fake = context.FakeOutput.BlockFeatures[^1].mean();
        var diff = fake - real;
        return new PenaltyTerm(diff.square() * _weight);
    }

    public PenaltyTerm? GeneratorTerm(RegularizerContext context)
    {
        GeneratorCalls++;
        SawRealOutputInGeneratorStep = context.RealOutput is not null;
        GeneratorStepRealOutput = context.RealOutput;
        GeneratorStepFakeRequiresGrad = context.Fake.requires_grad;
        if (context.RealOutput is null) return null;
        var real = context.RealOutput.Scores.mean();
        var fake = context.FakeOutput.Scores.mean();
        var gap = fake - real;
        var loss = gap.square() * _weight;
        return new PenaltyTerm(loss, new Dictionary<string, double> { ["k"] = 1 + context.Iteration / 10, ["score_gap"] = gap.ToDouble() });
    }
}

/// <summary>
/// Adds nothing; keeps copies of what the steps showed the regularizers: in each D step the real batch and a copy of D
/// as the step saw it (before its update), in the G step the real batch, the fakes, D's output on them and the real
/// output the trainer passed (all detached clones, owned by the recorder).
/// </summary>
internal sealed class ContextRecorder : IRegularizer, IDisposable
{
    public string Name => "recorder";
    public Tensor? LastDiscriminatorStepReal { get; private set; }
    public TinyDiscriminator? LastDiscriminatorStepD { get; private set; }
    public Tensor? GeneratorStepReal { get; private set; }
    public Tensor? GeneratorStepFake { get; private set; }
    public DiscriminatorOutput? GeneratorStepFakeOutput { get; private set; }
    public DiscriminatorOutput? GeneratorStepRealOutput { get; private set; }

    public PenaltyTerm? DiscriminatorTerm(RegularizerContext context)
    {
        LastDiscriminatorStepReal?.Dispose();
        LastDiscriminatorStepD?.Dispose();
        LastDiscriminatorStepReal = Keep(context.Real);
        LastDiscriminatorStepD = ((TinyDiscriminator)context.Discriminator).Copy();
        return null;
    }

    public PenaltyTerm? GeneratorTerm(RegularizerContext context)
    {
        DisposeGeneratorStep();
        GeneratorStepReal = Keep(context.Real);
        GeneratorStepFake = Keep(context.Fake);
        GeneratorStepFakeOutput = Keep(context.FakeOutput);
        GeneratorStepRealOutput = context.RealOutput is null ? null : Keep(context.RealOutput);
        return null;
    }

    private static Tensor Keep(Tensor t) => t.detach().clone().DetachFromDisposeScope();

    private static DiscriminatorOutput Keep(DiscriminatorOutput o) => new(Keep(o.Scores), o.BlockFeatures.Select(Keep).ToArray());

    private void DisposeGeneratorStep()
    {
        GeneratorStepReal?.Dispose();
        GeneratorStepFake?.Dispose();
        GeneratorStepFakeOutput?.Dispose();
        GeneratorStepRealOutput?.Dispose();
    }

    public void Dispose()
    {
        DisposeGeneratorStep();
        LastDiscriminatorStepReal?.Dispose();
        LastDiscriminatorStepD?.Dispose();
    }
}

/// <summary>Returns a zero penalty, or a NaN one at iteration <see cref="At"/>, in the D or the G step.</summary>
internal sealed class NanAt : IRegularizer
{
    public NanAt(long at, bool inGeneratorStep)
    {
        At = at;
        InGeneratorStep = inGeneratorStep;
    }

    public long At { get; }
    public bool InGeneratorStep { get; }
    public string Name => "nan";

    public PenaltyTerm? DiscriminatorTerm(RegularizerContext context) => InGeneratorStep ? null : Term(context);
    public PenaltyTerm? GeneratorTerm(RegularizerContext context) => InGeneratorStep ? Term(context) : null;

    private PenaltyTerm Term(RegularizerContext context)
    {
        var zero = context.FakeOutput.Scores.sum() * 0.0;
        return new PenaltyTerm(context.Iteration == At ? zero + double.NaN : zero);
    }
}

/// <summary>Builds tiny GANs and 2-D data (a ring of 8 Gaussians) reproducibly.</summary>
internal static class TinyGan
{
    public static (TinyGenerator g, TinyDiscriminator d, TinyGenerator? ema) Models(long seed, bool ema = false)
    {
        manual_seed(seed);
        var g = new TinyGenerator();
        var d = new TinyDiscriminator();
        return (g, d, ema ? new TinyGenerator() : null);
    }

    public static TensorBatchSource Ring(int n = 256)
    {
        using var scope = NewDisposeScope();
        using var rng = new Generator(123);
        var k = randint(0, 8, new long[] { n }, ScalarType.Int64, generator: rng).to(ScalarType.Float32) * (2 * Math.PI / 8);
        var points = stack(new[] { k.cos(), k.sin() }, 1) * 2 + randn(new long[] { n, 2 }, ScalarType.Float32, generator: rng) * 0.05;
        return new TensorBatchSource(points);
    }

    public static GanTrainerOptions Options(long iterations = 20) => new()
    {
        LatentSize = 4,
        BatchSize = 16,
        Iterations = iterations,
        GeneratorLearningRate = 1e-3,
        DiscriminatorLearningRate = 2e-3,
        Seed = 7,
        ProgressInterval = 1000,
    };

    public static float[] Flat(nn.Module m) => m.parameters().SelectMany(p =>
    {
        using var a = p.detach();
        using var c = a.contiguous();
        return c.ToArray<float>();
    }).ToArray();
}

/// <summary>An IProgress that records synchronously (Progress&lt;T&gt; posts to a thread pool).</summary>
internal sealed class ListProgress<T> : IProgress<T>
{
    public List<T> Items { get; } = new();
    public void Report(T value) => Items.Add(value);
}
