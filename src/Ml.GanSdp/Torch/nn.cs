using Ml.GanSdp.Modules;

namespace Ml.GanSdp;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>A fully connected layer.</summary>
        public static Linear Linear(long inFeatures, long outFeatures, bool hasBias = true) => new(inFeatures, outFeatures, hasBias);
        /// <summary>A 2-D convolution.</summary>
        public static Conv2d Conv2d(long inChannels, long outChannels, Size2 kernelSize, Size2? stride = null, Size2? padding = null, Size2? dilation = null, long groups = 1, bool bias = true)
            => new(inChannels, outChannels, kernelSize, stride, padding, dilation, groups, bias);
        /// <summary>A 2-D transposed convolution.</summary>
        public static ConvTranspose2d ConvTranspose2d(long inChannels, long outChannels, Size2 kernelSize, Size2? stride = null, Size2? padding = null, Size2? outputPadding = null, long groups = 1, bool bias = true)
            => new(inChannels, outChannels, kernelSize, stride, padding, outputPadding, groups, bias);
        /// <summary>Batch normalization over channels of N x C x H x W.</summary>
        public static BatchNorm BatchNorm2d(long numFeatures, double eps = 1e-5, double momentum = 0.1, bool affine = true) => new(numFeatures, eps, momentum, affine);
        /// <summary>Batch normalization over features of N x C.</summary>
        public static BatchNorm BatchNorm1d(long numFeatures, double eps = 1e-5, double momentum = 0.1, bool affine = true) => new(numFeatures, eps, momentum, affine, name: "BatchNorm1d");
        /// <summary>An embedding table.</summary>
        public static Embedding Embedding(long numEmbeddings, long embeddingDim) => new(numEmbeddings, embeddingDim);
        /// <summary>A chain of modules.</summary>
        public static Sequential Sequential(params Module<Tensor, Tensor>[] layers) => new(layers);
        /// <summary>max(x, 0).</summary>
        public static Lambda ReLU() => new(nameof(ReLU), x => x.relu());
        /// <summary>Leaky ReLU.</summary>
        public static Lambda LeakyReLU(double negativeSlope = 0.01) => new(nameof(LeakyReLU), x => functional.leaky_relu(x, negativeSlope));
        /// <summary>tanh.</summary>
        public static Lambda Tanh() => new(nameof(Tanh), x => x.tanh());
        /// <summary>Logistic sigmoid.</summary>
        public static Lambda Sigmoid() => new(nameof(Sigmoid), x => x.sigmoid());
        /// <summary>Flattens all but the batch dimension.</summary>
        public static Lambda Flatten() => new(nameof(Flatten), x => x.flatten(1));
        /// <summary>The identity (a new handle to the input).</summary>
        public static Lambda Identity() => new(nameof(Identity), x => x.alias());
    }
}
