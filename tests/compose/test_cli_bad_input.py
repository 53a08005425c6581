"""``seawall check`` on bad Compose input: one clear error naming file and line, exit 2, no
traceback, and the other projects still checked."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from compose_helpers import write_files

from seawall.cli import main

GOOD = "services:\n  web:\n    image: nginx:1.27\n    privileged: true\n"
BOMB = (
    "x-a: &a [l, l, l, l, l, l, l, l, l, l]\n"
    + "".join(
        f"x-{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n"
        for i in range(8)
    )
    + "services:\n  web:\n    image: a:1\n"
)
MANY = "services:\n" + "".join(f"  s{i}:\n    image: a:1\n" for i in range(10_000))

CASES: dict[str, tuple[dict[str, str], str]] = {
    "invalid-yaml": ({"compose.yaml": "services:\n  web:\n    image: [\n"}, "line "),
    "alias-bomb": (
        {"compose.yaml": BOMB},
        "line 6, column 6: YAML aliases expand to more than 1000000 nodes (alias bomb?)",
    ),
    "non-mapping-root": (
        {"compose.yaml": "- web\n"},
        "line 1, column 1: top-level must be a mapping",
    ),
    "unknown-key": (
        {"compose.yaml": "services:\n  web:\n    image: a:1\n    privilegd: true\n"},
        "line 4, column 5: service 'web': unknown key 'privilegd'",
    ),
    "too-many-services": ({"compose.yaml": MANY}, "too many services (10000"),
    "missing-extends": (
        {"compose.yaml": "services:\n  web:\n    image: a:1\n    extends: nothere\n"},
        "line 4, column 14: extends: service 'nothere' not found",
    ),
    "extends-cycle": (
        {
            "compose.yaml": (
                "services:\n  a:\n    image: x:1\n    extends: b\n"
                "  b:\n    image: x:1\n    extends: a\n"
            )
        },
        "extends cycle",
    ),
    "unreadable-env-file": (
        {
            "compose.yaml": "services:\n  web:\n    image: a:1\n    env_file: [env.d]\n",
            "env.d/x": "",
        },
        "line 4, column 16: env_file 'env.d': is a directory",
    ),
    "fifo-env-file": (
        {"compose.yaml": "services:\n  web:\n    image: a:1\n    env_file: [pipe.env]\n"},
        "line 4, column 16: env_file 'pipe.env': not a regular file",
    ),
    "device-env-file": (
        {"compose.yaml": "services:\n  web:\n    image: a:1\n    env_file: [zero.env]\n"},
        "line 4, column 16: env_file 'zero.env': not a regular file",
    ),
    "non-utf8-env-file": (
        {"compose.yaml": "services:\n  web:\n    image: a:1\n    env_file: [latin.env]\n"},
        "env_file 'latin.env': not UTF-8",
    ),
    "required-variable": (
        {"compose.yaml": "services:\n  web:\n    image: ${IMG:?set IMG first}\n"},
        "line 3, column 12: required variable IMG is missing a value: set IMG first",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_project_is_an_error_and_others_are_still_checked(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("IMG", raising=False)
    files, message = CASES[case]
    write_files(tmp_path / "bad", files)
    if case == "non-utf8-env-file":
        (tmp_path / "bad" / "latin.env").write_bytes(b"A=caf\xe9\n")
    elif case == "fifo-env-file":
        os.mkfifo(tmp_path / "bad" / "pipe.env")  # reading it would block forever
    elif case == "device-env-file":
        (tmp_path / "bad" / "zero.env").symlink_to("/dev/zero")  # reading it would never end
    write_files(tmp_path / "good", {"compose.yaml": GOOD})
    code = main(["check", str(tmp_path), "--no-config", "--format", "json"])
    captured = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in captured.err
    report = json.loads(captured.out)
    errors = report["errors"]
    assert len(errors) == 1, errors
    assert errors[0]["path"].endswith("compose.yaml") or "env" in errors[0]["path"]
    assert message in errors[0]["message"]
    assert "\n" not in errors[0]["message"]
    rules = {f["code"] for f in report["findings"]}
    assert "CR001" in rules  # the good project was still checked


def test_missing_env_file_option_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_files(tmp_path, {"compose.yaml": GOOD})
    code = main(
        [
            "check",
            "--no-config",
            "-f",
            str(tmp_path / "compose.yaml"),
            "--env-file",
            str(tmp_path / "nope.env"),
        ]
    )
    captured = capsys.readouterr()
    assert code == 2
    assert "nope.env" in captured.out + captured.err
    assert "Traceback" not in captured.err
