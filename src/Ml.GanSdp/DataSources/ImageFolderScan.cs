namespace Ml.GanSdp;

/// <summary>
/// Lists an image folder laid out as <c>root/&lt;class&gt;/**/&lt;image&gt;</c>. Names starting with '.' are ignored
/// at every depth (files and folders); directory symbolic links are never followed, at any depth, because a link
/// can leave the tree or loop back into it (<c>bird/loop -&gt; ..</c> would multiply and mislabel the data); they are
/// listed in <see cref="IgnoredLinks"/>. Classes are the remaining sub-folders of the root in ordinal order; files
/// are ordered ordinally by full path within a class.
/// </summary>
internal sealed class ImageFolderScan
{
    private ImageFolderScan(string root, string[] classNames, (string Path, int Label)[] files, string[] ignoredLinks)
    {
        Root = root;
        ClassNames = classNames;
        Files = files;
        IgnoredLinks = ignoredLinks;
    }

    public string Root { get; }
    public string[] ClassNames { get; }
    public (string Path, int Label)[] Files { get; }
    public string[] IgnoredLinks { get; }

    /// <exception cref="DirectoryNotFoundException">The root is missing or not a folder.</exception>
    /// <exception cref="InvalidDataException">No class folder, or a class folder without images.</exception>
    /// <exception cref="IOException">A folder cannot be listed; names the folder.</exception>
    public static ImageFolderScan Run(string directory, ImageFolderSourceOptions options)
    {
        var root = Path.GetFullPath(directory);
        if (!Directory.Exists(root))
            throw new DirectoryNotFoundException(File.Exists(root) ? $"Image folder '{root}' is a file, not a folder." : $"Image folder '{root}' does not exist.");
        var links = new List<string>();
        var classDirs = List(root).OfType<DirectoryInfo>()
            .Where(d => !IsHidden(d) && !IsLink(d, links))
            .OrderBy(d => d.Name, StringComparer.Ordinal)
            .ToArray();
        if (classDirs.Length == 0)
            throw new InvalidDataException($"Image folder '{root}' has no class sub-folders (expected root/<class>/<image>; names starting with '.' and directory links are ignored).");
        var extensions = new HashSet<string>(options.Extensions, StringComparer.OrdinalIgnoreCase);
        var files = new List<(string, int)>();
        for (int label = 0; label < classDirs.Length; label++)
        {
            var found = new List<string>();
            Collect(classDirs[label], extensions, options.IncludeSubdirectories, found, links);
            if (found.Count == 0)
                throw new InvalidDataException($"Class folder '{classDirs[label].FullName}' holds no image with extension {string.Join(" ", options.Extensions)}.");
            found.Sort(StringComparer.Ordinal);
            files.AddRange(found.Select(f => (f, label)));
        }
        links.Sort(StringComparer.Ordinal);
        return new ImageFolderScan(root, classDirs.Select(d => d.Name).ToArray(), files.ToArray(), links.ToArray());
    }

    private static void Collect(DirectoryInfo dir, HashSet<string> extensions, bool recurse, List<string> found, List<string> links)
    {
        foreach (var entry in List(dir.FullName))
        {
            if (IsHidden(entry)) continue;
            if (entry is DirectoryInfo sub)
            {
                if (recurse && !IsLink(sub, links)) Collect(sub, extensions, recurse, found, links);
            }
            else if (extensions.Contains(entry.Extension))
                found.Add(entry.FullName);
        }
    }

    private static List<FileSystemInfo> List(string dir)
    {
        try
        {
            var options = new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = false, RecurseSubdirectories = false };
            return new DirectoryInfo(dir).EnumerateFileSystemInfos("*", options).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Cannot list image folder '{dir}': {e.Message}", e);
        }
    }

    private static bool IsHidden(FileSystemInfo entry) => entry.Name.StartsWith('.');

    private static bool IsLink(DirectoryInfo dir, List<string> links)
    {
        if (dir.LinkTarget is null) return false;
        links.Add(dir.FullName);
        return true;
    }
}
