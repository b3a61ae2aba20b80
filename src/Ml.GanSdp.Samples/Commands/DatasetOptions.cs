using System.CommandLine;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace Ml.GanSdp.Samples.Commands;

/// <summary>The datasets <c>gansdp</c> reads.</summary>
public enum DatasetKind
{
    /// <summary>Fashion-MNIST (IDX, gzip or raw) from Debian's dataset-fashion-mnist, or from <c>--data</c>.</summary>
    FashionMnist,
    /// <summary>MNIST (IDX files with MNIST's names) in the folder <c>--data</c>.</summary>
    Mnist,
    /// <summary>CIFAR-10's binary version (data_batch_1..5.bin, test_batch.bin) in the folder <c>--data</c>.</summary>
    Cifar10,
    /// <summary>An image folder <c>--data</c>/&lt;class&gt;/**/&lt;image&gt; (e.g. the CIFAR-10 JPEG tree's train/).</summary>
    Folder,
    /// <summary>An IDX image file <c>--data</c> with an optional label file <c>--labels</c>.</summary>
    Idx,
}

/// <summary>
/// Which data a command reads (recorded in a run's options.json so <c>--resume</c> reads the same): the kind, paths,
/// the image size and channels an image folder is brought to, and a row limit.
/// </summary>
public sealed record DatasetSpec
{
    /// <summary>The dataset kind.</summary>
    public DatasetKind Kind { get; init; } = DatasetKind.FashionMnist;
    /// <summary>The dataset folder or file (see <see cref="DatasetKind"/>); null for Debian's Fashion-MNIST.</summary>
    public string? Data { get; init; }
    /// <summary>The IDX label file (kind Idx).</summary>
    public string? Labels { get; init; }
    /// <summary>The test split: an image folder root, or an IDX image file; other kinds have their own test files.</summary>
    public string? TestData { get; init; }
    /// <summary>The IDX label file of the test split.</summary>
    public string? TestLabels { get; init; }
    /// <summary>Image folders: the square size images are resized to (default 32).</summary>
    public int? ImageSize { get; init; }
    /// <summary>Image folders: 1 (gray) or 3 (RGB, default) channels.</summary>
    public int? Channels { get; init; }
    /// <summary>Image folders: skip undecodable, truncated or oversized images (counted) instead of failing.</summary>
    public bool SkipInvalid { get; init; }
    /// <summary>Read only the first this many rows (null: all).</summary>
    public long? MaxRows { get; init; }
}

/// <summary>The data a command reads: pixels (column Image, Single vector [C, H, W], 0..255) and labels (column Label, a key).</summary>
/// <param name="View">The rows, streamed.</param>
/// <param name="Shape">[C, H, W] of the images.</param>
/// <param name="ClassNames">The label key's values, or empty without labels.</param>
/// <param name="Folder">The image-folder source, when it is one (skipped files are counted there).</param>
/// <param name="Description">What was loaded, for messages.</param>
public sealed record LoadedData(IDataView View, ImageShape Shape, IReadOnlyList<string> ClassNames, ImageFolderDataView? Folder, string Description)
{
    /// <summary>The pixel column.</summary>
    public const string ImageColumn = "Image";
    /// <summary>The label column.</summary>
    public const string LabelColumn = "Label";

    /// <summary>Whether the data has a label column.</summary>
    public bool HasLabels => ClassNames.Count > 0;
}

/// <summary>The dataset options shared by train, augment, classify and fid, and how they load the data.</summary>
internal sealed class DatasetOptions
{
    public Option<DatasetKind> Kind { get; } = Opt.Enum("--dataset", "the dataset", DatasetKind.FashionMnist, "-d");
    public Option<string?> Data { get; } = new("--data") { Description = "dataset path: Fashion-MNIST/MNIST/CIFAR-10 folder, image-folder root, or IDX image file" };
    public Option<string?> Labels { get; } = new("--labels") { Description = "IDX label file (with --dataset idx)" };
    public Option<string?> TestData { get; } = new("--test-data") { Description = "test split: image-folder root (--dataset folder) or IDX image file (--dataset idx)" };
    public Option<string?> TestLabels { get; } = new("--test-labels") { Description = "IDX label file of the test split" };
    public Option<int?> ImageSize { get; } = Opt.OptionalInt("--image-size", "image folders: resize to this square size (default 32)", 4, 1024);
    public Option<int?> Channels { get; } = Opt.OptionalInt("--channels", "image folders: 1 (gray) or 3 (RGB, default)", 1, 3);
    public Option<bool> SkipInvalid { get; } = new("--skip-invalid") { Description = "image folders: skip undecodable, truncated or oversized images (counted) instead of failing" };
    public Option<long?> MaxRows { get; } = Opt.OptionalLong("--max-rows", "use only the first N rows", 1, long.MaxValue);

    public Option[] All => [Kind, Data, Labels, TestData, TestLabels, ImageSize, Channels, SkipInvalid, MaxRows];

    public void AddTo(Command c)
    {
        foreach (var o in All) c.Options.Add(o);
    }

    /// <summary>The spec the options name, checked for consistency (a usage error names the option).</summary>
    public DatasetSpec Spec(ParseResult p)
    {
        var spec = new DatasetSpec
        {
            Kind = p.GetValue(Kind),
            Data = p.GetValue(Data),
            Labels = p.GetValue(Labels),
            TestData = p.GetValue(TestData),
            TestLabels = p.GetValue(TestLabels),
            ImageSize = p.GetValue(ImageSize),
            Channels = p.GetValue(Channels),
            SkipInvalid = p.GetValue(SkipInvalid),
            MaxRows = p.GetValue(MaxRows),
        };
        Check(spec);
        return spec;
    }

    /// <summary>Checks that the options fit the dataset kind (paths needed, options that do not apply).</summary>
    public static void Check(DatasetSpec s)
    {
        if (s.Channels is 2) throw new UsageException("--channels must be 1 or 3.");
        bool folder = s.Kind == DatasetKind.Folder;
        if (!folder && (s.ImageSize is not null || s.Channels is not null || s.SkipInvalid))
            throw new UsageException($"--image-size, --channels and --skip-invalid apply to --dataset folder only (the dataset is {Opt.Kebab(s.Kind)}, whose images have a fixed size).");
        if (s.Kind is DatasetKind.Mnist or DatasetKind.Cifar10 or DatasetKind.Folder or DatasetKind.Idx && s.Data is null)
            throw new UsageException($"--dataset {Opt.Kebab(s.Kind)} needs --data ({What(s.Kind)}).");
        if (s.Labels is not null && s.Kind != DatasetKind.Idx) throw new UsageException("--labels applies to --dataset idx only.");
        if (s.TestLabels is not null && s.Kind != DatasetKind.Idx) throw new UsageException("--test-labels applies to --dataset idx only.");
        if (s.TestData is not null && s.Kind is not (DatasetKind.Folder or DatasetKind.Idx))
            throw new UsageException($"--test-data applies to --dataset folder and idx; {Opt.Kebab(s.Kind)} has its own test files.");
    }

    private static string What(DatasetKind kind) => kind switch
    {
        DatasetKind.Mnist => "the folder of MNIST's IDX files",
        DatasetKind.Cifar10 => "the cifar-10-batches-bin folder",
        DatasetKind.Folder => "the root of an image folder, one sub-folder per class",
        DatasetKind.Idx => "an IDX image file",
        _ => "the Fashion-MNIST folder",
    };

    /// <summary>
    /// Loads the training (or test) split as Image [C, H, W] pixels 0..255 and a Label key. <paramref name="shape"/>, when
    /// given, is what the caller needs (a model's images): an image folder is brought to it, any other source must have it.
    /// Only headers are read here; rows stream when a cursor reads them.
    /// </summary>
    public static LoadedData Load(MLContext ml, DatasetSpec s, bool train, ImageShape? shape = null)
    {
        IDataView view;
        ImageFolderDataView? folder = null;
        string description;
        switch (s.Kind)
        {
            case DatasetKind.FashionMnist:
            case DatasetKind.Mnist:
                var dir = s.Data ?? DataSourceCatalog.FashionMnistDirectory;
                view = s.Kind == DatasetKind.FashionMnist ? ml.Data.LoadFashionMnist(dir, train) : ml.Data.LoadMnist(dir, train);
                description = $"{(s.Kind == DatasetKind.FashionMnist ? "Fashion-MNIST" : "MNIST")} {(train ? "train" : "test")} ({dir})";
                break;
            case DatasetKind.Cifar10:
                view = ml.Data.LoadCifar10(s.Data!, train);
                description = $"CIFAR-10 {(train ? "train" : "test")} ({s.Data})";
                break;
            case DatasetKind.Idx:
                var images = train ? s.Data! : s.TestData ?? throw new UsageException("This command needs a test split: give --test-data (an IDX image file) and --test-labels.");
                var labels = train ? s.Labels : s.TestLabels;
                view = ml.Data.LoadIdx(images, labels);
                description = $"IDX {images}" + (labels is null ? "" : $" with labels {labels}");
                break;
            case DatasetKind.Folder:
                var root = train ? s.Data! : s.TestData ?? throw new UsageException("This command needs a test split: give --test-data (the test image-folder root).");
                folder = ml.Data.LoadImageFolder(root, new ImageFolderSourceOptions { OnInvalidImage = s.SkipInvalid ? InvalidImageHandling.Skip : InvalidImageHandling.Throw });
                int size = s.ImageSize ?? shape?.Height ?? 32, channels = s.Channels ?? shape?.Channels ?? 3;
                if (shape is { } need && (need.Height != size || need.Width != size || need.Channels != channels))
                    throw new UsageException($"The model makes {need} images but --image-size {size} --channels {channels} were given; leave them out to use the model's size.");
                view = FolderPixels(ml, folder, size, channels);
                description = $"image folder {root} ({folder.Files.Count} files, {folder.ClassNames.Count} classes, resized to {channels} x {size} x {size})";
                break;
            default:
                throw new UsageException($"Unknown dataset kind {s.Kind}.");
        }
        if (s.MaxRows is { } max) view = ml.Data.TakeRows(view, max);
        var column = view.Schema.GetColumnOrNull(LoadedData.ImageColumn) ?? throw new InvalidDataException($"{description} has no '{LoadedData.ImageColumn}' column.");
        var imageShape = ImageShape.FromVectorType((VectorDataViewType)column.Type, column.Name);
        if (shape is { } required && imageShape != required)
            throw new InvalidDataException($"{description} holds {imageShape} images but the model makes {required} images; use data of the model's size.");
        return new LoadedData(view, imageShape, ClassNames(view.Schema), folder, description);
    }

    /// <summary>
    /// An image folder as pixels: ImageAnalytics' LoadImages, ResizeImages to size x size, then ExtractPixels (RGB planes;
    /// for one channel ConvertToGrayscale and the red plane, which for gray files is the stored value).
    /// </summary>
    private static IDataView FolderPixels(MLContext ml, ImageFolderDataView folder, int size, int channels)
    {
        var t = ml.Transforms;
        IEstimator<ITransformer> pipeline = t.LoadImages(LoadedData.ImageColumn, imageFolder: null, inputColumnName: "ImagePath")
            .Append(t.ResizeImages(LoadedData.ImageColumn, imageWidth: size, imageHeight: size));
        pipeline = channels == 1
            ? pipeline.Append(t.ConvertToGrayscale(LoadedData.ImageColumn)).Append(t.ExtractPixels(LoadedData.ImageColumn, colorsToExtract: ImagePixelExtractingEstimator.ColorBits.Red))
            : pipeline.Append(t.ExtractPixels(LoadedData.ImageColumn));
        return pipeline.Fit(folder).Transform(folder);
    }

    /// <summary>The label column's key values (class names), or empty when there is no key label.</summary>
    internal static IReadOnlyList<string> ClassNames(DataViewSchema schema, string column = LoadedData.LabelColumn)
    {
        var label = schema.GetColumnOrNull(column);
        if (label is not { Type: KeyDataViewType key }) return [];
        if (label.Value.Annotations.Schema.GetColumnOrNull("KeyValues")?.Type is VectorDataViewType { ItemType: TextDataViewType })
        {
            VBuffer<ReadOnlyMemory<char>> names = default;
            label.Value.GetKeyValues(ref names);
            return names.DenseValues().Select(n => n.ToString()).ToArray();
        }
        return Enumerable.Range(1, (int)key.Count).Select(k => k.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }
}
