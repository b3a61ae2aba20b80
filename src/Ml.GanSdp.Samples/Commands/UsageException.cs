namespace Ml.GanSdp.Samples.Commands;

/// <summary>
/// A command-line usage error found after parsing (an option that does not fit the data or the other options, a run folder
/// that may not be written): reported as one line with <see cref="ExitCodes.Usage"/>.
/// </summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// Training diverged: the message says where (iteration, network, term, value, bound), which checkpoint is the last healthy
/// one and how to continue; reported with <see cref="ExitCodes.Diverged"/>.
/// </summary>
public sealed class RunDivergedException(string message, Exception inner) : Exception(message, inner);
