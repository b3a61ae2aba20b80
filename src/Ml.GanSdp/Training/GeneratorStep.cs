using Ml.GanSdp.Losses;
using Ml.GanSdp.Models;
using Ml.GanSdp.Regularizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Training;

/// <summary>
/// One generator update: draw latent codes, generate fakes with gradient, run D (its parameters frozen) on
/// the fakes, and, when asked, on the iteration's real batch (so regularizers such as SDP get
/// <see cref="RegularizerContext.RealOutput"/>); minimize the adversarial G loss plus every regularizer's
/// <see cref="IRegularizer.GeneratorTerm"/>; take an optimizer step on G only.
/// </summary>
public sealed class GeneratorStep
{
    private readonly IGenerator _generator;
    private readonly IDiscriminator _discriminator;
    private readonly IGanLoss _loss;
    private readonly IReadOnlyList<IRegularizer> _regularizers;
    private readonly optim.Optimizer _optimizer;
    private readonly LatentSampler _latents;
    private readonly int _batchSize;
    private readonly bool _realOutput;
    private readonly double _maxLossMagnitude;

    /// <summary>Creates the step; <paramref name="computeRealOutput"/> runs D on the reals too; a loss beyond <paramref name="maxLossMagnitude"/> counts as divergence.</summary>
    public GeneratorStep(IGenerator generator, IDiscriminator discriminator, IGanLoss loss, IReadOnlyList<IRegularizer> regularizers,
        optim.Optimizer optimizer, LatentSampler latents, int batchSize, bool computeRealOutput, double maxLossMagnitude = 1e6)
    {
        _maxLossMagnitude = maxLossMagnitude;
        _generator = generator;
        _discriminator = discriminator;
        _loss = loss;
        _regularizers = regularizers;
        _optimizer = optimizer;
        _latents = latents;
        _batchSize = batchSize;
        _realOutput = computeRealOutput;
    }

    /// <summary>
    /// Runs the step for the 0-based generator iteration <paramref name="iteration"/> with the real batch of the
    /// iteration's last D step. D's parameters get no gradient and are not updated. When
    /// <paramref name="discriminatorStepRealOutput"/> is given (that D step's detached output on <paramref name="real"/>,
    /// <see cref="GeneratorRealOutput.ReuseDiscriminatorStep"/>), the regularizers receive it as
    /// <see cref="RegularizerContext.RealOutput"/> and D is not run on the reals; otherwise D runs on them when the step
    /// was created with <c>computeRealOutput</c>. The caller keeps ownership of both. Throws
    /// <see cref="TrainingDivergedException"/> before any update when a term is not finite.
    /// </summary>
    public StepResult Run(long iteration, TrainingBatch real, DiscriminatorOutput? discriminatorStepRealOutput = null)
    {
        using var scope = NewDisposeScope();
        using var frozen = new FrozenParameters(_discriminator.Module);
        var (z, fakeLabels) = _latents.Sample(_batchSize);
        var fake = _generator.Forward(z, fakeLabels);
        var fakeOutput = _discriminator.Forward(fake, fakeLabels);
        var realOutput = discriminatorStepRealOutput ?? (_realOutput ? _discriminator.Forward(real.Samples, real.Labels) : null);
        var adversarial = _loss.GeneratorLoss(fakeOutput.Scores);
        var context = new RegularizerContext
        {
            Discriminator = _discriminator,
            Generator = _generator,
            Real = real.Samples,
            Fake = fake,
            RealOutput = realOutput,
            FakeOutput = fakeOutput,
            Latent = z,
            RealLabels = real.Labels,
            FakeLabels = fakeLabels,
            Iteration = iteration,
            Random = _latents.Random,
        };
        var (total, result) = StepObjective.Combine(adversarial, _regularizers, r => r.GeneratorTerm(context), iteration, "generator", _maxLossMagnitude);
        _optimizer.zero_grad();
        total.backward();
        _optimizer.step();
        return result;
    }

    /// <summary>Turns off requires_grad on a module's parameters until disposed (StudioGAN's toggle_grad).</summary>
    private sealed class FrozenParameters : IDisposable
    {
        private readonly List<Tensor> _frozen = new();

        public FrozenParameters(nn.Module module)
        {
            foreach (var p in module.parameters())
            {
                if (!p.requires_grad) continue;
                p.requires_grad = false;
                _frozen.Add(p);
            }
        }

        public void Dispose()
        {
            foreach (var p in _frozen) p.requires_grad = true;
            _frozen.Clear();
        }
    }
}
