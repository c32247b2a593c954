"""Many sessions against one server: light websocket clients that load pages as a browser does.

    python bench/load.py                                   # the demo (a fresh SQLite file), 8 sessions, 60 s
    python bench/load.py --sessions 1,8,16,32 --seconds 30 --db-url sqlite:////tmp/bench-175000.db
    python bench/load.py --url http://127.0.0.1:8501 --pid 12345 --db-url sqlite:///data/budgetcore.db

One server: started here (`streamlit run dashboard.py`, headless, on a free port, with
BUDGETCORE_DB_URL=--db-url and today fixed by --today) or one already running (--url; --pid
for its memory, --db-url for the contract numbers and filter values). The default database is
a fresh SQLite file, which the app fills with the demo on its first run.

Each action is a page load on the wire: the client opens ws://HOST/_stcore/stream with the
subprotocol "streamlit" (a new session, as a browser tab opening a URL gets), sends one
BackMsg rerun_script with the URL's query string and page name, and reads ForwardMsgs until a
script_finished that ends the run; where the page asks to be told once it is drawn (the
overview's charts, budgetcore/app/paint.py), the client tells it as a browser does and the visit
ends with that second run. The time is from sending the rerun to the last script_finished
(the connect is reported apart). The actions, in turn per client:

- overview: `/`
- filter: `/?<one of the overview's filters>` (status, contract type, account manager,
  customer, renewal window, all contracts), values from the database
- contract: `/contract?contract=NUMBER`, numbers from the database

An error is an exception element in the deltas, an error alert (the app's "something went
wrong" or "server fault"), a page-not-found, a script_finished other than a success (one that
ends early for a rerun the script asked for is followed by the rerun's own), a closed socket
or no script_finished within --timeout. Before the timed runs, one overview on the freshly
started server is timed alone: the first visit. The server's RSS (VmRSS in /proc) and CPU time
are sampled every second. Prints a table and writes bench/out/load-<label>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # budgetcore, for the database URL's driver
sys.path.insert(0, str(ROOT / "tests"))  # the page load on the wire, which a test also uses
from browser_support import free_port, wait_healthy  # noqa: E402
from wire import Visit, visit  # noqa: E402

OUT = ROOT / "bench" / "out"
ACTIONS = ("overview", "filter", "contract")
STATUSES = ("over budget", "at risk", "watch")  # figures/metrics.STATUSES, the pressing ones
TICKS = os.sysconf("SC_CLK_TCK")


# --- the server -----------------------------------------------------------------------------


def healthy(base: str, proc: subprocess.Popen | None, timeout: float = 120) -> None:
    if wait_healthy(base, proc, timeout):
        return
    if proc is not None and proc.poll() is not None:
        raise SystemExit(f"streamlit exited with {proc.returncode}: see the server log")
    raise SystemExit(f"{base} did not answer /_stcore/health within {timeout:.0f} s")


def start_server(db_url: str, today: str, log: Path) -> tuple[subprocess.Popen, str]:
    """`streamlit run dashboard.py` as the README runs it, on a free port, no secrets file (so
    no sign-in: light clients cannot sign in)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "BUDGETCORE_NO_DEMO"}
    env.update(BUDGETCORE_DB_URL=db_url, PYTHONPATH=str(ROOT))
    if today:
        env["BUDGETCORE_TODAY"] = today
    command = [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
               "--server.port", str(port), "--server.address", "127.0.0.1",
               "--browser.gatherUsageStats", "false",
               "--secrets.files", str(log.parent / "no-secrets.toml")]  # fmt: skip
    with log.open("w") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    return proc, f"http://127.0.0.1:{port}"


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def cpu_s(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime
    except (OSError, IndexError, ValueError):
        return None


# --- what the clients ask for ---------------------------------------------------------------


def targets(db_url: str, seed: int = 16) -> tuple[list[str], list[str]]:
    """(contract numbers, filter query strings) from the database: up to 500 numbers at
    random, and one query per overview filter (sidebar.FILTER_PARAMS, within, contracts)."""
    from sqlalchemy import create_engine, text

    from budgetcore.store.database import normalise_url

    engine = create_engine(normalise_url(db_url))
    try:
        with engine.connect() as conn:
            numbers = [r[0] for r in conn.execute(text("SELECT contract_number FROM contracts"))]
            types = [r[0] for r in conn.execute(text(
                "SELECT type FROM contracts WHERE type IS NOT NULL GROUP BY type ORDER BY count(*) DESC LIMIT 2"))]  # fmt: skip
            managers = [r[0] for r in conn.execute(text(
                "SELECT account_manager FROM contracts WHERE account_manager IS NOT NULL "
                "GROUP BY account_manager ORDER BY count(*) DESC LIMIT 2"))]  # fmt: skip
            customers = [r[0] for r in conn.execute(text(
                "SELECT cu.name FROM contracts c JOIN customers cu ON cu.id = c.customer_id "
                "GROUP BY cu.name ORDER BY count(*) DESC LIMIT 2"))]  # fmt: skip
    finally:
        engine.dispose()
    if not numbers:
        raise SystemExit(f"{db_url} holds no contracts")
    rng = random.Random(seed)
    numbers = rng.sample(numbers, min(500, len(numbers)))
    pairs = [("status", s) for s in STATUSES] + [("type", v) for v in types]
    pairs += [("manager", v) for v in managers] + [("customer", v) for v in customers]
    pairs += [("within", "60"), ("contracts", "all")]
    filters = [urllib.parse.urlencode({name: value}) for name, value in pairs]
    return numbers, filters


@dataclass
class Plan:
    ws_url: str
    origin: str
    numbers: list[str]
    filters: list[str]
    timeout: float

    def request(self, action: str, n: int) -> tuple[str, str]:
        """(page name, query string) of the n-th action of its kind."""
        if action == "overview":
            return "", ""
        if action == "filter":
            return "", self.filters[n % len(self.filters)]
        return "contract", urllib.parse.urlencode({"contract": self.numbers[n % len(self.numbers)]})


# --- a timed phase: N clients for S seconds ---------------------------------------------------


@dataclass
class Phase:
    sessions: int
    seconds: float
    visits: list[Visit] = field(default_factory=list)
    rss: list[tuple[float, float]] = field(default_factory=list)  # (seconds from start, MB)
    cpu: list[tuple[float, float]] = field(default_factory=list)  # (seconds from start, CPU s)
    wall_s: float = 0.0


async def client(plan: Plan, number: int, stop_at: float, phase: Phase, counter: list[int]) -> None:
    step = number  # clients start at different actions
    while time.perf_counter() < stop_at:
        action = ACTIONS[step % len(ACTIONS)]
        counter[0] += 1
        page, query = plan.request(action, counter[0])
        phase.visits.append(await visit(plan.ws_url, plan.origin, action, page, query, plan.timeout))
        step += 1


async def sample(pid: int | None, began: float, phase: Phase, stop: asyncio.Event) -> None:
    while True:
        now = time.perf_counter() - began
        if pid is not None:
            mb, used = rss_mb(pid), cpu_s(pid)
            if mb is not None:
                phase.rss.append((round(now, 1), round(mb, 1)))
            if used is not None:
                phase.cpu.append((round(now, 1), used))
        try:
            await asyncio.wait_for(stop.wait(), 1.0)
            return
        except TimeoutError:
            pass


async def run_phase(plan: Plan, sessions: int, seconds: float, pid: int | None) -> Phase:
    phase = Phase(sessions, seconds)
    began = time.perf_counter()
    stop = asyncio.Event()
    sampler = asyncio.create_task(sample(pid, began, phase, stop))
    counter = [0]
    await asyncio.gather(*(client(plan, i, began + seconds, phase, counter) for i in range(sessions)))
    phase.wall_s = time.perf_counter() - began
    stop.set()
    await sampler
    return phase


# --- figures ------------------------------------------------------------------------------------


def quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]  # nearest rank


def summarise(phase: Phase) -> dict:
    per_action = {}
    for action in ("all", *ACTIONS):
        visits = [v for v in phase.visits if action in ("all", v.action)]
        good = [v.run_s for v in visits if v.error is None]
        per_action[action] = {
            "visits": len(visits),
            "errors": sum(v.error is not None for v in visits),
            "median_s": statistics.median(good) if good else None,
            "p90_s": quantile(good, 0.9),
            "max_s": max(good) if good else None,
            "connect_median_s": statistics.median([v.connect_s for v in visits]) if visits else None,
            "mb_received_median": statistics.median([v.bytes / 2**20 for v in visits]) if visits else None,
        }
    errors: dict[str, int] = {}
    for v in phase.visits:
        if v.error:
            errors[v.error] = errors.get(v.error, 0) + 1
    rss = [mb for _, mb in phase.rss]
    points = phase.rss[:: max(1, len(phase.rss) // 6)] + phase.rss[-1:] if phase.rss else []
    cpu = phase.cpu[-1][1] - phase.cpu[0][1] if len(phase.cpu) > 1 else None
    return {
        "sessions": phase.sessions,
        "seconds": phase.seconds,
        "wall_s": round(phase.wall_s, 2),
        "visits_per_s": round(len(phase.visits) / phase.wall_s, 2) if phase.wall_s else None,
        "server_cpu_s": round(cpu, 1) if cpu is not None else None,
        "server_cpu_share": round(cpu / (phase.rss[-1][0] - phase.rss[0][0]), 2)
        if cpu is not None and len(phase.rss) > 1 and phase.rss[-1][0] > phase.rss[0][0]
        else None,
        "actions": per_action,
        "errors": errors,
        "rss_mb": {
            "start": rss[0] if rss else None,
            "max": max(rss) if rss else None,
            "end": rss[-1] if rss else None,
            "points": points,
        },
    }


def table(results: list[dict]) -> str:
    def s(x: float | None) -> str:
        return "" if x is None else f"{x:.2f}"

    lines = [
        f"{'sessions':>8} {'action':<9} {'visits':>6} {'errors':>6} {'median s':>9} {'p90 s':>7} "
        f"{'max s':>7} {'MB recv':>7}   RSS MB start/max/end"
    ]
    for r in results:
        rss = r["rss_mb"]
        memory = f"{rss['start']:.0f}/{rss['max']:.0f}/{rss['end']:.0f}" if rss["start"] else ""
        for action, a in r["actions"].items():
            lines.append(
                f"{r['sessions']:>8} {action:<9} {a['visits']:>6} {a['errors']:>6} {s(a['median_s']):>9} "
                f"{s(a['p90_s']):>7} {s(a['max_s']):>7} {s(a['mb_received_median']):>7}   "
                + (memory if action == "all" else "")
            )
    return "\n".join(lines)


# --- main -------------------------------------------------------------------------------------


async def measure(args: argparse.Namespace, base: str, pid: int | None, started: float | None) -> dict:
    parsed = urllib.parse.urlsplit(base)
    origin = f"{parsed.scheme}://{parsed.netloc}"
    ws_url = f"{'wss' if parsed.scheme == 'https' else 'ws'}://{parsed.netloc}{parsed.path.rstrip('/')}/_stcore/stream"
    plan = Plan(ws_url, origin, [], [], args.timeout)
    report: dict = {
        "server": base,
        "db_url": args.db_url,
        "today": args.today,
        "when": dt.datetime.now().isoformat(timespec="seconds"),
        "load_before": os.getloadavg(),
        "cpus": os.cpu_count(),
    }
    if started is not None:  # the first visit to a freshly started server, alone
        report["healthy_after_s"] = round(time.perf_counter() - started, 2)
        if args.first_visit_delay:
            await asyncio.sleep(args.first_visit_delay)
        first = await visit(ws_url, origin, "overview", "", "", args.timeout)
        report["first_visit"] = {**asdict(first), "delay_s": args.first_visit_delay}
        report["first_visit"].pop("ended")
        print(f"first visit: {first.run_s:.2f} s (connect {first.connect_s:.3f} s, "
              f"{first.bytes / 2**20:.2f} MB) {first.error or ''}", flush=True)  # fmt: skip
        second = await visit(ws_url, origin, "overview", "", "", args.timeout)
        report["second_visit_s"] = round(second.run_s, 3)
        print(f"second visit: {second.run_s:.2f} s {second.error or ''}", flush=True)
    plan.numbers, plan.filters = targets(args.db_url)
    results = []
    for sessions in args.sessions:
        print(f"{sessions} sessions for {args.seconds:.0f} s ...", flush=True)
        phase = await run_phase(plan, sessions, args.seconds, pid)
        summary = summarise(phase)
        summary["load_after"] = os.getloadavg()
        results.append(summary)
        print(table([summary]), flush=True)
    report["phases"] = results
    report["load_after"] = os.getloadavg()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db-url", help="database (default: a fresh SQLite file, filled with the demo)")
    parser.add_argument("--url", help="a running server to use instead of starting one")
    parser.add_argument("--pid", type=int, help="with --url: the server's process, for its RSS")
    parser.add_argument(
        "--sessions", default="8", help="clients at once; a list runs each in turn: 1,8,16,32"
    )
    parser.add_argument("--seconds", type=float, default=60, help="how long each count runs")
    parser.add_argument("--timeout", type=float, default=120, help="seconds an action may take")
    parser.add_argument(
        "--today", default="2026-11-27", help="BUDGETCORE_TODAY of a started server ('' for none)"
    )
    parser.add_argument("--first-visit-delay", type=float, default=0.0,
                        help="seconds between the started server's health and its first visit")  # fmt: skip
    parser.add_argument("--label", help="names the JSON: bench/out/load-<label>.json")
    args = parser.parse_args()
    args.sessions = [int(n) for n in args.sessions.split(",")]
    OUT.mkdir(parents=True, exist_ok=True)
    scratch = tempfile.TemporaryDirectory(prefix="budget-load-")
    if args.url and not args.db_url:
        parser.error("--url needs --db-url (the contract numbers and filter values come from it)")
    if not args.db_url:
        args.db_url = f"sqlite:///{Path(scratch.name) / 'demo.db'}"
    label = args.label or ("demo" if "budget-load-" in args.db_url else Path(args.db_url).stem)
    proc = None
    started = None
    try:
        if args.url:
            base, pid = args.url.rstrip("/"), args.pid
            healthy(base, None)
        else:
            started = time.perf_counter()
            proc, base = start_server(args.db_url, args.today, OUT / f"load-{label}-server.log")
            pid = proc.pid
            healthy(base, proc)
        report = asyncio.run(measure(args, base, pid, started))
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        scratch.cleanup()
    report["label"] = label
    path = OUT / f"load-{label}.json"
    path.write_text(json.dumps(report, indent=2))
    print(table(report["phases"]))
    print(f"load average {os.getloadavg()}; written {path}")


if __name__ == "__main__":
    main()
