using Ml.GanSdp.Data;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Imaging;

/// <summary>
/// Converts an RGB image column to one channel with ITU-R BT.601 luma weights, Y = 0.299 R + 0.587 G + 0.114 B
/// (ML.NET's <c>ConvertToGrayscale</c>). uint8 images are weighted in float64 and rounded half to even;
/// float images are weighted in their own type. A one-channel column is copied unchanged.
/// </summary>
public sealed class ConvertToGrayscaleTransform : DataViewTransform
{
    /// <summary>The BT.601 weights of R, G and B.</summary>
    public static readonly double[] Weights = { 0.299, 0.587, 0.114 };

    private readonly ImageDataViewType _inputType;

    /// <summary>Checks the input column (an image) and computes the output schema.</summary>
    /// <exception cref="SchemaException">The input column is missing or not an image.</exception>
    public ConvertToGrayscaleTransform(IDataView input, ConvertToGrayscaleOptions options) : base(input)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _inputType = ImageColumn.Require(input.Schema, options.SourceColumnName, "ConvertToGrayscale");
        SetSchema(GetOutputSchema(input.Schema, options));
    }

    /// <summary>The options.</summary>
    public ConvertToGrayscaleOptions Options { get; }

    /// <summary>The schema this transform produces from <paramref name="inputSchema"/> (checking it).</summary>
    public static DataViewSchema GetOutputSchema(DataViewSchema inputSchema, ConvertToGrayscaleOptions options)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var t = ImageColumn.Require(inputSchema, options.SourceColumnName, "ConvertToGrayscale");
        return inputSchema.WithColumn(options.OutputColumnName, new ImageDataViewType(1, t.Height, t.Width, t.ItemType, t.Range));
    }

    /// <inheritdoc/>
    public override void Apply(DataBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ImageColumn.Map(batch, Options.SourceColumnName, Options.OutputColumnName, _inputType.HasFixedSize, _inputType.HasFixedSize, ToGray);
        batch.Rebind(Schema);
    }

    /// <summary>N x 3 x H x W (or N x 1 x H x W, copied) to N x 1 x H x W in the same dtype.</summary>
    public static Tensor ToGray(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var s = images.shape;
        if (s.Length != 4 || s[1] is not (1 or 3))
            throw new ArgumentException($"ConvertToGrayscale expects N x C x H x W images with C = 1 or 3; got shape [{string.Join(", ", s)}].", nameof(images));
        if (s[1] == 1) return images.clone();
        using var scope = NewDisposeScope();
        bool bytes = images.dtype == ScalarType.Byte;
        var x = bytes ? images.to(ScalarType.Float64) : images;
        var y = x.narrow(1, 0, 1) * Weights[0];
        y = y + x.narrow(1, 1, 1) * Weights[1];
        y = y + x.narrow(1, 2, 1) * Weights[2];
        if (!bytes) return y.MoveToOuterDisposeScope();
        return y.round().clamp(0, 255).to(ScalarType.Byte).MoveToOuterDisposeScope();
    }
}
