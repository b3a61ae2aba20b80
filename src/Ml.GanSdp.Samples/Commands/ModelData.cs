using Microsoft.ML;

namespace Ml.GanSdp.Samples.Commands;

/// <summary>Real data lined up with a generator: the generator's image size, classes and column names.</summary>
internal static class ModelData
{
    /// <summary>
    /// Loads the split of <paramref name="spec"/> in <paramref name="g"/>'s image shape (an image folder is resized to it;
    /// other sources must have it), checks that its classes are the model's, and names its image and label columns like
    /// the generator's output and label input (copies, when they differ), so synthetic rows and real rows share columns.
    /// </summary>
    public static LoadedData Load(MLContext ml, DatasetSpec spec, GeneratorModel g, bool train)
    {
        var data = DatasetOptions.Load(ml, spec, train, g.Info.ImageShape);
        g.RequireSameClasses(data);
        var view = data.View;
        if (g.Info.OutputColumnName != LoadedData.ImageColumn) view = ml.Transforms.CopyColumns(g.Info.OutputColumnName, LoadedData.ImageColumn).Fit(view).Transform(view);
        if (g.Info.LabelColumnName is { } l && l != LoadedData.LabelColumn) view = ml.Transforms.CopyColumns(l, LoadedData.LabelColumn).Fit(view).Transform(view);
        return data with { View = view };
    }

    /// <summary>The image column of data loaded by <see cref="Load"/>.</summary>
    public static string ImageColumn(GeneratorModel g) => g.Info.OutputColumnName;

    /// <summary>The label column of data loaded by <see cref="Load"/>.</summary>
    public static string LabelColumn(GeneratorModel g) => g.Info.LabelColumnName ?? LoadedData.LabelColumn;
}
