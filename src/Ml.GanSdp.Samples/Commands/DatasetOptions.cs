using System.CommandLine;
using Ml.GanSdp.Data;
using Ml.GanSdp.Pipeline;

namespace Ml.GanSdp.Samples.Commands;

/// <summary>Which data a command reads.</summary>
public enum DatasetKind
{
    /// <summary>Fashion-MNIST (gzip IDX) from Debian's dataset-fashion-mnist or --data.</summary>
    FashionMnist,
    /// <summary>An IDX image file (--data) and optional label file (--labels), or a folder of MNIST-named files.</summary>
    Idx,
    /// <summary>An image folder root/&lt;class&gt;/&lt;image&gt; (for example the CIFAR-10 JPEG folder).</summary>
    Folder,
    /// <summary>CIFAR-10 binary version (data_batch_*.bin, test_batch.bin) in --data.</summary>
    Cifar,
}

/// <summary>The dataset options shared by train, augment and classify, and how they load a view.</summary>
internal sealed class DatasetOptions
{
    public Option<DatasetKind> Kind { get; } = new("--dataset") { Description = "fashion-mnist (default) | idx | folder | cifar", DefaultValueFactory = _ => DatasetKind.FashionMnist, CustomParser = ParseKind };
    public Option<string?> Data { get; } = new("--data") { Description = "dataset path: Fashion-MNIST/IDX/CIFAR folder, IDX image file, or image-folder root" };
    public Option<string?> Labels { get; } = new("--labels") { Description = "IDX label file (with --dataset idx and an image file)" };
    public Option<string?> TestData { get; } = new("--test-data") { Description = "test set path (image folder); fashion-mnist, idx folders and cifar use their test split" };
    public Option<int?> Resize { get; } = new("--image-size") { Description = "resize images to this square size (image folders default to 32)" };
    public Option<bool> Grayscale { get; } = new("--grayscale") { Description = "convert images to one channel" };
    public Option<long?> MaxRows { get; } = new("--max-rows") { Description = "use only the first rows of the data" };

    public void AddTo(Command c)
    {
        c.Options.Add(Kind);
        c.Options.Add(Data);
        c.Options.Add(Labels);
        c.Options.Add(TestData);
        c.Options.Add(Resize);
        c.Options.Add(Grayscale);
        c.Options.Add(MaxRows);
    }

    private static DatasetKind ParseKind(System.CommandLine.Parsing.ArgumentResult r)
    {
        var s = r.Tokens.Count > 0 ? r.Tokens[0].Value : "fashion-mnist";
        switch (s.Replace("-", "").Replace("_", "").ToLowerInvariant())
        {
            case "fashionmnist": return DatasetKind.FashionMnist;
            case "idx": case "mnist": return DatasetKind.Idx;
            case "folder": case "imagefolder": case "images": return DatasetKind.Folder;
            case "cifar": case "cifar10": return DatasetKind.Cifar;
            default:
                r.AddError($"Unknown dataset '{s}': use fashion-mnist, idx, folder or cifar.");
                return DatasetKind.FashionMnist;
        }
    }

    /// <summary>The chosen data (train or test split) as a view of fixed-size uint8 images ("Image") and labels ("Label").</summary>
    public IDataView Load(GanContext ctx, System.CommandLine.ParseResult p, bool train)
    {
        var kind = p.GetValue(Kind);
        var data = p.GetValue(Data);
        IDataView view;
        switch (kind)
        {
            case DatasetKind.FashionMnist:
                view = ctx.Data.LoadFashionMnist(data ?? DataCatalogExtensions.DebianFashionMnistDirectory, train);
                break;
            case DatasetKind.Idx:
                if (data is null) throw new ArgumentException("--dataset idx needs --data (an IDX image file or a folder with MNIST-named files).");
                if (Directory.Exists(data)) view = IdxLoader.LoadMnist(data, train);
                else if (train) view = ctx.Data.LoadIdx(data, p.GetValue(Labels));
                else throw new ArgumentException("An IDX image file has no test split: pass --test-data, or a folder with MNIST-named files.");
                break;
            case DatasetKind.Folder:
                var root = train ? data : p.GetValue(TestData);
                if (root is null) throw new ArgumentException(train ? "--dataset folder needs --data (the folder root)." : "--dataset folder needs --test-data for a test split.");
                view = ctx.Data.LoadImages(root, p.GetValue(Grayscale));
                break;
            case DatasetKind.Cifar:
                if (data is null) throw new ArgumentException("--dataset cifar needs --data (the folder of cifar-10-batches-bin).");
                view = ctx.Data.LoadCifar(data, train);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
        if (p.GetValue(Grayscale) && kind != DatasetKind.Folder)
            view = ctx.Transforms.ConvertToGrayscale().Fit(view).Transform(view);
        var size = p.GetValue(Resize) ?? (kind == DatasetKind.Folder ? 32 : null);
        if (size is { } s)
        {
            var t = (ImageDataViewType)view.Schema["Image"].Type;
            if (!t.HasFixedSize || t.Height != s || t.Width != s)
                view = ctx.Transforms.ResizeImages("Image", s, s).Fit(view).Transform(view);
        }
        return view;
    }
}
