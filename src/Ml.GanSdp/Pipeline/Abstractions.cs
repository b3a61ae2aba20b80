using Ml.GanSdp.Data;

namespace Ml.GanSdp.Pipeline;

/// <summary>
/// A fitted step of a pipeline (ML.NET's <c>ITransformer</c>): maps a data view to another, lazily where it can.
/// <see cref="GetOutputSchema"/> checks an input schema without reading data, and throws a
/// <see cref="SchemaException"/> naming the column when it does not fit.
/// </summary>
public interface ITransformer
{
    /// <summary>The schema <see cref="Transform"/> produces from <paramref name="inputSchema"/> (checking it).</summary>
    DataViewSchema GetOutputSchema(DataViewSchema inputSchema);

    /// <summary>Applies the transformer to <paramref name="input"/>.</summary>
    IDataView Transform(IDataView input);
}

/// <summary>
/// An unfitted step (ML.NET's <c>IEstimator&lt;TTransformer&gt;</c>): <see cref="Fit"/> learns from a data view and
/// returns the transformer; a missing or mistyped input column fails at <see cref="Fit"/> (and at
/// <see cref="GetOutputSchema"/>) with a <see cref="SchemaException"/> naming the column and listing the schema.
/// </summary>
public interface IEstimator<out TTransformer> where TTransformer : ITransformer
{
    /// <summary>Trains (or just configures) the step on <paramref name="input"/>.</summary>
    TTransformer Fit(IDataView input);

    /// <summary>The schema the fitted transformer will produce from <paramref name="inputSchema"/> (checking it).</summary>
    DataViewSchema GetOutputSchema(DataViewSchema inputSchema);
}

/// <summary>
/// Estimators run one after the other (ML.NET's <c>EstimatorChain&lt;TLastTransformer&gt;</c>): <see cref="Fit"/>
/// fits each on the output of the transformers fitted before it. Build it with <see cref="EstimatorExtensions.Append"/>.
/// </summary>
public sealed class EstimatorChain<TLastTransformer> : IEstimator<TransformerChain<TLastTransformer>>
    where TLastTransformer : class, ITransformer
{
    private readonly IEstimator<ITransformer>[] _estimators;

    /// <summary>An empty chain (ML.NET's <c>new EstimatorChain&lt;ITransformer&gt;()</c>).</summary>
    public EstimatorChain() => _estimators = Array.Empty<IEstimator<ITransformer>>();

    internal EstimatorChain(IEstimator<ITransformer>[] estimators) => _estimators = estimators;

    /// <summary>The estimators in order.</summary>
    public IReadOnlyList<IEstimator<ITransformer>> Estimators => _estimators;

    /// <summary>A new chain with <paramref name="estimator"/> at the end.</summary>
    public EstimatorChain<TNew> Append<TNew>(IEstimator<TNew> estimator) where TNew : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(estimator);
        return new EstimatorChain<TNew>(_estimators.Append(estimator).ToArray());
    }

    /// <summary>Fits every estimator in order on the data transformed by the ones before it.</summary>
    public TransformerChain<TLastTransformer> Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(input.Schema);
        var fitted = new List<ITransformer>();
        var current = input;
        for (int i = 0; i < _estimators.Length; i++)
        {
            var t = _estimators[i].Fit(current);
            fitted.Add(t);
            if (i < _estimators.Length - 1) current = t.Transform(current);
        }
        return new TransformerChain<TLastTransformer>(fitted.ToArray());
    }

    /// <summary>The schema after every estimator (each checks its input).</summary>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var s = inputSchema;
        foreach (var e in _estimators) s = e.GetOutputSchema(s);
        return s;
    }
}

/// <summary>Fitted transformers applied in order (ML.NET's <c>TransformerChain&lt;TLastTransformer&gt;</c>).</summary>
public sealed class TransformerChain<TLastTransformer> : ITransformer, IReadOnlyList<ITransformer>, IDisposable
    where TLastTransformer : class, ITransformer
{
    private readonly ITransformer[] _transformers;

    /// <summary>A chain of <paramref name="transformers"/>; the last must be a <typeparamref name="TLastTransformer"/> (or the chain empty).</summary>
    public TransformerChain(params ITransformer[] transformers)
    {
        ArgumentNullException.ThrowIfNull(transformers);
        _transformers = transformers.ToArray();
        if (_transformers.Length > 0 && _transformers[^1] is not TLastTransformer)
            throw new ArgumentException($"The last transformer is a {_transformers[^1].GetType().Name}, not a {typeof(TLastTransformer).Name}.", nameof(transformers));
    }

    /// <summary>The last transformer (ML.NET's <c>LastTransformer</c>), for example the trained generator.</summary>
    public TLastTransformer LastTransformer => _transformers.Length > 0 ? (TLastTransformer)_transformers[^1] : throw new InvalidOperationException("The chain is empty.");

    /// <inheritdoc/>
    public int Count => _transformers.Length;

    /// <inheritdoc/>
    public ITransformer this[int index] => _transformers[index];

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        var s = inputSchema;
        foreach (var t in _transformers) s = t.GetOutputSchema(s);
        return s;
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        var v = input;
        foreach (var t in _transformers) v = t.Transform(v);
        return v;
    }

    /// <summary>Disposes the transformers that hold native resources (trained models).</summary>
    public void Dispose()
    {
        foreach (var t in _transformers) (t as IDisposable)?.Dispose();
    }

    /// <inheritdoc/>
    public IEnumerator<ITransformer> GetEnumerator() => ((IEnumerable<ITransformer>)_transformers).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>ML.NET's <c>Append</c>: chains estimators.</summary>
public static class EstimatorExtensions
{
    /// <summary>A chain of <paramref name="start"/> then <paramref name="next"/>.</summary>
    public static EstimatorChain<TNew> Append<TTrans, TNew>(this IEstimator<TTrans> start, IEstimator<TNew> next)
        where TTrans : class, ITransformer
        where TNew : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(next);
        return new EstimatorChain<TNew>(new IEstimator<ITransformer>[] { start, next });
    }
}
