"""`--all-portals`: every configured portal, each in its own `salesmetrics ... --portal NAME` process.

A process per portal is the isolation: its own warehouse hold (lock), its own rate limiters, its own
dbt (dbt runs in-process and keeps global state, so two builds never share a process), and a
failure (a rejected token, an API that is down, a dbt error) ends that process alone. At most
`parallelism` run at once. The children speak JSON lines on stdout (`--json`, plus `progress`
documents while they sync); their one-line error, if any, is read from stderr. The parent shows one
progress line per portal, then a summary table (portal, result, records, requests, seconds), and
names the failed portals.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from pipelines import interrupts
from pipelines.errors import EXIT_CODES, SalesmetricsError, exit_code
from pipelines.portals import PortalConfig
from pipelines.tables import print_table

PROGRESS_ENV = "SALESMETRICS_PROGRESS_JSON"  # set for the children: emit `progress` documents
_NAMES = {e.code: e.name for e in EXIT_CODES}


class PortalsFailedError(SalesmetricsError):
    exit_code = exit_code("portals_failed")


@dataclass
class PortalRun:
    portal: str
    token_env: str
    phase: str = "queued"
    records: int = 0
    requests: int = 0
    seconds: float = 0.0
    code: int | None = None
    error: str = ""
    started: float = 0.0
    sync_docs: list[dict] = field(default_factory=list)

    @property
    def result(self) -> str:
        if self.code is None:
            return self.phase
        return "ok" if self.code == 0 else f"failed ({_NAMES.get(self.code, self.code)})"


def child_command(command: str, portal: str, args: list[str]) -> list[str]:
    return [sys.executable, "-m", "pipelines.cli", "-q", command, "--portal", portal, "--json", *args]


def _die_with_parent() -> None:
    """The child gets SIGTERM when this process dies, even by SIGKILL (Linux); and its own session
    stays ours for Ctrl-C (the terminal's SIGINT reaches every child of the group)."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class FleetRunner:
    def __init__(
        self,
        command: str,
        portals: list[PortalConfig],
        args: list[str],
        parallelism: int,
        console: Console,
        err: Console,
    ):
        self.command, self.args, self.parallelism = command, args, parallelism
        self.console, self.err = console, err
        self.runs = {p.name: PortalRun(p.name, p.token_env) for p in portals}
        self.procs: dict[str, subprocess.Popen] = {}
        self.lock = threading.Lock()
        self.live = err.is_terminal and not console.quiet
        self.bar = Progress(
            SpinnerColumn(),
            TextColumn("{task.description:<16}"),
            TextColumn("{task.fields[phase]:<24}"),
            TextColumn("{task.fields[records]:>10,} records"),
            TextColumn("{task.fields[requests]:>7,} requests"),
            TimeElapsedColumn(),
            console=err,
            transient=False,
            disable=not self.live,
        )
        self.tasks: dict[str, int] = {}

    # -- one portal ---------------------------------------------------------------------------

    def _update(self, run: PortalRun, phase: str | None = None) -> None:
        if phase == run.phase:
            phase = None
        if phase:
            run.phase = phase
        if self.live:
            self.bar.update(self.tasks[run.portal], phase=run.phase, records=run.records, requests=run.requests)
        elif phase and not self.console.quiet:  # piped: one plain line per change of phase
            extra = (
                f", {run.records:,} records, {run.requests:,} requests, {run.seconds:.1f} s"
                if run.code is not None
                else ""
            )
            self.err.print(f"portal {run.portal}: {phase}{extra}", highlight=False, soft_wrap=True)

    def _run_one(self, name: str) -> PortalRun:
        run = self.runs[name]
        if interrupts.STOP.is_set():
            run.phase, run.code, run.error = "not started", exit_code("interrupted"), "interrupted before it started"
            return run
        run.started = time.perf_counter()
        if self.live:
            self.bar.start_task(self.tasks[name])
        self._update(run, "syncing" if self.command != "build" else "building")
        env = {**os.environ, PROGRESS_ENV: "1", "PYTHONUNBUFFERED": "1"}
        proc = subprocess.Popen(
            child_command(self.command, name, self.args),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            preexec_fn=_die_with_parent,
        )
        with self.lock:
            self.procs[name] = proc
        stderr: list[str] = []
        reader = threading.Thread(target=lambda: stderr.extend(proc.stderr), daemon=True)
        reader.start()
        for line in proc.stdout:
            self._document(run, line)
        proc.wait()
        reader.join(timeout=5)
        run.seconds = time.perf_counter() - run.started
        run.code = proc.returncode
        if run.code != 0:
            errors = [line.strip() for line in stderr if line.startswith(("error:", "interrupted:"))]
            run.error = (
                errors[-1].removeprefix("error:").strip()
                if errors
                else (stderr[-1].strip() if stderr else f"exit {run.code}")
            )
            if run.code < 0:  # killed by a signal
                run.error = f"killed by signal {-run.code}"
            # the child speaks of the single-portal variable; this portal's token is in its token_env
            run.error = run.error.replace("HUBSPOT_ACCESS_TOKEN", run.token_env)
        self._update(run, run.result)
        return run

    def _document(self, run: PortalRun, line: str) -> None:
        try:
            doc = json.loads(line)
        except ValueError:
            return
        kind = doc.get("kind")
        if kind == "progress":
            run.records, run.requests = int(doc.get("records", 0)), int(doc.get("requests", 0))
            self._update(run)
        elif kind == "sync":
            run.sync_docs.append(doc)
            run.records = sum(int(d.get("records_read", 0)) for d in run.sync_docs)
            run.requests = sum(int(d.get("requests", 0)) for d in run.sync_docs)
            self._update(run, "building" if self.command == "run" else None)
        elif kind == "build":
            self._update(run, "published")

    # -- all of them ------------------------------------------------------------------------------

    def run(self) -> list[PortalRun]:
        with self.bar:
            for name in self.runs:
                self.tasks[name] = self.bar.add_task(name, start=False, phase="queued", records=0, requests=0)
            pool = ThreadPoolExecutor(max_workers=self.parallelism, thread_name_prefix="portal")
            futures = [pool.submit(self._run_one, name) for name in self.runs]
            try:
                while not all(f.done() for f in futures):
                    time.sleep(0.2)
            except KeyboardInterrupt:
                interrupts.STOP.set()
                self._stop_children()
                pool.shutdown(wait=True, cancel_futures=False)
                raise
            pool.shutdown(wait=True)
        return [f.result() for f in futures]

    def _stop_children(self) -> None:
        with self.lock:
            procs = list(self.procs.values())
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                proc.kill()


def run_all_portals(
    command: str, portals: list[PortalConfig], args: list[str], parallelism: int, console: Console, err: Console
) -> list[PortalRun]:
    """Run `command` for every portal; print the summary; raise PortalsFailedError naming the failed ones."""
    interrupts.left_behind(
        "each portal's run that was stopped committed what it had (see its own line); the others are untouched"
    )
    runs = FleetRunner(command, portals, args, max(1, parallelism), console, err).run()
    rows = [(r.portal, r.result, f"{r.records:,}", f"{r.requests:,}", f"{r.seconds:.1f}") for r in runs]
    print_table(
        console, f"Portals ({command})", ("portal", "result", "records", "requests", "seconds"), rows, text_columns=2
    )
    failed = [r for r in runs if r.code != 0]
    for r in failed:
        where = f" (token from {r.token_env})" if r.code == exit_code("token_rejected") else ""
        err.print(f"portal {r.portal}{where}: {r.error}", highlight=False, soft_wrap=True)
    if any(r.code == exit_code("interrupted") for r in runs) and interrupts.STOP.is_set():
        raise KeyboardInterrupt
    if failed:
        raise PortalsFailedError(
            f"{len(failed)} of {len(runs)} portals failed: {', '.join(r.portal for r in failed)} "
            "(the others finished; each failure is on its own line above)."
        )
    return runs
