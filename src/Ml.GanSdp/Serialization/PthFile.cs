using System.IO.Compression;
using System.Text;
using Ml.GanSdp.Interop;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Serialization;

/// <summary>
/// Reads PyTorch checkpoint files written by <c>torch.save</c> in the zip format (PyTorch 1.6 and later) that hold
/// a plain <c>dict</c> of <c>str</c> to tensor. The zip is checked in C# first (structure, CRC of every record, the
/// pickle's stack discipline) so that a corrupt file is reported as an <see cref="InvalidDataException"/> and never
/// reaches libtorch's unpickler; the pickle is then decoded by libtorch (<c>gs_pickle_load_dict</c>). libtorch 1.13
/// reads pickle protocol 2 only (torch.save's default) and lacks the SETITEM/APPEND opcodes, which Python uses for a
/// dict with a single entry: such pickles are rewritten into the equivalent SETITEMS/APPENDS form first.
/// </summary>
public static class PthFile
{
    /// <summary>The Python one-liner that rewrites a legacy (pre-1.6) checkpoint in the zip format.</summary>
    public const string LegacyConversion = "torch.save(torch.load('old.pth'), 'new.pth')";

    /// <summary>The Python one-liner that turns a saved <c>state_dict()</c> (an OrderedDict) into a plain dict.</summary>
    public const string OrderedDictConversion = "torch.save(dict(torch.load('sd.pth')), 'plain.pth')";

    private static readonly byte[] ZipMagic = { (byte)'P', (byte)'K', 3, 4 };

    /// <summary>Reads every tensor of a torch.save'd dict. The caller owns (and disposes) the tensors.</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is corrupt, in the legacy (non-zip) format, holds an OrderedDict or something other than a dict,
    /// or a key that is not a string, or a value that is not a tensor. The message names the file (and the entry).
    /// </exception>
    public static Dictionary<string, Tensor> Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"No PyTorch checkpoint at '{path}'.", path);
        var bytes = File.ReadAllBytes(path);
        return Read(bytes, path);
    }

    /// <summary>Reads a torch.save'd dict from the bytes of a file; <paramref name="source"/> names it in errors.</summary>
    public static Dictionary<string, Tensor> Read(byte[] bytes, string source = "stream")
    {
        ArgumentNullException.ThrowIfNull(bytes);
        CheckMagic(bytes, source);
        var (pickleName, pickle) = ValidateZip(bytes, source);
        if (IsOrderedDict(pickle))
            throw new InvalidDataException(
                $"{source} holds a collections.OrderedDict (what module.state_dict() returns), not a plain dict of tensors. " +
                $"Convert it in Python with: {OrderedDictConversion}");
        if (pickle.AsSpan().IndexOf("torch._utils\n_rebuild_parameter\n"u8) >= 0)
            throw new InvalidDataException(
                $"{source} holds torch.nn.Parameter objects, which libtorch 1.13 cannot unpickle. Save plain tensors instead, " +
                "for example torch.save({k: v.detach() for k, v in d.items()}, path) or torch.save(dict(model.state_dict()), path).");
        if (pickle.Length >= 2 && pickle[0] == 0x80 && pickle[1] != 2)
            throw new InvalidDataException(
                $"{source} was saved with pickle protocol {pickle[1]}; only protocol 2 (torch.save's default) can be read. " +
                $"Re-save it in Python with: {LegacyConversion}");
        var checkedPickle = PickleCheck.Validate(pickle, source);
        if (!ReferenceEquals(checkedPickle, pickle)) bytes = ReplaceRecord(bytes, pickleName, checkedPickle);
        return LoadNative(bytes, source);
    }

    /// <summary>A copy of the archive with record <paramref name="name"/> replaced (stored, like torch.save writes it).</summary>
    private static byte[] ReplaceRecord(byte[] bytes, string name, byte[] content)
    {
        using var output = new MemoryStream();
        using (var input = new ZipArchive(new MemoryStream(bytes, writable: false), ZipArchiveMode.Read))
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var e in input.Entries)
            {
                using var dst = zip.CreateEntry(e.FullName, CompressionLevel.NoCompression).Open();
                if (e.FullName == name) dst.Write(content);
                else
                {
                    using var src = e.Open();
                    src.CopyTo(dst);
                }
            }
        }
        return output.ToArray();
    }

    /// <summary>Rejects empty, legacy (a bare pickle) and non-zip files with a message that says which.</summary>
    private static void CheckMagic(byte[] bytes, string source)
    {
        if (bytes.Length >= 4 && bytes.AsSpan(0, 4).SequenceEqual(ZipMagic)) return;
        if (bytes.Length >= 2 && bytes[0] == 0x80 && bytes[1] <= 5)
            throw new InvalidDataException(
                $"{source} is a legacy (pre-1.6, non-zip) PyTorch file, which is not supported. " +
                $"Rewrite it in the zip format with PyTorch >= 1.6 in Python: {LegacyConversion}");
        throw new InvalidDataException($"{source} is not a PyTorch checkpoint: it is {(bytes.Length == 0 ? "empty" : "not a zip archive")} (torch.save writes a zip since PyTorch 1.6).");
    }

    /// <summary>Opens the archive, verifies every record's CRC and returns the bytes of its <c>*/data.pkl</c>.</summary>
    private static (string Name, byte[] Pickle) ValidateZip(byte[] bytes, string source)
    {
        try
        {
            using var zip = new ZipArchive(new MemoryStream(bytes, writable: false), ZipArchiveMode.Read);
            byte[]? pickle = null;
            string name = "";
            foreach (var e in zip.Entries)
            {
                var data = ReadEntry(e, source);
                bool isPickle = e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) && e.FullName.IndexOf('/') == e.FullName.Length - "/data.pkl".Length;
                if (!isPickle) continue;
                if (pickle is not null) throw new InvalidDataException($"{source}: the archive holds more than one top-level data.pkl.");
                pickle = data;
                name = e.FullName;
            }
            return (name, pickle ?? throw new InvalidDataException($"{source} is a zip archive but not a PyTorch checkpoint: it has no <name>/data.pkl record."));
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(source, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{source} is a corrupt zip archive: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or NotSupportedException or ArgumentException)
        {
            throw new InvalidDataException($"{source} is a corrupt zip archive: {e.Message}", e);
        }
    }

    private static byte[] ReadEntry(ZipArchiveEntry e, string source)
    {
        if (e.Length > Array.MaxLength) throw new InvalidDataException($"{source}: record '{e.FullName}' is too large ({e.Length} bytes).");
        var data = new byte[e.Length];
        using (var s = e.Open())
        {
            try { s.ReadExactly(data); }
            catch (EndOfStreamException) { throw new InvalidDataException($"{source}: record '{e.FullName}' is truncated."); }
        }
        if (Crc32.Compute(data) != e.Crc32)
            throw new InvalidDataException($"{source}: record '{e.FullName}' fails its CRC check (the file is corrupt).");
        return data;
    }

    /// <summary>Whether the pickle's top-level object is a <c>collections.OrderedDict</c>: its first opcode after PROTO/FRAME names that class.</summary>
    internal static bool IsOrderedDict(byte[] pickle)
    {
        int i = 0;
        if (i + 1 < pickle.Length && pickle[i] == 0x80) i += 2;            // PROTO n
        if (i < pickle.Length && pickle[i] == 0x95) i += 9;                 // FRAME <8 bytes>
        if (i >= pickle.Length) return false;
        if (pickle[i] == (byte)'c')                                         // GLOBAL module\nname\n
            return Starts(pickle, i + 1, "collections\nOrderedDict\n");
        // protocol 4: SHORT_BINUNICODE 'collections' [MEMOIZE] SHORT_BINUNICODE 'OrderedDict' [MEMOIZE] STACK_GLOBAL
        return ShortString(pickle, ref i) == "collections" && ShortString(pickle, ref i) == "OrderedDict" && i < pickle.Length && pickle[i] == 0x93;
    }

    private static bool Starts(byte[] b, int at, string text)
    {
        var t = Encoding.ASCII.GetBytes(text);
        return at + t.Length <= b.Length && b.AsSpan(at, t.Length).SequenceEqual(t);
    }

    private static string? ShortString(byte[] b, ref int i)
    {
        if (i + 1 >= b.Length || b[i] != 0x8c) return null;
        int n = b[i + 1];
        if (i + 2 + n > b.Length) return null;
        var s = Encoding.UTF8.GetString(b, i + 2, n);
        i += 2 + n;
        if (i < b.Length && b[i] == 0x94) i++;                              // MEMOIZE
        return s;
    }

    /// <summary>Decodes the checked archive with libtorch and takes ownership of the tensors.</summary>
    private static unsafe Dictionary<string, Tensor> LoadNative(byte[] bytes, string source)
    {
        IntPtr dict;
        int status;
        fixed (byte* p = bytes) status = NativeMethods.gs_pickle_load_dict(p, bytes.Length, out dict);
        if (status != 0) throw new InvalidDataException($"{source}: {NativeMethods.LastError.Trim()}");
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            NativeMethods.Check(NativeMethods.gs_dict_size(dict, out var n));
            for (long i = 0; i < n; i++)
            {
                var key = Key(dict, i);
                NativeMethods.Check(NativeMethods.gs_dict_value(dict, i, out var h));
                var t = Wrap(h);
                var dtype = t.dtype;
                if (!Enum.IsDefined(dtype))
                {
                    t.Dispose();
                    throw new InvalidDataException(
                        $"{source}: entry '{key}' has a dtype (c10::ScalarType {(int)dtype}) that Ml.GanSdp does not support " +
                        $"(supported: {string.Join(", ", Enum.GetNames<ScalarType>())}); convert it in Python first, for example with .float().");
                }
                if (!result.TryAdd(key, t))
                {
                    t.Dispose();
                    throw new InvalidDataException($"{source}: the dict holds key '{key}' twice.");
                }
            }
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
        finally { NativeMethods.gs_dict_free(dict); }
        return result;
    }

    private static unsafe string Key(IntPtr dict, long i)
    {
        NativeMethods.Check(NativeMethods.gs_dict_key(dict, i, null, 0, out var length));
        var buffer = new byte[length];
        fixed (byte* p = buffer) NativeMethods.Check(NativeMethods.gs_dict_key(dict, i, p, length, out _));
        return Encoding.UTF8.GetString(buffer);
    }
}
