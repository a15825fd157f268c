using System.Buffers.Binary;
using System.Text;
using Grid.Engine.Models;
using Grid.Engine.Models.Gguf;

namespace Grid.Engine.Tests.Models;

public class GgufFileTests
{
    /// <summary>A GGUF file with no tensors and one metadata entry of every value type.</summary>
    private static byte[] EveryValueType(uint version)
    {
        using var s = new MemoryStream();
        using var o = new BinaryWriter(s);
        void Str(string v) { var b = Encoding.UTF8.GetBytes(v); o.Write((ulong)b.Length); o.Write(b); }
        void Key(string k, GgufValueType t) { Str(k); o.Write((uint)t); }
        o.Write("GGUF"u8);
        o.Write(version);
        o.Write(0UL);
        o.Write(16UL);
        Key("u8", GgufValueType.UInt8); o.Write((byte)200);
        Key("i8", GgufValueType.Int8); o.Write((sbyte)-5);
        Key("u16", GgufValueType.UInt16); o.Write((ushort)60000);
        Key("i16", GgufValueType.Int16); o.Write((short)-300);
        Key("u32", GgufValueType.UInt32); o.Write(4000000000u);
        Key("i32", GgufValueType.Int32); o.Write(-7);
        Key("f32", GgufValueType.Float32); o.Write(1.5f);
        Key("bool", GgufValueType.Bool); o.Write((byte)1);
        Key("str", GgufValueType.String); Str("héllo");
        Key("u64", GgufValueType.UInt64); o.Write(ulong.MaxValue);
        Key("i64", GgufValueType.Int64); o.Write(-9L);
        Key("f64", GgufValueType.Float64); o.Write(2.25);
        Key("strs", GgufValueType.Array); o.Write((uint)GgufValueType.String); o.Write(2UL); Str("a"); Str("▁b");
        Key("floats", GgufValueType.Array); o.Write((uint)GgufValueType.Float32); o.Write(2UL); o.Write(0.5f); o.Write(-1f);
        Key("ints", GgufValueType.Array); o.Write((uint)GgufValueType.Int32); o.Write(3UL); o.Write(1); o.Write(-2); o.Write(3);
        Key("nested", GgufValueType.Array); o.Write((uint)GgufValueType.Array); o.Write(1UL);
        o.Write((uint)GgufValueType.UInt8); o.Write(2UL); o.Write((byte)1); o.Write((byte)2);
        return s.ToArray();
    }

    [Theory]
    [InlineData(2u)]
    [InlineData(3u)]
    public void MetadataValuesAreTheirDotNetTypes(uint version)
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("m.gguf"), EveryValueType(version));
        using var file = GgufFile.Open(dir.File("m.gguf"));
        file.Version.Should().Be(version);
        file.Alignment.Should().Be(32);
        file.Tensors.Should().BeEmpty();
        var m = file.Metadata;
        m["u8"].Should().Be((byte)200);
        m["i8"].Should().Be((sbyte)-5);
        m["u16"].Should().Be((ushort)60000);
        m["i16"].Should().Be((short)-300);
        m["u32"].Should().Be(4000000000u);
        m["i32"].Should().Be(-7);
        m["f32"].Should().Be(1.5f);
        m["bool"].Should().Be(true);
        m["str"].Should().Be("héllo");
        m["u64"].Should().Be(ulong.MaxValue);
        m["i64"].Should().Be(-9L);
        m["f64"].Should().Be(2.25);
        m["strs"].Should().BeEquivalentTo(new[] { "a", "▁b" });
        m["floats"].Should().BeOfType<float[]>().Which.Should().Equal(0.5f, -1f);
        m["ints"].Should().BeOfType<int[]>().Which.Should().Equal(1, -2, 3);
        m["nested"].Should().BeOfType<object[]>().Which[0].Should().BeOfType<byte[]>().Which.Should().Equal(1, 2);
    }

    [Fact]
    public void ArrayLongerThanTheFileIsRejected()
    {
        using var dir = new TempDir();
        var bytes = EveryValueType(3);
        var at = bytes.AsSpan().IndexOf("floats"u8) + 6 + 4 + 4;
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(at), 1UL << 50);
        File.WriteAllBytes(dir.File("m.gguf"), bytes);
        var act = () => GgufFile.Open(dir.File("m.gguf"));
        act.Should().Throw<InvalidDataException>().WithMessage("*array length*metadata key 'floats'*");
    }

    [Fact]
    public void TensorsPointIntoTheMapWithoutCopying()
    {
        using var dir = new TempDir();
        using var model = RandomModel.Create(GgufWriterTests.Small, TensorType.BF16, seed: 2);
        GgufWriter.Write(model, dir.File("m.gguf"), name: "tiny");
        using var file = GgufFile.Open(dir.File("m.gguf"));
        file.Metadata["general.name"].Should().Be("tiny");
        file.Metadata["general.file_type"].Should().Be(32u);
        file.Metadata["tokenizer.ggml.tokens"].Should().BeOfType<string[]>();
        var info = file.Info("blk.0.ffn_down.weight")!;
        info.Dims.Should().Equal(96, 64);
        info.Type.Should().Be(TensorType.BF16);
        var a = file.Tensor("blk.0.ffn_down.weight");
        var b = file.Tensor("blk.0.ffn_down.weight");
        a.Data.Should().Be(b.Data);
        (a.Data % 32).Should().Be(0, "tensor data is aligned in the map");
        file.TryTensor("output.weight").Should().BeNull("a tied classifier is not written");
    }
}
