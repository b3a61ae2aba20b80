using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using Microsoft.ML.Transforms.Onnx;

namespace Ml.GanSdp.Features;

/// <summary>
/// Turns a pixel or image column into 512 ResNet18 features. Fit builds, for the input column's type and size,
/// a chain of ML.NET's own transformers and fits it:
/// <list type="number">
/// <item>for an <c>MLImage</c> column: <c>ResizeImages</c> (Fill, only when <see cref="ResNet18FeaturizerOptions.ImageWidth"/>
/// asks for another size) and <c>ExtractPixels</c> (RGB, planar, 0..255);</item>
/// <item><c>ApplyOnnxModel</c> of a small generated model (its bytes kept in the chain): gray to RGB, triangle-filter
/// resampling of [C, H, W] to [3, 224, 224] (<see cref="PixelResizeModel"/>);</item>
/// <item>what <c>DnnFeaturizeImage</c> with <c>ResNet18</c> does: <c>ApplyOnnxModel</c> of the package's
/// <c>ResNetPreprocess.onnx</c> (RGB to BGR, minus the ImageNet mean image), a column copy, <c>ApplyOnnxModel</c> of
/// <c>ResNet18.onnx</c> up to its average pool, a copy to the output column; here through <c>OnnxOptions</c> so that
/// <see cref="ResNet18FeaturizerOptions.IntraOpThreads"/> reaches ONNX Runtime;</item>
/// <item><c>DropColumns</c> of the intermediate columns.</item>
/// </list>
/// Fit checks that the first <see cref="RowsCheckedAtFit"/> rows of a pixel column lie in 0..255.
/// Each ONNX model runs one image at a time (the package's models have batch size 1). Featurization happens when
/// the transformed data is read, e.g. by <see cref="FeatureStatistics.FromColumn"/>, which reports progress.
/// </summary>
public sealed class ResNet18FeaturizingEstimator : IEstimator<TransformerChain<ITransformer>>
{
    /// <summary>Rows of a pixel column whose value range Fit checks.</summary>
    public const int RowsCheckedAtFit = 16;

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
    }

    /// <summary>The options this estimator was made with.</summary>
    public ResNet18FeaturizerOptions Options => _options;

    /// <summary>Builds the chain for the input column's type and size and fits it (loads the ONNX models).</summary>
    public TransformerChain<ITransformer> Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckReserved(input.Schema.Where(c => !c.IsHidden).Select(c => c.Name));
        var column = input.Schema.GetColumnOrNull(_input)
            ?? throw new ArgumentOutOfRangeException(nameof(input), $"FeaturizeResNet18: input column '{_input}' not found; the data has [{string.Join(", ", input.Schema.Where(c => !c.IsHidden).Select(c => c.Name))}].");

        var steps = new List<IEstimator<ITransformer>>();
        var temporary = new List<string>();
        string pixels;
        int channels, height, width;
        if (column.Type is ImageDataViewType image)
        {
            (pixels, height, width) = ImagePixels(image, steps, temporary);
            channels = 3;
        }
        else
        {
            pixels = _input;
            (channels, height, width) = PixelShape(column.Type);
            CheckPixelRange(input, column);
        }

        var resize = PixelResizeModel.Build(pixels, ResNet18Model.PreprocessInput, channels, height, width, ResNet18Model.InputSize);
        steps.Add(_catalog.ApplyOnnxModel(new[] { ResNet18Model.PreprocessInput }, new[] { pixels }, new MemoryStream(resize, writable: false)));
        steps.Add(_catalog.ApplyOnnxModel(OnnxOptionsFor(ResNet18Model.PreprocessModelPath(_modelDirectory), ResNet18Model.PreprocessInput, ResNet18Model.PreprocessOutput)));
        steps.Add(_catalog.CopyColumns(ResNet18Model.NetworkInput, ResNet18Model.PreprocessOutput));
        steps.Add(_catalog.ApplyOnnxModel(OnnxOptionsFor(ResNet18Model.NetworkModelPath(_modelDirectory), ResNet18Model.NetworkInput, ResNet18Model.NetworkOutput)));
        steps.Add(_catalog.CopyColumns(_options.OutputColumnName, ResNet18Model.NetworkOutput));
        temporary.AddRange(new[] { ResNet18Model.PreprocessInput, ResNet18Model.PreprocessOutput, ResNet18Model.NetworkInput, ResNet18Model.NetworkOutput });
        steps.Add(_catalog.DropColumns(temporary.ToArray()));

        var chain = new EstimatorChain<ITransformer>();
        foreach (var step in steps) chain = chain.Append(step);
        return chain.Fit(input);
    }

    /// <summary>
    /// The input schema plus the output column, a known-size <c>Vector&lt;Single&gt;</c> (a schema shape carries no
    /// sizes, so the shape is that of a copy of the pixel column; Fit checks the sizes). Loads no model.
    /// </summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        CheckReserved(inputSchema.Select(c => c.Name));
        var found = inputSchema.Where(c => c.Name == _input).ToList();
        if (found.Count == 0)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"FeaturizeResNet18: input column '{_input}' not found; the schema has [{string.Join(", ", inputSchema.Select(c => c.Name))}].");
        var column = found[^1];
        var shape = inputSchema;
        string pixels = _input;
        if (column.ItemType is ImageDataViewType)
        {
            shape = _catalog.ExtractPixels(PixelColumn, _input).GetOutputSchema(shape);
            pixels = PixelColumn;
        }
        else if (column.ItemType != NumberDataViewType.Single || column.Kind != SchemaShape.Column.VectorKind.Vector)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"FeaturizeResNet18: column '{_input}' is {column.Kind} of {column.ItemType}; it must be pixels (a known-size Vector<Single> with dimensions [C, H, W]) or images (MLImage).");
        shape = _catalog.CopyColumns(_options.OutputColumnName, pixels).GetOutputSchema(shape);
        if (pixels != _input) shape = _catalog.DropColumns(pixels).GetOutputSchema(shape);
        return shape;
    }

    /// <summary>Steps that give an image column's RGB pixels: size (height, width) from the type or the options.</summary>
    private (string Pixels, int Height, int Width) ImagePixels(ImageDataViewType image, List<IEstimator<ITransformer>> steps, List<string> temporary)
    {
        string source = _input;
        int height = image.Height, width = image.Width;
        if (_options.ImageWidth is { } w && _options.ImageHeight is { } h && (w != width || h != height))
        {
            steps.Add(_catalog.ResizeImages(ImageColumn, w, h, _input, ImageResizingEstimator.ResizingKind.Fill));
            temporary.Add(ImageColumn);
            (source, height, width) = (ImageColumn, h, w);
        }
        else if (height <= 0 || width <= 0)
            throw new ArgumentOutOfRangeException("input", $"FeaturizeResNet18: column '{_input}' holds images of unknown size (as LoadImages gives them); set ResNet18FeaturizerOptions.ImageWidth and ImageHeight to the images' size, or resize them first with ResizeImages.");
        if (height > PixelResizeModel.MaxSide || width > PixelResizeModel.MaxSide)
            throw new ArgumentOutOfRangeException("input", $"FeaturizeResNet18: column '{_input}' holds {width} x {height} images; at most {PixelResizeModel.MaxSide} a side.");
        steps.Add(_catalog.ExtractPixels(PixelColumn, source));
        temporary.Add(PixelColumn);
        return (PixelColumn, height, width);
    }

    /// <summary>(C, H, W) of a pixel column, or an exception naming the column, its type and what is needed.</summary>
    private (int Channels, int Height, int Width) PixelShape(DataViewType type)
    {
        string need = "pixels (Vector<Single> with dimensions [C, H, W], C = 1 or 3, as ExtractPixels gives them) or images (MLImage)";
        if (type is not VectorDataViewType vector || vector.ItemType != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException("input", $"FeaturizeResNet18: column '{_input}' is {type}; it must be {need}.");
        var dims = vector.Dimensions;
        if (!vector.IsKnownSize || dims.Length != 3)
            throw new ArgumentOutOfRangeException("input", $"FeaturizeResNet18: column '{_input}' is {type} with dimensions [{string.Join(", ", dims)}]; it must be {need}.");
        if (dims[0] is not (1 or 3))
            throw new ArgumentOutOfRangeException("input", $"FeaturizeResNet18: column '{_input}' has {dims[0]} channels (dimensions [{string.Join(", ", dims)}]); it must have 1 (gray) or 3 (RGB).");
        if (dims[1] > PixelResizeModel.MaxSide || dims[2] > PixelResizeModel.MaxSide)
            throw new ArgumentOutOfRangeException("input", $"FeaturizeResNet18: column '{_input}' has dimensions [{string.Join(", ", dims)}]; at most {PixelResizeModel.MaxSide} a side.");
        return (dims[0], dims[1], dims[2]);
    }

    /// <summary>
    /// Looks at the first <see cref="RowsCheckedAtFit"/> rows: values outside 0..255 (or NaN) mean the pixels are on
    /// another scale (a generator's [-1, 1]) and would give meaningless features. The fitted chain checks nothing.
    /// </summary>
    private void CheckPixelRange(IDataView input, DataViewSchema.Column column)
    {
        using var cursor = input.GetRowCursor(new[] { column });
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        var pixels = default(VBuffer<float>);
        for (int row = 0; row < RowsCheckedAtFit && cursor.MoveNext(); row++)
        {
            getter(ref pixels);
            foreach (var v in pixels.GetValues())
                if (!(v >= 0 && v <= 255))
                    throw new ArgumentOutOfRangeException("input", $"FeaturizeResNet18: row {row} of column '{_input}' holds the pixel value {v}; pixels must be 0..255 (map [-1, 1] generator outputs with (x + 1) * 127.5, [0, 1] ones with x * 255).");
        }
    }

    private OnnxOptions OnnxOptionsFor(string modelFile, string input, string output) => new()
    {
        ModelFile = modelFile,
        InputColumns = new[] { input },
        OutputColumns = new[] { output },
        IntraOpNumThreads = _options.IntraOpThreads,
    };

    private static void CheckReserved(IEnumerable<string> columnNames)
    {
        var clash = columnNames.Where(ReservedColumnNames.Contains).Distinct().ToList();
        if (clash.Count > 0)
            throw new ArgumentOutOfRangeException("input", $"FeaturizeResNet18: the data has column(s) {string.Join(", ", clash.Select(c => $"'{c}'"))}, names the featurizer uses for its intermediate columns ({string.Join(", ", ReservedColumnNames)}); rename or drop them first.");
    }
}
