// MSBuild task (compiled by RoslynCodeTaskFactory): marks the GLIBCXX_3.4.32 version need of TorchSharp's native shim weak.
// Why and why it is safe: docs/torchsharp-load-fix.md.
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public sealed class MarkGlibcxxMarkerVersionWeak : Task
{
    private const string VersionName = "GLIBCXX_3.4.32";
    private const string MarkerSymbol = "_ZSt21ios_base_library_initv";
    private const uint ShtRela = 4, ShtRel = 9, ShtDynsym = 11, ShtVerneed = 0x6ffffffe, ShtVersym = 0x6fffffff;
    private const ushort VerFlgWeak = 0x2;

    [Required] public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

    public override bool Execute()
    {
        foreach (var item in Files)
        {
            string path = item.GetMetadata("FullPath");
            if (!File.Exists(path)) continue;
            try
            {
                byte[] elf = File.ReadAllBytes(path);
                string outcome = Patch(elf);
                if (outcome.StartsWith("patched at "))
                {
                    long offset = long.Parse(outcome.Substring("patched at ".Length));
                    // A copy is patched, then renamed over the original: the output file may be a hard link into the
                    // NuGet cache, which must never change. File.Copy keeps the permissions.
                    var time = File.GetLastWriteTimeUtc(path);
                    string tmp = path + ".weak.tmp";
                    File.Copy(path, tmp, overwrite: true);
                    using (var f = new FileStream(tmp, FileMode.Open, FileAccess.Write))
                    {
                        f.Position = offset;
                        f.Write(elf, (int)offset, 2);
                    }
                    // Same size and time as the copy it replaces, so MSBuild's incremental copy leaves it alone next build.
                    File.SetLastWriteTimeUtc(tmp, time);
                    File.Replace(tmp, path, null);
                    Log.LogMessage(MessageImportance.Normal, $"{path}: {VersionName} version need marked weak.");
                }
                else Log.LogMessage(MessageImportance.Low, $"{path}: {outcome}.");
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                Log.LogError($"{path}: could not mark {VersionName} weak: {e.Message}");
            }
        }
        return !Log.HasLoggedErrors;
    }

    /// <summary>Sets VER_FLG_WEAK on the GLIBCXX_3.4.32 vernaux entry in <paramref name="elf"/>; returns "patched at OFFSET" or why not.</summary>
    private static string Patch(byte[] elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1) throw new InvalidDataException("not a little-endian ELF64 file");
        ulong shoff = U64(elf, 0x28);
        int shentsize = U16(elf, 0x3A), shnum = U16(elf, 0x3C);
        if (shentsize != 64 || shoff + (ulong)(shnum * 64) > (ulong)elf.Length) throw new InvalidDataException("bad section header table");
        var sections = new List<(uint type, ulong off, ulong size, uint link, ulong entsize)>();
        for (int i = 0; i < shnum; i++)
        {
            int h = checked((int)shoff + i * 64);
            sections.Add((U32(elf, h + 4), U64(elf, h + 0x18), U64(elf, h + 0x20), U32(elf, h + 0x28), U64(elf, h + 0x38)));
        }
        int verneed = sections.FindIndex(s => s.type == ShtVerneed);
        if (verneed < 0) return "no version needs";
        var vn = sections[verneed];
        ulong strtab = sections[(int)vn.link].off;

        int? auxOffset = null; ushort index = 0;
        for (ulong need = vn.off; ; )
        {
            int cnt = U16(elf, (int)need + 2);
            ulong aux = need + U32(elf, (int)need + 8);
            for (int j = 0; j < cnt; j++)
            {
                if (Str(elf, strtab + U32(elf, (int)aux + 8)) == VersionName) { auxOffset = (int)aux; index = U16(elf, (int)aux + 6); }
                aux += U32(elf, (int)aux + 12);
            }
            uint next = U32(elf, (int)need + 12);
            if (next == 0) break;
            need += next;
        }
        if (auxOffset is null) return $"needs no {VersionName}";
        ushort flags = U16(elf, auxOffset.Value + 4);
        if ((flags & VerFlgWeak) != 0) return "already weak";

        // Safety: the version may be weakened only if its sole user is GCC 13's iostream marker and nothing relocates against it.
        int dynsym = sections.FindIndex(s => s.type == ShtDynsym), versym = sections.FindIndex(s => s.type == ShtVersym);
        if (dynsym < 0 || versym < 0) throw new InvalidDataException("no dynamic symbol or version table");
        var ds = sections[dynsym];
        ulong dynstr = sections[(int)ds.link].off;
        int count = (int)(ds.size / 24);
        var users = new List<int>();
        for (int s = 0; s < count; s++)
            if ((U16(elf, (int)sections[versym].off + 2 * s) & 0x7fff) == index) users.Add(s);
        foreach (int s in users)
        {
            string name = Str(elf, dynstr + U32(elf, (int)ds.off + 24 * s));
            if (name != MarkerSymbol) return $"left alone: symbol {name} needs {VersionName}";
        }
        foreach (var sec in sections)
        {
            if ((sec.type != ShtRela && sec.type != ShtRel) || sec.link != dynsym || sec.entsize == 0) continue;
            for (ulong r = sec.off; r < sec.off + sec.size; r += sec.entsize)
                if (users.Contains((int)(U64(elf, (int)r + 8) >> 32))) return $"left alone: a relocation refers to {MarkerSymbol}";
        }
        flags |= VerFlgWeak;
        elf[auxOffset.Value + 4] = (byte)flags;
        elf[auxOffset.Value + 5] = (byte)(flags >> 8);
        return "patched at " + (auxOffset.Value + 4);
    }

    private static ushort U16(byte[] b, int o) => BitConverter.ToUInt16(b, o);
    private static uint U32(byte[] b, int o) => BitConverter.ToUInt32(b, o);
    private static ulong U64(byte[] b, int o) => BitConverter.ToUInt64(b, o);
    private static string Str(byte[] b, ulong o)
    {
        int start = checked((int)o), end = Array.IndexOf(b, (byte)0, start);
        if (end < 0) throw new InvalidDataException("unterminated string");
        return Encoding.ASCII.GetString(b, start, end - start);
    }
}
