namespace Grid.Silo.Cli;

/// <summary>The command line itself is wrong: the message says how, and the usage text follows.</summary>
public sealed class UsageException(string message) : Exception(message);
