using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Regularizers;

/// <summary>How SDP normalizes a block's globally max-pooled feature vector h (eq. (6) of Zhang et al.).</summary>
public enum SdpNormalization
{
    /// <summary>h / ||h||_2: unit vectors, so each block term lies in [0, 4] per pair (the default).</summary>
    Unit,
    /// <summary>h / ||h||_2^2, eq. (6) exactly as printed in the paper.</summary>
    PaperSquaredNorm,
}

/// <summary>Which score SDP compares between a realistic fake and its nearest real (eq. (5)).</summary>
public enum SdpScore
{
    /// <summary>The raw discriminator output D(x) (pre-sigmoid logit or critic value; the default).</summary>
    Raw,
    /// <summary>sigmoid(D(x)), the probability of "real" under the BCE interpretation.</summary>
    Probability,
}

/// <summary>
/// The outcome of one SDP evaluation: the differentiable penalty and what went into it. Dispose it to free
/// the tensors (<see cref="Loss"/> included; detach or clone what you keep).
/// </summary>
public sealed class SdpResult : IDisposable
{
    internal SdpResult(Tensor loss, Tensor scoreTerm, IReadOnlyList<Tensor> blockTerms, long[] fakeIndices, long[] realIndices,
        Tensor squaredDistances, IReadOnlyList<Tensor> selectedFakeFeatures, IReadOnlyList<Tensor> selectedRealFeatures, double scoreGap)
    {
        Loss = loss;
        ScoreTerm = scoreTerm;
        BlockTerms = blockTerms;
        FakeIndices = fakeIndices;
        RealIndices = realIndices;
        SquaredDistances = squaredDistances;
        SelectedFakeFeatures = selectedFakeFeatures;
        SelectedRealFeatures = selectedRealFeatures;
        ScoreGap = scoreGap;
    }

    /// <summary>L_SDP of eq. (8): <see cref="ScoreTerm"/> + the sum of <see cref="BlockTerms"/> (scalar; no lambda, no 1/k).</summary>
    public Tensor Loss { get; }

    /// <summary>sum_i (s(G(z'_i)) - s(x'_i))^2 (scalar).</summary>
    public Tensor ScoreTerm { get; }

    /// <summary>For each block j: sum_i ||N(GMP(D_j(G(z'_i)))) - N(GMP(D_j(x'_i)))||^2 (scalars, in block order).</summary>
    public IReadOnlyList<Tensor> BlockTerms { get; }

    /// <summary>The effective k (after clamping to the batch size).</summary>
    public int K => FakeIndices.Length;

    /// <summary>Indices of the k fakes with the highest scores, by descending score (eq. (3)).</summary>
    public long[] FakeIndices { get; }

    /// <summary>For each selected fake, the index of its nearest real in the batch (eq. (4)).</summary>
    public long[] RealIndices { get; }

    /// <summary>Squared Euclidean distances from each selected fake to every real (k x N_real, no grad).</summary>
    public Tensor SquaredDistances { get; }

    /// <summary>Per block, the normalized pooled features of the selected fakes (k x C_j).</summary>
    public IReadOnlyList<Tensor> SelectedFakeFeatures { get; }

    /// <summary>Per block, the normalized pooled features of the paired reals (k x C_j).</summary>
    public IReadOnlyList<Tensor> SelectedRealFeatures { get; }

    /// <summary>Mean over the selected pairs of D(x'_i) - D(G(z'_i)) with raw scores: how strictly D still separates the pairs.</summary>
    public double ScoreGap { get; }

    /// <summary>Frees every tensor of the result.</summary>
    public void Dispose()
    {
        Loss.Dispose();
        ScoreTerm.Dispose();
        foreach (var t in BlockTerms) t.Dispose();
        SquaredDistances.Dispose();
        foreach (var t in SelectedFakeFeatures) t.Dispose();
        foreach (var t in SelectedRealFeatures) t.Dispose();
    }
}

/// <summary>
/// Sample differences penalization (SDP; Zhang et al., "Sample differences penalization for GANs", Sec. III-A).
/// Given one batch of m reals and m fakes and ONE discriminator forward on each:
/// <list type="number">
/// <item>D_rg: the k fakes with the highest scores D(G(z)), in descending order (eq. (3));</item>
/// <item>D_rn: for each, its nearest real x'_i = argmin_x ||x - G(z'_i)||_2^2 over the batch's flattened
/// pixels, computed without gradient (eq. (4)); in the conditional case, among the reals of the same class when
/// the batch has one, else among all reals;</item>
/// <item>L_SDP = sum_i (s(G(z'_i)) - s(x'_i))^2 + sum_i sum_j ||N(GMP(D_j(G(z'_i)))) - N(GMP(D_j(x'_i)))||_2^2
/// (eq. (5)-(8)), where s is the raw score or its sigmoid, GMP the global max pool over the spatial dimensions
/// and N the normalization of eq. (6) (see <see cref="SdpNormalization"/>).</item>
/// </list>
/// The result carries no lambda and no 1/k: the objectives add (lambda/k) L_SDP (see <see cref="SdpRegularizer"/>).
/// The loss is differentiable with respect to both score paths and all block features (hence D's parameters and,
/// through attached fakes, G's).
/// </summary>
public static class SampleDifferencesPenalty
{
    /// <summary>
    /// Floor applied to ||h||_2 (<see cref="SdpNormalization.Unit"/>) or ||h||_2^2 (<see cref="SdpNormalization.PaperSquaredNorm"/>)
    /// before dividing, so that an all-zero pooled feature (for example a ReLU block that is dead on a sample)
    /// gives a zero vector instead of NaN. It is far below any norm seen in practice, so it changes nothing else.
    /// </summary>
    public const double NormEpsilon = 1e-12;

    /// <summary>
    /// Computes L_SDP for one batch. <paramref name="realScores"/>/<paramref name="fakeScores"/> are D's raw outputs (shape N)
    /// and the block features D's per-block outputs (N x C_j x ...), all from the step's forward passes.
    /// </summary>
    /// <param name="realImages">The reals (N_r x ...): used only for the nearest-neighbour search (no grad).</param>
    /// <param name="fakeImages">The fakes (N_f x ...): used only for the nearest-neighbour search (no grad).</param>
    /// <param name="realScores">D(x), shape N_r.</param>
    /// <param name="fakeScores">D(G(z)), shape N_f; the top k select the realistic fakes.</param>
    /// <param name="realBlockFeatures">D_j(x) for each block j.</param>
    /// <param name="fakeBlockFeatures">D_j(G(z)) for each block j (same count and channels as the reals').</param>
    /// <param name="k">Number of realistic fakes; values above N_f are clamped to N_f (all fakes); below 1 is an error.</param>
    /// <param name="normalization">How pooled features are normalized.</param>
    /// <param name="scoreMode">Raw scores or sigmoid probabilities in the score term (the selection always uses the
    /// raw scores; the sigmoid is monotone so the order is the same).</param>
    /// <param name="realLabels">Classes of the reals (int64, N_r) for conditional pairing, or null.</param>
    /// <param name="fakeLabels">Classes of the fakes (int64, N_f) for conditional pairing, or null. Pairing is
    /// conditional only when both label tensors are given.</param>
    public static SdpResult Compute(Tensor realImages, Tensor fakeImages, Tensor realScores, Tensor fakeScores,
        IReadOnlyList<Tensor> realBlockFeatures, IReadOnlyList<Tensor> fakeBlockFeatures, int k,
        SdpNormalization normalization, SdpScore scoreMode = SdpScore.Raw, Tensor? realLabels = null, Tensor? fakeLabels = null)
    {
        ValidateInputs(realImages, fakeImages, realScores, fakeScores, realBlockFeatures, fakeBlockFeatures, k, realLabels, fakeLabels);
        int kEff = ClampK(k, fakeImages.shape[0]);

        using var scope = NewDisposeScope();
        long[] fakeIdx = SelectRealisticFakes(fakeScores, kEff);
        var sqDist = SquaredDistancesToReals(realImages, fakeImages, fakeIdx);
        long[] realIdx = NearestReals(sqDist, fakeIdx, realLabels, fakeLabels);

        var fakeSel = tensor(fakeIdx, device: fakeScores.device);
        var realSel = tensor(realIdx, device: realScores.device);

        var scoreTerm = ScoreTerm(realScores, fakeScores, realSel, fakeSel, scoreMode);
        var blockTerms = new List<Tensor>();
        var fakeFeats = new List<Tensor>();
        var realFeats = new List<Tensor>();
        for (int j = 0; j < fakeBlockFeatures.Count; j++)
        {
            var nf = NormalizedPooledFeatures(fakeBlockFeatures[j].index_select(0, fakeSel), normalization);
            var nr = NormalizedPooledFeatures(realBlockFeatures[j].index_select(0, realSel), normalization);
            blockTerms.Add(SquaredDifferenceSum(nf, nr));
            fakeFeats.Add(nf);
            realFeats.Add(nr);
        }
        var loss = scoreTerm.alias();
        foreach (var b in blockTerms) loss = loss + b;

        double gap = MeanScoreGap(realScores, fakeScores, realSel, fakeSel);

        foreach (var t in blockTerms.Concat(fakeFeats).Concat(realFeats).Append(loss).Append(scoreTerm).Append(sqDist))
            t.MoveToOuterDisposeScope();
        return new SdpResult(loss, scoreTerm, blockTerms, fakeIdx, realIdx, sqDist, fakeFeats, realFeats, gap);
    }

    /// <summary>
    /// k clamped to the number of fakes: when k exceeds the batch (k grows with training per Algorithm 1) every
    /// fake is "realistic". k &lt; 1 is an error.
    /// </summary>
    public static int ClampK(long k, long batchSize)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "SDP needs k >= 1 realistic samples.");
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "SDP needs a non-empty batch.");
        return (int)Math.Min(k, batchSize);
    }

    /// <summary>Eq. (3): indices of the k highest fake scores, in descending score order (computed without grad).</summary>
    public static long[] SelectRealisticFakes(Tensor fakeScores, int k)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var (values, indexes) = fakeScores.detach().flatten().topk(k, 0, largest: true, sorted: true);
        return indexes.ToArray<long>();
    }

    /// <summary>||G(z'_i) - x||_2^2 over flattened pixels, from each selected fake to every real (k x N_r), without grad.</summary>
    public static Tensor SquaredDistancesToReals(Tensor realImages, Tensor fakeImages, long[] fakeIndices)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var idx = tensor(fakeIndices, device: fakeImages.device);
        var f = fakeImages.detach().index_select(0, idx).flatten(1);   // k x P
        var r = realImages.detach().flatten(1);                         // N x P
        // Explicit differences (not the ||a||^2 - 2ab + ||b||^2 expansion) so that near-ties are resolved exactly.
        var d = (f.unsqueeze(1) - r.unsqueeze(0)).square().sum(2);      // k x N
        return d.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Eq. (4): for each selected fake, the real at the smallest squared distance (first index on ties). With both
    /// label tensors, only reals of the fake's class compete when the batch holds at least one of them; otherwise
    /// (no real of that class in the batch) the nearest real of any class is used, so every fake gets a partner.
    /// </summary>
    public static long[] NearestReals(Tensor squaredDistances, long[] fakeIndices, Tensor? realLabels, Tensor? fakeLabels)
    {
        using var scope = NewDisposeScope();
        double[] d = squaredDistances.detach().to(ScalarType.Float64).ToArray<double>();
        long n = squaredDistances.shape[1];
        long[]? rl = null, fl = null;
        if (realLabels is not null && fakeLabels is not null)
        {
            rl = realLabels.detach().to(ScalarType.Int64).flatten().ToArray<long>();
            fl = fakeLabels.detach().to(ScalarType.Int64).flatten().ToArray<long>();
        }
        var result = new long[fakeIndices.Length];
        for (int i = 0; i < fakeIndices.Length; i++)
        {
            long sameClass = rl is null ? -1 : ArgMin(d, i * n, n, j => rl[j] == fl![fakeIndices[i]]);
            result[i] = sameClass >= 0 ? sameClass : ArgMin(d, i * n, n, _ => true);
        }
        return result;
    }

    private static long ArgMin(double[] d, long offset, long n, Func<long, bool> eligible)
    {
        long best = -1;
        for (long j = 0; j < n; j++)
            if (eligible(j) && (best < 0 || d[offset + j] < d[offset + best])) best = j;
        return best;
    }

    /// <summary>sum_i (s(G(z'_i)) - s(x'_i))^2 with s the raw score or its sigmoid (eq. (5) summed over pairs).</summary>
    public static Tensor ScoreTerm(Tensor realScores, Tensor fakeScores, Tensor realIndices, Tensor fakeIndices, SdpScore scoreMode)
    {
        using var scope = NewDisposeScope();
        var sf = fakeScores.flatten().index_select(0, fakeIndices);
        var sr = realScores.flatten().index_select(0, realIndices);
        if (scoreMode == SdpScore.Probability)
        {
            sf = sf.sigmoid();
            sr = sr.sigmoid();
        }
        return SquaredDifferenceSum(sf, sr).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Eq. (6): global max pooling over every dimension after the channel one (a block output N x C x H x W gives
    /// N x C; an N x C output is already pooled), then division by ||h||_2 (<see cref="SdpNormalization.Unit"/>) or by
    /// ||h||_2^2 (<see cref="SdpNormalization.PaperSquaredNorm"/>), each floored at <see cref="NormEpsilon"/>.
    /// </summary>
    public static Tensor NormalizedPooledFeatures(Tensor blockFeatures, SdpNormalization normalization)
    {
        using var scope = NewDisposeScope();
        var h = GlobalMaxPool(blockFeatures);
        var norm = linalg.vector_norm(h, 2, new long[] { 1 }, keepdim: true);
        var denominator = normalization switch
        {
            SdpNormalization.Unit => norm.clamp_min(NormEpsilon),
            SdpNormalization.PaperSquaredNorm => norm.square().clamp_min(NormEpsilon),
            _ => throw new ArgumentOutOfRangeException(nameof(normalization), normalization, "Unknown SDP normalization."),
        };
        return (h / denominator).MoveToOuterDisposeScope();
    }

    /// <summary>GMP: the maximum over all spatial positions of each channel (N x C x ... to N x C).</summary>
    public static Tensor GlobalMaxPool(Tensor blockFeatures)
    {
        if (blockFeatures.dim() < 2)
            throw new ArgumentException($"SDP block features must be N x C [x H x W], got shape [{string.Join(", ", blockFeatures.shape)}].", nameof(blockFeatures));
        if (blockFeatures.dim() == 2) return blockFeatures.alias();
        var dims = Enumerable.Range(2, (int)blockFeatures.dim() - 2).Select(i => (long)i).ToArray();
        return blockFeatures.amax(dims);
    }

    private static Tensor SquaredDifferenceSum(Tensor a, Tensor b)
    {
        using var diff = a - b;
        using var sq = diff.square();
        return sq.sum();
    }

    private static double MeanScoreGap(Tensor realScores, Tensor fakeScores, Tensor realSel, Tensor fakeSel)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var gap = realScores.detach().flatten().index_select(0, realSel) - fakeScores.detach().flatten().index_select(0, fakeSel);
        return gap.to(ScalarType.Float64).mean().item<double>();
    }

    private static void ValidateInputs(Tensor realImages, Tensor fakeImages, Tensor realScores, Tensor fakeScores,
        IReadOnlyList<Tensor> realBlockFeatures, IReadOnlyList<Tensor> fakeBlockFeatures, int k, Tensor? realLabels, Tensor? fakeLabels)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "SDP needs k >= 1 realistic samples.");
        long nReal = realImages.shape[0], nFake = fakeImages.shape[0];
        if (nReal < 1 || nFake < 1) throw new ArgumentException($"SDP needs non-empty batches, got {nReal} reals and {nFake} fakes.");
        if (!realImages.shape.Skip(1).SequenceEqual(fakeImages.shape.Skip(1)))
            throw new ArgumentException($"SDP reals [{Shape(realImages)}] and fakes [{Shape(fakeImages)}] must have the same sample shape.", nameof(fakeImages));
        if (realScores.numel() != nReal) throw new ArgumentException($"realScores has {realScores.numel()} entries for {nReal} reals.", nameof(realScores));
        if (fakeScores.numel() != nFake) throw new ArgumentException($"fakeScores has {fakeScores.numel()} entries for {nFake} fakes.", nameof(fakeScores));
        if (realBlockFeatures.Count != fakeBlockFeatures.Count)
            throw new ArgumentException($"SDP got {realBlockFeatures.Count} real block features but {fakeBlockFeatures.Count} fake ones.", nameof(fakeBlockFeatures));
        for (int j = 0; j < realBlockFeatures.Count; j++)
        {
            var r = realBlockFeatures[j];
            var f = fakeBlockFeatures[j];
            if (r.shape[0] != nReal || f.shape[0] != nFake || r.dim() < 2 || f.dim() < 2 || r.shape[1] != f.shape[1])
                throw new ArgumentException($"SDP block {j}: real features [{Shape(r)}] and fake features [{Shape(f)}] must be N x C [x ...] with the batch sizes {nReal}/{nFake} and the same C.", nameof(realBlockFeatures));
        }
        if ((realLabels is null) != (fakeLabels is null))
            throw new ArgumentException("Conditional SDP needs both realLabels and fakeLabels (or neither).", realLabels is null ? nameof(realLabels) : nameof(fakeLabels));
        if (realLabels is not null && realLabels.numel() != nReal)
            throw new ArgumentException($"realLabels has {realLabels.numel()} entries for {nReal} reals.", nameof(realLabels));
        if (fakeLabels is not null && fakeLabels.numel() != nFake)
            throw new ArgumentException($"fakeLabels has {fakeLabels.numel()} entries for {nFake} fakes.", nameof(fakeLabels));
    }

    private static string Shape(Tensor t) => string.Join(", ", t.shape);
}
