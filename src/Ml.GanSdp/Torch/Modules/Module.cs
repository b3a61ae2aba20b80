namespace Ml.GanSdp;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>The result of <see cref="Module.load_state_dict"/>: keys the module lacked or did not expect.</summary>
        public sealed record LoadStateDictResult(IReadOnlyList<string> missing_keys, IReadOnlyList<string> unexpected_keys);

        /// <summary>
        /// Base of all modules. Parameters, buffers and submodules are registered explicitly, in order, and
        /// named with PyTorch's dotted convention (<c>main.0.weight</c>, <c>bn.running_mean</c>), so state
        /// dicts move between this library and PyTorch unchanged. The module owns its tensors: dispose it to
        /// free them.
        /// </summary>
        public abstract class Module : IDisposable
        {
            private readonly List<string> _parameterOrder = new();
            private readonly Dictionary<string, Tensor?> _parameters = new();
            private readonly List<string> _bufferOrder = new();
            private readonly Dictionary<string, Tensor?> _buffers = new();
            private readonly HashSet<string> _nonPersistent = new();
            private readonly List<(string name, Module module)> _modules = new();
            private readonly Dictionary<string, Func<Tensor>> _computed = new();
            private bool _disposed;

            /// <summary>Creates a module with a display name.</summary>
            protected Module(string name) => Name = name;

            /// <summary>The module's display name (its type).</summary>
            public string Name { get; }

            /// <summary>Whether the module is in training mode (batch norm, dropout).</summary>
            public bool training { get; private set; } = true;

            /// <summary>Registers (or replaces) a trainable parameter; the module takes ownership.</summary>
            public void register_parameter(string name, Tensor? parameter)
            {
                ValidateName(name);
                if (parameter is not null)
                {
                    parameter.DetachFromDisposeScope();
                    if (!parameter.requires_grad) parameter.requires_grad = true;
                }
                if (!_parameters.ContainsKey(name)) _parameterOrder.Add(name);
                else _parameters[name]?.Dispose();
                _parameters[name] = parameter;
            }

            /// <summary>Registers (or replaces) a buffer (running statistics, power-iteration vectors).</summary>
            public void register_buffer(string name, Tensor? buffer, bool persistent = true)
            {
                ValidateName(name);
                buffer?.DetachFromDisposeScope();
                if (!_buffers.ContainsKey(name)) _bufferOrder.Add(name);
                else _buffers[name]?.Dispose();
                _buffers[name] = buffer;
                if (!persistent) _nonPersistent.Add(name); else _nonPersistent.Remove(name);
            }

            /// <summary>Registers a submodule under <paramref name="name"/>.</summary>
            public T register_module<T>(string name, T module) where T : Module
            {
                ValidateName(name);
                if (_modules.Any(m => m.name == name)) throw new ArgumentException($"{Name} already has a submodule named '{name}'.", nameof(name));
                _modules.Add((name, module));
                return module;
            }

            /// <summary>Removes a parameter and returns it (the caller then owns it); used by weight reparametrizations.</summary>
            public Tensor remove_parameter(string name)
            {
                if (!_parameters.TryGetValue(name, out var p) || p is null)
                    throw new ArgumentException($"{Name} has no parameter named '{name}'.", nameof(name));
                _parameters.Remove(name);
                _parameterOrder.Remove(name);
                return p;
            }

            /// <summary>
            /// Makes <see cref="get_weight"/> compute <paramref name="name"/> with <paramref name="compute"/> on every
            /// forward (spectral normalization uses this, like PyTorch's pre-forward hook).
            /// </summary>
            public void register_computed_weight(string name, Func<Tensor> compute) => _computed[name] = compute;

            /// <summary>Whether <paramref name="name"/> is computed on each forward.</summary>
            protected bool is_computed(string name) => _computed.ContainsKey(name);

            /// <summary>
            /// The tensor to use for <paramref name="name"/> in a forward pass: the registered parameter, or a freshly
            /// computed one (then <paramref name="owned"/> is true and the caller disposes it).
            /// </summary>
            protected Tensor get_weight(string name, out bool owned)
            {
                if (_computed.TryGetValue(name, out var f))
                {
                    owned = true;
                    return f();
                }
                owned = false;
                return get_parameter(name) ?? throw new InvalidOperationException($"{Name} has no parameter '{name}'.");
            }

            /// <summary>A registered parameter by name (not a copy), or null.</summary>
            public Tensor? get_parameter(string name) => _parameters.TryGetValue(name, out var p) ? p : null;

            /// <summary>A registered buffer by name (not a copy), or null.</summary>
            public Tensor? get_buffer(string name) => _buffers.TryGetValue(name, out var b) ? b : null;

            private void ValidateName(string name)
            {
                if (string.IsNullOrEmpty(name) || name.Contains('.'))
                    throw new ArgumentException($"Invalid name '{name}': names must be non-empty and contain no '.'.", nameof(name));
            }

            /// <summary>Direct submodules, in registration order.</summary>
            public IEnumerable<(string name, Module module)> named_children() => _modules;

            /// <summary>This module and all descendants, with dotted names ("" for this one).</summary>
            public IEnumerable<(string name, Module module)> named_modules(string prefix = "")
            {
                yield return (prefix, this);
                foreach (var (n, m) in _modules)
                    foreach (var x in m.named_modules(prefix.Length == 0 ? n : $"{prefix}.{n}"))
                        yield return x;
            }

            /// <summary>Parameters with dotted names (the module's own tensors, not copies).</summary>
            public IEnumerable<(string name, Tensor parameter)> named_parameters(bool recurse = true)
            {
                foreach (var (prefix, m) in recurse ? named_modules() : new[] { ("", this) })
                    foreach (var n in m._parameterOrder)
                        if (m._parameters[n] is { } p) yield return (prefix.Length == 0 ? n : $"{prefix}.{n}", p);
            }

            /// <summary>Parameters (the module's own tensors).</summary>
            public IEnumerable<Tensor> parameters(bool recurse = true) => named_parameters(recurse).Select(x => x.parameter);

            /// <summary>Buffers with dotted names (the module's own tensors).</summary>
            public IEnumerable<(string name, Tensor buffer)> named_buffers(bool recurse = true, bool persistentOnly = false)
            {
                foreach (var (prefix, m) in recurse ? named_modules() : new[] { ("", this) })
                    foreach (var n in m._bufferOrder)
                        if (m._buffers[n] is { } b && !(persistentOnly && m._nonPersistent.Contains(n)))
                            yield return (prefix.Length == 0 ? n : $"{prefix}.{n}", b);
            }

            /// <summary>
            /// Parameters and persistent buffers by dotted name, in PyTorch's order (each module's parameters, then
            /// its buffers, then its children). The values are new detached handles to the module's data: the caller
            /// owns the handles, disposing them does not affect the module.
            /// </summary>
            public Dictionary<string, Tensor> state_dict()
            {
                var d = new Dictionary<string, Tensor>();
                foreach (var (prefix, m) in named_modules())
                {
                    string P(string n) => prefix.Length == 0 ? n : $"{prefix}.{n}";
                    foreach (var n in m._parameterOrder)
                        if (m._parameters[n] is { } p) d[P(n)] = p.detach();
                    foreach (var n in m._bufferOrder)
                        if (m._buffers[n] is { } b && !m._nonPersistent.Contains(n)) d[P(n)] = b.detach();
                }
                return d;
            }

            /// <summary>
            /// Copies values into the module's parameters and buffers (in place, so optimizers keep working).
            /// With <paramref name="strict"/>, missing or unexpected keys throw an error listing them; a shape
            /// mismatch always throws, naming the key and both shapes.
            /// </summary>
            public LoadStateDictResult load_state_dict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
            {
                var own = new Dictionary<string, Tensor>();
                foreach (var (n, p) in named_parameters()) own[n] = p;
                foreach (var (n, b) in named_buffers(persistentOnly: true)) own[n] = b;
                var missing = own.Keys.Where(k => !state.ContainsKey(k)).ToList();
                var unexpected = state.Keys.Where(k => !own.ContainsKey(k)).ToList();
                if (strict && (missing.Count > 0 || unexpected.Count > 0))
                    throw new ArgumentException($"Error loading state dict into {Name}: " +
                        (missing.Count > 0 ? $"missing keys [{string.Join(", ", missing)}]" : "") +
                        (missing.Count > 0 && unexpected.Count > 0 ? "; " : "") +
                        (unexpected.Count > 0 ? $"unexpected keys [{string.Join(", ", unexpected)}]" : ""));
                foreach (var (k, target) in own)
                {
                    if (!state.TryGetValue(k, out var src)) continue;
                    var ts = target.shape;
                    var ss = src.shape;
                    if (!ts.SequenceEqual(ss))
                        throw new ArgumentException($"Error loading state dict into {Name}: '{k}' has shape [{string.Join(", ", ss)}] in the file but [{string.Join(", ", ts)}] in the model.");
                }
                // every shape is checked before anything is copied: a failed load leaves the module unchanged
                foreach (var (k, target) in own)
                {
                    if (!state.TryGetValue(k, out var src)) continue;
                    using (no_grad())
                    {
                        if (src.dtype == target.dtype) target.copy_(src);
                        else
                        {
                            using var c = src.to(target.dtype);
                            target.copy_(c);
                        }
                    }
                }
                return new LoadStateDictResult(missing, unexpected);
            }

            /// <summary>Sets training mode on this module and all descendants.</summary>
            public Module train(bool on = true)
            {
                foreach (var (_, m) in named_modules()) m.training = on;
                return this;
            }

            /// <summary>Sets evaluation mode.</summary>
            public Module eval() => train(false);

            /// <summary>Clears the gradients of all parameters.</summary>
            public void zero_grad()
            {
                foreach (var p in parameters()) p.grad = null;
            }

            /// <summary>Moves parameters and buffers to <paramref name="device"/> in place.</summary>
            public Module to(Device device)
            {
                foreach (var (_, m) in named_modules())
                {
                    foreach (var t in m._parameters.Values.Concat(m._buffers.Values))
                    {
                        if (t is null) continue;
                        using var moved = t.to(device);
                        t.set_data(moved);
                    }
                }
                return this;
            }

            /// <summary>Total number of parameter elements.</summary>
            public long parameter_count() => parameters().Sum(p => p.numel());

            /// <summary>Frees all parameters, buffers and submodules.</summary>
            public void Dispose()
            {
                if (_disposed) return;
                _disposed = true;
                foreach (var p in _parameters.Values) p?.Dispose();
                foreach (var b in _buffers.Values) b?.Dispose();
                foreach (var (_, m) in _modules) m.Dispose();
                GC.SuppressFinalize(this);
            }
        }

        /// <summary>A module with a typed forward pass.</summary>
        public abstract class Module<T, TResult> : Module
        {
            /// <summary>Creates a module with a display name.</summary>
            protected Module(string name) : base(name) { }

            /// <summary>The forward computation.</summary>
            public abstract TResult forward(T input);

            /// <summary>Runs <see cref="forward"/>.</summary>
            public TResult call(T input) => forward(input);
        }
    }
}
