namespace Grid.Grains;

[GenerateSerializer, Alias("grid.RequestPhase")]
public enum RequestPhase
{
    /// <summary>No Submit yet.</summary>
    None,

    /// <summary>Submitted and admitted on a GPU (waiting or generating there).</summary>
    Running,

    /// <summary>Finished, cancelled or failed; <see cref="RequestStatus.Finish"/> says which.</summary>
    Done,
}
