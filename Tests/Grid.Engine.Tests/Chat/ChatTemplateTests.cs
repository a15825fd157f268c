using Grid.Engine.Chat;

namespace Grid.Engine.Tests.Chat;

public class ChatTemplateTests
{
    private static readonly ChatMessage[] Conversation =
    [
        new("system", "Be brief."),
        new("user", "Hi"),
        new("assistant", "Hello!"),
        new("user", "Name a colour."),
    ];

    [Fact]
    public void Llama2FoldsTheSystemPromptIntoTheFirstTurn() =>
        new Llama2ChatTemplate().Render(Conversation).Should().Be(
            "[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST] Hello! </s><s>[INST] Name a colour. [/INST]");

    [Fact]
    public void Llama2WithoutSystem() =>
        new Llama2ChatTemplate().Render([new("user", "Hi")]).Should().Be("[INST] Hi [/INST]");

    [Fact]
    public void Llama3HeadersEveryTurnAndOpensTheAssistant() =>
        new Llama3ChatTemplate().Render(Conversation).Should().Be(
            "<|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>" +
            "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>" +
            "<|start_header_id|>assistant<|end_header_id|>\n\nHello!<|eot_id|>" +
            "<|start_header_id|>user<|end_header_id|>\n\nName a colour.<|eot_id|>" +
            "<|start_header_id|>assistant<|end_header_id|>\n\n");

    [Fact]
    public void ChatMlEndsWithAnOpenAssistantTurn() =>
        new ChatMlTemplate().Render(Conversation).Should().Be(
            "<|im_start|>system\nBe brief.<|im_end|>\n" +
            "<|im_start|>user\nHi<|im_end|>\n" +
            "<|im_start|>assistant\nHello!<|im_end|>\n" +
            "<|im_start|>user\nName a colour.<|im_end|>\n" +
            "<|im_start|>assistant\n");

    [Fact]
    public void MistralHasNoSystemBlock() =>
        new MistralChatTemplate().Render(Conversation).Should().Be(
            "[INST] Be brief.\n\nHi [/INST]Hello!</s>[INST] Name a colour. [/INST]");

    [Fact]
    public void PlainIsTheLastUserMessage()
    {
        new PlainChatTemplate().Render(Conversation).Should().Be("Name a colour.");
        new PlainChatTemplate().Render([new("user", "Once upon a time")]).Should().Be("Once upon a time");
    }

    [Theory]
    [InlineData("{{ bos_token }}{% for m in messages %}<|start_header_id|>{{ m['role'] }}<|end_header_id|>\n\n{{ m['content'] | trim }}<|eot_id|>{% endfor %}", "llama3")]
    [InlineData("{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}", "chatml")]
    [InlineData("{% if messages[0]['role'] == 'system' %}{% set system_message = '<<SYS>>\\n' + messages[0]['content'] + '\\n<</SYS>>\\n\\n' %}{% endif %}[INST] {{ content }} [/INST]", "llama2")]
    [InlineData("{{ bos_token }}{% for message in messages %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% endif %}{% endfor %}", "mistral")]
    public void RecognisesFamiliesByTheirMarkers(string jinja, string expected) =>
        ChatTemplateDetector.FromTemplateText(jinja)!.Name.Should().Be(expected);

    [Fact]
    public void UnknownTemplateTextIsNotGuessed() =>
        ChatTemplateDetector.FromTemplateText("{{ messages[0].content }}").Should().BeNull();

    [Theory]
    [InlineData("llama", new string[0], "plain")]
    [InlineData("qwen2", new string[0], "chatml")]
    [InlineData("llama", new[] { "<|start_header_id|>" }, "llama3")]
    [InlineData("llama", new[] { "<|im_start|>" }, "chatml")]
    public void WithoutTemplateTextFallsBackToArchitectureAndVocabulary(string architecture, string[] specials, string expected) =>
        ChatTemplateDetector.Detect(null, architecture, new FakeTokenizer(specials)).Name.Should().Be(expected);
}
