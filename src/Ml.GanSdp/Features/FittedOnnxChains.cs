using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.GanSdp.Onnx;

namespace Ml.GanSdp.Features;

/// <summary>
/// What a featurizing estimator owns: the chains it fitted (their ONNX Runtime sessions) and the model files it
/// generated, each in an <see cref="OnnxModelFolder"/> written once per key. <see cref="Dispose"/> disposes the chains
/// and deletes the folders; afterwards every call throws <see cref="ObjectDisposedException"/> naming the owner.
/// Thread-safe.
/// </summary>
internal sealed class FittedOnnxChains : IDisposable
{
    private readonly object _owner;
    private readonly string? _tempFolder;
    private readonly object _gate = new();
    private readonly Dictionary<string, OnnxModelFolder> _models = new(StringComparer.Ordinal);
    private readonly List<TransformerChain<ITransformer>> _fitted = new();
    private bool _disposed;

    /// <param name="owner">The estimator named in <see cref="ObjectDisposedException"/>s.</param>
    /// <param name="tempFolder">Where the model folders go (null: the system temp folder).</param>
    public FittedOnnxChains(object owner, string? tempFolder)
    {
        _owner = owner;
        _tempFolder = tempFolder;
    }

    /// <summary>
    /// The path of the model file for <paramref name="key"/>, named <paramref name="fileName"/>, built by
    /// <paramref name="build"/> and written the first time the key is asked for.
    /// </summary>
    public string ModelPath(string key, string fileName, Func<byte[]> build)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            if (!_models.TryGetValue(key, out var folder))
            {
                folder = new OnnxModelFolder(_tempFolder, fileName, build());
                _models[key] = folder;
            }
            return folder.ModelPath;
        }
    }

    /// <summary>Fits <paramref name="chain"/> on <paramref name="input"/> and keeps the result for <see cref="Dispose"/>.</summary>
    public TransformerChain<ITransformer> Fit(EstimatorChain<ITransformer> chain, IDataView input)
    {
        var fitted = chain.Fit(input);
        lock (_gate)
        {
            if (_disposed)
            {
                fitted.Dispose();
                ThrowIfDisposed();
            }
            _fitted.Add(fitted);
        }
        return fitted;
    }

    /// <summary>Throws <see cref="ObjectDisposedException"/> once <see cref="Dispose"/> ran.</summary>
    public void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, _owner);

    /// <summary>Disposes the fitted chains and deletes the model folders (once).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var chain in _fitted) chain.Dispose();
            _fitted.Clear();
            foreach (var folder in _models.Values) folder.Dispose();
            _models.Clear();
        }
    }
}
