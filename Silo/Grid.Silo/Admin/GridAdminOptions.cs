using Grid.Silo.Hosting;
using Microsoft.Extensions.Configuration;

namespace Grid.Silo.Admin;

/// <summary>The admin pages' settings, section "Grid": the keys that open /admin and /orleans (`--admin-key`), apart from the API's keys.</summary>
public sealed record GridAdminOptions
{
    /// <summary>Keys an operator sends as a Bearer token or logs in with at /admin?key=; none leaves the admin pages open (a local default).</summary>
    public string[] AdminKeys { get; init; } = [];

    public static GridAdminOptions Read(IConfiguration configuration)
    {
        var options = Settings.Read<GridAdminOptions>(configuration);
        options.Validate();
        return options;
    }

    /// <summary>Throws naming the setting that cannot work.</summary>
    public void Validate()
    {
        if (AdminKeys.Any(string.IsNullOrWhiteSpace)) throw new ArgumentException($"{GridOptions.Section}:AdminKeys must not hold empty keys");
    }
}
