using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Onnx;
using Ml.GanSdp.Metrics;
using Ml.GanSdp.Onnx;

namespace Ml.GanSdp.Features;

/// <summary>
/// Turns a pixel or image column into pytorch-fid's Inception-v3 features (64, 192, 768 or 2048 values per image,
/// the space of the Frechet Inception Distance). The weights are read once, when the estimator is made
/// (<see cref="InceptionV3Fid.FromFile"/>: pytorch-fid's <c>.pth</c> directly; a wrong file is an error listing the
/// missing, unexpected and misshapen keys), and exported to ONNX (<see cref="InceptionV3Fid"/>'s export, batch norms
/// folded in float64). Fit builds, for the input column's type and size, a chain of ML.NET's own transformers:
/// <list type="number">
/// <item>for an <c>MLImage</c> column: <c>ResizeImages</c> (Fill, only when the options ask for another size) and
/// <c>ExtractPixels</c> (RGB, planar, 0..255);</item>
/// <item><c>CopyColumns</c> of the pixels and <c>ApplyOnnxModel</c> of pytorch-fid's input pipeline for that size
/// ([C, H, W] 0..255 to [1, 3, 299, 299] in [-1, 1]: /255, gray to RGB, bilinear resize, 2x - 1);</item>
/// <item><c>ApplyOnnxModel</c> of the network, [1, 3, 299, 299] to the features [d];</item>
/// <item><c>DropColumns</c> of the intermediate columns.</item>
/// </list>
/// The chain saves and loads with <c>mlContext.Model.Save/Load</c> (the zip holds both ONNX models) and runs without
/// TorchSharp. Fit checks that the first <see cref="PixelInput.RowsCheckedAtFit"/> rows of a pixel column lie in 0..255.
/// <para>Files and lifetime: ML.NET's <c>OnnxTransformer</c> reads its model file while it lives and again at each
/// Save, so each ONNX file (the network, and the input pipeline once per input size) lives in a folder of its own
/// (<see cref="OnnxModelFolder"/>, under <see cref="InceptionFidFeaturizerOptions.TempFolder"/>). <see cref="Dispose"/>
/// disposes every chain this estimator fitted (their ONNX Runtime sessions) and deletes the folders: save what you need
/// first. A model loaded with <c>mlContext.Model.Load</c> is independent of the estimator.</para>
/// <para>Thread safety: <see cref="Fit"/> and <see cref="GetOutputSchema"/> may run concurrently; a fitted chain may
/// transform from several threads (ONNX Runtime sessions are thread-safe); <see cref="Dispose"/> must not race with them.</para>
/// </summary>
public sealed class InceptionFidFeaturizingEstimator : IEstimator<TransformerChain<ITransformer>>, IDisposable
{
    private const string Prefix = "InceptionFid";
    private const string InputCopy = Prefix + ".Input";
    private const string Prepared = Prefix + ".Prepared";

    /// <summary>Columns the chain creates on its way and drops at the end: the input must not hold columns of these names.</summary>
    public static IReadOnlyList<string> ReservedColumnNames { get; } = new[] { Prefix + ".Image", Prefix + ".Pixels", InputCopy, Prepared };

    private readonly TransformsCatalog _catalog;
    private readonly PixelInput _pixels;
    private readonly FittedOnnxChains _owned;
    private readonly string _networkPath;

    internal InceptionFidFeaturizingEstimator(TransformsCatalog catalog, InceptionFidFeaturizerOptions options)
    {
        options.Validate();
        Options = options;
        _catalog = catalog;
        var input = options.InputColumnName ?? options.OutputColumnName;
        if (ReservedColumnNames.Contains(options.OutputColumnName))
            throw new ArgumentException($"The output column cannot be named '{options.OutputColumnName}': {string.Join(", ", ReservedColumnNames)} are used inside the featurizer.", nameof(options));
        _pixels = new PixelInput(catalog, "FeaturizeInceptionFid", input, options.ImageWidth, options.ImageHeight, FidPreprocessing.MaxSide, Prefix, nameof(InceptionFidFeaturizerOptions));
        byte[] network;
        using (var net = InceptionV3Fid.FromFile(options.WeightsPath, options.Dimension))
            network = net.ToSingleRowNetworkOnnx(Prepared, options.OutputColumnName);
        _owned = new FittedOnnxChains(this, options.TempFolder);
        _networkPath = _owned.ModelPath("network", $"inception-v3-fid-{options.Dimension}.onnx", () => network);
    }

    /// <summary>The options this estimator was made with.</summary>
    public InceptionFidFeaturizerOptions Options { get; }

    /// <summary>The feature space's name, as <see cref="InceptionV3Fid.ExtractorName"/> gives it (e.g. <c>inception-v3-fid-2048</c>).</summary>
    public string FeatureSpace => $"inception-v3-fid-{Options.Dimension}";

    /// <summary>Builds the chain for the input column's type and size and fits it (loads the ONNX models).</summary>
    public TransformerChain<ITransformer> Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        _owned.ThrowIfDisposed();
        _pixels.CheckReserved(input.Schema.Where(c => !c.IsHidden).Select(c => c.Name), ReservedColumnNames);
        var steps = new List<IEstimator<ITransformer>>();
        var temporary = new List<string>();
        var (pixels, channels, height, width) = _pixels.AddSteps(input, steps, temporary);

        steps.Add(_catalog.CopyColumns(InputCopy, pixels));
        steps.Add(_catalog.ApplyOnnxModel(OnnxOptionsFor(PreprocessingModel(channels, height, width), InputCopy, Prepared)));
        steps.Add(_catalog.ApplyOnnxModel(OnnxOptionsFor(_networkPath, Prepared, Options.OutputColumnName)));
        temporary.AddRange(new[] { InputCopy, Prepared });
        steps.Add(_catalog.DropColumns(temporary.ToArray()));

        var chain = new EstimatorChain<ITransformer>();
        foreach (var step in steps) chain = chain.Append(step);
        return _owned.Fit(chain, input);
    }

    /// <summary>
    /// The input schema plus the output column, a known-size <c>Vector&lt;Single&gt;</c> (a schema shape carries no
    /// sizes, so the shape is that of a copy of the pixel column; Fit checks the sizes). Loads no model.
    /// </summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        _owned.ThrowIfDisposed();
        _pixels.CheckReserved(inputSchema.Select(c => c.Name), ReservedColumnNames);
        return _pixels.OutputSchema(inputSchema, Options.OutputColumnName);
    }

    /// <summary>Disposes the chains this estimator fitted and deletes its folder of ONNX files.</summary>
    public void Dispose() => _owned.Dispose();

    /// <summary>The file of pytorch-fid's input pipeline for [C, H, W] pixels, written once per size.</summary>
    private string PreprocessingModel(int channels, int height, int width)
        => _owned.ModelPath($"{channels}x{height}x{width}", $"fid-preprocessing-{channels}x{height}x{width}.onnx",
            () => FidPreprocessing.SingleRowOnnx(InputCopy, Prepared, channels, height, width, pixelMax: 255f));

    private OnnxOptions OnnxOptionsFor(string modelFile, string input, string output)
        => OnnxRuntimeThreads.SessionOptions(modelFile, [input], [output], Options.IntraOpThreads);
}
