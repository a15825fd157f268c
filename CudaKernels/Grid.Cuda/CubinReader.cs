using System.Buffers.Binary;
using System.Text;

namespace Grid.Cuda;

/// <summary>
/// Reads the kernel entry points out of a CUBIN (an ELF64 file) without a GPU: global FUNC symbols that the CUDA
/// toolchain marks as entries (STO_CUDA_ENTRY in st_other). A name starting with <c>_Z</c> is a C++-mangled kernel,
/// one that lacks the <c>extern "C"</c> the kernel contract asks for.
/// </summary>
public static class CubinReader
{
    private const int SymbolTable = 2;   // SHT_SYMTAB
    private const int FunctionType = 2;  // STT_FUNC
    private const int CudaEntry = 0x10;  // STO_CUDA_ENTRY

    public static IReadOnlyList<string> KernelNames(ReadOnlySpan<byte> elf)
    {
        if (elf.Length < 64 || !elf[..4].SequenceEqual("\u007FELF"u8) || elf[4] != 2)
            throw new InvalidDataException("not a 64-bit ELF file (a CUBIN)");
        try
        {
            var sections = (long)BinaryPrimitives.ReadUInt64LittleEndian(elf[0x28..]);
            int entrySize = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3A..]), count = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3C..]);
            var names = new List<string>();
            for (var i = 0; i < count; i++)
            {
                var header = elf.Slice(checked((int)(sections + (long)i * entrySize)), entrySize);
                if (BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) != SymbolTable) continue;
                var symbols = Section(elf, header);
                var strings = Section(elf, elf.Slice(checked((int)(sections + (long)BinaryPrimitives.ReadUInt32LittleEndian(header[0x28..]) * entrySize)), entrySize));
                var symbolSize = (int)BinaryPrimitives.ReadUInt64LittleEndian(header[0x38..]);
                for (var s = 0; s + symbolSize <= symbols.Length; s += symbolSize)
                {
                    var symbol = symbols.Slice(s, symbolSize);
                    if ((symbol[4] & 0xF) != FunctionType || (symbol[5] & CudaEntry) == 0) continue;
                    var name = strings[(int)BinaryPrimitives.ReadUInt32LittleEndian(symbol)..];
                    names.Add(Encoding.UTF8.GetString(name[..name.IndexOf((byte)0)]));
                }
            }
            return names;
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new InvalidDataException("a CUBIN's section or symbol table runs past its end", e);
        }
    }

    private static ReadOnlySpan<byte> Section(ReadOnlySpan<byte> elf, ReadOnlySpan<byte> header) =>
        elf.Slice(checked((int)BinaryPrimitives.ReadUInt64LittleEndian(header[0x18..])),
                  checked((int)BinaryPrimitives.ReadUInt64LittleEndian(header[0x20..])));
}
