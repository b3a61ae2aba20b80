using Ml.GanSdp.Interop;
using static Ml.GanSdp.Interop.NativeMethods;

namespace Ml.GanSdp;

/// <summary>How a loss reduces over the batch.</summary>
public enum Reduction { None = 0, Mean = 1, Sum = 2 }

/// <summary>Padding modes of <see cref="torch.nn.functional.pad"/>.</summary>
public enum PaddingModes { Constant = 0, Reflect = 1, Replicate = 2, Circular = 3 }

/// <summary>Interpolation modes of <c>torch.nn.functional.interpolate</c>.</summary>
public enum InterpolationMode { Nearest = 0, Bilinear = 1 }

public static partial class torch
{
    /// <summary>Neural-network building blocks.</summary>
    public static partial class nn
    {
        /// <summary>Stateless neural-network functions (PyTorch's <c>torch.nn.functional</c>).</summary>
        public static partial class functional
        {
            private static TensorHandle H(Tensor? t) => t?.Handle ?? TensorHandle.Null;

            /// <summary>2-D convolution of N x C x H x W input with O x C/groups x kH x kW weights.</summary>
            public static Tensor conv2d(Tensor input, Tensor weight, Tensor? bias = null, Size2? stride = null, Size2? padding = null, Size2? dilation = null, long groups = 1)
                => Create(gs_conv2d(input.Handle, weight.Handle, H(bias), (stride ?? 1).ToArray(), (padding ?? 0).ToArray(), (dilation ?? 1).ToArray(), groups, out var r), r, nameof(conv2d));

            /// <summary>2-D transposed convolution with C x O/groups x kH x kW weights.</summary>
            public static Tensor conv_transpose2d(Tensor input, Tensor weight, Tensor? bias = null, Size2? stride = null, Size2? padding = null, Size2? output_padding = null, long groups = 1, Size2? dilation = null)
                => Create(gs_conv_transpose2d(input.Handle, weight.Handle, H(bias), (stride ?? 1).ToArray(), (padding ?? 0).ToArray(), (output_padding ?? 0).ToArray(), groups, (dilation ?? 1).ToArray(), out var r), r, nameof(conv_transpose2d));

            /// <summary>x W^T + b.</summary>
            public static Tensor linear(Tensor input, Tensor weight, Tensor? bias = null)
                => Create(gs_linear(input.Handle, weight.Handle, H(bias), out var r), r, nameof(linear));

            /// <summary>Batch normalization; in training mode it uses batch statistics and updates the running ones in place.</summary>
            public static Tensor batch_norm(Tensor input, Tensor? running_mean, Tensor? running_var, Tensor? weight = null, Tensor? bias = null, bool training = false, double momentum = 0.1, double eps = 1e-5)
                => Create(gs_batch_norm(input.Handle, H(weight), H(bias), H(running_mean), H(running_var), training ? 1 : 0, momentum, eps, out var r), r, nameof(batch_norm));

            /// <summary>Layer normalization over the trailing <paramref name="normalized_shape"/>.</summary>
            public static Tensor layer_norm(Tensor input, long[] normalized_shape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
                => Create(gs_layer_norm(input.Handle, normalized_shape, normalized_shape.Length, H(weight), H(bias), eps, out var r), r, nameof(layer_norm));

            /// <summary>Rows of <paramref name="weight"/> at <paramref name="input"/> (int64 indices).</summary>
            public static Tensor embedding(Tensor input, Tensor weight)
                => Create(gs_embedding(weight.Handle, input.Handle, out var r), r, nameof(embedding));

            /// <summary>2-D average pooling; <paramref name="count_include_pad"/> false excludes the padding from the divisor.</summary>
            public static Tensor avg_pool2d(Tensor input, Size2 kernel_size, Size2? stride = null, Size2? padding = null, bool ceil_mode = false, bool count_include_pad = true)
                => Create(gs_avg_pool2d(input.Handle, kernel_size.ToArray(), (stride ?? kernel_size).ToArray(), (padding ?? 0).ToArray(), ceil_mode ? 1 : 0, count_include_pad ? 1 : 0, out var r), r, nameof(avg_pool2d));

            /// <summary>2-D max pooling.</summary>
            public static Tensor max_pool2d(Tensor input, Size2 kernel_size, Size2? stride = null, Size2? padding = null, Size2? dilation = null, bool ceil_mode = false)
                => Create(gs_max_pool2d(input.Handle, kernel_size.ToArray(), (stride ?? kernel_size).ToArray(), (padding ?? 0).ToArray(), (dilation ?? 1).ToArray(), ceil_mode ? 1 : 0, out var r), r, nameof(max_pool2d));

            /// <summary>Average pooling to a fixed output size.</summary>
            public static Tensor adaptive_avg_pool2d(Tensor input, Size2 output_size)
                => Create(gs_adaptive_avg_pool2d(input.Handle, output_size.ToArray(), out var r), r, nameof(adaptive_avg_pool2d));

            /// <summary>Max pooling to a fixed output size (global max pooling with 1).</summary>
            public static Tensor adaptive_max_pool2d(Tensor input, Size2 output_size)
                => Create(gs_adaptive_max_pool2d(input.Handle, output_size.ToArray(), out var r), r, nameof(adaptive_max_pool2d));

            /// <summary>Resizes N x C x H x W input to <paramref name="size"/> (PyTorch's F.interpolate with size=).</summary>
            public static Tensor interpolate(Tensor input, Size2 size, InterpolationMode mode = InterpolationMode.Nearest, bool align_corners = false)
            {
                if (mode == InterpolationMode.Nearest && align_corners)
                    throw new ArgumentException("align_corners applies to bilinear interpolation only.", nameof(align_corners));
                return Create(gs_interpolate(input.Handle, size.ToArray(), (int)mode, align_corners ? 1 : 0, 0, 0, out var r), r, nameof(interpolate));
            }

            /// <summary>Resizes by a scale factor (PyTorch's F.interpolate with scale_factor=, recompute_scale_factor=False).</summary>
            public static Tensor interpolate(Tensor input, double scale_factor, InterpolationMode mode = InterpolationMode.Nearest, bool align_corners = false)
            {
                if (scale_factor <= 0) throw new ArgumentOutOfRangeException(nameof(scale_factor), scale_factor, "The scale factor must be positive.");
                var s = input.shape;
                if (s.Length != 4) throw new ArgumentException($"interpolate expects N x C x H x W input, got shape [{string.Join(", ", s)}].");
                var size = new long[] { (long)Math.Floor(s[2] * scale_factor), (long)Math.Floor(s[3] * scale_factor) };
                return Create(gs_interpolate(input.Handle, size, (int)mode, align_corners ? 1 : 0, scale_factor, scale_factor, out var r), r, nameof(interpolate));
            }

            /// <summary>Pads the last dimensions: (left, right, top, bottom, ...).</summary>
            public static Tensor pad(Tensor input, long[] pad, PaddingModes mode = PaddingModes.Constant, double value = 0)
                => Create(gs_pad(input.Handle, pad, pad.Length, (int)mode, value, out var r), r, nameof(pad));

            /// <summary>max(x, 0).</summary>
            public static Tensor relu(Tensor input, bool inplace = false) => inplace ? input.relu_() : input.relu();

            /// <summary>max(x, 0) + slope * min(x, 0).</summary>
            public static Tensor leaky_relu(Tensor input, double negative_slope = 0.01, bool inplace = false)
            {
                if (inplace)
                {
                    Check(gs_leaky_relu_(input.Handle, negative_slope));
                    return input;
                }
                return Create(gs_leaky_relu(input.Handle, negative_slope, out var r), r, nameof(leaky_relu));
            }

            /// <summary>tanh(x).</summary>
            public static Tensor tanh(Tensor input) => input.tanh();

            /// <summary>1 / (1 + e^-x).</summary>
            public static Tensor sigmoid(Tensor input) => input.sigmoid();

            /// <summary>log(1 + e^(beta x)) / beta, linear above <paramref name="threshold"/>.</summary>
            public static Tensor softplus(Tensor input, double beta = 1, double threshold = 20)
                => Create(gs_softplus(input.Handle, beta, threshold, out var r), r, nameof(softplus));

            /// <summary>Softmax along <paramref name="dim"/>.</summary>
            public static Tensor softmax(Tensor input, long dim) => input.softmax(dim);

            /// <summary>Log-softmax along <paramref name="dim"/>.</summary>
            public static Tensor log_softmax(Tensor input, long dim) => input.log_softmax(dim);

            /// <summary>Zeroes elements with probability <paramref name="p"/> in training (scaling the rest by 1/(1-p)).</summary>
            public static Tensor dropout(Tensor input, double p = 0.5, bool training = true)
            {
                if (p < 0 || p > 1) throw new ArgumentOutOfRangeException(nameof(p), p, "Dropout probability must be in [0, 1].");
                return Create(gs_dropout(input.Handle, p, training ? 1 : 0, out var r), r, nameof(dropout));
            }

            /// <summary>Binary cross-entropy on logits (numerically stable).</summary>
            public static Tensor binary_cross_entropy_with_logits(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean, Tensor? pos_weight = null)
                => Create(gs_bce_with_logits(input.Handle, target.Handle, H(weight), H(pos_weight), (int)reduction, out var r), r, nameof(binary_cross_entropy_with_logits));

            /// <summary>Cross-entropy of logits against int64 class indices.</summary>
            public static Tensor cross_entropy(Tensor input, Tensor target, Tensor? weight = null, long ignore_index = -100, Reduction reduction = Reduction.Mean, double label_smoothing = 0)
                => Create(gs_cross_entropy(input.Handle, target.Handle, H(weight), (int)reduction, ignore_index, label_smoothing, out var r), r, nameof(cross_entropy));

            /// <summary>Mean squared error.</summary>
            public static Tensor mse_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
                => Create(gs_mse_loss(input.Handle, target.Handle, (int)reduction, out var r), r, nameof(mse_loss));

            /// <summary>x / max(||x||_p, eps) along <paramref name="dim"/>.</summary>
            public static Tensor normalize(Tensor input, double p = 2, long dim = 1, double eps = 1e-12)
                => Create(gs_normalize(input.Handle, p, dim, eps, out var r), r, nameof(normalize));

            /// <summary>One-hot encoding of int64 class indices.</summary>
            public static Tensor one_hot(Tensor input, long num_classes = -1)
                => Create(gs_one_hot(input.Handle, num_classes, out var r), r, nameof(one_hot));
        }
    }

    /// <summary>Automatic differentiation.</summary>
    public static class autograd
    {
        /// <summary>
        /// Gradients of <paramref name="outputs"/> with respect to <paramref name="inputs"/> (PyTorch's
        /// <c>torch.autograd.grad</c>). With <paramref name="create_graph"/> the result is itself differentiable
        /// (double backward, as gradient penalties need). Unused inputs give null when <paramref name="allow_unused"/>.
        /// </summary>
        public static Tensor?[] grad(IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?>? grad_outputs = null,
            bool? retain_graph = null, bool create_graph = false, bool allow_unused = false)
        {
            if (outputs.Count == 0) throw new ArgumentException("grad needs at least one output.", nameof(outputs));
            if (inputs.Count == 0) throw new ArgumentException("grad needs at least one input.", nameof(inputs));
            if (grad_outputs is not null && grad_outputs.Count != outputs.Count)
                throw new ArgumentException($"grad got {grad_outputs.Count} grad_outputs for {outputs.Count} outputs.", nameof(grad_outputs));
            var outs = outputs.Select(t => t.RawHandle).ToArray();
            var ins = inputs.Select(t => t.RawHandle).ToArray();
            var gouts = grad_outputs?.Select(t => t?.RawHandle ?? IntPtr.Zero).ToArray();
            var result = new IntPtr[ins.Length];
            bool retain = retain_graph ?? create_graph;
            Check(gs_autograd_grad(outs, outs.Length, ins, ins.Length, gouts, retain ? 1 : 0, create_graph ? 1 : 0, allow_unused ? 1 : 0, result), nameof(grad));
            GC.KeepAlive(outputs);
            GC.KeepAlive(inputs);
            GC.KeepAlive(grad_outputs);
            return result.Select(h => h == IntPtr.Zero ? null : Wrap(h)).ToArray();
        }
    }

    /// <summary>Linear algebra.</summary>
    public static class linalg
    {
        /// <summary>Eigenvalues (ascending) and eigenvectors (columns) of a symmetric matrix.</summary>
        public static (Tensor eigenvalues, Tensor eigenvectors) eigh(Tensor input, bool upper = false)
        {
            Check(gs_linalg_eigh(input.Handle, upper ? 1 : 0, out var w, out var v), nameof(eigh));
            return (Wrap(w), Wrap(v));
        }

        /// <summary>Eigenvalues (ascending) of a symmetric matrix.</summary>
        public static Tensor eigvalsh(Tensor input, bool upper = false)
            => Create(gs_linalg_eigvalsh(input.Handle, upper ? 1 : 0, out var r), r, nameof(eigvalsh));

        /// <summary>Eigenvalues of a general square matrix, as real and imaginary parts.</summary>
        public static (Tensor real, Tensor imag) eigvals(Tensor input)
        {
            Check(gs_linalg_eigvals(input.Handle, out var re, out var im), nameof(eigvals));
            return (Wrap(re), Wrap(im));
        }

        /// <summary>The vector p-norm.</summary>
        public static Tensor vector_norm(Tensor input, double ord = 2, long[]? dims = null, bool keepdim = false) => input.norm(ord, dims, keepdim);
    }
}
