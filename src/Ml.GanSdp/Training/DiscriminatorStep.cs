using Ml.GanSdp.Losses;
using Ml.GanSdp.Models;
using Ml.GanSdp.Regularizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Training;

/// <summary>
/// One discriminator update: draw a real batch and latent codes, generate fakes without gradient, run D
/// once on the reals and once on the fakes, minimize the adversarial D loss plus every regularizer's
/// <see cref="IRegularizer.DiscriminatorTerm"/>, and take an optimizer step on D. All temporaries live in
/// a dispose scope that closes with the step.
/// </summary>
public sealed class DiscriminatorStep
{
    private readonly IGenerator _generator;
    private readonly IDiscriminator _discriminator;
    private readonly IGanLoss _loss;
    private readonly IReadOnlyList<IRegularizer> _regularizers;
    private readonly optim.Optimizer _optimizer;
    private readonly IBatchSource _data;
    private readonly Generator _dataRng;
    private readonly LatentSampler _latents;
    private readonly int _batchSize;
    private readonly double _maxLossMagnitude;

    /// <summary>
    /// Creates the step over the given networks, loss, regularizers, D's optimizer and data; batches are moved to
    /// the latent sampler's device; a loss beyond <paramref name="maxLossMagnitude"/> counts as divergence.
    /// </summary>
    public DiscriminatorStep(IGenerator generator, IDiscriminator discriminator, IGanLoss loss, IReadOnlyList<IRegularizer> regularizers,
        optim.Optimizer optimizer, IBatchSource data, Generator dataRng, LatentSampler latents, int batchSize, double maxLossMagnitude = 1e6)
    {
        _maxLossMagnitude = maxLossMagnitude;
        _generator = generator;
        _discriminator = discriminator;
        _loss = loss;
        _regularizers = regularizers;
        _optimizer = optimizer;
        _data = data;
        _dataRng = dataRng;
        _latents = latents;
        _batchSize = batchSize;
    }

    /// <summary>
    /// Runs the step for the 0-based generator iteration <paramref name="iteration"/>. On success the real
    /// batch is handed to the caller in <paramref name="real"/> (the caller disposes it; the generator step
    /// reuses it). Throws <see cref="TrainingDivergedException"/> before any update when a term is not finite.
    /// </summary>
    public StepResult Run(long iteration, out TrainingBatch real) => Run(iteration, keepRealOutput: false, out real, out _);

    /// <summary>
    /// As <see cref="Run(long, out TrainingBatch)"/>; with <paramref name="keepRealOutput"/> the step also hands over
    /// D's output on the real batch, detached (scores and block features as this step's forward computed them, i.e.
    /// from D before this step's optimizer update), in <paramref name="realOutput"/> for the generator step to reuse
    /// (<see cref="GeneratorRealOutput.ReuseDiscriminatorStep"/>); the caller disposes it. Null otherwise.
    /// </summary>
    public StepResult Run(long iteration, bool keepRealOutput, out TrainingBatch real, out DiscriminatorOutput? realOutput)
    {
        using var scope = NewDisposeScope();
        var batch = _data.NextBatch(_batchSize, _dataRng).To(_latents.Device);
        if (batch.Samples.dim() < 1 || batch.Samples.size(0) != _batchSize)
            throw new InvalidOperationException($"{_data.GetType().Name}.NextBatch returned samples of shape [{string.Join(", ", batch.Samples.shape)}] for a batch of {_batchSize}.");
        var (z, fakeLabels) = _latents.Sample(_batchSize);
        Tensor fake;
        using (no_grad()) fake = _generator.Forward(z, fakeLabels);
        var realOutputForward = _discriminator.Forward(batch.Samples, batch.Labels);
        var fakeOutput = _discriminator.Forward(fake, fakeLabels);
        var adversarial = _loss.DiscriminatorLoss(realOutputForward.Scores, fakeOutput.Scores);
        var context = new RegularizerContext
        {
            Discriminator = _discriminator,
            Generator = _generator,
            Real = batch.Samples,
            Fake = fake,
            RealOutput = realOutputForward,
            FakeOutput = fakeOutput,
            Latent = z,
            RealLabels = batch.Labels,
            FakeLabels = fakeLabels,
            Iteration = iteration,
            Random = _latents.Random,
        };
        var (total, result) = StepObjective.Combine(adversarial, _regularizers, r => r.DiscriminatorTerm(context), iteration, "discriminator", _maxLossMagnitude);
        _optimizer.zero_grad();
        total.backward();
        _optimizer.step();
        realOutput = keepRealOutput ? Detached(realOutputForward) : null;
        real = batch.DetachFromDisposeScope();
        return result;
    }

    /// <summary>Detached aliases of a forward's scores and block features, outside every dispose scope (the values are not copied).</summary>
    private static DiscriminatorOutput Detached(DiscriminatorOutput output)
    {
        var scores = output.Scores.detach().DetachFromDisposeScope();
        var features = output.BlockFeatures.Select(f => f.detach().DetachFromDisposeScope()).ToArray();
        return new DiscriminatorOutput(scores, features);
    }
}
