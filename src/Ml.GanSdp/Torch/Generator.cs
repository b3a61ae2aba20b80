using Ml.GanSdp.Interop;

namespace Ml.GanSdp;

public static partial class torch
{
    /// <summary>
    /// A CPU random number generator (libtorch's Philox/MT generator) for reproducible sampling; pass it
    /// to <c>randn</c>, <c>rand</c>, <c>randint</c>, <c>randperm</c>. Its state can be saved and restored
    /// for exact resume.
    /// </summary>
    public sealed class Generator : IDisposable
    {
        internal GeneratorHandle Handle { get; }

        /// <summary>A generator seeded with <paramref name="seed"/>.</summary>
        public Generator(long seed)
        {
            NativeMethods.Check(NativeMethods.gs_generator_new(unchecked((ulong)seed), out var h), "Generator");
            Handle = new GeneratorHandle(h);
        }

        /// <summary>Re-seeds the generator.</summary>
        public Generator manual_seed(long seed)
        {
            NativeMethods.Check(NativeMethods.gs_generator_manual_seed(Handle, unchecked((ulong)seed)));
            return this;
        }

        /// <summary>The full generator state as a uint8 tensor.</summary>
        public Tensor get_state() => Create(NativeMethods.gs_generator_get_state(Handle, out var r), r, nameof(get_state));

        /// <summary>Restores a state from <see cref="get_state"/>.</summary>
        public void set_state(Tensor state) => NativeMethods.Check(NativeMethods.gs_generator_set_state(Handle, state.Handle));

        /// <summary>Frees the native generator.</summary>
        public void Dispose() => Handle.Dispose();
    }

    /// <summary>The state of libtorch's default CPU generator.</summary>
    public static Tensor get_rng_state() => Create(NativeMethods.gs_generator_get_state(GeneratorHandle.Null, out var r), r, nameof(get_rng_state));

    /// <summary>Restores the default CPU generator's state.</summary>
    public static void set_rng_state(Tensor state) => NativeMethods.Check(NativeMethods.gs_generator_set_state(GeneratorHandle.Null, state.Handle));
}
