using System.Globalization;
using Ml.GanSdp.Interop;
using static Ml.GanSdp.Interop.NativeMethods;

namespace Ml.GanSdp
{

public static partial class torch
{
    /// <summary>Optimizers: libtorch's own Adam, AdamW and SGD implementations.</summary>
    public static partial class optim
    {
        /// <summary>
        /// An optimizer over a fixed list of parameters. Its state (step counts, moments, momentum buffers and the
        /// learning rate) round-trips through <see cref="state_dict"/> / <see cref="load_state_dict"/> so that a
        /// resumed run continues exactly.
        /// </summary>
        public abstract class Optimizer : IDisposable
        {
            private readonly OptimizerHandle _handle;
            private readonly Tensor[] _parameters;

            private protected Optimizer(int kind, IEnumerable<Tensor> parameters, double lr, double a, double b, double eps, double weightDecay, bool flag)
            {
                _parameters = parameters.ToArray();
                if (_parameters.Length == 0) throw new ArgumentException("The optimizer got an empty parameter list.", nameof(parameters));
                if (!(lr >= 0)) throw new ArgumentOutOfRangeException(nameof(lr), lr, "The learning rate must be non-negative.");
                var handles = _parameters.Select(p => p.RawHandle).ToArray();
                Check(gs_optim_new(kind, handles, handles.Length, lr, a, b, eps, weightDecay, flag ? 1 : 0, out var h), GetType().Name);
                GC.KeepAlive(_parameters);
                _handle = new OptimizerHandle(h);
            }

            /// <summary>The parameters, in the order given.</summary>
            public IReadOnlyList<Tensor> Parameters => _parameters;

            /// <summary>Applies one update from the parameters' gradients.</summary>
            public void step() => Check(gs_optim_step(_handle));

            /// <summary>Clears the gradients (to None by default, as PyTorch 2 does).</summary>
            public void zero_grad(bool set_to_none = true) => Check(gs_optim_zero_grad(_handle, set_to_none ? 1 : 0));

            /// <summary>The learning rate.</summary>
            public double learning_rate
            {
                get
                {
                    Check(gs_optim_get_lr(_handle, out var lr));
                    return lr;
                }
                set
                {
                    if (!(value >= 0)) throw new ArgumentOutOfRangeException(nameof(value), value, "The learning rate must be non-negative.");
                    Check(gs_optim_set_lr(_handle, value));
                }
            }

            /// <summary>Names of the state slots of one parameter.</summary>
            private protected abstract string[] SlotNames { get; }

            /// <summary>
            /// The optimizer state as tensors named <c>state.{i}.{slot}</c> (i = parameter index) plus <c>lr</c>.
            /// The caller owns the returned tensors (copies).
            /// </summary>
            public Dictionary<string, Tensor> state_dict()
            {
                var d = new Dictionary<string, Tensor>();
                var slots = new IntPtr[4];
                for (int i = 0; i < _parameters.Length; i++)
                {
                    Check(gs_optim_get_state(_handle, i, slots, out var count));
                    for (int s = 0; s < count; s++)
                        if (slots[s] != IntPtr.Zero) d[$"state.{i}.{SlotNames[s]}"] = Wrap(slots[s]);
                }
                d["lr"] = tensor(learning_rate, ScalarType.Float64);
                return d;
            }

            /// <summary>Restores a state from <see cref="state_dict"/>; the parameter count and shapes must match.</summary>
            public void load_state_dict(IReadOnlyDictionary<string, Tensor> state)
            {
                foreach (var key in state.Keys)
                {
                    if (key == "lr") continue;
                    var parts = key.Split('.');
                    if (parts.Length != 3 || parts[0] != "state" || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var idx) || idx >= _parameters.Length || Array.IndexOf(SlotNames, parts[2]) < 0)
                        throw new ArgumentException($"Optimizer state key '{key}' does not fit a {GetType().Name} over {_parameters.Length} parameters.");
                }
                for (int i = 0; i < _parameters.Length; i++)
                {
                    var present = SlotNames.Select(n => state.TryGetValue($"state.{i}.{n}", out var t) ? t : null).ToArray();
                    if (present.All(t => t is null))
                    {
                        Check(gs_optim_set_state(_handle, i, new IntPtr[4], 0));
                        continue;
                    }
                    var handles = present.Select(t => t?.RawHandle ?? IntPtr.Zero).ToArray();
                    Check(gs_optim_set_state(_handle, i, handles, handles.Length));
                    GC.KeepAlive(present);
                }
                if (state.TryGetValue("lr", out var lr)) learning_rate = lr.item<double>();
            }

            /// <summary>Frees the native optimizer (not the parameters).</summary>
            public void Dispose() => _handle.Dispose();
        }

        private static void CheckBetas(double beta1, double beta2)
        {
            if (beta1 < 0 || beta1 >= 1) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "beta1 must be in [0, 1).");
            if (beta2 < 0 || beta2 >= 1) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "beta2 must be in [0, 1).");
        }

        /// <summary>Creates an Adam optimizer.</summary>
        public static Modules.Adam Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0, bool amsgrad = false)
        {
            CheckBetas(beta1, beta2);
            return new(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad);
        }

        /// <summary>Creates an AdamW optimizer.</summary>
        public static Modules.AdamW AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0.01, bool amsgrad = false)
        {
            CheckBetas(beta1, beta2);
            return new(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad);
        }

        /// <summary>Creates an SGD optimizer.</summary>
        public static Modules.SGD SGD(IEnumerable<Tensor> parameters, double lr, double momentum = 0, double dampening = 0, double weight_decay = 0, bool nesterov = false)
        {
            if (nesterov && (momentum <= 0 || dampening != 0)) throw new ArgumentException("Nesterov momentum requires a momentum and zero dampening.");
            return new(parameters, lr, momentum, dampening, weight_decay, nesterov);
        }
    }
}
}

namespace Ml.GanSdp.Modules
{
/// <summary>Adam (Kingma and Ba 2015), libtorch's implementation.</summary>
public sealed class Adam : torch.optim.Optimizer
{
    internal Adam(IEnumerable<torch.Tensor> p, double lr, double beta1, double beta2, double eps, double weightDecay, bool amsgrad)
        : base(0, p, lr, beta1, beta2, eps, weightDecay, amsgrad) { }
    private protected override string[] SlotNames { get; } = { "step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq" };
}

/// <summary>AdamW (decoupled weight decay), libtorch's implementation.</summary>
public sealed class AdamW : torch.optim.Optimizer
{
    internal AdamW(IEnumerable<torch.Tensor> p, double lr, double beta1, double beta2, double eps, double weightDecay, bool amsgrad)
        : base(1, p, lr, beta1, beta2, eps, weightDecay, amsgrad) { }
    private protected override string[] SlotNames { get; } = { "step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq" };
}

/// <summary>SGD with momentum, libtorch's implementation.</summary>
public sealed class SGD : torch.optim.Optimizer
{
    internal SGD(IEnumerable<torch.Tensor> p, double lr, double momentum, double dampening, double weightDecay, bool nesterov)
        : base(2, p, lr, momentum, dampening, 0, weightDecay, nesterov) { }
    private protected override string[] SlotNames { get; } = { "momentum_buffer" };
}

}
