using System.Runtime.InteropServices;

namespace Ml.GanSdp.Interop;

// io.cpp and image.cpp.
internal static partial class NativeMethods
{
    [LibraryImport(Lib)] internal static unsafe partial int gs_pickle_load_dict(void* data, long size, out IntPtr dict);
    [LibraryImport(Lib)] internal static partial void gs_dict_free(IntPtr d);
    [LibraryImport(Lib)] internal static partial int gs_dict_size(IntPtr d, out long r);
    [LibraryImport(Lib)] internal static unsafe partial int gs_dict_key(IntPtr d, long i, byte* buffer, int capacity, out int length);
    [LibraryImport(Lib)] internal static partial int gs_dict_value(IntPtr d, long i, out IntPtr r);

    [LibraryImport(Lib)] internal static unsafe partial int gs_image_decode(void* data, long size, int grayscale, out IntPtr r);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial int gs_image_encode(TensorHandle hwc, string ext, int quality, out IntPtr buffer, out long size);
}
