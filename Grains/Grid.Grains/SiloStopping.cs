namespace Grid.Grains;

/// <summary>
/// Says when this silo begins to deactivate its grains on a graceful stop. Orleans waits for the calls an activation is
/// running before it deactivates (or moves) it, up to its deactivation timeout (30 s): a request grain's streams wait for
/// tokens that a deactivating grain no longer receives, so they must end when this fires, and their readers ask the grain
/// again, wherever it lives next.
/// </summary>
public sealed class SiloStopping : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly TaskCompletionSource _stopping = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the silo begins to deactivate its grains.</summary>
    public Task Signal => _stopping.Task;

    public bool IsStopping => _stopping.Task.IsCompleted;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SiloStopping), ServiceLifecycleStage.GrainDeactivation, _ => Task.CompletedTask, _ =>
        {
            _stopping.TrySetResult();
            return Task.CompletedTask;
        });
}
