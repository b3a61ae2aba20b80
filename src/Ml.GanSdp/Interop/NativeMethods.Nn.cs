using System.Runtime.InteropServices;

namespace Ml.GanSdp.Interop;

// nn.cpp: nn.functional.
internal static partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial int gs_conv2d(TensorHandle x, TensorHandle w, TensorHandle b, long[] stride, long[] padding, long[] dilation, long groups, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_conv_transpose2d(TensorHandle x, TensorHandle w, TensorHandle b, long[] stride, long[] padding, long[] outputPadding, long groups, long[] dilation, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_linear(TensorHandle x, TensorHandle w, TensorHandle b, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_batch_norm(TensorHandle x, TensorHandle w, TensorHandle b, TensorHandle runningMean, TensorHandle runningVar, int training, double momentum, double eps, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_layer_norm(TensorHandle x, long[] shape, int ndim, TensorHandle w, TensorHandle b, double eps, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_embedding(TensorHandle weight, TensorHandle indices, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_avg_pool2d(TensorHandle x, long[] kernel, long[] stride, long[] padding, int ceilMode, int countIncludePad, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_max_pool2d(TensorHandle x, long[] kernel, long[] stride, long[] padding, long[] dilation, int ceilMode, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_adaptive_avg_pool2d(TensorHandle x, long[] size, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_adaptive_max_pool2d(TensorHandle x, long[] size, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_interpolate(TensorHandle x, long[] size, int mode, int alignCorners, double scaleH, double scaleW, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_dropout(TensorHandle x, double p, int training, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_bce_with_logits(TensorHandle x, TensorHandle target, TensorHandle weight, TensorHandle posWeight, int reduction, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_cross_entropy(TensorHandle x, TensorHandle target, TensorHandle weight, int reduction, long ignoreIndex, double labelSmoothing, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_mse_loss(TensorHandle a, TensorHandle b, int reduction, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_normalize(TensorHandle x, double p, long dim, double eps, out IntPtr r);
}
