namespace Ml.GanSdp.Models;

/// <summary>The generator/discriminator families.</summary>
public enum Architecture
{
    /// <summary>Multi-layer perceptrons for low-dimensional data (2-D toys).</summary>
    Mlp,
    /// <summary>DCGAN (Radford et al. 2016, the pytorch/examples shape).</summary>
    Dcgan,
    /// <summary>The SNGAN "standard CNN" (Miyato et al. 2018) for 32x32.</summary>
    SnganCnn,
    /// <summary>The SNGAN ResNet (Miyato et al. 2018) for 32x32.</summary>
    SnganResNet,
}

/// <summary>What to build: the architecture and its sizes. <see cref="Validate"/> names the bad option.</summary>
public sealed record ModelOptions
{
    /// <summary>The family.</summary>
    public Architecture Architecture { get; init; } = Architecture.Dcgan;
    /// <summary>Size of the latent code z.</summary>
    public int LatentSize { get; init; } = 100;
    /// <summary>Image channels (1 or 3); for <see cref="Architecture.Mlp"/>, the data dimension.</summary>
    public int Channels { get; init; } = 1;
    /// <summary>Image side in pixels (28, 32 or 64 for DCGAN; 32 for SNGAN); unused for MLP.</summary>
    public int ImageSize { get; init; } = 32;
    /// <summary>
    /// Base width: ngf = ndf for DCGAN, hidden units for MLP; for SNGAN the channel counts scale with Width/64
    /// (standard CNN: 8w, 4w, 2w, w as in Miyato et al. Table 3 at 64; ResNet: 4w channels in G and 2w in D,
    /// i.e. the paper's 256 and 128 at 64).
    /// </summary>
    public int Width { get; init; } = 64;
    /// <summary>Number of classes for class-conditional G (conditional batch norm) and D (projection); 0 = unconditional.</summary>
    public int NumClasses { get; init; }
    /// <summary>Spectral normalization on the discriminator's layers.</summary>
    public bool DiscriminatorSpectralNorm { get; init; }
    /// <summary>Batch norm in the discriminator (DCGAN only; off for WGAN-GP, which the paper trains without it).</summary>
    public bool DiscriminatorBatchNorm { get; init; } = true;
    /// <summary>Number of hidden layers of the MLP generator and discriminator (<see cref="Architecture.Mlp"/> only; their width is <see cref="Width"/>).</summary>
    public int Depth { get; init; } = 3;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (LatentSize < 1) throw new ArgumentException($"ModelOptions.LatentSize must be at least 1 (got {LatentSize}).");
        if (Width < 1) throw new ArgumentException($"ModelOptions.Width must be at least 1 (got {Width}).");
        if (NumClasses < 0) throw new ArgumentException($"ModelOptions.NumClasses must be 0 (unconditional) or more (got {NumClasses}).");
        if (Architecture != Architecture.Mlp && Channels is not (1 or 3))
            throw new ArgumentException($"ModelOptions.Channels must be 1 or 3 for {Architecture} (got {Channels}).");
        if (Depth < 1) throw new ArgumentException($"ModelOptions.Depth must be at least 1 (got {Depth}).");
        if (Architecture == Architecture.Mlp && NumClasses > 0)
            throw new ArgumentException($"ModelOptions.NumClasses must be 0 for Mlp: class-conditional models exist for Dcgan, SnganCnn and SnganResNet (got {NumClasses}).");
        if (Architecture == Architecture.Mlp && Channels < 1) throw new ArgumentException($"ModelOptions.Channels (the data dimension) must be at least 1 (got {Channels}).");
        if (Architecture == Architecture.Dcgan && ImageSize is not (28 or 32 or 64))
            throw new ArgumentException($"ModelOptions.ImageSize must be 28, 32 or 64 for DCGAN (got {ImageSize}).");
        if (Architecture is Architecture.SnganCnn or Architecture.SnganResNet && ImageSize != 32)
            throw new ArgumentException($"ModelOptions.ImageSize must be 32 for {Architecture} (got {ImageSize}).");
    }
}
