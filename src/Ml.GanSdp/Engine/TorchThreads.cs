using System.Globalization;
using TorchSharp;

namespace Ml.GanSdp;

/// <summary>
/// libtorch's intra-op thread count (OpenMP, and MKL under it), validated before it reaches TorchSharp
/// (<c>torch.set_num_threads(0)</c> aborts the whole process).
/// <para>The default, applied once by the trainer, the FID extractor and the Frechet distance unless the user set a
/// count (<see cref="Set"/>, <c>GANSDP_NUM_THREADS</c> or <c>OMP_NUM_THREADS</c>): one thread on machines with at most
/// two cores, libtorch's own choice above that. Measured on the 2-core development machine (docs/threads.md,
/// bench/threads.sh): when both cores were contended, 2 OpenMP threads with active waiting made the DCGAN iteration
/// 3-5x slower and <c>linalg.eigh</c> of a 2048 x 2048 matrix up to 3.5x slower than one thread (an OpenMP team
/// waits for its slowest member), while with light contention they were up to a third faster on the DCGAN; one
/// thread never collapses.</para>
/// </summary>
public static class TorchThreads
{
    /// <summary>The largest count accepted (far above any machine this runs on; guards against typos).</summary>
    public const int MaxThreads = 1024;

    private static int _applied;

    /// <summary>The default intra-op thread count on this machine, or null for libtorch's own choice.</summary>
    public static int? DefaultIntraOpThreads => Environment.ProcessorCount <= 2 ? 1 : null;

    /// <summary>The current intra-op thread count.</summary>
    public static int Current => torch.get_num_threads();

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming <paramref name="optionName"/> unless 1 &lt;= n &lt;= <see cref="MaxThreads"/>.</summary>
    public static void Validate(int threads, string optionName)
    {
        if (threads < 1 || threads > MaxThreads)
            throw new ArgumentOutOfRangeException(optionName, threads, $"{optionName} must be between 1 and {MaxThreads} threads (got {threads}).");
    }

    /// <summary>Sets libtorch's intra-op thread count (validated first).</summary>
    public static void Set(int threads, string optionName = "threads")
    {
        Validate(threads, optionName);
        Interlocked.Exchange(ref _applied, 1);
        if (torch.get_num_threads() != threads) torch.set_num_threads(threads);
    }

    /// <summary>
    /// Applies the default once per process unless a count was set already (here or through the environment):
    /// <c>GANSDP_NUM_THREADS</c> (validated) wins, then <c>OMP_NUM_THREADS</c> is left to libtorch, else
    /// <see cref="DefaultIntraOpThreads"/>.
    /// </summary>
    public static void EnsureDefault()
    {
        if (Interlocked.Exchange(ref _applied, 1) != 0) return;
        var own = Environment.GetEnvironmentVariable("GANSDP_NUM_THREADS");
        if (!string.IsNullOrWhiteSpace(own))
        {
            if (!int.TryParse(own, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n))
                throw new ArgumentException($"GANSDP_NUM_THREADS \"{own}\" is not a whole number of threads.");
            Validate(n, "GANSDP_NUM_THREADS");
            if (torch.get_num_threads() != n) torch.set_num_threads(n);
            return;
        }
        if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OMP_NUM_THREADS"))) return;
        if (DefaultIntraOpThreads is int d && torch.get_num_threads() != d) torch.set_num_threads(d);
    }
}
