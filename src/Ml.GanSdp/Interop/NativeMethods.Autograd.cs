using System.Runtime.InteropServices;

namespace Ml.GanSdp.Interop;

// autograd.cpp.
internal static partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial int gs_requires_grad(TensorHandle t, out int r);
    [LibraryImport(Lib)] internal static partial int gs_set_requires_grad(TensorHandle t, int on);
    [LibraryImport(Lib)] internal static partial int gs_is_leaf(TensorHandle t, out int r);
    [LibraryImport(Lib)] internal static partial int gs_grad(TensorHandle t, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_set_grad(TensorHandle t, TensorHandle grad);
    [LibraryImport(Lib)] internal static partial int gs_backward(TensorHandle t, TensorHandle gradOutput, int retainGraph, int createGraph);
    [LibraryImport(Lib)] internal static partial int gs_autograd_grad(IntPtr[] outputs, int nOutputs, IntPtr[] inputs, int nInputs, IntPtr[]? gradOutputs, int retainGraph, int createGraph, int allowUnused, IntPtr[] r);
    [LibraryImport(Lib)] internal static partial int gs_is_grad_enabled();
    [LibraryImport(Lib)] internal static partial int gs_set_grad_enabled(int on);
    [LibraryImport(Lib)] internal static unsafe partial int gs_grad_fn_name(TensorHandle t, byte* buffer, int capacity);
}
