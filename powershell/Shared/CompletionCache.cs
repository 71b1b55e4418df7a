using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;

namespace VcsNative
{
    /// <summary>
    /// What the completers fetch (role names), per connection and kind, kept for a minute. A press
    /// of Tab never waits more than a second for all its connections together: a fetch still
    /// running then goes on in the background and fills the cache for the next press, and this
    /// press gets what the cache holds (possibly nothing).
    /// </summary>
    internal static class CompletionCache
    {
        internal static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);
        internal static readonly TimeSpan Bound = TimeSpan.FromSeconds(1);

        // Keyed by the connection object: a connection that is gone takes its entries with it.
        private static readonly ConditionalWeakTable<object, ConcurrentDictionary<string, Entry>> Table =
            new ConditionalWeakTable<object, ConcurrentDictionary<string, Entry>>();

        private sealed class Entry
        {
            internal List<string> Names;
            internal DateTime FetchedAt;
            internal Task Pending;
        }

        /// <summary>The names of every connection, fetched with <paramref name="fetch"/> (null on a failure, which is not kept).</summary>
        internal static IEnumerable<string> Names<TServer>(IEnumerable<TServer> servers, string kind, Func<TServer, List<string>> fetch) where TServer : class
        {
            var clock = Stopwatch.StartNew();
            var entries = new List<(Entry Entry, Task Pending)>();
            foreach (TServer server in servers)
            {
                Entry entry = Table.GetValue(server, _ => new ConcurrentDictionary<string, Entry>()).GetOrAdd(kind, _ => new Entry());
                lock (entry)
                {
                    if (entry.Names != null && DateTime.UtcNow - entry.FetchedAt < Lifetime)
                    {
                        entries.Add((entry, null));
                        continue;
                    }
                    entry.Pending ??= Task.Run(() => Fetch(entry, server, fetch));
                    entries.Add((entry, entry.Pending));
                }
            }
            var names = new List<string>();
            foreach ((Entry entry, Task pending) in entries)
            {
                if (pending != null)
                {
                    TimeSpan left = Bound - clock.Elapsed;
                    if (left > TimeSpan.Zero) pending.Wait(left);
                }
                lock (entry)
                {
                    if (entry.Names != null) names.AddRange(entry.Names);
                }
            }
            return names;
        }

        private static void Fetch<TServer>(Entry entry, TServer server, Func<TServer, List<string>> fetch)
        {
            List<string> names = null;
            try
            {
                names = fetch(server);
            }
            catch (Exception)
            {
                // Completion never fails; the next press tries again.
            }
            lock (entry)
            {
                if (names != null)
                {
                    entry.Names = names;
                    entry.FetchedAt = DateTime.UtcNow;
                }
                entry.Pending = null;
            }
        }
    }
}
