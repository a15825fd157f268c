namespace Grid.Engine.Compute.Cpu;

/// <summary>y[T x Rows] = x[T x Cols] W^T, the panels split between the workers. Reused every call: no allocation.</summary>
internal sealed unsafe class MatMulJob(float*[] scratch, float*[] partial, CpuKernels kernels) : IParallelWork
{
    private PackedMatrix _w = null!;
    private float* _x;
    private float* _y;
    private int _tokens;
    private int _yStride;

    public void Run(WorkerPool pool, PackedMatrix w, float* x, int tokens, float* y, int yStride)
    {
        (_w, _tokens, _yStride) = (w, tokens, yStride);
        _x = x;
        _y = y;
        pool.Run(this);
    }

    public void Execute(int worker, int workers)
    {
        var (start, end) = WorkerPool.Share(_w.Panels, worker, workers);
        if (_tokens == 1) start = MatMul.PanelPairs(_w, start, end, _x, _y, scratch[worker], kernels);
        for (var p = start; p < end; p++) MatMul.Panel(_w, p, _x, _tokens, _y, _yStride, scratch[worker], partial[worker], kernels);
    }
}
