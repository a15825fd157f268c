using Grid.Engine.Models;
using Grid.Engine.Models.Gguf;

namespace Grid.Engine.Tests.Models;

public class ChatTemplateMetadataTests
{
    [Fact]
    public void ChatTemplateRoundTripsThroughGguf()
    {
        using var dir = new TempDir();
        using var random = RandomModel.Create(GgufWriterTests.Small, TensorType.F32, seed: 5);
        const string template = "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}";
        var model = new Model(random.Source, random.Config, random.Weights, random.Tokenizer, []) { ChatTemplate = template };
        GgufWriter.Write(model, dir.File("t.gguf"));

        using var loaded = ModelLoader.Load(dir.File("t.gguf"));
        loaded.ChatTemplate.Should().Be(template);
    }

    [Fact]
    public void ModelWithoutTemplateHasNone()
    {
        using var dir = new TempDir();
        using var random = RandomModel.Create(GgufWriterTests.Small, TensorType.F32, seed: 5);
        GgufWriter.Write(random, dir.File("n.gguf"));

        using var loaded = ModelLoader.Load(dir.File("n.gguf"));
        loaded.ChatTemplate.Should().BeNull();
    }
}
