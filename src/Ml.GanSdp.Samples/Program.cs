namespace Ml.GanSdp.Samples;

/// <summary>gansdp: train GANs with SDP, generate, fid, augment, classify, report, demo. One file per command under Commands/.</summary>
internal static class Program
{
    private static int Main(string[] args) => Commands.Cli.Run(args);
}
