using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace Ml.GanSdp.Features;

/// <summary>
/// The input side shared by the featurizers (<see cref="ResNet18FeaturizingEstimator"/>,
/// <see cref="InceptionFidFeaturizingEstimator"/>): a column of pixels (<c>Vector&lt;Single&gt;</c> with dimensions
/// [C, H, W], C = 1 or 3, values 0..255, as ImageAnalytics' <c>ExtractPixels</c> gives them) or of images
/// (<c>MLImage</c>, turned into such pixels with ML.NET's own <c>ResizeImages</c> and <c>ExtractPixels</c>). Error
/// messages start with the featurizer's name and name the column, its type and what is needed.
/// </summary>
internal sealed class PixelInput
{
    /// <summary>Rows of a pixel column whose value range Fit checks.</summary>
    public const int RowsCheckedAtFit = 16;

    private readonly TransformsCatalog _catalog;
    private readonly string _featurizer;
    private readonly string _input;
    private readonly int? _imageWidth, _imageHeight;
    private readonly int _maxSide;
    private readonly string _optionsName;

    /// <param name="catalog">Where the image steps come from.</param>
    /// <param name="featurizer">The catalog method's name, first in every message (e.g. "FeaturizeResNet18").</param>
    /// <param name="input">The input column.</param>
    /// <param name="imageWidth">For an image column: the width to bring images to (with <paramref name="imageHeight"/>), or null for the column's known size.</param>
    /// <param name="imageHeight">For an image column: the height.</param>
    /// <param name="maxSide">The largest accepted height or width.</param>
    /// <param name="columnPrefix">Prefix of the intermediate column names (<c>prefix.Image</c>, <c>prefix.Pixels</c>).</param>
    /// <param name="optionsName">The options record's name, for messages that name an option.</param>
    public PixelInput(TransformsCatalog catalog, string featurizer, string input, int? imageWidth, int? imageHeight, int maxSide, string columnPrefix, string optionsName)
    {
        _optionsName = optionsName;
        _catalog = catalog;
        _featurizer = featurizer;
        _input = input;
        _imageWidth = imageWidth;
        _imageHeight = imageHeight;
        _maxSide = maxSide;
        ImageColumn = columnPrefix + ".Image";
        PixelColumn = columnPrefix + ".Pixels";
    }

    /// <summary>The intermediate resized-image column (dropped at the end of the chain).</summary>
    public string ImageColumn { get; }

    /// <summary>The intermediate pixel column of an image input (dropped at the end of the chain).</summary>
    public string PixelColumn { get; }

    /// <summary>The input column or an exception naming the columns there are.</summary>
    public DataViewSchema.Column Find(DataViewSchema schema)
        => schema.GetColumnOrNull(_input)
            ?? throw new ArgumentOutOfRangeException("input", $"{_featurizer}: input column '{_input}' not found; the data has [{string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => c.Name))}].");

    /// <summary>
    /// Adds the steps that give the input's pixels to <paramref name="steps"/> (none for a pixel column; for an image
    /// column <c>ResizeImages</c> (Fill, only when the options ask for another size) and <c>ExtractPixels</c>, their
    /// columns added to <paramref name="temporary"/>), checks a pixel column's first <see cref="RowsCheckedAtFit"/> rows,
    /// and returns the pixel column and its shape.
    /// </summary>
    public (string Pixels, int Channels, int Height, int Width) AddSteps(IDataView input, List<IEstimator<ITransformer>> steps, List<string> temporary)
    {
        var column = Find(input.Schema);
        if (column.Type is ImageDataViewType image)
        {
            var (height, width) = ImageSteps(image, steps, temporary);
            return (PixelColumn, 3, height, width);
        }
        var (channels, h, w) = PixelShape(column.Type);
        CheckPixelRange(input, column);
        return (_input, channels, h, w);
    }

    /// <summary>
    /// The schema shape after the featurizer: the input's plus <paramref name="outputColumnName"/>, a copy of the pixel
    /// column's shape (a schema shape carries no sizes; Fit checks them).
    /// </summary>
    public SchemaShape OutputSchema(SchemaShape inputSchema, string outputColumnName)
    {
        var found = inputSchema.Where(c => c.Name == _input).ToList();
        if (found.Count == 0)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"{_featurizer}: input column '{_input}' not found; the schema has [{string.Join(", ", inputSchema.Select(c => c.Name))}].");
        var column = found[^1];
        var shape = inputSchema;
        string pixels = _input;
        if (column.ItemType is ImageDataViewType)
        {
            shape = _catalog.ExtractPixels(PixelColumn, _input).GetOutputSchema(shape);
            pixels = PixelColumn;
        }
        else if (column.ItemType != NumberDataViewType.Single || column.Kind != SchemaShape.Column.VectorKind.Vector)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"{_featurizer}: column '{_input}' is {column.Kind} of {column.ItemType}; it must be pixels (a known-size Vector<Single> with dimensions [C, H, W]) or images (MLImage).");
        shape = _catalog.CopyColumns(outputColumnName, pixels).GetOutputSchema(shape);
        if (pixels != _input) shape = _catalog.DropColumns(pixels).GetOutputSchema(shape);
        return shape;
    }

    /// <summary>Steps that give an image column's RGB pixels: size (height, width) from the type or the options.</summary>
    private (int Height, int Width) ImageSteps(ImageDataViewType image, List<IEstimator<ITransformer>> steps, List<string> temporary)
    {
        string source = _input;
        int height = image.Height, width = image.Width;
        if (_imageWidth is { } w && _imageHeight is { } h && (w != width || h != height))
        {
            steps.Add(_catalog.ResizeImages(ImageColumn, w, h, _input, ImageResizingEstimator.ResizingKind.Fill));
            temporary.Add(ImageColumn);
            (source, height, width) = (ImageColumn, h, w);
        }
        else if (height <= 0 || width <= 0)
            throw new ArgumentOutOfRangeException("input", $"{_featurizer}: column '{_input}' holds images of unknown size (as LoadImages gives them); set {_optionsName}.ImageWidth and ImageHeight to the images' size, or resize them first with ResizeImages.");
        if (height > _maxSide || width > _maxSide)
            throw new ArgumentOutOfRangeException("input", $"{_featurizer}: column '{_input}' holds {width} x {height} images; at most {_maxSide} a side.");
        steps.Add(_catalog.ExtractPixels(PixelColumn, source));
        temporary.Add(PixelColumn);
        return (height, width);
    }

    /// <summary>(C, H, W) of a pixel column, or an exception naming the column, its type and what is needed.</summary>
    private (int Channels, int Height, int Width) PixelShape(DataViewType type)
    {
        string need = "pixels (Vector<Single> with dimensions [C, H, W], C = 1 or 3, as ExtractPixels gives them) or images (MLImage)";
        if (type is not VectorDataViewType vector || vector.ItemType != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException("input", $"{_featurizer}: column '{_input}' is {type}; it must be {need}.");
        var dims = vector.Dimensions;
        if (!vector.IsKnownSize || dims.Length != 3)
            throw new ArgumentOutOfRangeException("input", $"{_featurizer}: column '{_input}' is {type} with dimensions [{string.Join(", ", dims)}]; it must be {need}.");
        if (dims[0] is not (1 or 3))
            throw new ArgumentOutOfRangeException("input", $"{_featurizer}: column '{_input}' has {dims[0]} channels (dimensions [{string.Join(", ", dims)}]); it must have 1 (gray) or 3 (RGB).");
        if (dims[1] > _maxSide || dims[2] > _maxSide)
            throw new ArgumentOutOfRangeException("input", $"{_featurizer}: column '{_input}' has dimensions [{string.Join(", ", dims)}]; at most {_maxSide} a side.");
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
                    throw new ArgumentOutOfRangeException("input", $"{_featurizer}: row {row} of column '{_input}' holds the pixel value {v}; pixels must be 0..255 (map [-1, 1] generator outputs with (x + 1) * 127.5, [0, 1] ones with x * 255).");
        }
    }

    /// <summary>
    /// Refuses input columns named like one of the featurizer's intermediate columns (<paramref name="reserved"/>),
    /// naming the featurizer, the clashing columns and the reserved names.
    /// </summary>
    public void CheckReserved(IEnumerable<string> columnNames, IReadOnlyList<string> reserved)
    {
        var clash = columnNames.Where(reserved.Contains).Distinct().ToList();
        if (clash.Count > 0)
            throw new ArgumentOutOfRangeException("input", $"{_featurizer}: the data has column(s) {string.Join(", ", clash.Select(c => $"'{c}'"))}, names the featurizer uses for its intermediate columns ({string.Join(", ", reserved)}); rename or drop them first.");
    }
}
