namespace Ml.GanSdp.Tests.TestSupport;

/// <summary>Settings for the whole test run.</summary>
[TestClass]
public static class AssemblySetup
{
    /// <summary>
    /// One libtorch intra-op thread, as on the oracle side (<see cref="Python"/> starts PyTorch with
    /// OMP_NUM_THREADS=1 and the scripts call <c>torch.set_num_threads(1)</c>): thread counts change the order of
    /// float32 reductions, so both sides of an oracle comparison use the same setting on every machine, whatever its
    /// core count (the library's own default depends on it). Tests that change the count restore it.
    /// </summary>
    [AssemblyInitialize]
    public static void PinThreads(TestContext context) => TorchThreads.Set(1, "test threads");
}
