using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Engine;

/// <summary>build/TorchSharpLoadFix.targets: TorchSharp loads, the output copy's GLIBCXX_3.4.32 need is weak, the NuGet cache's is not.</summary>
[TestClass]
public class TorchSharpLoadFixTests
{
    private const string Version = "GLIBCXX_3.4.32";

    [TestMethod]
    public void TorchSharpLoadsAndComputes()
    {
        using var x = arange(1, 5, dtype: ScalarType.Float64);
        using var s = (x * x).sum();
        Assert.AreEqual(30.0, s.ToDouble());
        StringAssert.StartsWith(__version__, "2.10");
    }

    [TestMethod]
    public void OnlyTheOutputCopyIsMarkedWeak()
    {
        var output = Directory.EnumerateFiles(AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories).Single();
        var home = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var cache = Directory.EnumerateFiles(Path.Combine(home, "torchsharp"), "libLibTorchSharp.so", SearchOption.AllDirectories)
            .Single(p => p.Contains("0.107.0", StringComparison.Ordinal));
        var outFlags = VersionNeedFlags(File.ReadAllBytes(output));
        var cacheFlags = VersionNeedFlags(File.ReadAllBytes(cache));
        if (cacheFlags is null) Assert.Inconclusive($"This TorchSharp build needs no {Version}: nothing to mark.");
        Assert.AreEqual(0, cacheFlags!.Value & 2, "the NuGet cache's copy must stay untouched");
        Assert.AreEqual(2, outFlags!.Value & 2, "the output copy's version need must be weak (VER_FLG_WEAK)");
        Assert.AreNotEqual(new FileInfo(output).Length == 0, true);
    }

    /// <summary>The vna_flags of the GLIBCXX_3.4.32 entry in .gnu.version_r, or null when the file needs no such version.</summary>
    private static ushort? VersionNeedFlags(byte[] elf)
    {
        ulong shoff = BitConverter.ToUInt64(elf, 0x28);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        for (int i = 0; i < shnum; i++)
        {
            int h = checked((int)shoff + i * 64);
            if (BitConverter.ToUInt32(elf, h + 4) != 0x6ffffffe) continue; // SHT_GNU_verneed
            ulong off = BitConverter.ToUInt64(elf, h + 0x18);
            int link = (int)BitConverter.ToUInt32(elf, h + 0x28);
            ulong strtab = BitConverter.ToUInt64(elf, checked((int)shoff + link * 64) + 0x18);
            for (ulong need = off; ;)
            {
                int cnt = BitConverter.ToUInt16(elf, (int)need + 2);
                ulong aux = need + BitConverter.ToUInt32(elf, (int)need + 8);
                for (int j = 0; j < cnt; j++)
                {
                    int name = (int)(strtab + BitConverter.ToUInt32(elf, (int)aux + 8));
                    int end = Array.IndexOf(elf, (byte)0, name);
                    if (Encoding.ASCII.GetString(elf, name, end - name) == Version) return BitConverter.ToUInt16(elf, (int)aux + 4);
                    aux += BitConverter.ToUInt32(elf, (int)aux + 12);
                }
                uint next = BitConverter.ToUInt32(elf, (int)need + 12);
                if (next == 0) break;
                need += next;
            }
        }
        return null;
    }
}
