using System.Runtime.InteropServices;

namespace Ml.GanSdp.Interop;

internal static partial class NativeMethods
{
    // ---- metrics (native/src/metrics.cpp) ----
    [LibraryImport(Lib)] internal static partial int gs_linalg_cholesky_ex(TensorHandle t, int upper, out IntPtr factor, out int info);
}
