using Microsoft.ML;
using Ml.GanSdp.Models;

namespace Ml.GanSdp;

/// <summary>ML.NET catalog entry points of Ml.GanSdp's GAN training.</summary>
public static class GanSdpCatalog
{
    /// <summary>
    /// Trains a GAN on image column <paramref name="inputColumnName"/> (default: <paramref name="outputColumnName"/>), with
    /// SDP at the paper's schedule scaled to <paramref name="iterations"/> unless <paramref name="useSdp"/> is false,
    /// class-conditional on <paramref name="labelColumnName"/> when given (a key column). The fitted model generates
    /// <paramref name="outputColumnName"/> (a Single vector with the input's [C, H, W], in the input's 0 .. 255 scale) from
    /// each row's Int64 seed column (default "Seed") and label. See <see cref="GanSdpEstimator"/>; every other option is in
    /// <see cref="TrainGanSdp(TransformsCatalog, GanSdpOptions)"/>.
    /// </summary>
    /// <param name="catalog">The transforms catalog (<c>mlContext.Transforms</c>).</param>
    /// <param name="outputColumnName">The generated column.</param>
    /// <param name="inputColumnName">The training images: pixels with Dimensions [C, H, W] or a fixed-size MLImage; null = <paramref name="outputColumnName"/>.</param>
    /// <param name="labelColumnName">A key column for a class-conditional GAN, or null.</param>
    /// <param name="iterations">Generator iterations.</param>
    /// <param name="batchSize">Samples per batch.</param>
    /// <param name="architecture">The network family (channels, size and classes come from the data).</param>
    /// <param name="useSdp">Train with SDP.</param>
    /// <param name="seed">Seed of the initial weights and of every random draw.</param>
    /// <param name="seedColumnName">The Int64 column the fitted model reads each row's seed from.</param>
    public static GanSdpEstimator TrainGanSdp(this TransformsCatalog catalog, string outputColumnName, string? inputColumnName = null,
        string? labelColumnName = null, int iterations = 2000, int batchSize = 64, Architecture architecture = Architecture.Dcgan,
        bool useSdp = true, long seed = 0, string seedColumnName = "Seed")
        => catalog.TrainGanSdp(new GanSdpOptions
        {
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName,
            LabelColumnName = labelColumnName,
            Iterations = iterations,
            BatchSize = batchSize,
            Architecture = architecture,
            UseSdp = useSdp,
            Seed = seed,
            SeedColumnName = seedColumnName,
        });

    /// <summary>Trains a GAN with every option of <paramref name="options"/> (validated here: an <see cref="ArgumentException"/> names the bad option).</summary>
    public static GanSdpEstimator TrainGanSdp(this TransformsCatalog catalog, GanSdpOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new GanSdpEstimator(catalog, options);
    }

    /// <summary>
    /// <paramref name="data"/> with an Int64 column <paramref name="columnName"/> added: row i (0-based, in order) gets
    /// <paramref name="firstSeed"/> + i. The fitted TrainGanSdp model computes each row's image from this column, and
    /// ML.NET's <c>EstimatorChain.Fit</c> transforms the training data through every fitted step, so training data fed to a
    /// chain that ends in TrainGanSdp needs it: <c>pipeline.Fit(mlContext.Data.AddSeedColumn(data))</c>. Streamed (see
    /// <see cref="SeedColumnDataView"/>).
    /// </summary>
    public static SeedColumnDataView AddSeedColumn(this DataOperationsCatalog catalog, IDataView data, string columnName = "Seed", long firstSeed = 0)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new SeedColumnDataView(data, columnName, firstSeed);
    }
}
