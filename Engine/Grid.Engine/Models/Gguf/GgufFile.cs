namespace Grid.Engine.Models.Gguf;

/// <summary>
/// A GGUF (v2 or v3) file, memory-mapped read-only. Metadata scalars are their .NET types
/// (uint, float, string, ...), arrays typed .NET arrays (string[], float[], int[], ...).
/// Tensors are not copied: <see cref="Tensor"/> gives a <see cref="WeightTensor"/> pointing into the map,
/// valid until this file is disposed. Everything is bounds-checked at open.
/// </summary>
public sealed unsafe class GgufFile : IDisposable
{
    private const uint Magic = 0x46554747; // "GGUF" read little-endian
    private const int MaxDims = 4;

    private readonly MappedFile _file;
    private readonly Dictionary<string, GgufTensorInfo> _byName;

    private GgufFile(MappedFile file, uint version, Dictionary<string, object> metadata,
        List<GgufTensorInfo> tensors, int alignment, long dataOffset)
    {
        _file = file;
        Version = version;
        Metadata = metadata;
        Tensors = tensors;
        Alignment = alignment;
        DataOffset = dataOffset;
        _byName = tensors.ToDictionary(t => t.Name);
    }

    public string Path => _file.Path;
    public uint Version { get; }
    public IReadOnlyDictionary<string, object> Metadata { get; }
    public IReadOnlyList<GgufTensorInfo> Tensors { get; }
    public int Alignment { get; }

    /// <summary>Where the data section starts in the file.</summary>
    public long DataOffset { get; }

    public static GgufFile Open(string path)
    {
        var file = MappedFile.Open(path);
        try
        {
            return Read(file);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static GgufFile Read(MappedFile file)
    {
        var c = new GgufCursor(file) { Context = "header" };
        if (file.Length < 4 || c.U32() != Magic)
            throw c.Error("not a GGUF file: bad magic (expected \"GGUF\")");
        var version = c.U32();
        if (version is not (2 or 3))
            throw c.Error($"unsupported GGUF version {version} (this reader takes 2 and 3)");
        // Checked loosely (an entry takes at least a byte): a truncated file then reports where it ends.
        var tensorCount = c.Count("tensor count", 1);
        var kvCount = c.Count("metadata count", 1);

        var metadata = new Dictionary<string, object>((int)Math.Min(kvCount, 1024));
        for (long i = 0; i < kvCount; i++)
        {
            c.Context = $"metadata entry {i}";
            var key = c.String();
            c.Context = $"metadata key '{key}'";
            var value = c.Value((GgufValueType)c.U32());
            if (!metadata.TryAdd(key, value)) throw c.Error($"metadata key '{key}' appears twice");
        }

        var alignment = 32;
        if (metadata.TryGetValue("general.alignment", out var a))
        {
            alignment = a is uint u && u > 0 && (u & (u - 1)) == 0 && u <= 1 << 20 ? (int)u
                : throw c.Error($"general.alignment {a} must be a power of two (uint32)");
        }

        var tensors = new List<GgufTensorInfo>((int)Math.Min(tensorCount, 4096));
        for (long i = 0; i < tensorCount; i++)
        {
            c.Context = $"tensor info {i}";
            var name = c.String();
            c.Context = $"tensor info '{name}'";
            var nDims = c.U32();
            if (nDims > MaxDims) throw c.Error($"tensor '{name}' has {nDims} dimensions, at most {MaxDims} allowed");
            var dims = new long[nDims];
            for (var d = 0; d < nDims; d++)
            {
                var n = c.U64();
                dims[d] = n is > 0 and <= int.MaxValue ? (long)n
                    : throw c.Error($"tensor '{name}' dimension {d} is {n}, out of range");
            }
            var typeId = (int)c.U32();
            var offset = c.U64();
            tensors.Add(new GgufTensorInfo(name, typeId, dims, offset > long.MaxValue / 2 ? -1 : (long)offset));
        }

        var dataOffset = (c.Position + alignment - 1) / alignment * alignment;
        foreach (var t in tensors) Check(file, t, dataOffset, alignment);
        var names = new HashSet<string>();
        foreach (var t in tensors)
            if (!names.Add(t.Name)) throw c.Error($"tensor '{t.Name}' appears twice");
        return new GgufFile(file, version, metadata, tensors, alignment, dataOffset);
    }

    private static void Check(MappedFile file, GgufTensorInfo t, long dataOffset, int alignment)
    {
        InvalidDataException Error(string what) => new($"{file.Path}: tensor '{t.Name}' {what}");
        if (!TensorTypes.IsSupported(t.TypeId))
            throw Error($"has ggml type id {t.TypeId}, which is not supported (supported: F32=0, F16=1, Q8_0=8, BF16=30)");
        if (t.Offset < 0) throw Error("data offset is out of range");
        if (t.Offset % alignment != 0) throw Error($"data offset {t.Offset} is not a multiple of the alignment {alignment}");
        long bytes;
        try
        {
            bytes = checked(TensorTypes.RowBytes(t.Type, t.Cols) * t.Rows);
        }
        catch (InvalidDataException e)
        {
            throw Error($"shape [{string.Join(", ", t.Dims)}]: {e.Message}");
        }
        catch (OverflowException)
        {
            throw Error($"shape [{string.Join(", ", t.Dims)}] is too large");
        }
        var end = dataOffset + t.Offset + bytes;
        if (end > file.Length || end < 0)
            throw Error($"data ends at byte {end}, beyond the end of the file ({file.Length} bytes)");
    }

    public bool Contains(string name) => _byName.ContainsKey(name);

    public GgufTensorInfo? Info(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The named tensor over the map; a missing tensor is an error naming it and the file.</summary>
    public WeightTensor Tensor(string name) =>
        TryTensor(name) ?? throw new InvalidDataException($"{Path}: missing tensor '{name}'");

    public WeightTensor? TryTensor(string name)
    {
        if (!_byName.TryGetValue(name, out var t)) return null;
        if (t.Rows > int.MaxValue) throw new InvalidDataException($"{Path}: tensor '{name}' has too many rows ({t.Rows})");
        return new WeightTensor(name, t.Type, (int)t.Rows, (int)t.Cols, (nint)(_file.Pointer + DataOffset + t.Offset));
    }

    public void Dispose() => _file.Dispose();
}
