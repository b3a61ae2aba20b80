using System.Diagnostics;
using System.Text.RegularExpressions;
using Ml.GanSdp.Tests.TestSupport;

namespace Ml.GanSdp.Tests.Pipeline;

/// <summary>
/// Issue #10's "done when": README's usage block is a complete ML.NET program that references only the library and
/// Microsoft.ML. The test extracts it from README.md, compiles it as Program.cs of a new project outside the repository
/// (warnings are errors; the project imports build/TorchSharpLoadFix.targets explicitly, since the repository's
/// Directory.Build files do not apply there), and runs it twice with a 3-iteration fit: the first process trains on
/// Fashion-MNIST, saves, loads and generates; the second only loads and generates. Both must print the same mean pixel
/// (printed with round-trip precision, so any changed pixel shows) and write byte-identical PNG grids.
/// </summary>
[TestClass]
public sealed partial class ReadmeProgramTests
{
    private const string Marker = "<!-- readme-program:";

    /// <summary>The first ```csharp block after the marker comment in README.md.</summary>
    public static string ExtractProgram(string readme)
    {
        int marker = readme.IndexOf(Marker, StringComparison.Ordinal);
        Assert.IsTrue(marker >= 0, "README.md has the readme-program marker");
        int open = readme.IndexOf("```csharp\n", marker, StringComparison.Ordinal);
        Assert.IsTrue(open >= 0, "a csharp block follows the marker");
        int start = open + "```csharp\n".Length;
        int end = readme.IndexOf("\n```", start, StringComparison.Ordinal);
        Assert.IsTrue(end > start, "the csharp block is closed");
        return readme[start..end] + "\n";
    }

    [TestMethod]
    [Timeout(900_000)]
    public void ReadmeUsageBlock_CompilesAgainstTheLibrary_TrainsSavesAndAnotherProcessGeneratesIdenticalImages()
    {
        if (!Directory.Exists("/usr/share/datasets/fashion-mnist")) Assert.Inconclusive("Fashion-MNIST (dataset-fashion-mnist) is not installed.");
        var program = ExtractProgram(File.ReadAllText(Path.Combine(Repo.Root, "README.md")));
        StringAssert.Contains(program, "TrainGanSdp");
        StringAssert.Contains(program, "ml.Model.Save");
        StringAssert.Contains(program, "ml.Model.Load");

        var root = Path.Combine(Path.GetTempPath(), "gansdp-readme-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            var project = Path.Combine(root, "ReadmeProgram");
            Directory.CreateDirectory(project);
            File.WriteAllText(Path.Combine(project, "Program.cs"), program);
            File.WriteAllText(Path.Combine(project, "ReadmeProgram.csproj"), ProjectFile());
            var clock = Stopwatch.StartNew();
            var build = Run(project, TimeSpan.FromMinutes(8), "build", "ReadmeProgram.csproj", "-c", "Release", "-v", "q", "--nologo");
            Console.WriteLine($"build: {clock.Elapsed.TotalSeconds:F0} s");
            Assert.AreEqual(0, build.ExitCode, "the README program compiles with warnings as errors:\n" + build.Output);

            var dll = Path.Combine(project, "bin", "Release", "net10.0", "ReadmeProgram.dll");
            var work = Path.Combine(root, "run");
            Directory.CreateDirectory(work);
            clock.Restart();
            var first = Run(work, TimeSpan.FromMinutes(5), "exec", dll, "3", "model.zip");
            Console.WriteLine($"first run ({clock.Elapsed.TotalSeconds:F0} s):\n{first.Output}");
            Assert.AreEqual(0, first.ExitCode, first.Output);
            StringAssert.Contains(first.Output, "trained 3 iterations on 10000 images");
            var png1 = File.ReadAllBytes(Path.Combine(work, "fashion-gan.png"));
            File.Delete(Path.Combine(work, "fashion-gan.png"));

            clock.Restart();
            var second = Run(work, TimeSpan.FromMinutes(5), "exec", dll, "3", "model.zip");
            Console.WriteLine($"second run ({clock.Elapsed.TotalSeconds:F0} s):\n{second.Output}");
            Assert.AreEqual(0, second.ExitCode, second.Output);
            Assert.IsFalse(second.Output.Contains("trained"), "the second process only loads the saved model");
            Assert.AreEqual(MeanLine(first.Output), MeanLine(second.Output), "same images in both processes (mean printed with round-trip precision)");
            CollectionAssert.AreEqual(png1, File.ReadAllBytes(Path.Combine(work, "fashion-gan.png")), "byte-identical grids");

            var info = GanSdpModelInfo.Read(Path.Combine(work, "model.zip"));
            Assert.AreEqual(3, info.Training.Iterations);
            CollectionAssert.AreEqual(KnownClassNames.FashionMnist.ToArray(), info.ClassNames.ToArray());
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static string MeanLine(string output)
    {
        var m = MeanRegex().Match(output);
        Assert.IsTrue(m.Success, "the program prints the generated images' mean pixel:\n" + output);
        return m.Value;
    }

    [GeneratedRegex(@"generated 80 images into fashion-gan\.png, mean pixel \S+")]
    private static partial Regex MeanRegex();

    /// <summary>
    /// A project outside the repository: the library by project reference (its packages flow from it), Microsoft.ML by
    /// package at the repository's central version, and the TorchSharp load fix imported explicitly. Copy-local files
    /// are hard links into the NuGet cache where possible (TorchSharp's native libraries are about 1.4 GB).
    /// </summary>
    private static string ProjectFile()
    {
        var props = File.ReadAllText(Path.Combine(Repo.Root, "Directory.Packages.props"));
        var mlVersion = Regex.Match(props, @"<PackageVersion Include=""Microsoft\.ML"" Version=""([^""]+)""").Groups[1].Value;
        Assert.IsFalse(string.IsNullOrEmpty(mlVersion), "Microsoft.ML's version is in Directory.Packages.props");
        var library = Path.Combine(Repo.Root, "src", "Ml.GanSdp", "Ml.GanSdp.csproj");
        var fix = Path.Combine(Repo.Root, "build", "TorchSharpLoadFix.targets");
        return $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <WarningsNotAsErrors>NU1603</WarningsNotAsErrors>
                <InvariantGlobalization>true</InvariantGlobalization>
                <CreateHardLinksForCopyLocalIfPossible>true</CreateHardLinksForCopyLocalIfPossible>
                <CreateHardLinksForCopyFilesToOutputDirectoryIfPossible>true</CreateHardLinksForCopyFilesToOutputDirectoryIfPossible>
              </PropertyGroup>
              <ItemGroup>
                <ProjectReference Include="{library}" />
                <PackageReference Include="Microsoft.ML" Version="{mlVersion}" />
              </ItemGroup>
              <Import Project="{fix}" />
            </Project>
            """;
    }

    private static (int ExitCode, string Output) Run(string workingDirectory, TimeSpan timeout, params string[] args)
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
        var psi = new ProcessStartInfo(host) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment.Remove("MSBuildExtensionsPath");
        psi.Environment.Remove("MSBuildSDKsPath");
        psi.Environment.Remove("MSBUILD_EXE_PATH");
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {host}.");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout)) { p.Kill(true); throw new TimeoutException($"dotnet {string.Join(" ", args)} did not finish in {timeout}."); }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}
