namespace Ml.GanSdp.Features;

/// <summary>
/// The ImageNet-pretrained ResNet18 that NuGet <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> 0.23.1 ships for
/// ML.NET's <c>DnnFeaturizeImage</c> (a CNTK 2.6 export, ONNX opset 8), and the names its two ONNX files use.
/// The package's build props copy both files to <c>DnnImageModels/</c> in the output folder of every project that
/// references it. See docs/features.md for what the files contain.
/// </summary>
public static class ResNet18Model
{
    /// <summary>Name of the feature space in reports: Frechet distances in it are "FD (ResNet18)", never FID.</summary>
    public const string FeatureSpaceName = "ResNet18";

    /// <summary>Length of a feature vector: the 512 channels of the last residual stage, averaged over its 7 x 7 grid.</summary>
    public const int FeatureDimension = 512;

    /// <summary>Height and width of the RGB image the network takes.</summary>
    public const int InputSize = 224;

    /// <summary>Input of the preprocessing model: RGB, [1, 3, 224, 224], values 0..255.</summary>
    internal const string PreprocessInput = "OriginalInput";

    /// <summary>Output of the preprocessing model: BGR minus the per-pixel ImageNet mean image.</summary>
    internal const string PreprocessOutput = "PreprocessedInput";

    /// <summary>Input of the network, [1, 3, 224, 224].</summary>
    internal const string NetworkInput = "Input247";

    /// <summary>Output of the network, [1, 512, 1, 1]: the 7 x 7 average pool after the last ReLU.</summary>
    internal const string NetworkOutput = "Pooling395_Output_0";

    /// <summary><c>DnnImageModels/</c> beside the running application, where the package puts the two files.</summary>
    public static string DefaultDirectory => Path.Combine(AppContext.BaseDirectory, "DnnImageModels");

    /// <summary>The preprocessing model under a <c>DnnImageModels</c> folder.</summary>
    public static string PreprocessModelPath(string directory) => Path.Combine(directory, "ResNetPrepOnnx", "ResNetPreprocess.onnx");

    /// <summary>The network under a <c>DnnImageModels</c> folder.</summary>
    public static string NetworkModelPath(string directory) => Path.Combine(directory, "ResNet18Onnx", "ResNet18.onnx");

    /// <summary>Throws <see cref="FileNotFoundException"/> naming the missing file and the package that provides it.</summary>
    internal static void CheckFiles(string directory)
    {
        foreach (var path in new[] { PreprocessModelPath(directory), NetworkModelPath(directory) })
            if (!File.Exists(path))
                throw new FileNotFoundException(
                    $"The ResNet18 featurizer needs '{path}'. It comes with the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18 " +
                    "(its build props copy DnnImageModels/ to the output folder of the project that references it), " +
                    "or set ResNet18FeaturizerOptions.ModelDirectory to a folder holding ResNetPrepOnnx/ and ResNet18Onnx/.", path);
    }
}
