namespace Grid.Engine.Sampling;

/// <summary>Text safe to send now, and whether a stop string completed (nothing more will follow).</summary>
public readonly record struct StopMatchResult(string Text, bool Stopped);
