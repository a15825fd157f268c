using System.Text;
using Grid.Engine.Models;

namespace Grid.Bench;

/// <summary>
/// The few facts about a GGUF file the benchmark needs (vocabulary size, weight type, bytes a decode step
/// must read), taken from its header so they hold for whichever engine runs, without loading the weights.
/// </summary>
public sealed record GgufSummary(string Path, string TypeLabel, int VocabSize, long DecodeWeightBytes)
{
    const string Embedding = "token_embd.weight";
    const string Classifier = "output.weight";

    public static GgufSummary Read(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path), Encoding.UTF8);
        if (reader.ReadUInt32() != 0x46554747) throw new InvalidDataException($"{path}: not a GGUF file");
        var version = reader.ReadUInt32();
        if (version is < 2 or > 3) throw new InvalidDataException($"{path}: GGUF version {version} is not supported");
        var tensorCount = reader.ReadInt64();
        var metadataCount = reader.ReadInt64();
        for (long i = 0; i < metadataCount; i++)
        {
            ReadString(reader);
            SkipValue(reader, reader.ReadUInt32());
        }

        var tensors = new List<(string Name, long[] Dims, int Type)>();
        for (long i = 0; i < tensorCount; i++)
        {
            var name = ReadString(reader);
            var dims = new long[reader.ReadUInt32()];
            for (var d = 0; d < dims.Length; d++) dims[d] = reader.ReadInt64();
            var type = (int)reader.ReadUInt32();
            reader.ReadUInt64(); // offset
            tensors.Add((name, dims, type));
        }
        return Summarise(path, tensors);
    }

    static GgufSummary Summarise(string path, List<(string Name, long[] Dims, int Type)> tensors)
    {
        var embedding = tensors.Find(t => t.Name == Embedding);
        if (embedding.Name is null) throw new InvalidDataException($"{path}: no {Embedding} tensor");

        // A decode step reads every matrix once; the embedding only one row, but a tied classifier reads it all.
        long bytes = 0;
        var bytesByType = new Dictionary<int, long>();
        foreach (var t in tensors.Where(t => t.Dims.Length == 2 && t.Name != Embedding))
        {
            var size = Bytes(path, t);
            bytes += size;
            bytesByType[t.Type] = bytesByType.GetValueOrDefault(t.Type) + size;
        }
        if (!tensors.Exists(t => t.Name == Classifier)) bytes += Bytes(path, embedding);

        // Named after the type most weight bytes are in (a Q8_0 file keeps a few F16 matrices).
        var main = bytesByType.MaxBy(p => p.Value).Key;
        var label = ((TensorType)main).ToString().ToLowerInvariant();
        return new GgufSummary(path, label, (int)embedding.Dims[1], bytes);
    }

    static long Bytes(string path, (string Name, long[] Dims, int Type) tensor)
    {
        if (!TensorTypes.IsSupported(tensor.Type))
            throw new InvalidDataException($"{path}: tensor {tensor.Name} has ggml type {tensor.Type}, which the benchmark cannot size");
        var type = (TensorType)tensor.Type;
        return TensorTypes.RowBytes(type, tensor.Dims[0]) * tensor.Dims.Skip(1).Aggregate(1L, (a, b) => a * b);
    }

    static string ReadString(BinaryReader reader) => Encoding.UTF8.GetString(reader.ReadBytes(checked((int)reader.ReadUInt64())));

    static void SkipValue(BinaryReader reader, uint type)
    {
        switch (type)
        {
            case 0 or 1 or 7: reader.ReadByte(); break;
            case 2 or 3: reader.ReadUInt16(); break;
            case 4 or 5 or 6: reader.ReadUInt32(); break;
            case 10 or 11 or 12: reader.ReadUInt64(); break;
            case 8: ReadString(reader); break;
            case 9:
                var itemType = reader.ReadUInt32();
                var count = reader.ReadInt64();
                for (long i = 0; i < count; i++) SkipValue(reader, itemType);
                break;
            default: throw new InvalidDataException($"unknown GGUF metadata type {type}");
        }
    }
}
