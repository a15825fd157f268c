using System.IO.MemoryMappedFiles;

namespace Grid.Engine.Models;

/// <summary>
/// A read-only memory map of a whole file with its pointer acquired once, so weight tensors can
/// point straight into it for the life of the model.
/// </summary>
internal sealed unsafe class MappedFile : IDisposable
{
    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private byte* _pointer;

    private MappedFile(string path, long length, MemoryMappedFile? map, MemoryMappedViewAccessor? view, byte* pointer)
    {
        Path = path;
        Length = length;
        _map = map;
        _view = view;
        _pointer = pointer;
    }

    public string Path { get; }
    public long Length { get; }
    public byte* Pointer => _pointer;

    public static MappedFile Open(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"model file not found: {path}", path);
        var length = new FileInfo(path).Length;
        // An empty file cannot be mapped; readers then report it as truncated.
        if (length == 0) return new MappedFile(path, 0, null, null, null);

        var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        try
        {
            var view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* p = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
            return new MappedFile(path, length, map, view, p + view.PointerOffset);
        }
        catch
        {
            map.Dispose();
            throw;
        }
    }

    public ReadOnlySpan<byte> Span(long offset, int length) => new(_pointer + offset, length);

    public void Dispose()
    {
        if (_view is not null && _pointer != null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _pointer = null;
        }
        _view?.Dispose();
        _map?.Dispose();
    }
}
