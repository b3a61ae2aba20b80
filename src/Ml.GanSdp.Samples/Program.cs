// gansdp: the command line is being rebuilt on the ML.NET surface (issue #10); until then it only says so.
Console.Error.WriteLine("gansdp: the CLI is being rebuilt on ML.NET; use the Ml.GanSdp library meanwhile.");
return 1;
