using Microsoft.ML;
using Ml.GanSdp.Features;

namespace Ml.GanSdp;

/// <summary>
/// Feature extraction for the quality measures: <c>mlContext.Transforms.FeaturizeResNet18(...)</c> (ImageNet-pretrained
/// ResNet18, the default feature space) and <c>mlContext.Transforms.FeaturizeInceptionFid(...)</c> (pytorch-fid's
/// Inception-v3 with the user's weights: FID).
/// </summary>
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

    /// <summary>
    /// pytorch-fid's Inception-v3 features (the space of the Frechet Inception Distance) per image, computed by the network
    /// exported to ONNX from <paramref name="weightsPath"/> (pytorch-fid's <c>pt_inception-2015-12-05-6726825d.pth</c>,
    /// loaded directly). The input column holds pixels (<c>Vector&lt;Single&gt;</c> with dimensions [C, H, W], C = 1 or 3,
    /// values 0..255) or images (<c>MLImage</c> of known size); pytorch-fid's preprocessing (/255, gray to RGB, bilinear
    /// resize to 299 x 299, 2x - 1) is part of the chain. The fitted chain consists of ML.NET's own transformers and saves
    /// and loads with <c>mlContext.Model.Save/Load</c>. Dispose the estimator when its fitted chains are no longer needed.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The feature column to create.</param>
    /// <param name="inputColumnName">The pixel or image column; null: <paramref name="outputColumnName"/>.</param>
    /// <param name="weightsPath">The Inception weights (.pth, .safetensors or .npz with torchvision's names).</param>
    /// <param name="dimension">The feature block: 64, 192, 768 or 2048 (the standard).</param>
    public static InceptionFidFeaturizingEstimator FeaturizeInceptionFid(this TransformsCatalog catalog, string outputColumnName, string? inputColumnName, string weightsPath, int dimension = 2048)
        => FeaturizeInceptionFid(catalog, new InceptionFidFeaturizerOptions { OutputColumnName = outputColumnName, InputColumnName = inputColumnName, WeightsPath = weightsPath, Dimension = dimension });

    /// <summary>As <see cref="FeaturizeInceptionFid(TransformsCatalog, string, string?, string, int)"/>, with every option.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">Columns, weights, feature block, image size for images of unknown size, threads, temp folder.</param>
    public static InceptionFidFeaturizingEstimator FeaturizeInceptionFid(this TransformsCatalog catalog, InceptionFidFeaturizerOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new InceptionFidFeaturizingEstimator(catalog, options);
    }
}
