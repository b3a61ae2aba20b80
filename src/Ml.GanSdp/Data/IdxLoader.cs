namespace Ml.GanSdp.Data;

/// <summary>Options of <see cref="IdxLoader.Load"/>.</summary>
public sealed record IdxLoaderOptions
{
    /// <summary>Name of the image column (1 x H x W uint8); default "Image".</summary>
    public string ImageColumnName { get; init; } = "Image";

    /// <summary>Name of the label column (key); default "Label".</summary>
    public string LabelColumnName { get; init; } = "Label";

    /// <summary>Class names, index = label; null: "0", "1", ... up to the largest label (at least 10).</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ImageColumnName) || string.IsNullOrWhiteSpace(LabelColumnName) || ImageColumnName == LabelColumnName)
            throw new ArgumentException($"IdxLoaderOptions column names must be non-empty and different; got '{ImageColumnName}', '{LabelColumnName}'.");
        if (ClassNames is { Count: 0 }) throw new ArgumentException("IdxLoaderOptions.ClassNames must not be empty when given.");
    }
}

/// <summary>Loads IDX image/label pairs: MNIST, Fashion-MNIST, and anything else in that format.</summary>
public static class IdxLoader
{
    /// <summary>Fashion-MNIST's ten classes, index = label.</summary>
    public static IReadOnlyList<string> FashionMnistClassNames { get; } = new[]
    {
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    };

    /// <summary>MNIST's ten classes, "0" .. "9".</summary>
    public static IReadOnlyList<string> MnistClassNames { get; } = Enumerable.Range(0, 10).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    /// <summary>
    /// Loads an IDX image file (N x H x W, gzip or raw) and optionally its label file (N). The files are read into
    /// memory (compressed MNIST-sized data is small); batches are cut from it on demand.
    /// </summary>
    /// <exception cref="InvalidDataException">Bad file, images not N x H x W, counts that disagree, or a label beyond the class names.</exception>
    public static IdxDataView Load(string imagesPath, string? labelsPath = null, IdxLoaderOptions? options = null)
    {
        options ??= new IdxLoaderOptions();
        options.Validate();
        var images = IdxFile.Read(imagesPath);
        if (images.Dimensions.Count != 3)
            throw new InvalidDataException($"IDX image file '{imagesPath}' has shape [{string.Join(", ", images.Dimensions)}]; N x H x W is expected.");
        IdxFile? labels = null;
        if (labelsPath is not null)
        {
            labels = IdxFile.Read(labelsPath);
            if (labels.Dimensions.Count != 1)
                throw new InvalidDataException($"IDX label file '{labelsPath}' has shape [{string.Join(", ", labels.Dimensions)}]; one dimension N is expected.");
            if (labels.Count != images.Count)
                throw new InvalidDataException($"IDX label file '{labelsPath}' has {labels.Count} labels but image file '{imagesPath}' has {images.Count} images.");
        }
        IReadOnlyList<string>? classes = null;
        if (labels is not null)
        {
            int max = labels.Count == 0 ? 0 : labels.Data.Max();
            classes = options.ClassNames ?? Enumerable.Range(0, Math.Max(10, max + 1)).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            if (max >= classes.Count)
                throw new InvalidDataException($"IDX label file '{labelsPath}' holds label {max} but only {classes.Count} class names were given.");
        }
        return new IdxDataView(images, labels, classes, options);
    }

    /// <summary>Loads MNIST from <paramref name="directory"/> (train- or t10k-{images-idx3,labels-idx1}-ubyte, with or without .gz).</summary>
    public static IdxDataView LoadMnist(string directory, bool train = true) => LoadPair(directory, train, MnistClassNames);

    /// <summary>Loads Fashion-MNIST from <paramref name="directory"/> (same file names as MNIST), with its class names.</summary>
    public static IdxDataView LoadFashionMnist(string directory, bool train = true) => LoadPair(directory, train, FashionMnistClassNames);

    private static IdxDataView LoadPair(string directory, bool train, IReadOnlyList<string> classes)
    {
        string prefix = train ? "train" : "t10k";
        return Load(Find(directory, $"{prefix}-images-idx3-ubyte"), Find(directory, $"{prefix}-labels-idx1-ubyte"), new IdxLoaderOptions { ClassNames = classes });
    }

    private static string Find(string directory, string name)
    {
        foreach (var candidate in new[] { name, name + ".gz", name.Replace("-idx", ".idx", StringComparison.Ordinal), name.Replace("-idx", ".idx", StringComparison.Ordinal) + ".gz" })
        {
            var p = Path.Combine(directory, candidate);
            if (File.Exists(p)) return p;
        }
        throw new FileNotFoundException($"'{name}' (or '{name}.gz') was not found in '{directory}'.", Path.Combine(directory, name));
    }
}
