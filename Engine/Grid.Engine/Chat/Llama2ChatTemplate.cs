using System.Text;

namespace Grid.Engine.Chat;

/// <summary>
/// Llama 2 chat: <c>[INST] &lt;&lt;SYS&gt;&gt;\n…\n&lt;&lt;/SYS&gt;&gt;\n\nuser [/INST] answer &lt;/s&gt;&lt;s&gt;[INST] …</c>,
/// Meta's format, with the system prompt folded into the first user turn.
/// </summary>
public sealed class Llama2ChatTemplate : IChatTemplate
{
    public string Name => "llama2";

    public string Render(IReadOnlyList<ChatMessage> messages)
    {
        var system = string.Join("\n\n", messages.Where(m => m.Role == "system").Select(m => m.Content.Trim()));
        var sb = new StringBuilder();
        var firstUser = true;
        foreach (var m in messages)
        {
            if (m.Role == "system") continue;
            if (m.Role == "assistant")
            {
                sb.Append(' ').Append(m.Content.Trim()).Append(" </s>");
                continue;
            }
            // Every turn after the first opens with BOS; the tokenizer supplies the first one.
            if (sb.Length > 0) sb.Append("<s>");
            sb.Append("[INST] ");
            if (firstUser && system.Length > 0) sb.Append("<<SYS>>\n").Append(system).Append("\n<</SYS>>\n\n");
            firstUser = false;
            sb.Append(m.Content.Trim()).Append(" [/INST]");
        }
        return sb.ToString();
    }
}
