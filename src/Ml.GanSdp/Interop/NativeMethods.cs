using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ml.GanSdp.Interop;

/// <summary>
/// P/Invoke surface of <c>libgansdp_native.so</c>, the C ABI shim over libtorch (see
/// <c>native/include/gansdp.h</c> for the ownership rule). One partial file per native area.
/// Every call that can fail returns a status that <see cref="Check"/> turns into a <see cref="TorchException"/>.
/// </summary>
internal static partial class NativeMethods
{
    internal const string Lib = "gansdp_native";

    static NativeMethods()
    {
        NativeLibrary.SetDllImportResolver(typeof(NativeMethods).Assembly, Resolve);
    }

    private static IntPtr Resolve(string name, System.Reflection.Assembly assembly, DllImportSearchPath? path)
    {
        if (name != Lib) return IntPtr.Zero;
        var dir = AppContext.BaseDirectory;
        var candidate = Path.Combine(dir, "libgansdp_native.so");
        string? firstError = null;
        foreach (var file in new[] { candidate, Path.Combine(Path.GetDirectoryName(assembly.Location) ?? dir, "libgansdp_native.so") })
        {
            if (!File.Exists(file)) continue;
            try { return NativeLibrary.Load(file); }
            catch (DllNotFoundException e) { firstError ??= e.Message; }
        }
        if (NativeLibrary.TryLoad(name, assembly, path, out var handle)) return handle;
        throw new DllNotFoundException(
            $"The libtorch shim libgansdp_native.so could not be loaded from '{dir}'" +
            (firstError is null ? " (file not found)" : $": {firstError}") +
            ". Build it with 'make build' (it needs libtorch-dev and libopencv-dev: 'make deps').");
    }

    /// <summary>Forces the static constructor (the resolver) to run before the first native call.</summary>
    internal static void EnsureLoaded() { }

    [LibraryImport(Lib)] internal static partial IntPtr gs_last_error();
    [LibraryImport(Lib)] internal static partial long gs_live_tensors();
    [LibraryImport(Lib)] internal static partial IntPtr gs_torch_version();
    [LibraryImport(Lib)] internal static partial int gs_set_num_threads(int n);
    [LibraryImport(Lib)] internal static partial int gs_get_num_threads();
    [LibraryImport(Lib)] internal static partial int gs_set_blas_threads(int n);
    [LibraryImport(Lib)] internal static partial int gs_cuda_is_available();
    [LibraryImport(Lib)] internal static partial int gs_cuda_device_count();
    [LibraryImport(Lib)] internal static partial int gs_manual_seed(ulong seed);
    [LibraryImport(Lib)] internal static partial int gs_set_deterministic(int on);
    [LibraryImport(Lib)] internal static partial void gs_buffer_free(IntPtr buffer);

    internal static string LastError => Marshal.PtrToStringUTF8(gs_last_error()) ?? "unknown native error";

    /// <summary>Throws a <see cref="TorchException"/> carrying the native message when <paramref name="status"/> is non-zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Check(int status, [CallerMemberName] string op = "")
    {
        if (status != 0) Throw(op);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Throw(string op) => throw new TorchException(op, LastError);
}
