namespace Ml.GanSdp;

/// <summary>
/// An error reported by libtorch (through the native shim): a shape mismatch, a wrong dtype, an invalid
/// argument. The process is never aborted; the native message is kept as it is and prefixed with the
/// operation that failed.
/// </summary>
public sealed class TorchException : InvalidOperationException
{
    /// <summary>Creates the exception for <paramref name="operation"/> with libtorch's <paramref name="nativeMessage"/>.</summary>
    public TorchException(string operation, string nativeMessage)
        : base($"{operation}: {nativeMessage.Trim()}")
    {
        Operation = operation;
        NativeMessage = nativeMessage;
    }

    /// <summary>The managed operation that failed (for example <c>matmul</c>).</summary>
    public string Operation { get; }

    /// <summary>The message libtorch gave, without the operation prefix.</summary>
    public string NativeMessage { get; }
}
