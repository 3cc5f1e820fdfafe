#!/usr/bin/env python3
"""The README's Slurm recipe, run on Slurm: an array job per stage (sketch, group, task, then the
merge and the filter), each started once the one before succeeded (--dependency=afterok). The
merge's output and the filter parts', in order, equal `ditto dedup` alone, byte for byte, for one
input file and for a manifest of shards.

Uses the cluster `sinfo` answers for; else, run as root where Debian's slurmctld, slurmd and
munge are installed, starts a private single-node cluster (its own configuration, ports, spool
and state under WORK_DIR; munged, when it has to start it, stays) and stops it at the end, however
the test ends. Skips (exit 77, which ctest shows as skipped), saying why, where neither can run a
job.

Usage: test_slurm.py DITTO SOURCE_DIR WORK_DIR"""

import atexit
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

DITTO, SOURCE, WORK = (os.path.abspath(a) for a in sys.argv[1:4])
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import case, expect, finish, generated_corpus, manifest_sequence, run, setup, write  # noqa: E402

SKIPPED = 77
DEADLINE = time.time() + 420  # every wait of the test, under ctest's TIMEOUT

# Daemons an earlier run left (killed by a timeout, say): stopped before their folder goes.
for pid_file in glob.glob(os.path.join(WORK, "slurm", "*.pid")):
    try:
        os.kill(int(open(pid_file).read().split()[0]), signal.SIGKILL)
    except (OSError, ValueError):
        pass
setup(DITTO, WORK)
ENV = dict(os.environ, PATH=os.path.dirname(DITTO) + os.pathsep + os.environ.get("PATH", ""))
started = []  # the daemons this test started: (name, pid file)


def slurm(args, timeout=60):
    return subprocess.run(args, capture_output=True, env=ENV, cwd=WORK, timeout=max(1, min(timeout, DEADLINE - time.time())))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def a_job_runs():
    try:
        p = slurm(["sbatch", "--wait", "--quiet", "--time=1", "--output=/dev/null", "--wrap", "true"], timeout=60)
        return p.returncode == 0
    except subprocess.TimeoutExpired:
        return False


def private_cluster():
    """Starts a single-node cluster of this machine; returns why not, or None."""
    if os.geteuid() != 0:
        return "not root: cannot start a private cluster"
    for program in ["slurmctld", "slurmd", "munged"]:
        if shutil.which(program) is None and not os.path.exists("/usr/sbin/" + program):
            return program + " is not installed"
    # munge: the key Debian's package made, the daemon as its user.
    if subprocess.run("munge -n | unmunge", shell=True, capture_output=True).returncode != 0:
        os.makedirs("/run/munge", exist_ok=True)
        subprocess.run(["chown", "munge:munge", "/run/munge"], capture_output=True)
        if not os.path.exists("/etc/munge/munge.key"):
            subprocess.run(["mungekey", "--create"], capture_output=True)
            subprocess.run(["chown", "munge:munge", "/etc/munge/munge.key"], capture_output=True)
        subprocess.run(["su", "-s", "/bin/sh", "munge", "-c", "/usr/sbin/munged"], capture_output=True)
        time.sleep(1)
        if subprocess.run("munge -n | unmunge", shell=True, capture_output=True).returncode != 0:
            return "munged does not answer"
    state = os.path.join(WORK, "slurm")
    for sub in ["spool", "state", "log"]:
        os.makedirs(os.path.join(state, sub), exist_ok=True)
    host = socket.gethostname().split(".")[0]
    conf = os.path.join(state, "slurm.conf")
    with open(conf, "w") as f:
        f.write(f"""ClusterName=dittotest
SlurmctldHost={host}(127.0.0.1)
SlurmUser=root
SlurmctldPort={free_port()}
SlurmdPort={free_port()}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
SlurmctldPidFile={state}/slurmctld.pid
SlurmdPidFile={state}/slurmd.pid
SlurmdSpoolDir={state}/spool
StateSaveLocation={state}/state
SlurmctldLogFile={state}/log/slurmctld.log
SlurmdLogFile={state}/log/slurmd.log
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1,batch_sched_delay=0,sched_min_interval=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
NodeName={host} NodeAddr=127.0.0.1 CPUs={os.cpu_count()} RealMemory=500 State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
""")
    ENV["SLURM_CONF"] = conf
    for daemon in ["slurmctld", "slurmd"]:
        started.append((daemon, os.path.join(state, daemon + ".pid")))
        p = subprocess.run([daemon, "-f", conf], capture_output=True, env=ENV, timeout=30)
        if p.returncode != 0:
            return f"{daemon} did not start: {p.stderr.decode()[-300:]}"
    for _ in range(30):
        if b"idle" in slurm(["sinfo", "-h", "-o", "%t"]).stdout:
            return None
        time.sleep(1)
    return "the node did not come up: " + open(os.path.join(state, "log", "slurmctld.log")).read()[-500:]


def stop_private_cluster():
    """Stops the daemons this test started (munged stays: it may serve others)."""
    if not started:
        return
    pids = []
    for name, pid_file in started:
        try:
            pids.append(int(open(pid_file).read().split()[0]))
        except (OSError, ValueError, TypeError):
            pass
    try:
        subprocess.run(["scontrol", "shutdown"], capture_output=True, env=ENV, timeout=20)
    except subprocess.TimeoutExpired:
        pass
    for pid in pids:
        for _ in range(40):
            try:
                os.kill(pid, 0)
            except OSError:
                break
            time.sleep(0.25)
        else:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    started.clear()


def submit(args, after=None):
    """sbatch, returning the job id; jobs whose dependency failed are cancelled, not left pending."""
    dependency = ["--dependency=afterok:" + after, "--kill-on-invalid-dep=yes"] if after else []
    p = slurm(["sbatch", "--parsable", "--output=" + os.path.join(WORK, "logs", "%x-%A_%a.out")] + dependency + args)
    if p.returncode != 0:
        raise AssertionError(f"sbatch {args}: {p.stderr.decode()}")
    return p.stdout.decode().strip().split(";")[0]


def wait_for(job):
    """Waits until job (and so every job it depends on) has ended, or the test's deadline; true
    when it succeeded. A query that fails (the controller busy) is asked again."""
    while time.time() < DEADLINE:
        try:
            p = slurm(["squeue", "-h", "-j", job], timeout=20)
        except subprocess.TimeoutExpired:
            continue
        if p.returncode == 0 and not p.stdout.strip():
            break
        time.sleep(0.5)
    done = os.path.join(WORK, "done-" + job)
    return os.path.exists(done)


def recipe(input_args, parts, tasks, mode, name):
    """The README's recipe: the stages as array jobs chained by afterok. Returns the merge's output
    and the filter parts' concatenated."""
    folder = os.path.join(WORK, name)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    given = " ".join(input_args)
    m = " ".join(mode)
    s = submit(["--job-name=sketch", "--array=0-%d" % (parts - 1), "--wrap",
                f"ditto sketch -q --part $SLURM_ARRAY_TASK_ID/{parts} -o {folder}/part-$SLURM_ARRAY_TASK_ID.sketch {given}"])
    g = submit(["--job-name=group", "--wrap", f"ditto group -q --sketches {folder} --tasks {tasks} {given}"], after=s)
    t = submit(["--job-name=task", "--array=0-%d" % (tasks - 1), "--wrap",
                f"ditto dedup -q --sketches {folder} --task $SLURM_ARRAY_TASK_ID/{tasks} {m} {given}"], after=g)
    merged = os.path.join(WORK, name + ".out")
    merge = submit(["--job-name=merge", "--wrap",
                    f"ditto dedup -q --sketches {folder} --merge {m} -o {merged} {given} && touch {WORK}/done-$SLURM_JOB_ID"],
                   after=t)
    pieces = []
    if not mode:
        f = submit(["--job-name=filter", "--array=0-%d" % (parts - 1), "--wrap",
                    f"ditto filter -q --sketches {folder} --part $SLURM_ARRAY_TASK_ID/{parts} "
                    f"-o {WORK}/{name}-$SLURM_ARRAY_TASK_ID.out {given}"], after=t)
        last = submit(["--job-name=filtered", "--wrap", f"touch {WORK}/done-$SLURM_JOB_ID"], after=f)
        expect(wait_for(last), f"{name}: a filter task failed: {logs()}")
        pieces = [os.path.join(WORK, "%s-%d.out" % (name, p)) for p in range(parts)]
    expect(wait_for(merge), f"{name}: a stage failed: {logs()}")
    return open(merged, "rb").read(), b"".join(open(p, "rb").read() for p in pieces)


def logs():
    folder = os.path.join(WORK, "logs")
    text = ""
    for n in sorted(os.listdir(folder)):
        content = open(os.path.join(folder, n), errors="replace").read()
        if content.strip():
            text += f"\n{n}: {content[-400:]}"
    return text[-3000:]


CORPUS = write("corpus.jsonl", generated_corpus(seed=3, originals=450))
os.makedirs(os.path.join(WORK, "logs"))


def shards():
    """The corpus in 9 shards (one empty, one without its final newline) and their manifest."""
    lines = open(CORPUS, "rb").read().splitlines(True)
    folder = os.path.join(WORK, "shards")
    os.makedirs(folder)
    names, at = [], 0
    for i, count in enumerate([700, 0, 1500, 40, 3000, 5, 900, 2200, len(lines)]):
        with open(os.path.join(folder, "s%d.jsonl" % i), "wb") as f:
            body = b"".join(lines[at:at + count])
            f.write(body[:-1] if i == 3 and body.endswith(b"\n") else body)
        names.append("s%d.jsonl" % i)
        at += count
    manifest = os.path.join(folder, "list.txt")
    with open(manifest, "w") as f:
        f.write("\n".join(names) + "\n")
    return manifest, write("sequence.jsonl", manifest_sequence([os.path.join(folder, n) for n in names]))


@case
def the_readme_recipe_on_slurm():
    if shutil.which("sbatch") is None:
        print("skip  the_readme_recipe_on_slurm: Slurm is not installed (slurm-client, slurmctld, slurmd)")
        sys.exit(SKIPPED)
    # However the test ends (a failure, ctest's SIGTERM at its timeout), what it started stops.
    atexit.register(stop_private_cluster)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    ready = a_job_runs() if slurm(["sinfo", "-h"]).returncode == 0 else False
    if not ready:
        why = private_cluster()
        if why is None and not a_job_runs():
            why = "a job does not run on the private cluster"
        if why is not None:
            print(f"skip  the_readme_recipe_on_slurm: {why}")
            stop_private_cluster()
            sys.exit(SKIPPED)
    try:
        for parts, tasks, mode in [(4, 3, [])]:
            merged, filtered = recipe([CORPUS], parts, tasks, mode, "file-%d-%d" % (parts, tasks))
            alone = run(["dedup", "-q"] + mode + [CORPUS], check=0).stdout
            expect(len(alone) > 0 and merged == alone, f"{parts} parts, {tasks} tasks, {mode}: the merge differs")
            if not mode:
                expect(filtered == alone, f"{parts} parts, {tasks} tasks: the filter parts differ")
        manifest, sequence = shards()
        merged, filtered = recipe(["--manifest", manifest], 5, 2, [], "manifest")
        alone = run(["dedup", "-q", sequence], check=0).stdout
        expect(merged == alone and filtered == alone, "a manifest on Slurm: differs from dedup of its sequence")
    finally:
        stop_private_cluster()


finish()
