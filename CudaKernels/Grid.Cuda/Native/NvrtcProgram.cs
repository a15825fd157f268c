using System.Text;

namespace Grid.Cuda.Native;

/// <summary>One NVRTC compile: create the program, compile, read the log and the output, destroy it.</summary>
internal static unsafe class NvrtcProgram
{
    /// <summary>
    /// Compiles <paramref name="source"/>; <paramref name="cubin"/> selects CUBIN (runs ptxas, for an sm_XX target)
    /// or PTX (for compute_XX). Headers are (include name, text) pairs resolvable by <c>#include "name"</c>.
    /// A failed compile throws with NVRTC's log; a successful one returns its log too (warnings).
    /// </summary>
    public static (byte[] Output, string Log) Compile(string name, string source, IReadOnlyDictionary<string, string> headers,
        IReadOnlyList<string> options, bool cubin, string context)
    {
        var (nameBlock, namePointers) = Utf8([name, source]);
        var (headerBlock, headerPointers) = Utf8([.. headers.Values, .. headers.Keys]);
        var (optionBlock, optionPointers) = Utf8(options);
        nint program;
        fixed (nint* names = namePointers)
        fixed (nint* headerTexts = headerPointers)
        fixed (nint* optionTexts = optionPointers)
        {
            var includeNames = headers.Count == 0 ? null : (byte**)headerTexts + headers.Count;
            Check.Nvrtc(NvrtcApi.nvrtcCreateProgram(&program, (byte*)names[1], (byte*)names[0],
                headers.Count, headers.Count == 0 ? null : (byte**)headerTexts, includeNames));
            try
            {
                var result = NvrtcApi.nvrtcCompileProgram(program, options.Count, (byte**)optionTexts);
                var log = Log(program);
                if (result != 0) throw CudaException.FromNvrtc("nvrtcCompileProgram", result, context, log);
                return (cubin ? Cubin(program) : Ptx(program), log);
            }
            finally
            {
                Check.Nvrtc(NvrtcApi.nvrtcDestroyProgram(&program));
                GC.KeepAlive(nameBlock);
                GC.KeepAlive(headerBlock);
                GC.KeepAlive(optionBlock);
            }
        }
    }

    private static string Log(nint program)
    {
        nuint size;
        Check.Nvrtc(NvrtcApi.nvrtcGetProgramLogSize(program, &size));
        var bytes = new byte[(int)size];
        fixed (byte* p = bytes) Check.Nvrtc(NvrtcApi.nvrtcGetProgramLog(program, p));
        return Encoding.UTF8.GetString(bytes).TrimEnd('\0', '\n', ' ');
    }

    private static byte[] Cubin(nint program)
    {
        nuint size;
        Check.Nvrtc(NvrtcApi.nvrtcGetCUBINSize(program, &size));
        var bytes = new byte[(int)size];
        fixed (byte* p = bytes) Check.Nvrtc(NvrtcApi.nvrtcGetCUBIN(program, p));
        return bytes;
    }

    private static byte[] Ptx(nint program)
    {
        nuint size;
        Check.Nvrtc(NvrtcApi.nvrtcGetPTXSize(program, &size));
        var bytes = new byte[(int)size]; // NUL-terminated, as cuModuleLoadData wants PTX
        fixed (byte* p = bytes) Check.Nvrtc(NvrtcApi.nvrtcGetPTX(program, p));
        return bytes;
    }

    /// <summary>NUL-terminated UTF-8 copies in one pinned block, and a pointer to each; keep the block alive.</summary>
    private static (byte[] Block, nint[] Pointers) Utf8(IReadOnlyList<string> strings)
    {
        var total = strings.Sum(s => Encoding.UTF8.GetByteCount(s) + 1);
        var block = GC.AllocateArray<byte>(Math.Max(total, 1), pinned: true);
        var pointers = new nint[Math.Max(strings.Count, 1)];
        fixed (byte* start = block)
        {
            var offset = 0;
            for (var i = 0; i < strings.Count; i++)
            {
                pointers[i] = (nint)(start + offset);
                offset += Encoding.UTF8.GetBytes(strings[i], block.AsSpan(offset)) + 1; // the block is zeroed: NUL follows
            }
        }
        return (block, pointers);
    }
}
