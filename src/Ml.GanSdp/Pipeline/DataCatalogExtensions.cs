using Ml.GanSdp.Data;

namespace Ml.GanSdp.Pipeline;

/// <summary>The loaders of <see cref="GanContext.Data"/> (ML.NET's <c>mlContext.Data.LoadFrom...</c>).</summary>
public static class DataCatalogExtensions
{
    /// <summary>Where Debian's dataset-fashion-mnist package installs Fashion-MNIST.</summary>
    public const string DebianFashionMnistDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>
    /// An image folder <c>root/&lt;class&gt;/&lt;image&gt;</c> (torchvision's ImageFolder): columns <c>Image</c> (uint8 C x ? x ?),
    /// <c>Label</c> (key over the class folders) and <c>ImagePath</c>. Images are decoded lazily when batches are read.
    /// </summary>
    public static ImageFolderDataView LoadImages(this DataOperationsCatalog catalog, string folder, bool grayscale = false,
        string imageColumnName = "Image", string labelColumnName = "Label")
        => LoadImages(catalog, folder, new ImageFolderOptions
        {
            ColorMode = grayscale ? ImageColorMode.Grayscale : ImageColorMode.Rgb,
            ImageColumnName = imageColumnName,
            LabelColumnName = labelColumnName,
        });

    /// <summary>An image folder with all <see cref="ImageFolderOptions"/>.</summary>
    public static ImageFolderDataView LoadImages(this DataOperationsCatalog catalog, string folder, ImageFolderOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return ImageFolderLoader.Load(folder, options);
    }

    /// <summary>Fashion-MNIST (gzip IDX) from <paramref name="directory"/> (Debian's by default): <c>Image</c> 1 x 28 x 28 uint8, <c>Label</c> (10 named classes).</summary>
    public static IdxDataView LoadFashionMnist(this DataOperationsCatalog catalog, string directory = DebianFashionMnistDirectory, bool train = true)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return IdxLoader.LoadFashionMnist(directory, train);
    }

    /// <summary>An IDX image file and optional label file (MNIST layout).</summary>
    public static IdxDataView LoadIdx(this DataOperationsCatalog catalog, string imagesPath, string? labelsPath = null, IReadOnlyList<string>? classNames = null)
        => LoadIdx(catalog, imagesPath, labelsPath, new IdxLoaderOptions { ClassNames = classNames });

    /// <summary>An IDX image file and optional label file with all <see cref="IdxLoaderOptions"/>.</summary>
    public static IdxDataView LoadIdx(this DataOperationsCatalog catalog, string imagesPath, string? labelsPath, IdxLoaderOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return IdxLoader.Load(imagesPath, labelsPath, options);
    }

    /// <summary>CIFAR-10 or CIFAR-100 in the binary version (<c>data_batch_*.bin</c> / <c>train.bin</c>) from <paramref name="directory"/>.</summary>
    public static CifarDataView LoadCifar(this DataOperationsCatalog catalog, string directory, bool train = true, CifarKind kind = CifarKind.Cifar10)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return kind == CifarKind.Cifar10 ? CifarLoader.LoadCifar10(directory, train) : CifarLoader.LoadCifar100(directory, train);
    }

    /// <summary>Rows of a class in memory, one column per property (ML.NET's <c>LoadFromEnumerable</c>).</summary>
    public static InMemoryDataView LoadFromEnumerable<TRow>(this DataOperationsCatalog catalog, IEnumerable<TRow> rows)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return InMemoryDataView.LoadFromEnumerable(rows);
    }
}
