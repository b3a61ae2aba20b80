namespace Ml.GanSdp;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>Parameter initializations (PyTorch's <c>torch.nn.init</c>), drawing from the default generator unless one is given.</summary>
        public static class init
        {
            /// <summary>fan_in and fan_out of a weight: dim 1 and dim 0 times the receptive field.</summary>
            public static (long fanIn, long fanOut) calculate_fan_in_and_fan_out(Tensor weight)
            {
                var s = weight.shape;
                if (s.Length < 2) throw new ArgumentException($"Fan in and fan out need a tensor with at least 2 dimensions, got [{string.Join(", ", s)}].");
                long receptive = 1;
                for (int i = 2; i < s.Length; i++) receptive *= s[i];
                return (s[1] * receptive, s[0] * receptive);
            }

            /// <summary>U(-b, b) with b = gain * sqrt(3 / fan_in), gain = sqrt(2 / (1 + a^2)) (He et al. 2015).</summary>
            public static Tensor kaiming_uniform_(Tensor weight, double a = 0, Generator? generator = null)
            {
                var (fanIn, _) = calculate_fan_in_and_fan_out(weight);
                double gain = Math.Sqrt(2.0 / (1 + a * a));
                double std = gain / Math.Sqrt(fanIn);
                double bound = Math.Sqrt(3.0) * std;
                using (no_grad()) weight.uniform_(-bound, bound, generator);
                return weight;
            }

            /// <summary>U(-bound, bound).</summary>
            public static Tensor uniform_(Tensor t, double from = 0, double to = 1, Generator? generator = null)
            {
                using (no_grad()) t.uniform_(from, to, generator);
                return t;
            }

            /// <summary>N(mean, std^2).</summary>
            public static Tensor normal_(Tensor t, double mean = 0, double std = 1, Generator? generator = null)
            {
                using (no_grad()) t.normal_(mean, std, generator);
                return t;
            }

            /// <summary>U(-b, b) with b = gain * sqrt(6 / (fan_in + fan_out)) (Glorot and Bengio 2010).</summary>
            public static Tensor xavier_uniform_(Tensor t, double gain = 1, Generator? generator = null)
            {
                var (fanIn, fanOut) = calculate_fan_in_and_fan_out(t);
                double std = gain * Math.Sqrt(2.0 / (fanIn + fanOut));
                double a = Math.Sqrt(3.0) * std;
                return uniform_(t, -a, a, generator);
            }

            /// <summary>Fills with a constant.</summary>
            public static Tensor constant_(Tensor t, double value)
            {
                using (no_grad()) t.fill_(value);
                return t;
            }

            /// <summary>Fills with zeros.</summary>
            public static Tensor zeros_(Tensor t) => constant_(t, 0);

            /// <summary>Fills with ones.</summary>
            public static Tensor ones_(Tensor t) => constant_(t, 1);

            /// <summary>PyTorch's default bias init for a layer of the given fan_in: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).</summary>
            internal static void default_bias_(Tensor bias, long fanIn)
            {
                double bound = fanIn > 0 ? 1 / Math.Sqrt(fanIn) : 0;
                uniform_(bias, -bound, bound);
            }
        }
    }
}
