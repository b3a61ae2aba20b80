namespace Ml.GanSdp.Samples.Commands;

/// <summary>The exit codes of <c>gansdp</c> (docs/cli.md).</summary>
public static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Success = 0;

    /// <summary>A failure: a missing or malformed file, bad data, a model that does not fit the data, an I/O error.</summary>
    public const int Failure = 1;

    /// <summary>A usage error: an unknown command or option, or an option value out of its range; nothing was written.</summary>
    public const int Usage = 2;

    /// <summary>Training diverged (a loss term NaN, infinite or beyond the bound); the last healthy checkpoint is named.</summary>
    public const int Diverged = 3;

    /// <summary>Interrupted (Ctrl+C): training stopped between iterations; its checkpoints are kept for <c>--resume</c>.</summary>
    public const int Cancelled = 130;
}
