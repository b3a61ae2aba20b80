using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.GanSdp.Tests.TestSupport;
using static Ml.GanSdp.Tests.DataSources.DataSourceTestFiles;

namespace Ml.GanSdp.Tests.DataSources;

[TestClass]
public sealed class ImageFolderDataViewTests
{
    private static readonly MLContext Ml = new(seed: 1);

    private static string Png(string path, int seed = 0, int size = 4)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        ImageFile.Write(path, new ImagePixels(new ImageShape(3, size, size), RandomBytes(3 * size * size, seed).Select(b => (float)b).ToArray()));
        return path;
    }

    private static List<string> Paths(IDataView view, string column = "ImagePath") => view.GetColumn<ReadOnlyMemory<char>>(column).Select(m => m.ToString()).ToList();

    [TestMethod]
    public void Listing_ClassesAndFilesInOrdinalOrder_NestedFoldersIncluded_SchemaAndRowCount()
    {
        using var dir = new TempDir();
        var root = dir.Path;
        Png(Path.Combine(root, "b", "z.png"));
        Png(Path.Combine(root, "b", "a.PNG"));
        Png(Path.Combine(root, "B", "x.jpg".Replace(".jpg", ".png")));
        Png(Path.Combine(root, "a", "sub", "deep", "m.png"));
        Png(Path.Combine(root, "a", "k.png"));
        File.WriteAllText(Path.Combine(root, "a", "notes.txt"), "not an image");
        Png(Path.Combine(root, "loose.png")); // directly under the root: not in any class

        var view = Ml.Data.LoadImageFolder(root);
        CollectionAssert.AreEqual(new[] { "B", "a", "b" }, view.ClassNames.ToArray());
        var expected = new[]
        {
            Path.Combine(root, "B", "x.png"),
            Path.Combine(root, "a", "k.png"), Path.Combine(root, "a", "sub", "deep", "m.png"),
            Path.Combine(root, "b", "a.PNG"), Path.Combine(root, "b", "z.png"),
        };
        CollectionAssert.AreEqual(expected, Paths(view));
        CollectionAssert.AreEqual(new uint[] { 1, 2, 2, 3, 3 }, Keys(view, "Label"));
        Assert.AreEqual(5L, view.GetRowCount());
        Assert.AreEqual(TextDataViewType.Instance, view.Schema["ImagePath"].Type);
        Assert.AreEqual(3UL, ((KeyDataViewType)view.Schema["Label"].Type).Count);
        CollectionAssert.AreEqual(new[] { "B", "a", "b" }, KeyNames(view.Schema["Label"]));

        var flat = Ml.Data.LoadImageFolder(root, new ImageFolderSourceOptions { IncludeSubdirectories = false, PathColumnName = "File", LabelColumnName = "Class" });
        CollectionAssert.AreEqual(expected.Where(p => !p.Contains("sub", StringComparison.Ordinal)).ToArray(), Paths(flat, "File"));
    }

    [TestMethod]
    public void DotFilesAndDotFolders_AreIgnoredAtEveryDepth()
    {
        using var dir = new TempDir();
        var root = dir.Path;
        var kept = new[] { Png(Path.Combine(root, "cat", "1.png")), Png(Path.Combine(root, "cat", "inner", "2.png")), Png(Path.Combine(root, "dog", "3.png")) };
        Png(Path.Combine(root, ".cache", "x.png"));
        Png(Path.Combine(root, "cat", ".hidden", "x.png"));
        Png(Path.Combine(root, "cat", "inner", ".deeper", "x.png"));
        Png(Path.Combine(root, "cat", ".x.png"));
        Png(Path.Combine(root, "dog", "inner", ".y.png"));

        var view = Ml.Data.LoadImageFolder(root);
        CollectionAssert.AreEqual(new[] { "cat", "dog" }, view.ClassNames.ToArray());
        CollectionAssert.AreEqual(kept, Paths(view));
    }

    [TestMethod]
    public void SymlinkLoop_BirdLoopToParent_IsNotFollowed_NoRowIsMultipliedOrMislabelled()
    {
        using var dir = new TempDir();
        var root = dir.File("data");
        foreach (var c in new[] { "bird", "cat", "dog" })
            for (int i = 0; i < 3; i++) Png(Path.Combine(root, c, $"{i}.png"), i);
        Directory.CreateSymbolicLink(Path.Combine(root, "bird", "loop"), "..");
        Directory.CreateSymbolicLink(Path.Combine(root, "cat", "self"), Path.Combine(root, "cat"));
        Png(dir.File("elsewhere/far/x.png"));
        Directory.CreateSymbolicLink(Path.Combine(root, "dog", "outside"), dir.File("elsewhere"));
        Directory.CreateSymbolicLink(Path.Combine(root, "linked-class"), dir.File("elsewhere"));

        var view = Ml.Data.LoadImageFolder(root);
        CollectionAssert.AreEqual(new[] { "bird", "cat", "dog" }, view.ClassNames.ToArray());
        var paths = Paths(view);
        Assert.AreEqual(9, paths.Count);
        Assert.AreEqual(9, paths.Distinct().Count());
        var labels = Keys(view, "Label");
        for (int k = 0; k < 9; k++) StringAssert.StartsWith(paths[k], Path.Combine(root, view.ClassNames[(int)labels[k] - 1]) + "/");
        CollectionAssert.AreEqual(
            new[] { Path.Combine(root, "bird", "loop"), Path.Combine(root, "cat", "self"), Path.Combine(root, "dog", "outside"), Path.Combine(root, "linked-class") },
            view.IgnoredLinks.ToArray());
    }

    [TestMethod]
    public void InvalidImages_Throw_NamesTheFile_WhenTheCursorReachesIt()
    {
        using var dir = new TempDir();
        Png(dir.File("a/1.png"));
        File.WriteAllBytes(dir.File("a/2.png"), RandomBytes(100, 1));
        var view = Ml.Data.LoadImageFolder(dir.Path);
        Assert.AreEqual(2L, view.GetRowCount(), "listing decodes nothing");
        using var cursor = view.GetRowCursor(view.Schema);
        Assert.IsTrue(cursor.MoveNext());
        var e = Assert.ThrowsExactly<InvalidImageException>(() => cursor.MoveNext());
        Assert.AreEqual(dir.File("a/2.png"), e.FilePath);
        StringAssert.Contains(e.Message, "is not an image SkiaSharp can decode");
    }

    [TestMethod]
    public void InvalidImages_Skip_LeavesThemOut_CountsDistinctFiles_ListsThemWithReasons()
    {
        using var dir = new TempDir();
        var good = new[] { Png(dir.File("a/1.png")), Png(dir.File("b/4.png")) };
        File.WriteAllBytes(dir.File("a/2.png"), RandomBytes(100, 1));
        File.WriteAllBytes(dir.File("a/3.png"), Array.Empty<byte>());
        var png = ImageFile.EncodePng(new ImagePixels(new ImageShape(3, 40, 40), RandomBytes(4800, 2).Select(b => (float)b).ToArray()));
        File.WriteAllBytes(dir.File("b/5.png"), png[..(png.Length / 2)]);
        File.CreateSymbolicLink(dir.File("b/6.png"), dir.File("gone.png"));

        var view = Ml.Data.LoadImageFolder(dir.Path, InvalidImageHandling.Skip);
        Assert.IsNull(view.GetRowCount(), "unknown before a full pass");
        CollectionAssert.AreEqual(good, Paths(view));
        Assert.AreEqual(2L, view.GetRowCount());
        CollectionAssert.AreEqual(good, Paths(view), "a second pass");
        Assert.AreEqual(4, view.SkippedCount);
        var skipped = view.SkippedImages;
        CollectionAssert.AreEqual(new[] { dir.File("a/2.png"), dir.File("a/3.png"), dir.File("b/5.png"), dir.File("b/6.png") }, skipped.Select(s => s.Path).ToArray());
        StringAssert.Contains(skipped[0].Reason, "not an image");
        StringAssert.Contains(skipped[1].Reason, "is empty");
        StringAssert.Contains(skipped[2].Reason, "truncated");
        StringAssert.Contains(skipped[3].Reason, "does not exist");

        var headerOnly = Ml.Data.LoadImageFolder(dir.Path, new ImageFolderSourceOptions { OnInvalidImage = InvalidImageHandling.Skip, VerifyPixels = false });
        Assert.AreEqual(3, Paths(headerOnly).Count, "without VerifyPixels a truncated file passes the header check");
    }

    [TestMethod]
    public void DecompressionBombPng_IsRefusedFromItsHeader_ThrowOrSkip_WithoutDecoding()
    {
        using var dir = new TempDir();
        Png(dir.File("bird/ok.png"));
        WritePngBomb(dir.File("bird/bomb.png"), 30000, 30000);
        Assert.IsTrue(new FileInfo(dir.File("bird/bomb.png")).Length < 1 << 20);

        long before = ResetPeakRss();
        var thrown = Assert.ThrowsExactly<InvalidImageException>(() => Paths(Ml.Data.LoadImageFolder(dir.Path)));
        Assert.AreEqual(dir.File("bird/bomb.png"), thrown.FilePath);
        StringAssert.Contains(thrown.Message, "declares 30000 x 30000 = 900,000,000 pixels, above the limit of 67,108,864 (ImageFolderSourceOptions.MaxPixels); it was not decoded");
        var skip = Ml.Data.LoadImageFolder(dir.Path, InvalidImageHandling.Skip);
        CollectionAssert.AreEqual(new[] { dir.File("bird/ok.png") }, Paths(skip));
        Assert.AreEqual(dir.File("bird/bomb.png"), skip.SkippedImages.Single().Path);
        Assert.IsTrue(PeakRss() - before < 256L << 20, $"peak RSS grew by {(PeakRss() - before) >> 20} MB");

        var strict = Ml.Data.LoadImageFolder(dir.Path, new ImageFolderSourceOptions { MaxPixels = 15, OnInvalidImage = InvalidImageHandling.Skip });
        Assert.AreEqual(0, Paths(strict).Count, "a 4 x 4 image is above a 15-pixel limit");
        Assert.AreEqual(2, strict.SkippedCount);
    }

    [TestMethod]
    public void BadFolders_AreNamed()
    {
        using var dir = new TempDir();
        StringAssert.Contains(Assert.ThrowsExactly<DirectoryNotFoundException>(() => Ml.Data.LoadImageFolder(dir.File("none"))).Message, "does not exist");
        File.WriteAllText(dir.File("file"), "x");
        StringAssert.Contains(Assert.ThrowsExactly<DirectoryNotFoundException>(() => Ml.Data.LoadImageFolder(dir.File("file"))).Message, "is a file");
        Directory.CreateDirectory(dir.File("flat"));
        Png(dir.File("flat/x.png"));
        Directory.CreateDirectory(dir.File("flat/.git"));
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => Ml.Data.LoadImageFolder(dir.File("flat"))).Message, "has no class sub-folders");
        Png(dir.File("one/cat/x.png"));
        Directory.CreateDirectory(dir.File("one/dog/.thumbs"));
        Png(dir.File("one/dog/.thumbs/t.png"));
        var empty = Assert.ThrowsExactly<InvalidDataException>(() => Ml.Data.LoadImageFolder(dir.File("one")));
        StringAssert.Contains(empty.Message, $"Class folder '{dir.File("one/dog")}' holds no image");
    }

    [TestMethod]
    public void Options_AreValidated()
    {
        using var dir = new TempDir();
        Png(dir.File("a/x.png"));
        Assert.ThrowsExactly<ArgumentException>(() => Ml.Data.LoadImageFolder(dir.Path, new ImageFolderSourceOptions { LabelColumnName = "ImagePath" }));
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => Ml.Data.LoadImageFolder(dir.Path, new ImageFolderSourceOptions { Extensions = new[] { "png" } })).Message, "'png'");
        Assert.ThrowsExactly<ArgumentException>(() => Ml.Data.LoadImageFolder(dir.Path, new ImageFolderSourceOptions { Extensions = Array.Empty<string>() }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Ml.Data.LoadImageFolder(dir.Path, new ImageFolderSourceOptions { MaxPixels = 0 }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Ml.Data.LoadImageFolder(dir.Path, (InvalidImageHandling)5));
        Assert.ThrowsExactly<ArgumentException>(() => Ml.Data.LoadImageFolder(" "));
    }

    [TestMethod]
    public void ConcurrentCursors_SeeTheSameRows()
    {
        using var dir = new TempDir();
        for (int i = 0; i < 30; i++) Png(dir.File($"{(char)('a' + i % 3)}/{i:00}.png"), i);
        File.WriteAllBytes(dir.File("a/bad.png"), RandomBytes(50, 9));
        var view = Ml.Data.LoadImageFolder(dir.Path, InvalidImageHandling.Skip);
        var results = new List<string>[4];
        Parallel.For(0, 4, k => results[k] = Paths(view));
        foreach (var r in results) CollectionAssert.AreEqual(results[0], r);
        Assert.AreEqual(30, results[0].Count);
        Assert.AreEqual(1, view.SkippedCount);
    }
}
