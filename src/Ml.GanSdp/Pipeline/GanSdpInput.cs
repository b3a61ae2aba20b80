using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using Ml.GanSdp.Models;

namespace Ml.GanSdp;

/// <summary>The training columns as <see cref="GanSdpInput.Resolve"/> found them in a schema.</summary>
/// <param name="ImageColumn">The image column's name.</param>
/// <param name="IsImageType">True for an ImageAnalytics image (MLImage) column, false for a pixel vector.</param>
/// <param name="Shape">[C, H, W] of the images (3 channels for MLImage, read with ExtractPixels' defaults).</param>
/// <param name="LabelColumn">The label key column, or null.</param>
/// <param name="ClassNames">The classes (key k is class k - 1), empty when unconditional.</param>
/// <param name="Model">The model options for these images.</param>
internal sealed record GanSdpColumns(string ImageColumn, bool IsImageType, ImageShape Shape, string? LabelColumn, IReadOnlyList<string> ClassNames, ModelOptions Model);

/// <summary>
/// The schema rules of <see cref="GanSdpEstimator"/>: what the image, label and seed columns must be, checked on a
/// <see cref="DataViewSchema"/> (everything) and on a <see cref="SchemaShape"/> (all that a shape carries: it has no
/// vector dimensions and no key counts). Errors are <see cref="ArgumentOutOfRangeException"/>s (ML.NET's schema-mismatch
/// type) naming the column, its type and what is needed.
/// </summary>
internal static class GanSdpInput
{
    private const string Param = "inputSchema";

    /// <summary>The largest image (C x H x W values) the MLP architecture is built for.</summary>
    public const int MaxMlpValues = 1 << 20;

    /// <summary>Everything about the input columns, from a full schema.</summary>
    public static GanSdpColumns Resolve(DataViewSchema schema, GanSdpOptions o)
    {
        var imageName = o.ImageColumnName;
        var image = schema.GetColumnOrNull(imageName) ?? throw Missing(imageName, "image", NeededImage, schema.Select(c => c.Name));
        ImageShape shape;
        bool isImage = false;
        switch (image.Type)
        {
            case VectorDataViewType v when v.ItemType == NumberDataViewType.Single:
                if (!v.IsKnownSize)
                    throw new ArgumentOutOfRangeException(Param, $"TrainGanSdp: the image column '{imageName}' is {v}, a Single vector of unknown size; it must be a Single vector of known size {NeededImage}.");
                if (v.Dimensions.Length != 3)
                    throw WrongType(imageName, "image", v, $"a vector whose Dimensions are [C, H, W] (it has {v.Dimensions.Length} dimension{(v.Dimensions.Length == 1 ? "" : "s")}; ExtractPixels writes [C, H, W])");
                shape = new ImageShape(v.Dimensions[0], v.Dimensions[1], v.Dimensions[2]);
                break;
            case ImageDataViewType img:
                if (img.Height <= 0 || img.Width <= 0)
                    throw WrongType(imageName, "image", img, "an image of fixed size (append ResizeImages after LoadImages)");
                CheckImageRange(o, imageName);
                shape = new ImageShape(3, img.Height, img.Width);
                isImage = true;
                break;
            default:
                throw WrongType(imageName, "image", image.Type, NeededImage);
        }
        CheckArchitecture(o, imageName, image.Type, shape);

        IReadOnlyList<string> classNames = [];
        if (o.LabelColumnName is { } labelName)
        {
            var label = schema.GetColumnOrNull(labelName) ?? throw Missing(labelName, "label", NeededLabel, schema.Select(c => c.Name));
            if (label.Type is not KeyDataViewType key || key.RawType != typeof(uint))
                throw WrongType(labelName, "label", label.Type, NeededLabel);
            if (key.Count < 1 || key.Count > (ulong)GanSdpModelInfo.MaxClassCount)
                throw WrongType(labelName, "label", label.Type, $"a key over 1 .. {GanSdpModelInfo.MaxClassCount} classes");
            classNames = ClassNames(label, (int)key.Count);
        }
        CheckSeed(schema.GetColumnOrNull(o.SeedColumnName) is { } seed ? seed.Type : null, o.SeedColumnName);

        var model = new ModelOptions
        {
            Architecture = o.Architecture,
            LatentSize = o.LatentSize,
            Width = o.Width,
            Depth = o.Depth,
            Channels = o.Architecture == Architecture.Mlp ? checked((int)shape.Size) : shape.Channels,
            ImageSize = o.Architecture == Architecture.Mlp ? 32 : shape.Height,
            NumClasses = classNames.Count,
            DiscriminatorSpectralNorm = o.DiscriminatorSpectralNorm,
            DiscriminatorBatchNorm = o.DiscriminatorBatchNorm,
        };
        model.Validate();
        return new GanSdpColumns(imageName, isImage, shape, o.LabelColumnName, classNames, model);
    }

    /// <summary>The checks a <see cref="SchemaShape"/> allows (no vector dimensions, no key counts in it).</summary>
    public static void Check(SchemaShape shape, GanSdpOptions o)
    {
        var imageName = o.ImageColumnName;
        var image = Find(shape, imageName) ?? throw Missing(imageName, "image", NeededImage, shape.Select(c => c.Name));
        if (image.Kind == SchemaShape.Column.VectorKind.Scalar && image.ItemType is ImageDataViewType img)
        {
            if (img.Height <= 0 || img.Width <= 0)
                throw WrongType(imageName, "image", img, "an image of fixed size (append ResizeImages after LoadImages)");
            CheckImageRange(o, imageName);
            CheckArchitecture(o, imageName, img, new ImageShape(3, img.Height, img.Width));
        }
        else if (image.Kind == SchemaShape.Column.VectorKind.VariableVector && image.ItemType == NumberDataViewType.Single && !image.IsKey)
            throw new ArgumentOutOfRangeException(Param, $"TrainGanSdp: the image column '{imageName}' is a Single vector of unknown size; it must be a Single vector of known size {NeededImage}.");
        else if (image.Kind != SchemaShape.Column.VectorKind.Vector || image.ItemType != NumberDataViewType.Single || image.IsKey)
            throw new ArgumentOutOfRangeException(Param, $"TrainGanSdp: the image column '{imageName}' is {Describe(image)}; it must be {NeededImage}.");

        if (o.LabelColumnName is { } labelName)
        {
            var label = Find(shape, labelName) ?? throw Missing(labelName, "label", NeededLabel, shape.Select(c => c.Name));
            if (label.Kind != SchemaShape.Column.VectorKind.Scalar || !label.IsKey || label.ItemType.RawType != typeof(uint))
                throw new ArgumentOutOfRangeException(Param, $"TrainGanSdp: the label column '{labelName}' is {Describe(label)}; it must be {NeededLabel}.");
        }
        var seed = Find(shape, o.SeedColumnName) ?? throw new ArgumentOutOfRangeException(Param,
            $"TrainGanSdp: the seed column '{o.SeedColumnName}' (Int64) is not in the input. The fitted model computes each row's image from it, and an ML.NET "
            + $"estimator chain transforms its training data through the fitted model, so the input needs one: add it with mlContext.Data.AddSeedColumn(data, \"{o.SeedColumnName}\") "
            + $"(row i gets seed i), or rows with a long {o.SeedColumnName} property, or set GanSdpOptions.SeedColumnName to an Int64 column. The input's columns are: {string.Join(", ", shape.Select(c => $"'{c.Name}'").Distinct())}.");
        if (seed.Kind != SchemaShape.Column.VectorKind.Scalar || seed.IsKey || seed.ItemType != NumberDataViewType.Int64)
            throw new ArgumentOutOfRangeException(Param, $"TrainGanSdp: the seed column '{o.SeedColumnName}' is {Describe(seed)}; it must be a scalar Int64 (one seed per row).");
    }

    private const string NeededImage = "with Dimensions [C, H, W] (ExtractPixels' output, e.g. LoadImages -> ResizeImages -> ExtractPixels) or a fixed-size image (MLImage, after ResizeImages)";
    private const string NeededLabel = "a key of UInt32 (Key<UInt32>, e.g. from MapValueToKey) for a class-conditional GAN";

    private static void CheckSeed(DataViewType? type, string name)
    {
        if (type is not null && type != NumberDataViewType.Int64)
            throw WrongType(name, "seed", type, "a scalar Int64 (one seed per row)");
    }

    private static void CheckImageRange(GanSdpOptions o, string imageName)
    {
        if (o.InputRange != PixelRange.Bytes)
            throw new ArgumentOutOfRangeException(Param, $"TrainGanSdp: the image column '{imageName}' holds images, whose pixels TrainGanSdp reads as 0 .. 255 (ExtractPixels' default); GanSdpOptions.InputRange is {o.InputRange}. Use the default, or extract the pixels yourself (ExtractPixels with scaleImage/offsetImage) and declare their range.");
    }

    /// <summary>The sizes each architecture builds: DCGAN square 28/32/64, SNGAN 32x32, 1 or 3 channels; MLP any size.</summary>
    private static void CheckArchitecture(GanSdpOptions o, string column, DataViewType type, ImageShape s)
    {
        string? need = o.Architecture switch
        {
            Architecture.Dcgan when s.Channels is not (1 or 3) || s.Height != s.Width || s.Height is not (28 or 32 or 64)
                => "square 28x28, 32x32 or 64x64 images with 1 or 3 channels",
            Architecture.SnganCnn or Architecture.SnganResNet when s.Channels is not (1 or 3) || s.Height != 32 || s.Width != 32
                => "32x32 images with 1 or 3 channels",
            Architecture.Mlp when s.Size > MaxMlpValues
                => $"at most {MaxMlpValues} values per image",
            _ => null,
        };
        if (need is not null)
            throw new ArgumentOutOfRangeException(Param, $"TrainGanSdp: the image column '{column}' holds {s} images ({type}); {o.Architecture} needs {need} (append ResizeImages before ExtractPixels, or choose another architecture).");
    }

    /// <summary>Class names from the key's KeyValues annotation (text or numbers, as MapValueToKey writes them), else "1" .. "K".</summary>
    private static IReadOnlyList<string> ClassNames(DataViewSchema.Column label, int count)
    {
        var kv = label.Annotations.Schema.GetColumnOrNull("KeyValues");
        if (kv?.Type is VectorDataViewType { Size: var size } t && size == count)
        {
            string[]? names = t.ItemType.RawType switch
            {
                var r when r == typeof(ReadOnlyMemory<char>) => Values<ReadOnlyMemory<char>>(label, v => v.ToString()),
                var r when r == typeof(int) => Values<int>(label, v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                var r when r == typeof(uint) => Values<uint>(label, v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                var r when r == typeof(long) => Values<long>(label, v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                var r when r == typeof(float) => Values<float>(label, v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)),
                var r when r == typeof(double) => Values<double>(label, v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)),
                var r when r == typeof(bool) => Values<bool>(label, v => v ? "true" : "false"),
                _ => null,
            };
            if (names is not null && names.All(n => !string.IsNullOrWhiteSpace(n)) && names.Distinct(StringComparer.Ordinal).Count() == names.Length)
                return names;
        }
        return Enumerable.Range(1, count).Select(k => k.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }

    private static string[] Values<T>(DataViewSchema.Column column, Func<T, string> text)
    {
        VBuffer<T> buffer = default;
        column.GetKeyValues(ref buffer);
        return buffer.DenseValues().Select(text).ToArray();
    }

    private static SchemaShape.Column? Find(SchemaShape shape, string name)
    {
        SchemaShape.Column? found = null;
        foreach (var c in shape) if (c.Name == name) found = c;
        return found;
    }

    private static string Describe(SchemaShape.Column c) => c.Kind switch
    {
        SchemaShape.Column.VectorKind.Scalar => $"{(c.IsKey ? "a key of " : "")}{c.ItemType}",
        SchemaShape.Column.VectorKind.Vector => $"a known-size vector of {(c.IsKey ? "keys of " : "")}{c.ItemType}",
        _ => $"a vector of unknown size of {(c.IsKey ? "keys of " : "")}{c.ItemType}",
    };

    private static ArgumentOutOfRangeException Missing(string name, string role, string needed, IEnumerable<string> present)
        => new(Param, $"TrainGanSdp: the {role} column '{name}' is not in the input; it must be {needed}. The input's columns are: {string.Join(", ", present.Distinct().Select(n => $"'{n}'"))}.");

    private static ArgumentOutOfRangeException WrongType(string name, string role, DataViewType actual, string needed)
        => new(Param, $"TrainGanSdp: the {role} column '{name}' is {actual}; it must be {needed}.");
}
