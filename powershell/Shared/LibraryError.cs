using System;
using System.Management.Automation;

namespace VcsNative
{
    /// <summary>The library's error JSON: {category, message, httpStatus, requestId, serviceCode, field}.</summary>
    internal sealed class LibraryError
    {
        public string Category { get; set; }
        public string Message { get; set; }
        public int? HttpStatus { get; set; }
        public string RequestId { get; set; }
        public string ServiceCode { get; set; }
        public string Field { get; set; }

        internal static LibraryError Of(string category, string message) => new LibraryError { Category = category, Message = message };

        /// <summary>The error record every command writes: id Vcs.&lt;category&gt;, the engine's category, the target.</summary>
        internal ErrorRecord ToErrorRecord(object target)
        {
            return new ErrorRecord(new VcsException(this), "Vcs." + (Category ?? "internal"), ToErrorCategory(Category), target);
        }

        internal static ErrorCategory ToErrorCategory(string category)
        {
            switch (category)
            {
                case "invalidArgument": return ErrorCategory.InvalidArgument;
                case "authentication": return ErrorCategory.AuthenticationError;
                case "permission": return ErrorCategory.PermissionDenied;
                case "notFound": return ErrorCategory.ObjectNotFound;
                case "conflict": return ErrorCategory.ResourceExists;
                case "rateLimited": return ErrorCategory.LimitsExceeded;
                case "server": return ErrorCategory.InvalidResult;
                case "network": return ErrorCategory.ConnectionError;
                case "timeout": return ErrorCategory.OperationTimeout;
                case "protocol": return ErrorCategory.InvalidData;
                case "notConnected": return ErrorCategory.ResourceUnavailable;
                default: return ErrorCategory.NotSpecified;
            }
        }
    }

    /// <summary>What the library reported, as an exception that scripts can catch and inspect.</summary>
    public sealed class VcsException : Exception
    {
        internal VcsException(LibraryError e)
            : base(e.RequestId == null ? e.Message : e.Message + " (request id " + e.RequestId + ")")
        {
            Category = e.Category;
            HttpStatus = e.HttpStatus;
            RequestId = e.RequestId;
            ServiceCode = e.ServiceCode;
            Field = e.Field;
        }

        /// <summary>The library's category: invalidArgument, authentication, notFound, ...</summary>
        public string Category { get; }
        public int? HttpStatus { get; }
        /// <summary>The service's request id, for its support.</summary>
        public string RequestId { get; }
        public string ServiceCode { get; }
        /// <summary>The input field the error is about, where there is one.</summary>
        public string Field { get; }
    }
}
