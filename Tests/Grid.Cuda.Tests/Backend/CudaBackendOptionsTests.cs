using Grid.Cuda.Backend;
using Grid.Engine.Models;

namespace Grid.Cuda.Tests.Backend;

public sealed class CudaBackendOptionsTests
{
    [Theory]
    [InlineData("BlockSize")]
    [InlineData("NanoBatches")]
    [InlineData("DecodePartitionTokens")]
    [InlineData("KvMemoryFraction")]
    public void A_bad_setting_is_refused_by_name(string setting)
    {
        var o = setting switch
        {
            "BlockSize" => new CudaBackendOptions { BlockSize = 0 },
            "NanoBatches" => new CudaBackendOptions { NanoBatches = 9 },
            "DecodePartitionTokens" => new CudaBackendOptions { DecodePartitionTokens = 100 },
            _ => new CudaBackendOptions { KvMemoryFraction = 1.5 },
        };
        FluentActions.Invoking(o.Validate).Should().Throw<ArgumentException>().WithMessage($"*{setting}*");
    }

    [SkippableFact]
    public void Without_a_device_the_backend_says_why()
    {
        Skip.If(CudaDevice.IsAvailable, "this machine has a CUDA device");
        var config = new ModelConfig { Dim = 64, HiddenDim = 128, Layers = 1, Heads = 4, KvHeads = 2, VocabSize = 300, ContextLength = 64 };
        using var model = RandomModel.Create(config, TensorType.F32, seed: 1);
        FluentActions.Invoking(() => new CudaBackend(model)).Should().Throw<InvalidOperationException>().WithMessage("*CUDA device*");
    }
}
