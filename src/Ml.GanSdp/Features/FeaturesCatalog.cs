using Microsoft.ML;
using Ml.GanSdp.Features;

namespace Ml.GanSdp;

/// <summary>Feature extraction for the quality measures: <c>mlContext.Transforms.FeaturizeResNet18(...)</c>.</summary>
public static class FeaturesCatalog
{
    /// <summary>
    /// 512 ImageNet-pretrained ResNet18 features per image (the network of ML.NET's <c>DnnFeaturizeImage</c> with
    /// <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c>). The input column holds pixels (<c>Vector&lt;Single&gt;</c>
    /// with dimensions [C, H, W], C = 1 or 3, values 0..255) or images (<c>MLImage</c> of known size); any size is
    /// resampled to 224 x 224 with a triangle (bilinear) filter, gray repeated to RGB. The fitted chain consists of
    /// ML.NET's own transformers and saves and loads with <c>mlContext.Model.Save/Load</c>.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The feature column to create.</param>
    /// <param name="inputColumnName">The pixel or image column; null: <paramref name="outputColumnName"/>.</param>
    public static ResNet18FeaturizingEstimator FeaturizeResNet18(this TransformsCatalog catalog, string outputColumnName, string? inputColumnName = null)
        => FeaturizeResNet18(catalog, new ResNet18FeaturizerOptions { OutputColumnName = outputColumnName, InputColumnName = inputColumnName });

    /// <summary>As <see cref="FeaturizeResNet18(TransformsCatalog, string, string?)"/>, with every option.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">Columns, image size for images of unknown size, model folder, threads.</param>
    public static ResNet18FeaturizingEstimator FeaturizeResNet18(this TransformsCatalog catalog, ResNet18FeaturizerOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new ResNet18FeaturizingEstimator(catalog, options);
    }
}
