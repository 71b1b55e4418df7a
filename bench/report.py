"""Prints the benchmark table (medians and ratios) from the JSON lines bench/run.sh recorded."""
import json
import platform
import statistics
import subprocess
import sys
from collections import defaultdict

rows = [json.loads(line) for line in open(sys.argv[1])]
users, bulk = int(sys.argv[2]), int(sys.argv[3])


def cpu():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
print(f"\nMachine: {cpu()}, {cores} cores, {platform.system()} {platform.release()}")

listing = defaultdict(list)
rss = {}
for r in rows:
    if r["workload"] == "list":
        listing[r["contender"]].append(r["seconds"])
        if "peakRssKib" in r:
            rss[r["contender"]] = max(rss.get(r["contender"], 0), r["peakRssKib"])
med = {k: statistics.median(v) for k, v in listing.items()}
if listing:
    print(f"\n1. List all {users:,} users (median of {max(len(v) for v in listing.values())} runs)\n")
    print("| contender | median s | vs Rust API | vs curl floor |")
    print("|---|---:|---:|---:|")
    for k, v in med.items():
        print(f"| {k} | {v:.2f} | {v / med['Rust API']:.2f}x | {v / med['curl (floor)']:.2f}x |")
py, ours = med.get("Python requests"), med.get("C ABI + JSON parse")
if py and ours:
    print(f"\nC ABI is {py / ours:.1f}x faster than the Python client and {ours / med['curl (floor)']:.2f}x the curl floor.")

if rss:
    print(f"\n4. Peak memory while listing {users:,} users (whole process)\n")
for k, v in rss.items():
    print(f"- {k}: {v / 1024:.0f} MiB")

bulk_rows = defaultdict(lambda: defaultdict(list))
for r in rows:
    if r["workload"] == "bulk":
        for op in ("invite", "revoke", "remove"):
            bulk_rows[r["contender"]][op].append(r[op]["seconds"])
if bulk_rows:
    print(f"\n2. Bulk work: {bulk:,} of each (median)\n")
    print("| contender | invite s | revoke s | remove s |")
    print("|---|---:|---:|---:|")
for k, ops in bulk_rows.items():
    print(f"| {k} | " + " | ".join(f"{statistics.median(ops[o]):.2f}" for o in ("invite", "revoke", "remove")) + " |")
names = list(bulk_rows)
if len(names) == 2:
    fast, slow = bulk_rows[names[0]], bulk_rows[names[1]]
    print("\nspeed-up: " + ", ".join(f"{o} {statistics.median(slow[o]) / statistics.median(fast[o]):.1f}x" for o in ("invite", "revoke", "remove")))
for r in rows:
    if r["workload"] == "bulk-429":
        print(f"\nWith 5% of requests answered 429 (Retry-After 1): invite {r['invite']['seconds']:.2f} s "
              f"({r['invite']['succeeded']} ok, {r['invite']['failed']} failed), revoke {r['revoke']['seconds']:.2f} s "
              f"({r['revoke']['failed']} failed), remove {r['remove']['seconds']:.2f} s ({r['remove']['failed']} failed)")
    if r["workload"] == "bulk-429-stats":
        print(f"  the emulator saw {r['requests']} requests, {r['answered429']} answered 429")
for r in rows:
    if r["workload"] == "overhead":
        print(f"\n3. Call overhead ({r['calls']:,} calls each)\n")
        print("| call | C ABI µs | Rust API µs | ABI overhead µs |")
        print("|---|---:|---:|---:|")
        print(f"| vcs_connection_info | {r['abiInfoUs']:.1f} | {r['rustInfoUs']:.1f} | {r['abiInfoUs'] - r['rustInfoUs']:.1f} |")
        print(f"| vcs_get_users, one page | {r['abiUsersUs']:.1f} | {r['rustUsersUs']:.1f} | {r['abiUsersUs'] - r['rustUsersUs']:.1f} |")
for r in rows:
    if r["workload"] == "sync":
        print(f"\n4. Sync {r['members']:,} members from a file with {r['differences']} differences\n")
        print("| step | seconds |")
        print("|---|---:|")
        print(f"| listing (members and pending invitations) | {r['listingSeconds']:.2f} |")
        print(f"| planning beyond the listing (roles, file, comparison) | {r['planningSeconds']:.3f} |")
        print(f"| apply | {r['applySeconds']:.2f} |")
        print(f"\n{r['plannedChanges']} changes planned, {r['applied']} applied, {r['failed']} failed; the emulator counted "
              f"{r['changeRequests']} requests that change something; a second plan: {r['secondPlanChanges']} changes")

for r in rows:
    if r["workload"] == "throttle-invite":
        print(f"\n5. Throttling\n")
        goal = "met" if r["seconds"] < 5 and r["failed"] == 0 and r["unknown"] == 0 and r["invitedMoreThanOnce"] == 0 else "NOT met"
        print(f"- {r['addressesInvited']:,} invitations with 5% of requests answered 429 (Retry-After 1): {r['seconds']:.2f} s, "
              f"{r['succeeded']} done, {r['failed']} failed, {r['unknown']} unknown, {r['invitedMoreThanOnce']} invited twice; "
              f"{r['requests']} requests, {r['answered429']} answered 429. Goal under 5 s, each once: {goal}.")
    if r["workload"] == "throttle-limit":
        accepted = r["requests"] - r["answered429"]
        used = accepted / (r["limit"] * r["seconds"])
        refused = r["answered429"] / r["requests"]
        goal = "met" if used >= 0.85 and refused <= 0.10 and r["failed"] == 0 else "NOT met"
        print(f"- {r['succeeded'] + r['failed'] + r['unknown']:,} Cloud Director creates against --rate-limit {r['limit']}: {r['seconds']:.2f} s, "
              f"{accepted} requests accepted = {used:.0%} of the limit, {r['answered429']} of {r['requests']} refused ({refused:.1%}); "
              f"{r['failed']} failed; the limiter settled at {r['fillRate']:.0f}/s. Goal at least 85% used, at most 10% refused: {goal}.")
