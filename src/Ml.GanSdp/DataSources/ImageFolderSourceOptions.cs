namespace Ml.GanSdp;

/// <summary>Options of <see cref="DataSourceCatalog.LoadImageFolder(Microsoft.ML.DataOperationsCatalog, string, ImageFolderSourceOptions)"/>.</summary>
public sealed record ImageFolderSourceOptions
{
    /// <summary>The extensions taken as images by default (case-insensitive): .png .jpg .jpeg .bmp .gif .webp.</summary>
    public static IReadOnlyList<string> DefaultExtensions { get; } = new[] { ".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp" };

    /// <summary>Name of the image path column (text, full path; the input of ImageAnalytics' <c>LoadImages</c>); default "ImagePath".</summary>
    public string PathColumnName { get; init; } = "ImagePath";

    /// <summary>Name of the label column (key over the class-folder names); default "Label".</summary>
    public string LabelColumnName { get; init; } = "Label";

    /// <summary>File extensions taken as images, with the dot, compared case-insensitively; default <see cref="DefaultExtensions"/>.</summary>
    public IReadOnlyList<string> Extensions { get; init; } = DefaultExtensions;

    /// <summary>Also take images in folders nested inside a class folder (dot-folders excepted); default true.</summary>
    public bool IncludeSubdirectories { get; init; } = true;

    /// <summary>Throw on, or skip, image files that cannot be used; default <see cref="InvalidImageHandling.Throw"/>.</summary>
    public InvalidImageHandling OnInvalidImage { get; init; } = InvalidImageHandling.Throw;

    /// <summary>
    /// Limit on an image's declared width x height, read from its header before any decoding; a larger image is
    /// invalid (a decompression bomb). Default 67,108,864 (8192 x 8192), at most 536,870,897.
    /// </summary>
    public long MaxPixels { get; init; } = SkiaImages.DefaultMaxPixels;

    /// <summary>
    /// Decode every image once when the cursor reaches it, so that truncated or corrupt pixel data is caught here
    /// (error or skip) rather than in <c>LoadImages</c>, which fills a truncated image in silently. Costs one extra
    /// decode per image and pass. False: only the header is checked. Default true.
    /// </summary>
    public bool VerifyPixels { get; init; } = true;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        SourceSchema.ValidateColumnNames(nameof(ImageFolderSourceOptions), (nameof(PathColumnName), PathColumnName), (nameof(LabelColumnName), LabelColumnName));
        if (Extensions is null || Extensions.Count == 0) throw new ArgumentException("ImageFolderSourceOptions.Extensions must list at least one extension.");
        foreach (var e in Extensions)
            if (string.IsNullOrEmpty(e) || e[0] != '.' || e.Length < 2) throw new ArgumentException($"ImageFolderSourceOptions.Extensions entry '{e}' must be a dot and a name (e.g. \".png\").");
        if (!Enum.IsDefined(OnInvalidImage)) throw new ArgumentOutOfRangeException(nameof(OnInvalidImage), OnInvalidImage, "Unknown InvalidImageHandling.");
        SkiaImages.ValidateMaxPixels(MaxPixels, "ImageFolderSourceOptions.MaxPixels");
    }
}
