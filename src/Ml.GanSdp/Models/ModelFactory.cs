namespace Ml.GanSdp.Models;

/// <summary>Builds the generator and discriminator that <see cref="ModelOptions"/> describes.</summary>
public static class ModelFactory
{
    /// <summary>
    /// Validates <paramref name="options"/> (an <see cref="ArgumentException"/> names the bad option) and builds
    /// G and D with the default random generator. The caller owns both (dispose them).
    /// <list type="bullet">
    /// <item><see cref="Architecture.Mlp"/>: <see cref="Mlp"/> with Width hidden units, Depth hidden layers, data dimension Channels.</item>
    /// <item><see cref="Architecture.Dcgan"/>: <see cref="Dcgan"/>; D has BN unless DiscriminatorBatchNorm is false or DiscriminatorSpectralNorm is true.</item>
    /// <item><see cref="Architecture.SnganCnn"/>: <see cref="SnganCnn"/> (standard CNN, Miyato et al. 2018, Table 3).</item>
    /// <item><see cref="Architecture.SnganResNet"/>: <see cref="SnganResNet"/> (Miyato et al. 2018, Table 4).</item>
    /// </list>
    /// NumClasses &gt; 0 gives conditional batch norm in G and a projection D.
    /// </summary>
    public static (IGenerator Generator, IDiscriminator Discriminator) Create(ModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        IGenerator? g = null;
        try
        {
            g = CreateGenerator(options);
            return (g, CreateDiscriminator(options));
        }
        catch
        {
            g?.Dispose();
            throw;
        }
    }

    /// <summary>Only the generator (validates the options).</summary>
    public static IGenerator CreateGenerator(ModelOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        o.Validate();
        return o.Architecture switch
        {
            Architecture.Mlp => Mlp.Generator(o.LatentSize, o.Channels, o.Width, o.Depth),
            Architecture.Dcgan => Dcgan.Generator(o.LatentSize, o.Channels, o.ImageSize, o.Width, o.NumClasses),
            Architecture.SnganCnn => SnganCnn.Generator(o.LatentSize, o.Channels, o.Width, o.NumClasses),
            Architecture.SnganResNet => SnganResNet.Generator(o.LatentSize, o.Channels, o.Width, o.NumClasses),
            _ => throw new ArgumentException($"ModelOptions.Architecture {o.Architecture} is not supported."),
        };
    }

    /// <summary>Only the discriminator (validates the options).</summary>
    public static IDiscriminator CreateDiscriminator(ModelOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        o.Validate();
        return o.Architecture switch
        {
            Architecture.Mlp => Mlp.Discriminator(o.Channels, o.Width, o.Depth, o.DiscriminatorSpectralNorm),
            Architecture.Dcgan => Dcgan.Discriminator(o.Channels, o.ImageSize, o.Width, o.DiscriminatorBatchNorm, o.DiscriminatorSpectralNorm, o.NumClasses),
            Architecture.SnganCnn => SnganCnn.Discriminator(o.Channels, o.Width, o.DiscriminatorSpectralNorm, o.NumClasses),
            Architecture.SnganResNet => SnganResNet.Discriminator(o.Channels, o.Width, o.DiscriminatorSpectralNorm, o.NumClasses),
            _ => throw new ArgumentException($"ModelOptions.Architecture {o.Architecture} is not supported."),
        };
    }
}
