"""Seccomp profiles from observed behaviour: record, generate, check (grade) and verify.

Flow: :func:`record_command` / :func:`record_image` (strace) or :func:`parse_audit_log` give a
:class:`Recording`; :func:`generate` turns it into a Docker-format allow-list plus the reason for
every call (:func:`write_profile` writes both); :func:`grade` and ``rules.SECCOMP_RULES`` check any
profile; :func:`verify` starts the workload with the profile in real containers and probes that
calls outside it get EPERM. Docker is imported only by the functions that talk to a daemon.
"""

from seawall.seccomp.auditlog import parse_audit_log
from seawall.seccomp.container import RunOptions
from seawall.seccomp.generate import GeneratedProfile, generate, write_profile
from seawall.seccomp.grade import ProfileIssue, grade
from seawall.seccomp.probes import Probe, busybox_probes, python_probe, python_probes
from seawall.seccomp.record import record_command, record_image
from seawall.seccomp.recording import Recording, load_recording, merge_all
from seawall.seccomp.strace import parse_strace
from seawall.seccomp.verify import ProbeResult, RunResult, VerifyResult, verify

__all__ = [
    "GeneratedProfile",
    "Probe",
    "ProbeResult",
    "ProfileIssue",
    "Recording",
    "RunOptions",
    "RunResult",
    "VerifyResult",
    "busybox_probes",
    "generate",
    "grade",
    "load_recording",
    "merge_all",
    "parse_audit_log",
    "parse_strace",
    "python_probe",
    "python_probes",
    "record_command",
    "record_image",
    "verify",
    "write_profile",
]
