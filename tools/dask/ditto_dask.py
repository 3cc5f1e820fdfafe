#!/usr/bin/env python3
"""Runs a `ditto dedup` split into parts on a Dask cluster: the tasks of `ditto plan`, a stage at
a time (every task of a stage done before the next starts), each task a `ditto` process on a
worker. Failed tasks are retried, and tasks whose worker died are run again; every task writes its file
under a temporary name and renames it when complete, so a retried or repeated task leaves the
same files, and the temporaries of killed attempts are removed once their stage is done. Prints
each stage's wall time and its tasks' times on standard error.

    ditto_dask.py [--scheduler-file F | --workers N] [--ditto PATH] [--retries R] \\
        --parts N --sketches FOLDER [DEDUP OPTIONS] FILE

The driver's own options come first; everything from the first other argument on goes to
`ditto plan` (see `ditto plan --help`). FILE,
FOLDER and -o must be on storage every worker sees at the same path. Without --scheduler-file, a
local cluster of --workers processes (default 2) is started. Exit status: 0 when every task
succeeded; 1 when a task failed after its retries (its message is printed); 2 for usage errors.
Needs Dask's distributed package (Debian: python3-distributed)."""

import fcntl
import glob
import json
import os
import stat
import subprocess
import sys
import time


def usage(message):
    sys.stderr.write(f"ditto_dask: {message}\nTry 'ditto_dask.py --help'.\n")
    sys.exit(2)


def parse(argv):
    options = {"scheduler_file": None, "workers": 2, "ditto": "ditto", "retries": 2}
    i = 0
    names = {"--scheduler-file": "scheduler_file", "--workers": "workers", "--ditto": "ditto", "--retries": "retries"}
    # The driver's options come first: from the first other argument on, everything is the
    # plan's, so an option's value (a field named "--workers") is never taken for the driver's.
    while i < len(argv):
        arg = argv[i]
        if arg in ("-h", "--help"):
            print(__doc__)
            sys.exit(0)
        name, eq, value = arg.partition("=")
        if name not in names:
            break
        if not eq:
            if i + 1 == len(argv):
                usage(f"{name} needs a value")
            i += 1
            value = argv[i]
        options[names[name]] = value
        i += 1
    rest = argv[i:]
    for key in ("workers", "retries"):
        try:
            options[key] = int(options[key])
        except ValueError:
            usage(f"--{key} must be a whole number, got {options[key]!r}")
    if options["workers"] < 1 or options["retries"] < 0:
        usage("--workers must be at least 1 and --retries at least 0")
    return options, rest


def run_task(ditto, argv):
    """One task on a worker: the ditto process, its exit status, error text and times."""
    started = time.time()
    p = subprocess.run([ditto] + argv, capture_output=True)
    finished = time.time()
    if p.returncode != 0:
        raise RuntimeError(f"ditto {' '.join(argv)}: exit {p.returncode}: {p.stderr.decode(errors='replace').strip()}")
    return {"started": started, "finished": finished, "stdout": p.stdout, "stderr": p.stderr.decode(errors="replace")}


def remove_leftovers(outputs):
    """Removes the temporaries (OUTPUT.tmp-XXXXXX) that killed attempts of a finished stage's
    tasks left, but those a running attempt holds locked (ditto locks its temporary while it
    writes it; a killed writer's lock goes with it). Returns how many were removed."""
    removed = 0
    for output in outputs:
        for path in glob.glob(glob.escape(output) + ".tmp-" + "[0-9A-Za-z]" * 6):
            try:
                fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            except OSError:  # removed already, or not a plain file
                continue
            try:
                if not stat.S_ISREG(os.fstat(fd).st_mode):
                    continue
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                os.remove(path)
                removed += 1
            except BlockingIOError:  # still being written
                pass
            except FileNotFoundError:  # removed already, by another run
                pass
            except OSError as e:  # not worth failing a run that succeeded
                sys.stderr.write(f"ditto_dask: warning: cannot remove {path}, left by an interrupted task: {e}\n")
            finally:
                os.close(fd)
    return removed


def main(argv):
    options, plan_args = parse(argv)
    ditto = options["ditto"]
    if os.sep in ditto:
        ditto = os.path.abspath(ditto)
    plan = subprocess.run([ditto, "plan"] + plan_args, capture_output=True)
    if plan.returncode != 0:
        sys.stderr.write(plan.stderr.decode(errors="replace"))
        return plan.returncode
    if plan.stdout.startswith(b"Usage:"):  # the plan's help, asked for among its options
        sys.stdout.buffer.write(plan.stdout)
        return 0
    # Paths that are not UTF-8 come back as the bytes they were (surrogateescape both ways).
    tasks = [json.loads(line) for line in plan.stdout.decode("utf-8", "surrogateescape").splitlines() if line.strip()]
    if "-o" not in plan_args and not any(a == "--output" or a.startswith("--output=") for a in plan_args):
        sys.stderr.write("ditto_dask: warning: without -o the output comes back through the scheduler to standard "
                         "output, held in memory on the way; give -o FILE on shared storage for anything large\n")
    stages = []
    for t in tasks:
        if not stages or stages[-1][0] != t["stage"]:
            stages.append((t["stage"], []))
        stages[-1][1].append(t)

    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        sys.stderr.write("ditto_dask: Dask's distributed package is not installed (Debian: python3-distributed)\n")
        return 1

    cluster = None
    if options["scheduler_file"]:
        client = Client(scheduler_file=options["scheduler_file"])
    else:
        cluster = LocalCluster(n_workers=options["workers"], threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        workers = len(client.scheduler_info()["workers"]) or 1
        for name, stage in stages:
            started = time.time()
            futures = [client.submit(run_task, ditto, t["argv"], key=f"ditto-{name}-{t['task']}-{started}",
                                     retries=options["retries"], pure=False) for t in stage]
            results = []
            for t, f in zip(stage, futures):
                try:
                    results.append(f.result())
                except Exception as e:  # a task failed after its retries: the others are stopped
                    sys.stderr.write(f"ditto_dask: stage {name}, task {t['task']}: {e}\n")
                    client.cancel(futures)
                    return 1
            for r in results:  # the tasks' summaries and warnings
                sys.stderr.write(r["stderr"])
            removed = remove_leftovers([o for t in stage for o in t.get("outputs", [])])
            if removed:
                sys.stderr.write(f"ditto_dask: {name}: removed {removed} temporary file{'s' if removed != 1 else ''} "
                                 "left by interrupted tasks\n")
            wall = time.time() - started
            busy = sum(r["finished"] - r["started"] for r in results)
            # The share of the workers' time in the stage spent waiting (on the barrier, or with
            # nothing to run: a stage of one task leaves the other workers idle).
            idle = max(0.0, 1 - busy / (wall * workers)) if wall > 0 else 0.0
            longest = max(r["finished"] - r["started"] for r in results)
            sys.stderr.write(f"ditto_dask: {name}: {len(stage)} tasks, {wall:.2f} s wall, {busy:.2f} s of tasks "
                             f"(longest {longest:.2f} s), workers idle {100 * idle:.0f}%\n")
            for r in results:
                if r["stdout"]:
                    sys.stdout.buffer.write(r["stdout"])
            sys.stdout.buffer.flush()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
