"""``seawall seccomp``: record what a workload calls, generate a profile, check it, verify it."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seawall.errors import SeawallError, SourceError

if TYPE_CHECKING:
    from docker.models.containers import Container

    from seawall.seccomp.container import RunOptions


def add_parser(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Register ``seccomp`` and its actions."""
    p = subparsers.add_parser(
        "seccomp",
        help="record, generate, check and verify seccomp profiles",
        description="Build a seccomp allow-list from what a workload really calls, and prove it.",
    )
    actions = p.add_subparsers(dest="seccomp_action", metavar="ACTION")

    rec = actions.add_parser(
        "record",
        help="trace a command or an image's entrypoint with strace, or import audit records",
        description="Record syscalls: `seawall seccomp record -o rec.json -- CMD ARGS` traces a "
        "host command; `--image IMG [-- CMD]` traces the image's entrypoint in a container; "
        "`--audit-log FILE` imports type=1326/SECCOMP records (audit.log or dmesg).",
    )
    rec.add_argument("-o", "--output", type=Path, required=True, help="recording file to write")
    source = rec.add_mutually_exclusive_group()
    source.add_argument("--image", help="trace this image's entrypoint in a container")
    source.add_argument("--audit-log", type=Path, help="import seccomp audit records from FILE")
    rec.add_argument("--comm", help="with --audit-log: only records of this command name")
    rec.add_argument("--arch", help="with --audit-log: the recording's architecture")
    rec.add_argument("--runs", type=int, default=3, help="runs to merge (default: 3)")
    rec.add_argument(
        "--duration",
        type=float,
        help="stop each run after SECONDS (default: until it ends; 10 s for images)",
    )
    rec.add_argument("--append", action="store_true", help="merge into an existing recording")
    rec.add_argument("--smoke", help="with --image: host command run while the service is up")
    rec.add_argument(
        "--entrypoint", help="with --image: replace the image's entrypoint (and its CMD)"
    )
    rec.add_argument("--startup", type=float, default=1.0, help="seconds before --smoke runs")
    _add_run_options(rec)
    rec.add_argument("argv", nargs="*", metavar="COMMAND", help="command to trace (after --)")

    gen = actions.add_parser(
        "generate",
        help="write a Docker seccomp profile (and its .why sidecar) from recordings",
    )
    gen.add_argument("recordings", nargs="+", type=Path, help="recording files (merged)")
    gen.add_argument("-o", "--output", type=Path, required=True, help="profile file to write")
    gen.add_argument("--why", type=Path, help="sidecar file (default: PROFILE minus .json + .why)")
    gen.add_argument(
        "--no-new-privileges",
        action="store_true",
        help="the container runs with no-new-privileges: the runtime needs fewer calls",
    )
    gen.add_argument(
        "--base",
        choices=("none", "default"),
        default="none",
        help="'default': tighten Docker's default profile instead of a bare list",
    )
    gen.add_argument(
        "--no-arg-filters",
        action="store_true",
        help="no argument filters on socket, personality and clone",
    )
    gen.add_argument(
        "--allow",
        action="append",
        default=[],
        metavar="SYSCALL",
        help="also allow SYSCALL (repeatable)",
    )

    chk = actions.add_parser("check", help="grade seccomp profiles (rules SC001-SC007)")
    chk.add_argument("profiles", nargs="+", type=Path, help="profile files")
    chk.add_argument("--arch", help="architecture the profile runs on (default: this machine)")
    from seawall.commands._output import add_output_options

    add_output_options(chk)

    ver = actions.add_parser(
        "verify",
        help="start the workload N times with the profile and probe denied calls",
    )
    ver.add_argument("--profile", type=Path, required=True, help="profile file")
    ver.add_argument("--image", required=True, help="image to run")
    ver.add_argument("--runs", type=int, default=20, help="starts (default: 20)")
    ver.add_argument(
        "--settle",
        type=float,
        default=2.0,
        help="a service counts as started when still running after SECONDS",
    )
    ver.add_argument("--timeout", type=float, default=30.0, help="seconds a batch run may take")
    ver.add_argument("--smoke", help="host command that must succeed while the service runs")
    ver.add_argument("--entrypoint", help="replace the image's entrypoint (and its CMD)")
    ver.add_argument(
        "--probe",
        choices=("python", "busybox", "none"),
        default="none",
        help="show mount/unshare/chmod are denied with python3 or busybox probes",
    )
    ver.add_argument(
        "--harden",
        action="store_true",
        help="also --read-only --cap-drop ALL --security-opt no-new-privileges",
    )
    _add_run_options(ver)
    ver.add_argument(
        "argv", nargs="*", metavar="COMMAND", help="command instead of the image's CMD (after --)"
    )


def _add_run_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("container options (as for docker run)")
    g.add_argument("--user", help="user[:group] to run as")
    g.add_argument("--read-only", action="store_true", help="read-only root filesystem")
    g.add_argument("--tmpfs", action="append", default=[], help="tmpfs mount PATH[:OPTS]")
    g.add_argument("--cap-drop", action="append", default=[], help="capability to drop")
    g.add_argument("--cap-add", action="append", default=[], help="capability to add")
    g.add_argument(
        "--security-no-new-privileges",
        dest="nnp",
        action="store_true",
        help="run with no-new-privileges",
    )
    g.add_argument("--network", help="network to attach")
    g.add_argument("-p", "--publish", action="append", default=[], help="[ip:]host:container")
    g.add_argument("-v", "--volume", action="append", default=[], help="host:container[:ro]")
    g.add_argument("-e", "--env", action="append", default=[], help="NAME=value")


def _run_options(args: argparse.Namespace) -> RunOptions:
    from seawall.seccomp.container import RunOptions

    options = RunOptions(
        user=args.user,
        read_only=args.read_only,
        tmpfs=tuple(args.tmpfs),
        cap_drop=tuple(args.cap_drop),
        cap_add=tuple(args.cap_add),
        no_new_privileges=args.nnp,
        network=args.network,
        ports=tuple(args.publish),
        volumes=tuple(args.volume),
        env=tuple(args.env),
    )
    return options.hardened() if getattr(args, "harden", False) else options


def _command(args: argparse.Namespace) -> list[str]:
    # Named "argv": "command" is the top-level parser's destination for the subcommand name.
    command = list(args.argv or [])
    if command and command[0] == "--":
        command = command[1:]
    return command


def _entrypoint(args: argparse.Namespace) -> list[str] | None:
    if not args.entrypoint:
        return None
    from seawall.seccomp.container import shell_words

    return shell_words(args.entrypoint)


def run(args: argparse.Namespace) -> int:
    """Dispatch to the chosen action."""
    action = getattr(args, "seccomp_action", None)
    if action == "record":
        return _record(args)
    if action == "generate":
        return _generate(args)
    if action == "check":
        return _check(args)
    if action == "verify":
        return _verify(args)
    print("usage: seawall seccomp {record,generate,check,verify} ...", file=sys.stderr)
    return 2


def _smoke(command: str | None) -> Any:
    if not command:
        return None
    from seawall.seccomp.container import shell_words

    argv = shell_words(command)

    def smoke(_container: Container) -> None:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:]
            raise RuntimeError(f"{argv[0]} exited {proc.returncode}: {tail[0] if tail else ''}")

    return smoke


def _record(args: argparse.Namespace) -> int:
    from seawall.seccomp.recording import load_recording, write_json_atomic

    if args.runs < 1:
        raise SeawallError("--runs must be at least 1")
    command = _command(args)
    if args.audit_log is not None:
        from seawall.seccomp.auditlog import parse_audit_log

        try:
            lines = args.audit_log.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError as exc:
            raise SourceError(str(args.audit_log), f"cannot read: {exc.strerror}") from None
        recording = parse_audit_log(
            lines, target_arch=args.arch, comm=args.comm, source=str(args.audit_log)
        )
    elif args.image:
        from seawall.seccomp.container import client_from_env
        from seawall.seccomp.record import record_image

        recording = record_image(
            client_from_env(),
            args.image,
            command=command or None,
            runs=args.runs,
            duration=args.duration or 10.0,
            options=_run_options(args),
            smoke=_smoke(args.smoke),
            startup=args.startup,
            entrypoint=_entrypoint(args),
        )
    else:
        if not command:
            raise SeawallError("give a command after --, or --image, or --audit-log")
        from seawall.seccomp.record import record_command

        recording = record_command(command, runs=args.runs, duration=args.duration)
    if args.append and args.output.exists():
        recording = load_recording(args.output).merge(recording)
    write_json_atomic(args.output, recording.to_json())
    print(
        f"recorded {len(recording.names)} distinct syscalls over {recording.runs} run(s) "
        f"({recording.arch}) -> {args.output}"
    )
    for note in recording.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0


def _generate(args: argparse.Namespace) -> int:
    from seawall.atomic import write_text_atomic
    from seawall.seccomp.docker_default import default_allowed
    from seawall.seccomp.generate import generate, write_profile
    from seawall.seccomp.recording import load_recording, merge_all

    recording = merge_all(load_recording(p) for p in args.recordings)
    generated = generate(
        recording,
        no_new_privileges=args.no_new_privileges,
        base=args.base,
        arg_filters=not args.no_arg_filters,
        extra=args.allow,
    )
    _, why = write_profile(generated, args.output)
    if args.why is not None:
        why.unlink(missing_ok=True)
        why = args.why
        write_text_atomic(why, generated.why_text(args.output.name))
    print(
        f"{args.output}: {len(generated.allowed)} syscalls allowed "
        f"(Docker's default: {len(default_allowed(generated.arch))}); reasons in {why}"
    )
    if args.no_new_privileges:
        print("run it with --security-opt no-new-privileges (the profile relies on it)")
    return 0


def _check(args: argparse.Namespace) -> int:
    from seawall.atomic import write_text_atomic
    from seawall.model.finding import Report, Severity, TargetError
    from seawall.model.source import SourceFile
    from seawall.report import render
    from seawall.rules._base import Context
    from seawall.seccomp.locate import with_spans
    from seawall.seccomp.rules import SECCOMP_RULES, SeccompProfileTarget, grade_findings

    report = Report()
    for path in args.profiles:
        where = str(path)
        report.targets.append(where)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            report.errors.append(TargetError(where, f"cannot read: {reason}", "source"))
            continue
        try:
            profile = json.loads(text)
        except json.JSONDecodeError as exc:
            report.errors.append(
                TargetError(where, f"not JSON: {exc.msg} at line {exc.lineno}", "parse")
            )
            continue
        source = SourceFile(where, text)
        report.sources[where] = source
        target = SeccompProfileTarget(profile, where, target_arch=args.arch)
        report.findings.extend(with_spans(grade_findings(target, Context(target=where)), source))
    report.sort()
    rules = {rule.meta.id: rule for rule in SECCOMP_RULES}
    color = args.output is None and not args.no_color and sys.stdout.isatty()
    text = render(report, args.format, color=color, rules=rules)
    if args.output is not None:
        write_text_atomic(args.output, text)
    else:
        sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")
    if report.errors:
        return 2
    if args.exit_zero:
        return 0
    fail_on = Severity.parse(args.fail_on) if args.fail_on else Severity.LOW
    return 1 if any(f.severity >= fail_on for f in report.findings) else 0


def _probes(kind: str, arch_name: str) -> tuple[Any, ...]:
    from seawall.seccomp.probes import busybox_probes, python_probes

    if kind == "python":
        return python_probes(("mount", "unshare", "chmod"), arch_name)
    if kind == "busybox":
        return busybox_probes()
    return ()


def _verify(args: argparse.Namespace) -> int:
    from seawall.seccomp.container import client_from_env, image_arch
    from seawall.seccomp.docker_default import default_allowed
    from seawall.seccomp.verify import verify

    try:
        profile = json.loads(args.profile.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SourceError(str(args.profile), f"cannot read: {exc.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SeawallError(f"{args.profile}: not a JSON profile: {exc}") from None
    if args.runs < 1:
        raise SeawallError("--runs must be at least 1")
    client = client_from_env()
    arch_name = image_arch(client, args.image)
    result = verify(
        client,
        args.image,
        profile,
        command=_command(args) or None,
        runs=args.runs,
        options=_run_options(args),
        settle=args.settle,
        timeout=args.timeout,
        smoke=_smoke(args.smoke),
        probes=_probes(args.probe, arch_name),
        entrypoint=_entrypoint(args),
    )
    allowed = {
        n
        for rule in profile.get("syscalls", [])
        if rule.get("action") == "SCMP_ACT_ALLOW"
        for n in rule.get("names", [])
    }
    print(
        f"{args.image}: {result.successes}/{len(result.runs)} starts worked "
        f"(failure rate {result.failure_rate:.0%}); profile allows {len(allowed)} syscalls, "
        f"Docker's default {len(default_allowed(arch_name))}"
    )
    for failure in result.failures:
        print(f"  run {failure.index}: {failure.detail}")
    for probe in result.probes:
        verdict = {True: "DENIED (EPERM)", False: "ALLOWED", None: "not determined"}[probe.denied]
        last = (probe.output.strip().splitlines() or [""])[-1]
        print(f"  probe {probe.syscall}: {verdict}: {last}")
    return 0 if result.ok else 1
