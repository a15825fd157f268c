using System.Text;

namespace Grid.Engine.Chat;

/// <summary>ChatML (Qwen): <c>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;\n</c> per turn, then <c>&lt;|im_start|&gt;assistant\n</c>.</summary>
public sealed class ChatMlTemplate : IChatTemplate
{
    public string Name => "chatml";

    public string Render(IReadOnlyList<ChatMessage> messages)
    {
        var sb = new StringBuilder();
        foreach (var m in messages)
            sb.Append("<|im_start|>").Append(m.Role).Append('\n').Append(m.Content).Append("<|im_end|>\n");
        return sb.Append("<|im_start|>assistant\n").ToString();
    }
}
