using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Models;

/// <summary>
/// An ordered list of layers named "0", "1", ... (the keys of PyTorch's <c>nn.Sequential</c>) that may also hold
/// <see cref="ConditionalBatchNorm"/> layers, which take the class labels. The models run it layer by layer so
/// that they can keep block outputs; intermediate activations are disposed as soon as they are used.
/// </summary>
public sealed class LayerStack : torch.nn.Module
{
    /// <summary>Components are registered explicitly under PyTorch's names; TorchSharp's field-name registration would add duplicates.</summary>
    protected override void RegisterComponents() { }

    private readonly List<torch.nn.Module> _layers = new();

    /// <summary>Creates an empty stack.</summary>
    public LayerStack() : base("Sequential") { }

    /// <summary>The layer at <paramref name="index"/>.</summary>
    public torch.nn.Module this[int index] => _layers[index];

    /// <summary>The layers, in order.</summary>
    public IReadOnlyList<torch.nn.Module> Layers => _layers;

    /// <summary>Appends a layer (a tensor-to-tensor module or a <see cref="ConditionalBatchNorm"/>).</summary>
    public T Add<T>(T layer) where T : torch.nn.Module
    {
        if (layer is not (torch.nn.Module<Tensor, Tensor> or ConditionalBatchNorm))
            throw new ArgumentException($"LayerStack cannot run a {layer.GetName()}: it takes tensor-to-tensor modules and ConditionalBatchNorm.", nameof(layer));
        register_module(_layers.Count.ToString(CultureInfo.InvariantCulture), layer);
        _layers.Add(layer);
        return layer;
    }

    /// <summary>Runs one layer; <paramref name="labels"/> go to conditional batch norms.</summary>
    public static Tensor Apply(torch.nn.Module layer, Tensor x, Tensor? labels) => layer switch
    {
        ConditionalBatchNorm cbn => cbn.call(x, labels ?? throw new ArgumentException("Class labels are required by the conditional batch norm layers.", nameof(labels))),
        torch.nn.Module<Tensor, Tensor> m => m.call(x),
        _ => throw new InvalidOperationException($"LayerStack cannot run a {layer.GetName()}."),
    };

    /// <summary>Runs layers [<paramref name="from"/>, <paramref name="to"/>) on <paramref name="x"/> (not disposed) and returns the new output.</summary>
    public Tensor Run(Tensor x, Tensor? labels, int from = 0, int to = -1)
    {
        if (to < 0) to = _layers.Count;
        Tensor cur = x;
        bool owned = false;
        try
        {
            for (int i = from; i < to; i++)
            {
                var next = Apply(_layers[i], cur, labels);
                if (owned && !ReferenceEquals(next, cur)) cur.Dispose();
                cur = next;
                owned = true;
            }
        }
        catch
        {
            if (owned) cur.Dispose();
            throw;
        }
        return owned ? cur : x.alias();
    }
}
