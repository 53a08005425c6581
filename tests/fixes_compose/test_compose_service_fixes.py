"""What each Compose fix writes: the smallest cap_add, tmpfs beside existing mounts, limits from
configuration and into ``deploy.resources``, and network segmentation that keeps every pair of
services that talk on a common network."""

from __future__ import annotations

from pathlib import Path

from seawall.compose_graph import build_graph
from seawall.config import Config, load_config
from seawall.fixes.compose import ComposeFixPlan, plan_compose_fixes
from seawall.fixes.compose.image_needs import known_images, needs_of
from seawall.parsers.compose import ComposeProject, LoadOptions, load_project


def _fix(tmp_path: Path, text: str, *rules: str, config: Config | None = None) -> ComposeFixPlan:
    (tmp_path / "compose.yaml").write_text(text)
    return plan_compose_fixes(
        [tmp_path / "compose.yaml"],
        config or Config(select=rules),
        unsafe=True,
        options=LoadOptions(environ={}, display_root=tmp_path),
    )


def _fixed(tmp_path: Path, plan: ComposeFixPlan) -> ComposeProject:
    texts = {c.path: c.fixed for c in plan.changes if not c.created}
    return load_project([tmp_path / "compose.yaml"], LoadOptions(environ={}, texts=texts))


def _list(project: ComposeProject, service: str, key: str) -> list[str]:
    node = project.services[service].get(key)
    from seawall.parsers.yamldoc import to_python

    value = to_python(node)
    return value if isinstance(value, list) else []


def test_cap_add_is_the_smallest_set_the_service_needs(tmp_path: Path) -> None:
    plan = _fix(
        tmp_path,
        "services:\n"
        "  proxy:\n    image: example/proxy:1\n    ports: ['8080:80']\n"
        "  worker:\n    image: example/worker:1\n    expose: ['9000']\n"
        "  low:\n    image: example/dns:1\n    expose: ['53/udp']\n    user: '1000'\n"
        "  db:\n    image: postgres:16\n"
        "  cache:\n    image: redis:7.4\n    cap_add: [CHOWN]\n",
        "CR004",
    )
    fixed = _fixed(tmp_path, plan)
    assert _list(fixed, "proxy", "cap_add") == ["NET_BIND_SERVICE"]
    assert _list(fixed, "worker", "cap_add") == []
    assert _list(fixed, "low", "cap_add") == []  # non-root: capabilities would not apply
    assert _list(fixed, "db", "cap_add") == ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"]
    assert _list(fixed, "cache", "cap_add") == ["CHOWN", "SETGID", "SETUID"]
    for name in fixed.services:
        assert _list(fixed, name, "cap_drop") == ["ALL"]
    titles = {a.service: a.title for a in plan.applied}
    assert "gosu" in titles["db"] and "port below 1024" in titles["proxy"]


def test_tmpfs_skips_paths_already_mounted(tmp_path: Path) -> None:
    plan = _fix(
        tmp_path,
        "services:\n"
        "  db:\n    image: postgres:16\n    volumes:\n      - pgrun:/var/run/postgresql\n"
        "    tmpfs: /tmp\n"
        "volumes:\n  pgrun:\n",
        "CR003",
    )
    fixed = _fixed(tmp_path, plan)
    assert _list(fixed, "db", "tmpfs") == ["/tmp", "/run"]
    assert fixed.services["db"].get("read_only") is not None


def test_limits_come_from_configuration(tmp_path: Path) -> None:
    (tmp_path / ".seawall.toml").write_text(
        '[rules.CR019]\nlimit = "1g"\n[rules.CR020]\nlimit = "0.5"\n[rules.CR021]\nlimit = 64\n'
    )
    config = load_config(tmp_path / ".seawall.toml")
    config = Config(select=("CR019", "CR020", "CR021"), rule_options=config.rule_options)
    plan = _fix(tmp_path, "services:\n  api:\n    image: example/api:1\n", config=config)
    assert plan.changes[0].fixed.endswith(
        "    image: example/api:1\n    mem_limit: 1g\n    cpus: 0.5\n    pids_limit: 64\n"
    )


def test_limits_go_into_an_existing_deploy_resources_block(tmp_path: Path) -> None:
    plan = _fix(
        tmp_path,
        "services:\n"
        "  api:\n"
        "    image: example/api:1\n"
        "    deploy:\n"
        "      resources:\n"
        "        reservations:\n"
        "          memory: 64m\n",
        "CR019",
        "CR020",
        "CR021",
    )
    assert plan.changes[0].fixed == (
        "services:\n"
        "  api:\n"
        "    image: example/api:1\n"
        "    deploy:\n"
        "      resources:\n"
        "        reservations:\n"
        "          memory: 64m\n"
        "        limits:\n"
        "          memory: 512m\n"
        "          cpus: '1.0'\n"
        "    pids_limit: 256\n"
    )
    assert plan.remaining == ()


def test_segmentation_keeps_every_used_peer_reachable(tmp_path: Path) -> None:
    text = (
        "services:\n"
        "  proxy:\n    image: nginx:1.27\n    ports: ['80:80']\n    links: [app]\n"
        "  app:\n    image: example/app:1\n    environment:\n      DATABASE_URL: postgres://db/app\n"
        "  worker:\n    image: example/worker:1\n    depends_on: [cache]\n"
        "  admin:\n    image: adminer:4\n    ports: ['8081:8080']\n"
        "  db:\n    image: postgres:16\n"
        "  cache:\n    image: redis:7.4\n"
    )
    (tmp_path / "compose.yaml").write_text(text)
    original = load_project([tmp_path / "compose.yaml"], LoadOptions(environ={}))
    before = build_graph(original)
    plan = _fix(tmp_path, text, "DC001", "DC003")
    fixed = _fixed(tmp_path, plan)
    after = build_graph(fixed)
    for a in before.services:
        for b in before.services:
            if a != b and before.uses(a, b):
                assert after.reachable(a, b), (a, b)
    assert not after.reachable("proxy", "db")
    assert fixed.networks["backend"].internal
    # One backend for all datastores: an edge client of one datastore still reaches the others.
    assert [(f.rule_id, f.message.split("'")[1]) for f in plan.remaining] == [("DC001", "admin")]
    assert {a.rule_id for a in plan.applied} == {"DC001", "DC003"}


def test_every_known_image_entry_gives_its_reasons() -> None:
    for name in known_images():
        needs = needs_of(f"docker.io/library/{name}:1")
        assert needs is not None, name
        assert needs.caps_reason and needs.tmpfs_reason and needs.user_reason
        assert "/tmp" in needs.tmpfs
    assert needs_of("example/app:1") is None and needs_of("${IMAGE}") is None


def test_skip_leaves_chosen_hardenings_out(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(
        "services:\n  db:\n    image: postgres:16\n  web:\n    image: nginx:1.27\n"
    )
    plan = plan_compose_fixes(
        [tmp_path / "compose.yaml"],
        Config(select=("CR003", "CR004")),
        unsafe=True,
        options=LoadOptions(environ={}),
        skip={("CR003", "db"), ("CR004", "*")},
    )
    assert {(a.rule_id, a.service) for a in plan.applied} == {("CR003", "web")}
    assert sorted((f.rule_id, f.message.split("'")[1]) for f in plan.remaining) == [
        ("CR003", "db"),
        ("CR004", "db"),
        ("CR004", "web"),
    ]


def test_a_locally_built_image_is_not_taken_for_the_official_one(tmp_path: Path) -> None:
    plan = _fix(
        tmp_path,
        "services:\n  db:\n    build: ./db\n    image: myorg/postgres:16\n",
        "CR002",
        "CR004",
    )
    fixed = _fixed(tmp_path, plan)
    assert _list(fixed, "db", "cap_add") == []  # the table's gosu capabilities do not apply
    [remaining] = plan.remaining
    assert remaining.rule_id == "CR002"
    assert remaining.fix is not None and "built here" in remaining.fix.title


def test_included_services_are_fixed_in_their_file_and_extends_bases_are_left(
    tmp_path: Path,
) -> None:
    (tmp_path / "base.yaml").write_text(
        "services:\n  common:\n    image: redis:7.4\n    privileged: true\n"
    )
    (tmp_path / "inc.yaml").write_text("services:\n  other:\n    image: postgres:16\n")
    text = (
        "include:\n  - inc.yaml\n"
        "services:\n  cache:\n    extends:\n      file: base.yaml\n      service: common\n"
    )
    plan = _fix(tmp_path, text, "CR001", "CR003")
    changed = {c.display: c.fixed for c in plan.changes}
    assert set(changed) == {"compose.yaml", "inc.yaml"}  # base.yaml, shared by extends, untouched
    assert changed["inc.yaml"].startswith("services:\n  other:\n    image: postgres:16\n")
    assert "read_only: true" in changed["inc.yaml"]
    [left] = plan.remaining
    assert left.rule_id == "CR001" and left.fix is not None
    assert "extends" in left.fix.title
