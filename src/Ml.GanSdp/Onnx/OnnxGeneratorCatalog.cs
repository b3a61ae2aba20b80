using Microsoft.ML;

namespace Ml.GanSdp.Onnx;

/// <summary>ML.NET catalog entry points for generators exported to ONNX.</summary>
public static class OnnxGeneratorCatalog
{
    /// <summary>
    /// Generates column <paramref name="outputColumnName"/> (Single vector with <paramref name="imageDimensions"/> [C, H, W])
    /// from each row's Int64 seed column and, for a conditional generator, its label key column, with the ONNX generator
    /// <paramref name="onnxModel"/> (built with <see cref="GeneratorGraph"/>'s conventions). The fitted model is ML.NET's
    /// own OnnxTransformer; dispose the estimator to release its session and temp folder.
    /// </summary>
    public static OnnxGeneratorEstimator ApplyOnnxGenerator(this TransformsCatalog catalog, string outputColumnName, byte[] onnxModel,
        int[] imageDimensions, string seedColumnName = "Seed", string? labelColumnName = null, int classCount = 0)
        => catalog.ApplyOnnxGenerator(onnxModel, new OnnxGeneratorOptions
        {
            OutputColumnName = outputColumnName,
            ImageDimensions = imageDimensions,
            SeedColumnName = seedColumnName,
            LabelColumnName = labelColumnName,
            ClassCount = classCount,
        });

    /// <summary>Generates images with the ONNX generator <paramref name="onnxModel"/> bound to columns by <paramref name="options"/>.</summary>
    public static OnnxGeneratorEstimator ApplyOnnxGenerator(this TransformsCatalog catalog, byte[] onnxModel, OnnxGeneratorOptions options)
        => new(catalog, onnxModel, options);
}
