"""The org nightly: people per minute per worker against the fakes, and scaling from 1 to 4 workers.

Each run starts Temporal's dev server and PostgreSQL (as the tests do), an
org of `--people` people (half on the Google Workspace fake, half on the
Graph fake, the week of tests/org_sim.py: one RSVP and a week of blocks
each), N `guardian org worker` processes, and one night; it times the night
from its start to the last person's outcome. Provider queue rates are set
high here so the machine, not a quota, is what is measured. The figures are
ratios against the one-worker run of the same invocation, so they mean the
same on a slow or busy machine; on a 2-core machine more than 2 workers
can only share the same cores. Prints the figures; never fails.

    python benchmarks/bench_org.py [--people 60] [--workers 1,2,4] [--concurrency 4]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from guardian.adapters.state_pg import PgOutcomes  # noqa: E402
from tests.org_sim import NIGHT, build_org, wait_until  # noqa: E402
from tests.servers import postgres_server, temporal_server  # noqa: E402


def one_night(
    root: Path, temporal: str, dsn: str, people: int, workers: int, concurrency: int, tag: str
) -> float:
    org = build_org(
        root,
        temporal,
        dsn,
        google=people // 2,
        graph=people - people // 2,
        tag=tag,
        google_per_minute=1e7,  # no quota in the way: the machine is measured
        requests_per_activity=10,
    )
    try:
        for _ in range(workers):
            org.start_worker(concurrency)
        outcomes = PgOutcomes(dsn)
        began = time.monotonic()
        org.start_night(f"bench-{tag}")

        def mine() -> int:
            return sum(1 for o in outcomes.night_of(NIGHT) if f".{tag}@" in o.person)

        finished = wait_until(lambda: mine() >= people, 900, every=0.25)
        elapsed = time.monotonic() - began
        done = outcomes.night_of(NIGHT)
        ok = sum(1 for o in done if o.status == "ok" and f".{tag}@" in o.person)
        if not finished or ok < people:
            print(f"  warning: {ok} of {people} people ok", file=sys.stderr)
        return elapsed
    finally:
        org.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=60)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--concurrency", type=int, default=4, help="steps one worker runs at once")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    with temporal_server() as temporal, postgres_server() as pg, tempfile.TemporaryDirectory() as tmp:
        results = {}
        for n in counts:
            # each run has its own people (workflow ids are per person and night on the shared server)
            elapsed = one_night(
                Path(tmp) / f"w{n}", temporal.address, pg.dsn, args.people, n, args.concurrency, f"w{n}"
            )
            results[n] = elapsed
            per_minute = args.people / elapsed * 60
            print(
                f"{n} worker(s): {args.people} people in {elapsed:.1f} s = {per_minute:.0f} people/min, "
                f"{per_minute / n:.0f} people/min per worker"
            )
        base = results[counts[0]]
        print(f"scaling vs {counts[0]} worker(s) (throughput ratio; ideal = workers):")
        for n in counts:
            print(f"  {n}: {base / results[n]:.2f}x")


if __name__ == "__main__":
    main()
