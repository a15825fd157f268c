namespace Grid.Engine.Compute.Cpu;

/// <summary>A piece of work that <see cref="WorkerPool"/> runs on every worker at once; each takes its own share.</summary>
public interface IParallelWork
{
    void Execute(int worker, int workers);
}
