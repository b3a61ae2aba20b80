namespace Ml.GanSdp;

/// <summary>
/// Frees every tensor created on this thread while the scope is the innermost one, when the scope is
/// disposed (TorchSharp's <c>NewDisposeScope</c>). Wrap each training step in one so that temporaries
/// are released deterministically; keep a result alive with <see cref="torch.Tensor.MoveToOuterDisposeScope"/>
/// or <see cref="torch.Tensor.DetachFromDisposeScope"/>.
/// </summary>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] private static DisposeScope? current;

    private readonly HashSet<torch.Tensor> _tensors = new(ReferenceEqualityComparer.Instance);
    private bool _disposed;

    internal DisposeScope()
    {
        Outer = current;
        current = this;
    }

    /// <summary>The innermost scope of the calling thread, or null.</summary>
    public static DisposeScope? Current => current;

    /// <summary>The enclosing scope, or null.</summary>
    public DisposeScope? Outer { get; }

    /// <summary>How many tensors this scope will free.</summary>
    public int Count => _tensors.Count;

    internal void Add(torch.Tensor t)
    {
        if (_disposed) throw new ObjectDisposedException(nameof(DisposeScope), "A tensor was created in a dispose scope that was already disposed.");
        _tensors.Add(t);
        t.OwningScope = this;
    }

    internal void Remove(torch.Tensor t)
    {
        _tensors.Remove(t);
        t.OwningScope = null;
    }

    /// <summary>Includes <paramref name="t"/> in this scope (removing it from any other).</summary>
    public torch.Tensor Include(torch.Tensor t)
    {
        t.OwningScope?.Remove(t);
        Add(t);
        return t;
    }

    /// <summary>Frees every tensor still owned by the scope and makes its outer scope current again.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var t in _tensors)
        {
            t.OwningScope = null;
            t.Dispose();
        }
        _tensors.Clear();
        if (ReferenceEquals(current, this)) current = Outer;
    }
}
