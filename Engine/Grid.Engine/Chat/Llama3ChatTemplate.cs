using System.Text;

namespace Grid.Engine.Chat;

/// <summary>Llama 3: each turn <c>&lt;|start_header_id|&gt;role&lt;|end_header_id|&gt;\n\ncontent&lt;|eot_id|&gt;</c>, then an open assistant header.</summary>
public sealed class Llama3ChatTemplate : IChatTemplate
{
    public string Name => "llama3";

    public string Render(IReadOnlyList<ChatMessage> messages)
    {
        var sb = new StringBuilder();
        foreach (var m in messages)
            sb.Append("<|start_header_id|>").Append(m.Role).Append("<|end_header_id|>\n\n").Append(m.Content.Trim()).Append("<|eot_id|>");
        return sb.Append("<|start_header_id|>assistant<|end_header_id|>\n\n").ToString();
    }
}
