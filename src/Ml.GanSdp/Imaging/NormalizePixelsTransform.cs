using Ml.GanSdp.Data;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Imaging;

/// <summary>
/// Turns a uint8 image column (0..255) into float32 in [0, 1] (<c>x / 255</c>) or [-1, 1]
/// (<c>(x / 255 - 0.5) / 0.5</c>, torchvision's ToTensor + Normalize(0.5, 0.5)); ML.NET's <c>ExtractPixels</c>
/// with scale and offset. The output column type records the range.
/// </summary>
public sealed class NormalizePixelsTransform : DataViewTransform
{
    private readonly ImageDataViewType _inputType;

    /// <summary>Checks the input column (a uint8 image) and computes the output schema.</summary>
    /// <exception cref="SchemaException">The input column is missing or not a uint8 image.</exception>
    public NormalizePixelsTransform(IDataView input, NormalizePixelsOptions options) : base(input)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _inputType = ImageColumn.Require(input.Schema, options.SourceColumnName, "NormalizePixels", ScalarType.Byte);
        SetSchema(GetOutputSchema(input.Schema, options));
    }

    /// <summary>The options.</summary>
    public NormalizePixelsOptions Options { get; }

    /// <summary>The schema this transform produces from <paramref name="inputSchema"/> (checking it).</summary>
    public static DataViewSchema GetOutputSchema(DataViewSchema inputSchema, NormalizePixelsOptions options)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var t = ImageColumn.Require(inputSchema, options.SourceColumnName, "NormalizePixels", ScalarType.Byte);
        return inputSchema.WithColumn(options.OutputColumnName, new ImageDataViewType(t.Channels, t.Height, t.Width, ScalarType.Float32, options.Range));
    }

    /// <inheritdoc/>
    public override void Apply(DataBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ImageColumn.Map(batch, Options.SourceColumnName, Options.OutputColumnName, _inputType.HasFixedSize, _inputType.HasFixedSize,
            images => ImageTensors.BytesToFloat(images, Options.Range));
        batch.Rebind(Schema);
    }
}
