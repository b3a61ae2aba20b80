namespace Ml.GanSdp;

/// <summary>
/// What one <see cref="GanSdpEstimator.Fit"/> trained: available as <see cref="GanSdpEstimator.LastTrainingSummary"/>,
/// through <see cref="GanSdpOptions.OnTrainingFinished"/>, and in the fitted model's ONNX metadata
/// (<see cref="GanSdpModelInfo.Training"/>).
/// </summary>
public sealed record GanSdpTrainingSummary
{
    /// <summary>Generator iterations completed in total (including those of a resumed checkpoint).</summary>
    public long Iterations { get; init; }

    /// <summary>Iterations trained by this fit (fewer than <see cref="Iterations"/> after a resume).</summary>
    public long IterationsThisFit { get; init; }

    /// <summary>Wall-clock seconds of the training loop of this fit (reading the data and exporting excluded).</summary>
    public double Seconds { get; init; }

    /// <summary>Rows read from the input and trained on.</summary>
    public long Rows { get; init; }

    /// <summary>The last iteration's total D loss (null when this fit trained no iteration).</summary>
    public double? DiscriminatorLoss { get; init; }

    /// <summary>The last iteration's total G loss (null when this fit trained no iteration).</summary>
    public double? GeneratorLoss { get; init; }

    /// <summary>
    /// Every term of the last iteration by name (<see cref="Training.TrainingProgress.Terms"/>): <c>D/adversarial</c>,
    /// <c>G/adversarial</c>, and for SDP <c>D/sdp</c>, <c>G/sdp</c> (lambda/k L_SDP) with the metrics <c>G/sdp/k</c>,
    /// <c>G/sdp/l_sdp</c>, <c>G/sdp/score_gap</c> (and the D side), and the terms of any other regularizer.
    /// </summary>
    public IReadOnlyDictionary<string, double> Terms { get; init; } = new Dictionary<string, double>();

    /// <summary>Whether the exported generator is the EMA generator (true with <see cref="GanSdpOptions.EmaDecay"/>) rather than G.</summary>
    public bool ExportedEmaGenerator { get; init; }

    /// <summary>The checkpoint this fit resumed from, or null.</summary>
    public string? ResumedFrom { get; init; }

    /// <summary>The last checkpoint written (or resumed from), or null.</summary>
    public string? LastCheckpoint { get; init; }
}
