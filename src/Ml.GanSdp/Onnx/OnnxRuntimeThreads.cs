using Microsoft.ML.Transforms.Onnx;

namespace Ml.GanSdp;

/// <summary>
/// The intra-op thread count of the ONNX Runtime sessions this library opens (feature networks, the generator, the
/// image classifier).
/// <para>ONNX Runtime's own default is one thread per physical core, and it pins each pool thread to a core of its
/// choosing, ignoring the process's affinity (<c>taskset</c>), and keeps them spinning between calls. On the 2-core
/// development machine a featurization run started with <c>taskset -c 0</c> still spread over both cores (168% CPU)
/// and slowed a training run pinned to the other core to a sixth of its speed. So the library applies the same
/// default as for libtorch (<see cref="TorchThreads.DefaultIntraOpThreads"/>): one thread on machines with at most
/// two logical cores, ONNX Runtime's default above that, unless the caller asks for a count.</para>
/// <para>Only the sessions created while fitting get the count: ML.NET does not keep it in a saved model, so a model
/// loaded with <c>mlContext.Model.Load</c> runs with ONNX Runtime's default.</para>
/// </summary>
public static class OnnxRuntimeThreads
{
    /// <summary>The count to give ONNX Runtime: <paramref name="requested"/> when set, else the library default (null: ONNX Runtime's own).</summary>
    public static int? IntraOp(int? requested) => requested ?? TorchThreads.DefaultIntraOpThreads;

    /// <summary>ML.NET's options for an ONNX model file with these columns, its session on <see cref="IntraOp"/> threads.</summary>
    internal static OnnxOptions SessionOptions(string modelFile, string[] inputColumns, string[] outputColumns, int? requestedThreads = null) => new()
    {
        ModelFile = modelFile,
        InputColumns = inputColumns,
        OutputColumns = outputColumns,
        IntraOpNumThreads = IntraOp(requestedThreads),
    };
}
