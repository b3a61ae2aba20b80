namespace Ml.GanSdp.Pipeline;

/// <summary>
/// The entry point of the pipeline API (ML.NET's <c>MLContext</c>): catalogs of loaders (<see cref="Data"/>),
/// estimators (<see cref="Transforms"/>), model files (<see cref="Model"/>) and evaluators
/// (<see cref="MulticlassClassification"/>, <see cref="Evaluation"/>). The operations are extension methods on the catalogs, as in ML.NET.
/// </summary>
public sealed class GanContext
{
    /// <summary>
    /// A context. With a <paramref name="seed"/> every random operation started from it (weight initialization,
    /// batches, latent codes, shuffles) derives from the seed, so a pipeline fitted twice gives the same models;
    /// without one, a seed is drawn once from the clock.
    /// </summary>
    public GanContext(int? seed = null)
    {
        Seed = seed ?? Environment.TickCount & 0x7FFFFFFF;
        Data = new DataOperationsCatalog(this);
        Transforms = new TransformsCatalog(this);
        Model = new ModelOperationsCatalog(this);
        MulticlassClassification = new MulticlassClassificationCatalog(this);
        Evaluation = new EvaluationCatalog(this);
    }

    /// <summary>The seed every operation derives its randomness from.</summary>
    public int Seed { get; }

    /// <summary>Loaders and in-memory data (ML.NET's <c>mlContext.Data</c>).</summary>
    public DataOperationsCatalog Data { get; }

    /// <summary>Estimators: image transforms, GAN training, augmentation, the classifier (ML.NET's <c>mlContext.Transforms</c>).</summary>
    public TransformsCatalog Transforms { get; }

    /// <summary>Saving and loading trained generators (ML.NET's <c>mlContext.Model</c>).</summary>
    public ModelOperationsCatalog Model { get; }

    /// <summary>Classifier evaluation (ML.NET's <c>mlContext.MulticlassClassification</c>).</summary>
    public MulticlassClassificationCatalog MulticlassClassification { get; }

    /// <summary>Generative-model evaluation: <c>EvaluateFid</c>, <c>TrainDomainClassifier</c>.</summary>
    public EvaluationCatalog Evaluation { get; }
}

/// <summary>Base of the catalogs: each knows its context (for the seed).</summary>
public abstract class CatalogBase
{
    private protected CatalogBase(GanContext context) => Context = context;

    /// <summary>The context that owns this catalog.</summary>
    public GanContext Context { get; }
}

/// <summary>Loaders (extension methods in <see cref="DataCatalogExtensions"/>).</summary>
public sealed class DataOperationsCatalog : CatalogBase
{
    internal DataOperationsCatalog(GanContext context) : base(context) { }
}

/// <summary>Estimators (extension methods, one file per estimator).</summary>
public sealed class TransformsCatalog : CatalogBase
{
    internal TransformsCatalog(GanContext context) : base(context) { }
}

/// <summary>Model files (extension methods in <see cref="GanModelFile"/>'s catalog extensions).</summary>
public sealed class ModelOperationsCatalog : CatalogBase
{
    internal ModelOperationsCatalog(GanContext context) : base(context) { }
}

/// <summary>Classifier evaluation.</summary>
public sealed class MulticlassClassificationCatalog : CatalogBase
{
    internal MulticlassClassificationCatalog(GanContext context) : base(context) { }
}
