namespace Ml.GanSdp.Data;

/// <summary>Which CIFAR binary layout a file uses.</summary>
public enum CifarKind
{
    /// <summary>CIFAR-10: records of 1 label byte + 3072 pixel bytes.</summary>
    Cifar10,
    /// <summary>CIFAR-100: records of 1 coarse label byte, 1 fine label byte + 3072 pixel bytes.</summary>
    Cifar100,
}

/// <summary>Options of <see cref="CifarLoader"/>.</summary>
public sealed record CifarLoaderOptions
{
    /// <summary>Name of the image column (3 x 32 x 32 uint8); default "Image".</summary>
    public string ImageColumnName { get; init; } = "Image";

    /// <summary>Name of the label column (CIFAR-10's label, CIFAR-100's fine label); default "Label".</summary>
    public string LabelColumnName { get; init; } = "Label";

    /// <summary>Name of CIFAR-100's coarse-label column; default "CoarseLabel".</summary>
    public string CoarseLabelColumnName { get; init; } = "CoarseLabel";

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        var names = new[] { ImageColumnName, LabelColumnName, CoarseLabelColumnName };
        if (names.Any(string.IsNullOrWhiteSpace) || names.Distinct(StringComparer.Ordinal).Count() != 3)
            throw new ArgumentException($"CifarLoaderOptions column names must be non-empty and different; got {string.Join(", ", names)}.");
    }
}

/// <summary>
/// Loads the binary versions of CIFAR-10 (<c>data_batch_1..5.bin</c>, <c>test_batch.bin</c>) and CIFAR-100
/// (<c>train.bin</c>, <c>test.bin</c>). Records are read from the files by offset when a batch asks for them;
/// nothing is kept in memory. Class names come from <c>batches.meta.txt</c> / <c>fine_label_names.txt</c> /
/// <c>coarse_label_names.txt</c> beside the first file when present, else the published names.
/// </summary>
public static class CifarLoader
{
    /// <summary>CIFAR-10's classes.</summary>
    public static IReadOnlyList<string> Cifar10ClassNames { get; } = new[]
    {
        "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
    };

    /// <summary>CIFAR-100's 100 fine classes.</summary>
    public static IReadOnlyList<string> Cifar100FineClassNames { get; } = new[]
    {
        "apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee", "beetle", "bicycle", "bottle",
        "bowl", "boy", "bridge", "bus", "butterfly", "camel", "can", "castle", "caterpillar", "cattle",
        "chair", "chimpanzee", "clock", "cloud", "cockroach", "couch", "crab", "crocodile", "cup", "dinosaur",
        "dolphin", "elephant", "flatfish", "forest", "fox", "girl", "hamster", "house", "kangaroo", "keyboard",
        "lamp", "lawn_mower", "leopard", "lion", "lizard", "lobster", "man", "maple_tree", "motorcycle", "mountain",
        "mouse", "mushroom", "oak_tree", "orange", "orchid", "otter", "palm_tree", "pear", "pickup_truck", "pine_tree",
        "plain", "plate", "poppy", "porcupine", "possum", "rabbit", "raccoon", "ray", "road", "rocket",
        "rose", "sea", "seal", "shark", "shrew", "skunk", "skyscraper", "snail", "snake", "spider",
        "squirrel", "streetcar", "sunflower", "sweet_pepper", "table", "tank", "telephone", "television", "tiger", "tractor",
        "train", "trout", "tulip", "turtle", "wardrobe", "whale", "willow_tree", "wolf", "woman", "worm",
    };

    /// <summary>CIFAR-100's 20 coarse classes (superclasses).</summary>
    public static IReadOnlyList<string> Cifar100CoarseClassNames { get; } = new[]
    {
        "aquatic_mammals", "fish", "flowers", "food_containers", "fruit_and_vegetables", "household_electrical_devices",
        "household_furniture", "insects", "large_carnivores", "large_man-made_outdoor_things", "large_natural_outdoor_scenes",
        "large_omnivores_and_herbivores", "medium_mammals", "non-insect_invertebrates", "people", "reptiles",
        "small_mammals", "trees", "vehicles_1", "vehicles_2",
    };

    /// <summary>Loads CIFAR-10 from its binary folder: data_batch_1..5.bin (train) or test_batch.bin.</summary>
    public static CifarDataView LoadCifar10(string directory, bool train = true, CifarLoaderOptions? options = null)
    {
        var names = train ? Enumerable.Range(1, 5).Select(i => $"data_batch_{i}.bin") : new[] { "test_batch.bin" };
        return Load(CifarKind.Cifar10, names.Select(n => Require(directory, n)).ToArray(), options);
    }

    /// <summary>Loads CIFAR-100 from its binary folder: train.bin or test.bin.</summary>
    public static CifarDataView LoadCifar100(string directory, bool train = true, CifarLoaderOptions? options = null)
        => Load(CifarKind.Cifar100, new[] { Require(directory, train ? "train.bin" : "test.bin") }, options);

    /// <summary>Loads the given batch files of <paramref name="kind"/>, in order.</summary>
    /// <exception cref="InvalidDataException">A file whose size is not a whole number of records, or a label out of range; the message names the file.</exception>
    public static CifarDataView Load(CifarKind kind, IReadOnlyList<string> files, CifarLoaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        options ??= new CifarLoaderOptions();
        options.Validate();
        if (files.Count == 0) throw new ArgumentException("CifarLoader.Load needs at least one batch file.", nameof(files));
        foreach (var f in files)
            if (!File.Exists(f)) throw new FileNotFoundException($"CIFAR batch file '{f}' does not exist.", f);
        var dir = Path.GetDirectoryName(Path.GetFullPath(files[0]))!;
        IReadOnlyList<string> fine, coarse = Cifar100CoarseClassNames;
        if (kind == CifarKind.Cifar10) fine = NamesFile(dir, "batches.meta.txt", 10) ?? Cifar10ClassNames;
        else
        {
            fine = NamesFile(dir, "fine_label_names.txt", 100) ?? Cifar100FineClassNames;
            coarse = NamesFile(dir, "coarse_label_names.txt", 20) ?? Cifar100CoarseClassNames;
        }
        return new CifarDataView(kind, files.Select(Path.GetFullPath).ToArray(), fine, coarse, options);
    }

    private static string Require(string directory, string name)
    {
        var p = Path.Combine(directory, name);
        return File.Exists(p) ? p : throw new FileNotFoundException($"CIFAR batch file '{name}' was not found in '{directory}'.", p);
    }

    private static IReadOnlyList<string>? NamesFile(string dir, string name, int count)
    {
        var p = Path.Combine(dir, name);
        if (!File.Exists(p)) return null;
        var lines = File.ReadAllLines(p).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        return lines.Length == count ? lines : throw new InvalidDataException($"'{p}' lists {lines.Length} class names; {count} are expected.");
    }
}
