using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Onnx;
using Ml.GanSdp.Models;
using Ml.GanSdp.Onnx;
using Ml.GanSdp.Training;

namespace Ml.GanSdp;

/// <summary>
/// <c>mlContext.Transforms.TrainGanSdp(...)</c>: an ML.NET estimator that trains a GAN (with SDP and any of the classic
/// stabilizers) on an image column and returns the trained generator as ML.NET's own <see cref="OnnxTransformer"/>,
/// which adds a generated image column computed from each row's seed (Int64) and, for a conditional GAN, label key.
/// </summary>
/// <remarks>
/// <para><b>Fit</b> checks the columns, reads the image (and label) column into memory in [-1, 1] (TorchSharp tensors;
/// <see cref="GanSdpOptions.MaxRows"/> bounds it), trains with the engine (<see cref="GanTraining"/>), exports the
/// generator (the EMA generator when <see cref="GanSdpOptions.EmaDecay"/> is set) to ONNX with
/// <see cref="GeneratorOnnxExport"/> and returns the transformer of
/// <see cref="OnnxGeneratorCatalog.ApplyOnnxGenerator(TransformsCatalog, byte[], OnnxGeneratorOptions)"/>. Only Fit needs
/// TorchSharp; the fitted model runs in ONNX Runtime and saves and loads with <c>mlContext.Model.Save</c>/<c>Load</c>.
/// Fits run one at a time in a process (they share libtorch's global random generator and thread settings).</para>
/// <para><b>Seed column.</b> The fitted transformer computes each row's image from <see cref="GanSdpOptions.SeedColumnName"/>
/// (Int64) and the label; ML.NET's OnnxTransformer fails a Transform whose input lacks it, naming the column. ML.NET's
/// <c>EstimatorChain.Fit</c> transforms the training data through every fitted step, the last one included, so
/// <see cref="GetOutputSchema"/> (which the chain calls before fitting anything) refuses an input without the seed
/// column, with a message saying how to add one: <see cref="GanSdpCatalog.AddSeedColumn"/> (row i gets seed i), rows
/// with a <c>long Seed</c> property, or another Int64 column named in the options. <see cref="Fit"/> called directly
/// reads only the image and label columns and accepts an input without seeds.</para>
/// <para><b>Schema checks</b> (<see cref="ArgumentOutOfRangeException"/> naming the column, its type and what is needed)
/// run in <see cref="GetOutputSchema"/> and again in <see cref="Fit"/> before any row is read. A
/// <see cref="SchemaShape"/> carries no vector dimensions and no key counts, so the size rules of pixel vectors
/// ([C, H, W], square, the architecture's sizes) and the class count are checked in Fit (and by
/// <see cref="ResolveModelOptions"/>); MLImage sizes are checked in both.</para>
/// <para><b>Resources.</b> Each fit's model file lives in a folder of its own under <see cref="GanSdpOptions.TempFolder"/>
/// while the fitted transformer is used. <see cref="Dispose"/> releases every fitted transformer's ONNX Runtime session
/// and deletes those folders (the transformers are unusable afterwards); otherwise they are deleted at process exit.</para>
/// </remarks>
public sealed class GanSdpEstimator : IEstimator<OnnxTransformer>, IDisposable
{
    private static readonly object FitGate = new();
    private readonly TransformsCatalog _catalog;
    private readonly List<OnnxGeneratorEstimator> _fitted = [];
    private readonly object _gate = new();
    private GanSdpTrainingSummary? _lastSummary;
    private bool _disposed;

    internal GanSdpEstimator(TransformsCatalog catalog, GanSdpOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _catalog = catalog;
        Options = options with { Regularizers = [.. options.Regularizers] };
    }

    /// <summary>The options (validated).</summary>
    public GanSdpOptions Options { get; }

    /// <summary>The summary of the last completed <see cref="Fit"/>, or null before the first.</summary>
    public GanSdpTrainingSummary? LastTrainingSummary
    {
        get { lock (_gate) return _lastSummary; }
    }

    /// <summary>
    /// The model options Fit will build for <paramref name="inputSchema"/> (channels, image size and classes from the
    /// columns), after every schema check Fit makes; throws <see cref="ArgumentOutOfRangeException"/> like Fit.
    /// </summary>
    public ModelOptions ResolveModelOptions(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return GanSdpInput.Resolve(inputSchema, Options).Model;
    }

    /// <summary>
    /// The input columns plus the generated column (a known-size Single vector; replacing an input column of the same
    /// name), after the checks a schema shape allows (see the class remarks).
    /// </summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        ObjectDisposedException.ThrowIf(_disposed, this);
        GanSdpInput.Check(inputSchema, Options);
        // SchemaShape.Column's constructor is internal: the generated column (a known-size Single vector) is derived
        // from ML.NET's own estimators: ExtractPixels of an image column, a copy of a pixel column.
        var image = Options.ImageColumnName;
        IEstimator<ITransformer> shapeSource = inputSchema.Last(c => c.Name == image).ItemType is Microsoft.ML.Transforms.Image.ImageDataViewType
            ? _catalog.ExtractPixels(Options.OutputColumnName, image)
            : _catalog.CopyColumns(Options.OutputColumnName, image);
        var generated = shapeSource.GetOutputSchema(inputSchema).Last(c => c.Name == Options.OutputColumnName);
        return new SchemaShape(inputSchema.Where(c => c.Name != Options.OutputColumnName).Append(generated));
    }

    /// <summary>
    /// Trains on <paramref name="input"/> and returns the generator as ML.NET's OnnxTransformer (see the class remarks).
    /// Throws <see cref="ArgumentOutOfRangeException"/> for a schema problem, <see cref="InvalidDataException"/> for a
    /// pixel outside <see cref="GanSdpOptions.InputRange"/> or a missing label (row, column and value named),
    /// <see cref="TrainingDivergedException"/> when training diverges, <see cref="OperationCanceledException"/> when
    /// cancelled.
    /// </summary>
    public OnnxTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var o = Options;
        var columns = GanSdpInput.Resolve(input.Schema, o);
        var trainerOptions = o.ToTrainerOptions(columns.Model);
        trainerOptions.Validate();
        if (o.ResumeFrom is { } resume && !File.Exists(resume) && !Directory.Exists(resume))
            throw new FileNotFoundException($"GanSdpOptions.ResumeFrom '{resume}' is neither a checkpoint file nor a folder.", resume);

        byte[] onnx;
        GanSdpTrainingSummary summary;
        lock (FitGate)
        {
            using var data = GanSdpTrainingData.Read(_catalog, input, columns, o, o.CancellationToken);
            (onnx, summary) = TrainAndExport(data, columns, trainerOptions);
        }

        var generator = new OnnxGeneratorEstimator(_catalog, onnx, new OnnxGeneratorOptions
        {
            OutputColumnName = o.OutputColumnName,
            ImageDimensions = [columns.Shape.Channels, columns.Shape.Height, columns.Shape.Width],
            SeedColumnName = o.SeedColumnName,
            LabelColumnName = o.LabelColumnName,
            ClassCount = columns.ClassNames.Count,
            TempFolder = o.TempFolder,
        });
        lock (_gate)
        {
            if (_disposed)
            {
                generator.Dispose();
                throw new ObjectDisposedException(nameof(GanSdpEstimator));
            }
            _fitted.Add(generator);
            _lastSummary = summary;
        }
        o.OnTrainingFinished?.Invoke(summary);
        return generator.Transformer;
    }

    /// <summary>Disposes every fitted transformer's ONNX Runtime session and deletes their model folders.</summary>
    public void Dispose()
    {
        List<OnnxGeneratorEstimator> fitted;
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            fitted = [.. _fitted];
            _fitted.Clear();
        }
        foreach (var f in fitted) f.Dispose();
    }

    private (byte[] Onnx, GanSdpTrainingSummary Summary) TrainAndExport(GanSdpTrainingData data, GanSdpColumns columns, GanTrainerOptions trainerOptions)
    {
        var o = Options;
        var images = columns.Model.Architecture == Architecture.Mlp ? data.Images.reshape(data.Rows, columns.Shape.Size) : data.Images.alias();
        using (images)
        using (var source = new TensorBatchSource(images, data.Labels, columns.ClassNames.Count))
        {
            string? resumedFrom = null;
            var session = StartSession(source, trainerOptions, ref resumedFrom);
            using (session)
            {
                var trainer = session.Trainer;
                var sampled = session.EmaGenerator ?? session.Generator;
                if (o.OnSample is { } onSample)
                {
                    trainer.SamplesGenerated = (iteration, _) =>
                    {
                        var samples = new GanSdpSamples(iteration, sampled, columns.Shape, o.InputRange, o.SampleCount);
                        try { onSample(samples); }
                        finally { samples.Invalidate(); }
                    };
                }
                TrainingProgress? last = null;
                var progress = new SynchronousProgress(p => { last = p; o.Progress?.Report(p); });
                long start = trainer.Iteration;
                var clock = Stopwatch.StartNew();
                trainer.Train(progress, o.CancellationToken);
                clock.Stop();
                var summary = new GanSdpTrainingSummary
                {
                    Iterations = trainer.Iteration,
                    IterationsThisFit = trainer.Iteration - start,
                    Seconds = clock.Elapsed.TotalSeconds,
                    Rows = data.Rows,
                    DiscriminatorLoss = last?.DiscriminatorLoss,
                    GeneratorLoss = last?.GeneratorLoss,
                    Terms = last is null ? new Dictionary<string, double>() : new Dictionary<string, double>(last.Terms),
                    ExportedEmaGenerator = session.EmaGenerator is not null,
                    ResumedFrom = resumedFrom,
                    LastCheckpoint = trainer.LastCheckpoint,
                };
                var info = new GanSdpModelInfo
                {
                    LibraryVersion = GanSdpModelInfo.CurrentLibraryVersion,
                    Architecture = columns.Model.Architecture,
                    LatentSize = o.LatentSize,
                    ImageShape = columns.Shape,
                    PixelRange = o.InputRange,
                    ClassNames = columns.ClassNames,
                    OutputColumnName = o.OutputColumnName,
                    SeedColumnName = o.SeedColumnName,
                    LabelColumnName = o.LabelColumnName,
                    ExportedEmaGenerator = session.EmaGenerator is not null,
                    Options = o.Resolved(),
                    Training = summary,
                };
                var bytes = GeneratorOnnxExport.Export(sampled, new GeneratorExportOptions
                {
                    OutputName = o.OutputColumnName,
                    SeedInputName = o.SeedColumnName,
                    LabelInputName = o.LabelColumnName ?? UnusedLabelName(o),
                    PixelRange = o.InputRange,
                    ImageShape = columns.Shape,
                    Metadata = info.ToMetadata(),
                    DocString = $"Ml.GanSdp {columns.Model.Architecture} generator: ({o.SeedColumnName}{(o.LabelColumnName is null ? "" : ", " + o.LabelColumnName)}) -> {o.OutputColumnName} {columns.Shape} in {o.InputRange}.",
                });
                return (bytes, summary);
            }
        }
    }

    private GanTrainingSession StartSession(TensorBatchSource source, GanTrainerOptions trainerOptions, ref string? resumedFrom)
    {
        var o = Options;
        if (o.ResumeFrom is not { } resume) return GanTraining.Create(trainerOptions, source);
        if (File.Exists(resume))
        {
            resumedFrom = resume;
            return GanTraining.Resume(resume, source, trainerOptions);
        }
        var session = GanTraining.ResumeLatest(resume, source, trainerOptions, o.OnWarning);
        if (session is null)
        {
            o.OnWarning?.Invoke($"GanSdpOptions.ResumeFrom '{resume}' holds no valid checkpoint; training starts afresh.");
            return GanTraining.Create(trainerOptions, source);
        }
        resumedFrom = session.Trainer.LastCheckpoint;
        return session;
    }

    private static string UnusedLabelName(GanSdpOptions o)
    {
        var name = "Label";
        for (int k = 1; name == o.OutputColumnName || name == o.SeedColumnName; k++) name = $"Label_{k}";
        return name;
    }

    /// <summary>An <see cref="IProgress{T}"/> that reports on the calling thread (System.Progress posts to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
