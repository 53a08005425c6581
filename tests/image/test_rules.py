"""IMG rules through the engine: a bad image fires each rule where expected, a good one none."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from seawall.config import Config
from seawall.engine import make_context, run_rules, select_rules
from seawall.image.load import load_image
from seawall.rules._base import TargetKind
from seawall.rules.image import IMAGE_RULES


def _findings(image, config: Config | None = None, today: dt.date | None = None):
    config = config or Config()
    rules = select_rules(config, TargetKind.IMAGE)
    rules = [r for r in rules if r.meta.id.startswith("IMG")]
    ctx = make_context(config, "img")
    if today is not None:
        ctx.extra["today"] = today
    findings, errors = run_rules(rules, image, ctx)
    assert errors == []
    return findings


@pytest.fixture
def bad_image(kit, tmp_path: Path):
    pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n"
    spec = kit.spec(
        layers=[
            [  # 0: base
                kit.file("etc/os-release", 'ID=debian\nVERSION_ID="10"\nPRETTY_NAME="Debian 10"\n'),
                kit.file("var/lib/dpkg/status", "Package: bash\nVersion: 5.0-4\n"),
                kit.file("bin/bash", "", mode=0o755),
                kit.symlink("bin/sh", "bash"),
                kit.file("usr/bin/apt-get", "", mode=0o755),
                kit.file("usr/bin/gcc", "", mode=0o755),
                kit.symlink("usr/bin/wget", "/bin/busybox"),
                kit.file("bin/busybox", "", mode=0o755),
                kit.file("usr/bin/passwd", "", mode=0o4755),
                kit.file("usr/bin/expiry", "", mode=0o2755),
                kit.directory("tmp", mode=0o1777),
                kit.directory("shared", mode=0o777),
                kit.file("etc/app.conf", "x", mode=0o666),
            ],
            [  # 1
                kit.file("root/.aws/credentials", "[default]\n"),
                kit.file("app/.env", "DB_PASSWORD=x\n"),
                kit.file("root/.npmrc", "//registry.npmjs.org/:_authToken=x\n"),
                kit.file("app/.git/HEAD", "ref: refs/heads/main\n"),
                kit.file("app/.git/config", "[core]\n"),
                kit.file("root/.bash_history", "ls\n"),
                kit.file("etc/ssl/private/server.key", pem),
                kit.file("etc/ssl/certs/ca.pem", "-----BEGIN CERTIFICATE-----\n"),
                kit.file("app/public.pem", "-----BEGIN PUBLIC KEY-----\n"),
            ],
            [kit.file("root/.ssh/id_ed25519", "-----BEGIN OPENSSH PRIVATE KEY-----\n")],  # 2
            [kit.whiteout("root/.ssh/id_ed25519"), kit.whiteout("root/.aws")],  # 3
        ],
        config={
            "User": "0:0",
            "Env": [
                "PATH=/bin",
                "API_TOKEN=s3cr3tvalue",
                "GPG_KEY=ABCDEF",
                "PASSWORD_FILE=/run/secrets/p",
            ],
            "ExposedPorts": {"22/tcp": {}, "8080/tcp": {}},
            "Labels": {"org.opencontainers.image.version": "latest"},
        },
        history=[
            {"created_by": "ADD https://example.com/rootfs.tar.gz / # buildkit"},
            {"created_by": "RUN |1 GITHUB_TOKEN=abcdef123 /bin/sh -c make # buildkit"},
            {"created_by": "ENV FOO=bar", "empty_layer": True},
            {"created_by": "/bin/sh -c curl -fsS https://admin:hunter22@example.com/x"},
            {"created_by": "/bin/sh -c rm -rf /root/.ssh /root/.aws"},
        ],
    )
    return load_image(str(kit.docker_save(spec, tmp_path / "bad.tar", tag="example/app:latest")))


def test_bad_image_fires_every_rule_where_expected(bad_image) -> None:
    findings = _findings(bad_image, today=dt.date(2026, 11, 23))
    got = sorted((f.rule_id, f.location.pointer) for f in findings)
    assert got == sorted(
        [
            ("IMG001", "/config/User"),
            ("IMG002", "/config/Healthcheck"),
            ("IMG003", "/config/Env/1"),
            ("IMG004", "/history/1/created_by"),
            ("IMG004", "/history/3/created_by"),
            ("IMG005", "/history/0/created_by"),
            ("IMG006", "/config/ExposedPorts/22~1tcp"),
            ("IMG007", "/tags/0"),
            ("IMG007", "/config/Labels/org.opencontainers.image.version"),
            ("IMG008", "/layers/1/files/etc/ssl/private/server.key"),
            ("IMG008", "/layers/2/files/root/.ssh/id_ed25519"),
            ("IMG009", "/layers/1/files/root/.aws/credentials"),
            ("IMG010", "/layers/1/files/app/.env"),
            ("IMG011", "/layers/1/files/root/.npmrc"),
            ("IMG012", "/layers/1/files/app/.git"),
            ("IMG013", "/layers/1/files/root/.bash_history"),
            ("IMG014", "/layers/0/files/usr/bin/expiry"),
            ("IMG014", "/layers/0/files/usr/bin/passwd"),
            ("IMG015", "/layers/0/files/etc/app.conf"),
            ("IMG015", "/layers/0/files/shared"),
            ("IMG016", "/layers/0/files/bin/bash"),
            ("IMG017", "/layers/0/files/usr/bin/apt-get"),
            ("IMG018", "/layers/0/files/usr/bin/gcc"),
            ("IMG019", "/layers/0/files/bin/busybox"),
            ("IMG020", "/inventory/packages"),
            ("IMG021", "/layers/0/files/etc/os-release"),
        ]
    )
    assert {r.meta.id for r in IMAGE_RULES} - {f.rule_id for f in findings} == {"IMG022"}


def test_secret_written_in_layer_2_and_deleted_in_layer_3_is_found_with_its_layer(
    bad_image,
) -> None:
    findings = _findings(bad_image, Config(select=("IMG008",)))
    key = next(f for f in findings if "id_ed25519" in f.message)
    assert key.message == (
        "Private key /root/.ssh/id_ed25519 in layer 2 "
        "(deleted in layer 3, still shipped in layer 2)"
    )
    assert key.location.pointer == "/layers/2/files/root/.ssh/id_ed25519"
    assert key.location.path == "img"


def test_messages_never_contain_secret_values(bad_image) -> None:
    for finding in _findings(bad_image):
        for secret in ("s3cr3tvalue", "abcdef123", "hunter22", "MIIB"):
            assert secret not in finding.message


def test_good_image_fires_nothing(kit, tmp_path: Path) -> None:
    spec = kit.spec(
        layers=[
            [
                kit.file("etc/os-release", 'ID=debian\nVERSION_ID="12"\n'),
                kit.file("app/server", "", mode=0o755),
                kit.directory("tmp", mode=0o1777),
                kit.file("etc/ssl/certs/ca.pem", "-----BEGIN CERTIFICATE-----\n"),
                kit.file(
                    "usr/lib/node_modules/pkg/test/fixture.key", "-----BEGIN PRIVATE KEY-----\n"
                ),
            ]
        ],
        config={
            "User": "10001:10001",
            "Env": ["PATH=/bin", "DB_PASSWORD_FILE=/run/secrets/db", "TOKEN=${TOKEN}"],
            "Healthcheck": {"Test": ["CMD", "/app/server", "--health"]},
            "ExposedPorts": {"8080/tcp": {}},
            "Labels": {"org.opencontainers.image.version": "1.4.2"},
        },
        history=[{"created_by": "COPY app /app # buildkit"}],
    )
    image = load_image(str(kit.docker_save(spec, tmp_path / "good.tar", tag="example/app:1.4.2")))
    assert _findings(image, today=dt.date(2026, 11, 23)) == []


def test_options_and_severity_overrides(bad_image) -> None:
    from seawall.model.finding import Severity

    config = Config(
        select=("IMG014", "IMG020"),
        rule_options={"IMG014": {"allow": ["/usr/bin/passwd"]}, "IMG020": {"max-os-packages": 0}},
        severity_overrides={"IMG014": Severity.HIGH},
    )
    findings = _findings(bad_image, config)
    setuid = [f for f in findings if f.rule_id == "IMG014"]
    assert [f.location.pointer for f in setuid] == ["/layers/0/files/usr/bin/expiry"]
    assert setuid[0].severity is Severity.HIGH
    count = next(f for f in findings if f.rule_id == "IMG020")
    assert count.severity is Severity.INFO and count.message.startswith(
        "1 package (1 from the OS package manager)"
    )


@pytest.mark.parametrize(
    ("user", "root"),
    [
        ("", True),
        ("root", True),
        ("0", True),
        ("0:0", True),
        ("root:staff", True),
        ("app", False),
        ("10001", False),
        ("10001:0", False),
    ],
)
def test_root_user_forms(kit, tmp_path: Path, user: str, root: bool) -> None:
    spec = kit.spec(layers=[[kit.file("a", "")]], config={"User": user})
    image = load_image(str(kit.docker_save(spec, tmp_path / "u.tar")))
    assert bool(_findings(image, Config(select=("IMG001",)))) is root
