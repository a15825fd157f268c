using System.Text;

namespace Grid.Engine.Chat;

/// <summary>
/// Mistral instruct: <c>[INST] user [/INST]answer&lt;/s&gt;[INST] …</c>. It has no system block, so
/// system text leads the first user turn, as Mistral's own template does.
/// </summary>
public sealed class MistralChatTemplate : IChatTemplate
{
    public string Name => "mistral";

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
                sb.Append(m.Content.Trim()).Append("</s>");
                continue;
            }
            sb.Append("[INST] ");
            if (firstUser && system.Length > 0) sb.Append(system).Append("\n\n");
            firstUser = false;
            sb.Append(m.Content.Trim()).Append(" [/INST]");
        }
        return sb.ToString();
    }
}
