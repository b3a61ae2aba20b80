using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Metrics;

/// <summary>
/// A network that maps images to feature vectors for distribution metrics (FID, KID, precision/recall).
/// Implementations: <see cref="InceptionV3Fid"/> (pytorch-fid's network, needs the user's weights) and
/// <see cref="DomainClassifier"/> (a small CNN trained on the real data's labels).
/// </summary>
public interface IFeatureExtractor
{
    /// <summary>A short name recorded with results (e.g. "inception-v3-fid-2048").</summary>
    string Name { get; }

    /// <summary>The length d of each feature vector.</summary>
    int FeatureDimension { get; }

    /// <summary>
    /// Features of a batch of images: N x C x H x W floats in [0, 1] in, an N x d float32 tensor out (owned by the
    /// caller). Runs without gradients, in evaluation mode.
    /// </summary>
    Tensor Extract(Tensor images);
}
