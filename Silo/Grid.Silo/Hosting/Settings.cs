using Microsoft.Extensions.Configuration;

namespace Grid.Silo.Hosting;

/// <summary>Reads an options record from section "Grid".</summary>
public static class Settings
{
    /// <summary>A value the binder cannot convert ("--devices two") throws naming the setting, as validation does.</summary>
    public static T Read<T>(IConfiguration configuration) where T : new()
    {
        try
        {
            return configuration.GetSection(GridOptions.Section).Get<T>() ?? new T();
        }
        catch (InvalidOperationException e)
        {
            // The binder's message names the key ("Failed to convert configuration value 'two' at 'Grid:Devices' ...").
            throw new ArgumentException(e.Message, e);
        }
    }
}
