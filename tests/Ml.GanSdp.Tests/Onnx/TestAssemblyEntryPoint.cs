namespace Ml.GanSdp.Tests;

/// <summary>
/// The test assembly's own entry point (the test project sets <c>GenerateProgramFile</c> to false), so a test can start
/// the assembly again as a fresh process in a mode that does one job and writes its result: e.g. loading a saved ML.NET
/// model with nothing of this library loaded. Test runners never call it.
/// </summary>
public static class TestAssemblyEntryPoint
{
    public static int Main(string[] args)
    {
        switch (args)
        {
            case ["onnx-load-transform", var zip, var output]:
                return Onnx.GeneratorRows.LoadAndTransformInThisProcess(zip, output);
            case ["cnn-load-score", var zip, var input, var output]:
                return Classifiers.ClassifierChild.LoadAndScoreInThisProcess(zip, input, output);
            case ["gansdp-load-transform", var zip, var job, var output]:
                return Pipeline.GanSdpChildJob.LoadAndTransformInThisProcess(zip, job, output);
            case ["onnx-exit-without-dispose", var parent]:
                return Onnx.OnnxGeneratorEstimatorTests.CreateAndExitWithoutDispose(parent);
            default:
                Console.Error.WriteLine("usage: Ml.GanSdp.Tests onnx-load-transform MODEL.zip OUTPUT.bin | cnn-load-score MODEL.zip PIXELS.bin OUTPUT.bin | gansdp-load-transform MODEL.zip JOB.json OUTPUT.bin | onnx-exit-without-dispose FOLDER");
                return 2;
        }
    }
}
