using System.Runtime.InteropServices;

namespace Ml.GanSdp.Interop;

/// <summary>Owning handle to one native <c>at::Tensor</c>; released with <c>gs_tensor_free</c>.</summary>
internal sealed class TensorHandle : SafeHandle
{
    public TensorHandle() : base(IntPtr.Zero, ownsHandle: true) { }
    internal TensorHandle(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(handle);

    /// <summary>The handle passed for an absent optional tensor (native NULL). Never released.</summary>
    internal static readonly TensorHandle Null = new();
    public override bool IsInvalid => handle == IntPtr.Zero;
    protected override bool ReleaseHandle()
    {
        NativeMethods.gs_tensor_free(handle);
        return true;
    }
}

/// <summary>Owning handle to a native <c>at::Generator</c>.</summary>
internal sealed class GeneratorHandle : SafeHandle
{
    public GeneratorHandle() : base(IntPtr.Zero, ownsHandle: true) { }
    internal GeneratorHandle(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(handle);

    /// <summary>Native NULL: the default CPU generator. Never released.</summary>
    internal static readonly GeneratorHandle Null = new();
    public override bool IsInvalid => handle == IntPtr.Zero;
    protected override bool ReleaseHandle()
    {
        NativeMethods.gs_generator_free(handle);
        return true;
    }
}

/// <summary>Owning handle to a native optimizer.</summary>
internal sealed class OptimizerHandle : SafeHandle
{
    public OptimizerHandle() : base(IntPtr.Zero, ownsHandle: true) { }
    internal OptimizerHandle(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(handle);
    public override bool IsInvalid => handle == IntPtr.Zero;
    protected override bool ReleaseHandle()
    {
        NativeMethods.gs_optim_free(handle);
        return true;
    }
}
