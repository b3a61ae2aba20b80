using Ml.GanSdp.Serialization;
using Ml.GanSdp.Tests.TestSupport;

namespace Ml.GanSdp.Tests.Serialization;

[TestClass]
public sealed class AtomicFileTests
{
    [TestMethod]
    public void Write_ReplacesTheTargetWhole_AndLeavesNoTemporaryFile()
    {
        using var dir = new TempDir();
        AtomicFile.WriteAllText(dir.File("a.txt"), "first");
        AtomicFile.WriteAllText(dir.File("a.txt"), "second");
        Assert.AreEqual("second", File.ReadAllText(dir.File("a.txt")));
        CollectionAssert.AreEqual(new[] { dir.File("a.txt") }, Directory.GetFileSystemEntries(dir.Path));
    }

    [TestMethod]
    public void FailureInsideTheWrite_KeepsThePreviousContent_AndRemovesTheTemporaryFile()
    {
        using var dir = new TempDir();
        AtomicFile.WriteAllText(dir.File("a.txt"), "good");
        Assert.ThrowsExactly<InvalidOperationException>(() => AtomicFile.Write(dir.File("a.txt"), s =>
        {
            s.Write(new byte[100]);
            throw new InvalidOperationException("half-way");
        }));
        Assert.AreEqual("good", File.ReadAllText(dir.File("a.txt")));
        CollectionAssert.AreEqual(new[] { dir.File("a.txt") }, Directory.GetFileSystemEntries(dir.Path));
    }

    [TestMethod]
    public void UnwritableTargets_TheErrorNamesTheTarget_NotTheTemporaryFile()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("folder"));
        var onFolder = Assert.ThrowsExactly<IOException>(() => AtomicFile.WriteAllText(dir.File("folder"), "x"));
        StringAssert.StartsWith(onFolder.Message, $"Cannot write '{dir.File("folder")}':");
        Assert.IsFalse(onFolder.Message.Contains(".tmp", StringComparison.Ordinal), onFolder.Message);

        File.WriteAllText(dir.File("plain"), "x");
        var target = Path.Combine(dir.File("plain"), "sub", "out.bin");
        var underFile = Assert.Throws<IOException>(() => AtomicFile.WriteAllText(target, "x"));
        StringAssert.StartsWith(underFile.Message, $"Cannot write '{target}':");
        CollectionAssert.AreEquivalent(new[] { dir.File("folder"), dir.File("plain") }, Directory.GetFileSystemEntries(dir.Path));
    }
}
