using System.Runtime.InteropServices;

namespace Ml.GanSdp.Interop;

// optim.cpp.
internal static partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial int gs_optim_new(int kind, IntPtr[] parameters, int n, double lr, double a, double b, double eps, double weightDecay, int flag, out IntPtr r);
    [LibraryImport(Lib)] internal static partial void gs_optim_free(IntPtr o);
    [LibraryImport(Lib)] internal static partial int gs_optim_step(OptimizerHandle o);
    [LibraryImport(Lib)] internal static partial int gs_optim_zero_grad(OptimizerHandle o, int setToNone);
    [LibraryImport(Lib)] internal static partial int gs_optim_set_lr(OptimizerHandle o, double lr);
    [LibraryImport(Lib)] internal static partial int gs_optim_get_lr(OptimizerHandle o, out double r);
    [LibraryImport(Lib)] internal static partial int gs_optim_get_state(OptimizerHandle o, int index, IntPtr[] r, out int count);
    [LibraryImport(Lib)] internal static partial int gs_optim_set_state(OptimizerHandle o, int index, IntPtr[] state, int count);
}
