using System.Globalization;
using Ml.GanSdp.Interop;

namespace Ml.GanSdp;

/// <summary>
/// The library's default CPU thread setting, applied once when <see cref="torch"/> is first used.
/// libtorch parallelizes its own kernels with OpenMP (intra-op threads) and calls OpenBLAS, which keeps a
/// second pool of threads; on a small machine the two pools oversubscribe the cores, and OpenMP/OpenBLAS
/// threads that spin-wait for a descheduled partner make a step many times slower when the machine is shared.
/// The default was chosen with <c>make bench</c> on a quiet 2-CPU machine (numbers and reasoning in
/// docs/benchmarks.md, "Thread settings" and "Thread default"): intra-op threads <see cref="DefaultIntraOpThreads"/>
/// (1 on machines with at most 2 CPUs, otherwise libtorch's own default, one per physical core, as in PyTorch) and
/// OpenBLAS <see cref="DefaultBlasThreads"/> (one per CPU, OpenBLAS's own default, which PyTorch also keeps): 434 ms per
/// DCGAN step against 518 ms with one OpenBLAS thread. Two OpenMP threads were 5% faster still on the quiet machine but
/// 5-10x slower whenever another process took a core (spin-waiting OpenMP threads), so they are not the default.
/// A user's own setting wins: <c>GANSDP_NUM_THREADS</c> (intra-op threads of this library), else
/// <c>OMP_NUM_THREADS</c> (libtorch then keeps its own reading of it); <c>OPENBLAS_NUM_THREADS</c>
/// (OpenBLAS reads it when it loads). <see cref="torch.set_num_threads"/> and <see cref="torch.set_blas_threads"/>
/// change the setting later.
/// </summary>
internal static class Threading
{
    /// <summary>Intra-op threads by default: 1 with at most 2 CPUs, else null (libtorch's default).</summary>
    internal static int? DefaultIntraOpThreads => Environment.ProcessorCount <= 2 ? 1 : null;

    /// <summary>OpenBLAS threads by default: one per CPU (OpenBLAS's and PyTorch's default); GEMMs then use every core.</summary>
    internal static int DefaultBlasThreads => Environment.ProcessorCount;

    /// <summary>Applies the default, honoring the environment variables above. Never throws.</summary>
    internal static void ApplyDefaultThreading()
    {
        try
        {
            int? intra = Positive("GANSDP_NUM_THREADS");
            if (intra is null && Positive("OMP_NUM_THREADS") is null) intra = DefaultIntraOpThreads;
            if (intra is int n && NativeMethods.gs_get_num_threads() != n) _ = NativeMethods.gs_set_num_threads(n);
            if (Positive("OPENBLAS_NUM_THREADS") is null) _ = NativeMethods.gs_set_blas_threads(DefaultBlasThreads);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // The shim is missing: the first real call reports it with the build instructions.
        }
    }

    private static int? Positive(string variable)
    {
        var v = Environment.GetEnvironmentVariable(variable);
        return int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;
    }
}
