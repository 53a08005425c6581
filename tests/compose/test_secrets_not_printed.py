"""Literal secrets found in ``environment:``, ``env_file`` files and ``.env`` are reported without
their value in every output format, fixes included: messages say "value not shown", the text
excerpt masks the spanned value, and a fix that moves the value into a secret file does not show
the file's content."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from compose_helpers import write_files

from seawall.cli import main

VALUES = {
    "environment": "Zq8-env-literal-Pw",
    "url": "Zq8-url-password",
    "env_file": "Zq8-envfile-literal",
    "dotenv": "Zq8-dotenv-literal",
    "token": "ghp_" + "Zq8" * 12,
}
PROJECT = {
    "compose.yaml": (
        "services:\n  db:\n    image: example/db:1.0\n    env_file: [db.env]\n"
        "    environment:\n"
        f"      DB_PASSWORD: {VALUES['environment']}\n"
        f"      DATABASE_URL: postgres://app:{VALUES['url']}@db/app\n"
    ),
    "db.env": f"API_SECRET={VALUES['env_file']}\n",
    ".env": f"ADMIN_PASSWORD={VALUES['dotenv']}\nexport CI_TOKEN={VALUES['token']}\n",
}


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit"])
def test_secret_values_appear_in_no_output(
    fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_files(tmp_path, PROJECT)
    code = main(["check", str(tmp_path), "--no-config", "--format", fmt])
    out = capsys.readouterr().out
    assert code == 1
    for value in VALUES.values():
        assert value not in out
    if fmt == "json":
        found = sorted(
            f["code"] for f in json.loads(out)["findings"] if f["code"] in ("CR024", "DC005")
        )
        assert found == ["CR024", "CR024", "CR024", "DC005", "DC005"]


def test_text_excerpt_masks_the_value_and_keeps_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_files(tmp_path, PROJECT)
    main(["check", str(tmp_path), "--no-config", "--select", "CR024,DC005"])
    out = capsys.readouterr().out
    assert "DB_PASSWORD: ********" in out
    assert "ADMIN_PASSWORD=********" in out
    assert "API_SECRET=********" in out
    # Rules that report no secret keep their excerpt as written.
    main(["check", str(tmp_path), "--no-config", "--select", "CR026"])
    assert "image: example/db:1.0" in capsys.readouterr().out
