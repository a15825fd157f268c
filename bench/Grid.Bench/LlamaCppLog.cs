using LLama.Native;

namespace Grid.Bench;

/// <summary>Keeps llama.cpp's chatty loader quiet unless asked, but never hides its errors.</summary>
public static class LlamaCppLog
{
    static bool _configured;

    public static bool Verbose { get; set; }

    /// <summary>Must run before the native library loads; later calls are ignored.</summary>
    public static void Configure()
    {
        if (_configured) return;
        _configured = true;
        NativeLibraryConfig.All.WithLogCallback((level, message) =>
        {
            if (Verbose || level == LLamaLogLevel.Error)
                Console.Error.Write(message);
        });
    }
}
