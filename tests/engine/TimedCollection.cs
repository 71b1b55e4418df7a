using Xunit;

namespace VcsNative.Engine.Tests
{
    /// <summary>
    /// The classes whose tests time a Stop (under 0.3 s) run alone, after the parallel ones: the
    /// other classes' emulators and runspaces would share the two cores and blur the figure.
    /// </summary>
    [CollectionDefinition("Timed", DisableParallelization = true)]
    public sealed class TimedCollection
    {
    }
}
