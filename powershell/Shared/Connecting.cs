using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace VcsNative
{
    /// <summary>
    /// What the connect cmdlets share: the connection options they send, the library's errors in
    /// the cmdlets' terms, and a connect that Ctrl+C stops at once.
    /// </summary>
    internal static class Connecting
    {
        internal const string DefaultServer = "console.cloud.vmware.com";

        /// <summary>How long a logout may hold a disconnect, a Remove-Module or a closing runspace.</summary>
        internal static readonly TimeSpan LogoutBound = TimeSpan.FromSeconds(3);

        /// <summary>
        /// The options every connect sends: the server as given (the library refuses a blank one
        /// before any request), the TLS choices, and -CaCertificatePath as a full path the library reads.
        /// </summary>
        internal static RequestJson Options(PSCmdlet cmdlet, string server, string caCertificatePath, bool skipTlsVerify, bool allowInsecureHttp)
        {
            var options = new RequestJson();
            options.String("server", server).Bool("insecureSkipTlsVerify", skipTlsVerify).String("caCertificatePath", FullPath(cmdlet, caCertificatePath));
            if (allowInsecureHttp) options.Bool("allowInsecureHttp", true);
            return options;
        }

        /// <summary>A PowerShell path (relative to the current location, a PSDrive) as a file system path.</summary>
        internal static string FullPath(PSCmdlet cmdlet, string path)
        {
            if (string.IsNullOrEmpty(path)) return null;
            try
            {
                return cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
            }
            catch (Exception e) when (e is ProviderNotFoundException || e is DriveNotFoundException || e is NotSupportedException || e is PSArgumentException)
            {
                cmdlet.ThrowTerminatingError(new ErrorRecord(new ArgumentException("-CaCertificatePath: " + e.Message, e), "Vcs.invalidArgument", ErrorCategory.InvalidArgument, path));
                return null;
            }
        }

        /// <summary>
        /// The library's error in the cmdlet's words: its CLI flags and JSON fields become the
        /// parameters (-AllowInsecureHttp, -Server), and the target is the server as given.
        /// </summary>
        internal static ErrorRecord ToErrorRecord(LibraryError error, string serverParameter, object target)
        {
            if (error.Message != null)
            {
                error.Message = error.Message
                    .Replace("--allow-insecure-http", "-AllowInsecureHttp")
                    .Replace("--insecure", "-IgnoreSslValidationErrors")
                    .Replace("--ca-cert", "-CaCertificatePath")
                    .Replace("--server", "-" + serverParameter);
                if (error.Field == "server" && error.Message.IndexOf("-" + serverParameter, StringComparison.Ordinal) < 0)
                    error.Message = "-" + serverParameter + ": " + error.Message;
                else if (error.Field == "caCertificatePath" && error.Message.IndexOf("-CaCertificatePath", StringComparison.Ordinal) < 0)
                    error.Message = "-CaCertificatePath: " + error.Message;
            }
            if (error.Field == "server") error.Field = serverParameter;
            return error.ToErrorRecord(target);
        }

        /// <summary>
        /// Runs a connect on a worker and waits for it, or for <paramref name="stop"/> (the cmdlet's
        /// StopProcessing): then the cmdlet stops at once, and a connection that still completes is
        /// disconnected on that worker, never published. The worker owns <paramref name="options"/>
        /// (it may hold a secret) and wipes it when the call returns.
        /// </summary>
        internal static T Run<T>(RequestJson options, Func<byte[], T> connect, Action<T> abandon, CancellationToken stop)
        {
            Task<T> task = Task.Run(() =>
            {
                try
                {
                    return connect(options.ToBytes());
                }
                finally
                {
                    options.Dispose();
                }
            });
            try
            {
                task.Wait(stop);
            }
            catch (OperationCanceledException)
            {
                task.ContinueWith(t => { if (t.Status == TaskStatus.RanToCompletion) abandon(t.Result); }, TaskScheduler.Default);
                throw new PipelineStoppedException();
            }
            catch (AggregateException e) when (e.InnerException != null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            }
            return task.Result;
        }

        /// <summary>
        /// Runs a cmdlet's work so that no raw .NET exception escapes it: the engine's own
        /// (RuntimeException: terminating errors, stops) pass; anything else becomes a terminating
        /// ErrorRecord Vcs.internal with the target.
        /// </summary>
        internal static void Guard(PSCmdlet cmdlet, object target, Action body)
        {
            try
            {
                body();
            }
            catch (Exception e) when (!(e is RuntimeException))
            {
                ErrorCategory category = e is System.IO.IOException || e is UnauthorizedAccessException ? ErrorCategory.ResourceUnavailable
                    : e is ArgumentException ? ErrorCategory.InvalidArgument : ErrorCategory.NotSpecified;
                string kind = category == ErrorCategory.InvalidArgument ? "invalidArgument" : "internal";
                cmdlet.ThrowTerminatingError(new ErrorRecord(e, "Vcs." + kind, category, target));
            }
        }
    }
}
