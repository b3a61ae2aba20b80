namespace Ml.GanSdp.Regularizers;

/// <summary>The stabilizers that <see cref="RegularizerFactory"/> builds from options.</summary>
public enum RegularizerKind
{
    /// <summary>WGAN-GP one-centred gradient penalty (Gulrajani et al. 2017); weight = lambda (default 10).</summary>
    WganGp,
    /// <summary>R1 zero-centred penalty at reals (Mescheder et al. 2018); weight = gamma (default 10).</summary>
    R1,
    /// <summary>R2 zero-centred penalty at fakes; weight = gamma (default 10).</summary>
    R2,
    /// <summary>DRAGAN (Kodali et al. 2017); weight = lambda (default 10).</summary>
    Dragan,
    /// <summary>Consistency regularization on reals (Zhang et al. 2020); weight = lambda (default 10).</summary>
    Cr,
    /// <summary>Balanced CR on reals and fakes (Zhao et al. 2021); weight = lambda_real = lambda_fake (default 10).</summary>
    Bcr,
    /// <summary>Latent consistency zCR (Zhao et al. 2021); weight = lambda_dis (default 5; lambda_gen stays 0.5).</summary>
    Zcr,
    /// <summary>Feature matching generator loss (Salimans et al. 2016); weight default 1.</summary>
    FeatureMatching,
}

/// <summary>A serializable choice of stabilizer and its main weight (null keeps the method's default).</summary>
public sealed record RegularizerSpec(RegularizerKind Kind, double? Weight = null)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the bad field.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Kind)) throw new ArgumentException($"RegularizerSpec.Kind {(int)Kind} is not a defined RegularizerKind.");
        if (Weight is { } w && !(w >= 0 && double.IsFinite(w)))
            throw new ArgumentException($"RegularizerSpec.Weight of {Kind} must be a finite non-negative number (got {w}).");
    }
}

/// <summary>Builds regularizer instances from their options, in a fixed order: SDP first, then the specs as listed.</summary>
public static class RegularizerFactory
{
    /// <summary>The regularizers for <paramref name="specs"/> plus SDP when <paramref name="sdp"/> is given.</summary>
    public static IReadOnlyList<IRegularizer> Create(IEnumerable<RegularizerSpec> specs, SdpOptions? sdp = null)
    {
        var list = new List<IRegularizer>();
        if (sdp is not null) list.Add(new SdpRegularizer(sdp));
        foreach (var s in specs)
        {
            s.Validate();
            list.Add(Create(s));
        }
        return list;
    }

    /// <summary>One regularizer.</summary>
    public static IRegularizer Create(RegularizerSpec spec) => spec.Kind switch
    {
        RegularizerKind.WganGp => new GradientPenalty(spec.Weight is { } w ? new GradientPenaltyOptions { Weight = w } : null),
        RegularizerKind.R1 => new R1Penalty(spec.Weight is { } w ? new ZeroCenteredPenaltyOptions { Gamma = w } : null),
        RegularizerKind.R2 => new R2Penalty(spec.Weight is { } w ? new ZeroCenteredPenaltyOptions { Gamma = w } : null),
        RegularizerKind.Dragan => new Dragan(spec.Weight is { } w ? new DraganOptions { Weight = w } : null),
        RegularizerKind.Cr => new ConsistencyRegularization(spec.Weight is { } w ? new ConsistencyOptions { Weight = w } : null),
        RegularizerKind.Bcr => new BalancedConsistencyRegularization(spec.Weight is { } w ? new BalancedConsistencyOptions { RealWeight = w, FakeWeight = w } : null),
        RegularizerKind.Zcr => new LatentConsistencyRegularization(spec.Weight is { } w ? new LatentConsistencyOptions { DiscriminatorWeight = w } : null),
        RegularizerKind.FeatureMatching => new FeatureMatching(spec.Weight is { } w ? new FeatureMatchingOptions { Weight = w } : null),
        _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Kind, "Unknown regularizer kind."),
    };
}
