using Ml.GanSdp.Data;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Imaging;

/// <summary>
/// Resizes an image column to <see cref="ResizeImagesOptions.Width"/> x <see cref="ResizeImagesOptions.Height"/>
/// (ML.NET's <c>ResizeImages</c> with <c>ResizingKind.Fill</c>) with libtorch's <c>interpolate</c>; images of varying
/// size become a fixed-size column. uint8 images are resampled in float32 and rounded back (half to even,
/// clamped to 0..255); float images stay float32.
/// </summary>
public sealed class ResizeImagesTransform : DataViewTransform
{
    private readonly ImageDataViewType _inputType;

    /// <summary>Checks the input column (an image) and computes the output schema.</summary>
    /// <exception cref="SchemaException">The input column is missing or not an image.</exception>
    public ResizeImagesTransform(IDataView input, ResizeImagesOptions options) : base(input)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _inputType = ImageColumn.Require(input.Schema, options.SourceColumnName, "ResizeImages");
        SetSchema(GetOutputSchema(input.Schema, options));
    }

    /// <summary>The options.</summary>
    public ResizeImagesOptions Options { get; }

    /// <summary>The schema this transform produces from <paramref name="inputSchema"/> (checking it).</summary>
    public static DataViewSchema GetOutputSchema(DataViewSchema inputSchema, ResizeImagesOptions options)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var t = ImageColumn.Require(inputSchema, options.SourceColumnName, "ResizeImages");
        return inputSchema.WithColumn(options.OutputColumnName, new ImageDataViewType(t.Channels, options.Height, options.Width, t.ItemType, t.Range));
    }

    /// <inheritdoc/>
    public override void Apply(DataBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ImageColumn.Map(batch, Options.SourceColumnName, Options.OutputColumnName, _inputType.HasFixedSize, true,
            images => Resize(images, Options.Width, Options.Height, Options.Mode));
        batch.Rebind(Schema);
    }

    /// <summary>
    /// Resizes N x C x H x W images to <paramref name="height"/> x <paramref name="width"/>: float images with
    /// <c>interpolate</c> (align_corners false) in float32; uint8 images converted to float32, resized, rounded
    /// and clamped back to uint8.
    /// </summary>
    public static Tensor Resize(Tensor images, int width, int height, ResizeMode mode = ResizeMode.Bilinear)
    {
        ArgumentNullException.ThrowIfNull(images);
        var s = images.shape;
        if (s.Length != 4) throw new ArgumentException($"Resize expects N x C x H x W images; got shape [{string.Join(", ", s)}].", nameof(images));
        var m = mode == ResizeMode.Nearest ? InterpolationMode.Nearest : InterpolationMode.Bilinear;
        using var scope = NewDisposeScope();
        var f = images.to(ScalarType.Float32);
        var resized = nn.functional.interpolate(f, new Size2(height, width), m, align_corners: false);
        if (images.dtype != ScalarType.Byte) return resized.MoveToOuterDisposeScope();
        return resized.round().clamp(0, 255).to(ScalarType.Byte).MoveToOuterDisposeScope();
    }
}
