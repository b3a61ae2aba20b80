using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using Microsoft.ML.Transforms.Onnx;
using Ml.GanSdp.Onnx;

namespace Ml.GanSdp.Features;

/// <summary>
/// Turns a pixel or image column into 512 ResNet18 features. Fit builds, for the input column's type and size,
/// a chain of ML.NET's own transformers and fits it:
/// <list type="number">
/// <item>for an <c>MLImage</c> column: <c>ResizeImages</c> (Fill, only when <see cref="ResNet18FeaturizerOptions.ImageWidth"/>
/// asks for another size) and <c>ExtractPixels</c> (RGB, planar, 0..255);</item>
/// <item><c>ApplyOnnxModel</c> of a small generated model: gray to RGB, triangle-filter resampling of [C, H, W] to
/// [3, 224, 224] (<see cref="PixelResizeModel"/>), written once per input size to a file of its own;</item>
/// <item>what <c>DnnFeaturizeImage</c> with <c>ResNet18</c> does: <c>ApplyOnnxModel</c> of the package's
/// <c>ResNetPreprocess.onnx</c> (RGB to BGR, minus the ImageNet mean image), a column copy, <c>ApplyOnnxModel</c> of
/// <c>ResNet18.onnx</c> up to its average pool, a copy to the output column; here through <c>OnnxOptions</c> so that
/// <see cref="ResNet18FeaturizerOptions.IntraOpThreads"/> reaches ONNX Runtime (default: <see cref="OnnxRuntimeThreads"/>);</item>
/// <item><c>DropColumns</c> of the intermediate columns.</item>
/// </list>
/// Fit checks that the first <see cref="RowsCheckedAtFit"/> rows of a pixel column lie in 0..255.
/// Each ONNX model runs one image at a time (the package's models have batch size 1). Featurization happens when
/// the transformed data is read, e.g. by <see cref="FeatureStatistics.FromColumn"/>, which reports progress.
/// <para>Files and lifetime: ML.NET's <c>OnnxTransformer</c> reads its model file while it lives and again at each
/// Save, so each resampling model lives in a folder of its own (<see cref="OnnxModelFolder"/>, under
/// <see cref="ResNet18FeaturizerOptions.TempFolder"/>; a model given as a stream would instead leave a copy in
/// <c>MLContext.TempFilePath</c> that ML.NET never deletes, and could not be given a thread count).
/// <see cref="Dispose"/> disposes every chain this estimator fitted and deletes the folders: save what you need first.
/// A model loaded with <c>mlContext.Model.Load</c> is independent of the estimator.</para>
/// <para>Thread safety: <see cref="Fit"/> and <see cref="GetOutputSchema"/> may run concurrently; a fitted chain may
/// transform from several threads; <see cref="Dispose"/> must not race with them.</para>
/// </summary>
public sealed class ResNet18FeaturizingEstimator : IEstimator<TransformerChain<ITransformer>>, IDisposable
{
    /// <summary>Rows of a pixel column whose value range Fit checks.</summary>
    public const int RowsCheckedAtFit = PixelInput.RowsCheckedAtFit;

    private const string ImageColumn = "ResNet18.Image";
    private const string PixelColumn = "ResNet18.Pixels";

    /// <summary>Columns the chain creates on its way and drops at the end: the input must not hold columns of these names.</summary>
    public static IReadOnlyList<string> ReservedColumnNames { get; } = new[]
    {
        ImageColumn, PixelColumn,
        ResNet18Model.PreprocessInput, ResNet18Model.PreprocessOutput, ResNet18Model.NetworkInput, ResNet18Model.NetworkOutput,
    };

    private readonly TransformsCatalog _catalog;
    private readonly ResNet18FeaturizerOptions _options;
    private readonly string _input;
    private readonly string _modelDirectory;
    private readonly PixelInput _pixels;
    private readonly FittedOnnxChains _owned;

    internal ResNet18FeaturizingEstimator(TransformsCatalog catalog, ResNet18FeaturizerOptions options)
    {
        options.Validate();
        _catalog = catalog;
        _options = options;
        _input = options.InputColumnName ?? options.OutputColumnName;
        _modelDirectory = options.ModelDirectory ?? ResNet18Model.DefaultDirectory;
        if (ReservedColumnNames.Contains(options.OutputColumnName))
            throw new ArgumentException($"The output column cannot be named '{options.OutputColumnName}': {string.Join(", ", ReservedColumnNames)} are used inside the featurizer.", nameof(options));
        ResNet18Model.CheckFiles(_modelDirectory);
        _pixels = new PixelInput(catalog, "FeaturizeResNet18", _input, options.ImageWidth, options.ImageHeight, PixelResizeModel.MaxSide, "ResNet18", nameof(ResNet18FeaturizerOptions));
        _owned = new FittedOnnxChains(this, options.TempFolder);
    }

    /// <summary>The options this estimator was made with.</summary>
    public ResNet18FeaturizerOptions Options => _options;

    /// <summary>Builds the chain for the input column's type and size and fits it (loads the ONNX models).</summary>
    public TransformerChain<ITransformer> Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        _owned.ThrowIfDisposed();
        _pixels.CheckReserved(input.Schema.Where(c => !c.IsHidden).Select(c => c.Name), ReservedColumnNames);
        var steps = new List<IEstimator<ITransformer>>();
        var temporary = new List<string>();
        var (pixels, channels, height, width) = _pixels.AddSteps(input, steps, temporary);

        steps.Add(_catalog.ApplyOnnxModel(OnnxOptionsFor(ResizeModel(pixels, channels, height, width), pixels, ResNet18Model.PreprocessInput)));
        steps.Add(_catalog.ApplyOnnxModel(OnnxOptionsFor(ResNet18Model.PreprocessModelPath(_modelDirectory), ResNet18Model.PreprocessInput, ResNet18Model.PreprocessOutput)));
        steps.Add(_catalog.CopyColumns(ResNet18Model.NetworkInput, ResNet18Model.PreprocessOutput));
        steps.Add(_catalog.ApplyOnnxModel(OnnxOptionsFor(ResNet18Model.NetworkModelPath(_modelDirectory), ResNet18Model.NetworkInput, ResNet18Model.NetworkOutput)));
        steps.Add(_catalog.CopyColumns(_options.OutputColumnName, ResNet18Model.NetworkOutput));
        temporary.AddRange(new[] { ResNet18Model.PreprocessInput, ResNet18Model.PreprocessOutput, ResNet18Model.NetworkInput, ResNet18Model.NetworkOutput });
        steps.Add(_catalog.DropColumns(temporary.ToArray()));

        var chain = new EstimatorChain<ITransformer>();
        foreach (var step in steps) chain = chain.Append(step);
        return _owned.Fit(chain, input);
    }

    /// <summary>Disposes the chains this estimator fitted and deletes its folders of resampling models.</summary>
    public void Dispose() => _owned.Dispose();

    /// <summary>The file of the resampling model for [C, H, W] pixels in column <paramref name="pixels"/>, written once per column and size.</summary>
    private string ResizeModel(string pixels, int channels, int height, int width)
        => _owned.ModelPath($"{pixels}|{channels}x{height}x{width}", $"resnet18-resize-{channels}x{height}x{width}.onnx",
            () => PixelResizeModel.Build(pixels, ResNet18Model.PreprocessInput, channels, height, width, ResNet18Model.InputSize));

    /// <summary>
    /// The input schema plus the output column, a known-size <c>Vector&lt;Single&gt;</c> (a schema shape carries no
    /// sizes, so the shape is that of a copy of the pixel column; Fit checks the sizes). Loads no model.
    /// </summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        _owned.ThrowIfDisposed();
        _pixels.CheckReserved(inputSchema.Select(c => c.Name), ReservedColumnNames);
        return _pixels.OutputSchema(inputSchema, _options.OutputColumnName);
    }

    private OnnxOptions OnnxOptionsFor(string modelFile, string input, string output)
        => OnnxRuntimeThreads.SessionOptions(modelFile, [input], [output], _options.IntraOpThreads);
}
