using System.Buffers.Binary;
using System.Text;
using Grid.Engine.Models;
using Grid.Engine.Models.Gguf;

namespace Grid.Engine.Tests.Models;

/// <summary>Corrupt files fail at load with a message that names the file and what is wrong.</summary>
public sealed class BadFileTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly byte[] _good;

    public BadFileTests()
    {
        using var model = RandomModel.Create(GgufWriterTests.Small, TensorType.F32, seed: 1);
        GgufWriter.Write(model, _dir.File("good.gguf"));
        _good = File.ReadAllBytes(_dir.File("good.gguf"));
    }

    public void Dispose() => _dir.Dispose();

    private string Write(byte[] bytes)
    {
        var path = _dir.File($"bad-{Guid.NewGuid():N}.gguf");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Where the GGUF string <paramref name="s"/> (length prefix and bytes) ends.</summary>
    private int After(string s)
    {
        var at = _good.AsSpan().IndexOf(Encoding.UTF8.GetBytes(s));
        at.Should().BeGreaterThan(8, $"'{s}' should be in the file");
        return at + s.Length;
    }

    private byte[] Patched(Action<byte[]> patch)
    {
        var copy = (byte[])_good.Clone();
        patch(copy);
        return copy;
    }

    private void ShouldFail(byte[] bytes, string message, bool throughLoader = true)
    {
        var path = Write(bytes);
        Action open = throughLoader ? () => ModelLoader.Load(path).Dispose() : () => GgufFile.Open(path).Dispose();
        open.Should().Throw<InvalidDataException>().WithMessage($"{path}*").WithMessage($"*{message}*");
    }

    [Fact]
    public void TheUnpatchedFileLoads() => ModelLoader.Load(Write(_good)).Dispose();

    [Fact]
    public void BadMagic() => ShouldFail(Patched(b => b[0] = (byte)'X'), "bad magic", throughLoader: false);

    [Fact]
    public void UnsupportedVersion() =>
        ShouldFail(Patched(b => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), 1)), "unsupported GGUF version 1");

    [Fact]
    public void TruncatedHeader() => ShouldFail(_good[..12], "truncated header");

    [Fact]
    public void TruncatedMetadata() =>
        ShouldFail(_good[..(After("llama.block_count") + 6)], "truncated metadata key 'llama.block_count'");

    [Fact]
    public void StringLengthBeyondTheFile() =>
        ShouldFail(Patched(b => BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(After("general.name") + 4), 1UL << 40)),
            "string length 1099511627776*beyond the end of the file");

    [Fact]
    public void UnsupportedTensorType() =>
        ShouldFail(Patched(b => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(After("blk.0.attn_q.weight") + 4 + 16), 2)),
            "tensor 'blk.0.attn_q.weight' has ggml type id 2");

    [Fact]
    public void TensorDataBeyondTheEnd() =>
        ShouldFail(_good[..^100], "tensor 'output_norm.weight' data ends at byte*beyond the end of the file");

    [Fact]
    public void MissingTensor() =>
        ShouldFail(Patched(b => Encoding.UTF8.GetBytes("blk.1.ffn_uq.weight").CopyTo(b, After("blk.1.ffn_up.weight") - 19)),
            "missing tensor 'blk.1.ffn_up.weight'");

    [Fact]
    public void ShapeMismatch() =>
        ShouldFail(Patched(b => BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(After("blk.0.attn_k.weight") + 4 + 8), 16)),
            "tensor 'blk.0.attn_k.weight' has shape [16 x 64], expected [32 x 64]");

    [Fact]
    public void UnknownArchitecture() =>
        ShouldFail(Patched(b => b[After("general.architecture") + 4 + 8 + 4] = (byte)'z'), "architecture 'llamz' is not supported");

    [Fact]
    public void MissingFileNamesThePath()
    {
        var path = _dir.File("nope.gguf");
        var act = () => ModelLoader.Load(path);
        act.Should().Throw<FileNotFoundException>().WithMessage($"*{path}*");
    }

    [Fact]
    public void EmptyFileIsATruncatedCheckpoint() => ShouldFail([], "truncated llama2.c checkpoint");

    private static byte[] Checkpoint(int vocab = 300)
    {
        // dim 8, hidden 16, 1 layer, 2 heads, 2 KV heads, seq len 4: 28 header bytes + floats.
        int[] header = [8, 16, 1, 2, 2, vocab, 4];
        var floats = 300 * 8 + (2 * 8 + 2 * 64 + 2 * 64 + 3 * 16 * 8) + 8 + 4 * 4;
        var bytes = new byte[28 + floats * 4];
        for (var i = 0; i < 7; i++) BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4 * i), header[i]);
        return bytes;
    }

    [Fact]
    public void TruncatedCheckpoint() => ShouldFail(Checkpoint()[..^4], "truncated llama2.c checkpoint");

    [Fact]
    public void CheckpointWithoutATokenizerSaysToPassOne()
    {
        var path = _dir.File("model.bin");
        File.WriteAllBytes(path, Checkpoint());
        var act = () => ModelLoader.Load(path);
        act.Should().Throw<InvalidDataException>().WithMessage("*--tokenizer*");
        File.WriteAllBytes(_dir.File("tok300.bin"), []);
        File.WriteAllBytes(_dir.File("tokenizer.bin"), []);
        act.Should().Throw<InvalidDataException>().WithMessage("*found 2*--tokenizer*");
    }

    [Fact]
    public void TruncatedTokenizer()
    {
        var path = _dir.File("model.bin");
        File.WriteAllBytes(path, Checkpoint());
        var tok = _dir.File("tok300.bin");
        File.WriteAllBytes(tok, new byte[100]);
        var act = () => ModelLoader.Load(path);
        act.Should().Throw<InvalidDataException>().WithMessage($"{tok}*truncated*");
    }
}
