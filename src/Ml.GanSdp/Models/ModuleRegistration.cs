using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Models;

/// <summary>Registration helpers that keep PyTorch's naming (the registered name becomes the state-dict prefix).</summary>
internal static class ModuleRegistration
{
    /// <summary>Registers <paramref name="child"/> under <paramref name="name"/> in <paramref name="parent"/> and returns it.</summary>
    public static T Register<T>(this nn.Module parent, string name, T child) where T : nn.Module
    {
        parent.register_module(name, child);
        return child;
    }
}
