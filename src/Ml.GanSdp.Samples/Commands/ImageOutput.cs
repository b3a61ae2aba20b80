namespace Ml.GanSdp.Samples.Commands;

/// <summary>Where generated or augmented images go: checks made before anything is computed, and safe file names.</summary>
internal static class ImageOutput
{
    /// <summary>The image formats a grid or an image file may be written in (the format follows the extension).</summary>
    public static readonly string[] Extensions = [".png", ".jpg", ".jpeg"];

    /// <summary>
    /// Checks an image file target before anything is generated: a supported extension (<c>-o out.gif</c> is refused rather
    /// than given PNG bytes under a GIF name), not a folder, and a parent folder that exists or can be made.
    /// </summary>
    public static void CheckImageFile(string path, string option)
    {
        var ext = Path.GetExtension(path);
        if (!Extensions.Contains(ext, StringComparer.OrdinalIgnoreCase))
            throw new UsageException($"{option} '{path}': the extension '{ext}' is not a supported image format; use .png or .jpg (the format follows the extension), or --files for a folder of PNGs.");
        if (Directory.Exists(path)) throw new UsageException($"{option} '{path}' is a folder; give an image file name, or --files to write into the folder.");
        CheckParent(path, option);
    }

    /// <summary>Checks a folder target before anything is generated: not a file, and empty if it exists (files of an earlier run would mix in).</summary>
    public static void CheckFolder(string path, string option)
    {
        if (File.Exists(path)) throw new UsageException($"{option} '{path}' is a file; give a folder.");
        if (Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any())
            throw new UsageException($"{option} '{path}' is not empty; give a new or empty folder.");
        CheckParent(path, option);
    }

    private static void CheckParent(string path, string option)
    {
        var parent = Path.GetDirectoryName(Path.GetFullPath(path));
        for (var d = parent; d is not null; d = Path.GetDirectoryName(d))
        {
            if (File.Exists(d)) throw new UsageException($"{option} '{path}' cannot be written: '{d}' is a file, not a folder.");
            if (Directory.Exists(d)) break;
        }
    }

    /// <summary>
    /// Folder names for class names: characters that cannot be in a file name (and '/') become '_', a leading '.' (which the
    /// image-folder loader ignores) gets a '_' before it, and names made equal this way get their class index appended.
    /// </summary>
    public static string[] ClassFolders(IReadOnlyList<string> classNames)
    {
        var invalid = Path.GetInvalidFileNameChars();
        var names = new string[classNames.Count];
        var used = new HashSet<string>(StringComparer.Ordinal);
        for (int k = 0; k < names.Length; k++)
        {
            var n = string.Concat(classNames[k].Select(c => invalid.Contains(c) || c is '/' or '\\' || char.IsControl(c) ? '_' : c)).Trim();
            if (n.Length == 0 || n is "." or "..") n = $"class-{k}";
            if (n.StartsWith('.')) n = "_" + n;
            if (!used.Add(n)) { n = $"{n}-{k}"; used.Add(n); }
            names[k] = n;
        }
        return names;
    }
}
