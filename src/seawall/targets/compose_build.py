"""What a compose service's own Dockerfile says about the image it builds: its final ``USER`` and
whether it declares a ``HEALTHCHECK``. Read here (targets read files; rules never do)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from seawall.errors import SeawallError
from seawall.model.source import SourceFile
from seawall.parsers.compose import ComposeProject, ComposeService
from seawall.parsers.compose_syntax import list_or_map, scalar_text
from seawall.parsers.yamldoc import YMap, YScalar


@dataclass(frozen=True)
class BuildFacts:
    """Facts about a locally built image; None means unknown."""

    user: str | None = None
    has_healthcheck: bool | None = None


def _dockerfile_text(project: ComposeProject, build: YMap) -> tuple[str, str] | None:
    inline = scalar_text(build.get("dockerfile_inline"))
    if inline is not None:
        return "<dockerfile_inline>", inline
    context_node = build.get("context")
    context = scalar_text(context_node) or "."
    if "://" in context or context.startswith(("git@", "github.com/")):
        return None  # a remote context is never fetched
    base = project.base_dir(context_node.origin) if context_node is not None else project.directory
    folder = base / context
    name = scalar_text(build.get("dockerfile")) or "Dockerfile"
    path = Path(name) if Path(name).is_absolute() else folder / name
    from seawall.targets.read import display_path, read_text_file

    try:
        source = read_text_file(path, display_path(path))
    except SeawallError:
        return None
    return source.path, source.text


def build_facts(project: ComposeProject, service: ComposeService) -> BuildFacts:
    """USER and HEALTHCHECK of the stage a service's ``build:`` ships, when readable."""
    node = service.get("build")
    if isinstance(node, YScalar) and node.value is not None:
        node = _as_context(node)
    if not isinstance(node, YMap):
        return BuildFacts()
    found = _dockerfile_text(project, node)
    if found is None:
        return BuildFacts()
    shown, text = found
    from seawall.parsers.dockerfile import parse_dockerfile
    from seawall.rules.dockerfile._util import last_user

    args_node = node.get("args")
    try:
        args = (
            {
                k: scalar_text(e.value) or ""
                for k, e in list_or_map(args_node, "args").entries.items()
            }
            if args_node is not None
            else {}
        )
        df = parse_dockerfile(
            SourceFile(shown, text), build_args=args, target=scalar_text(node.get("target"))
        )
    except Exception:  # any Dockerfile the parser refuses: the facts stay unknown
        return BuildFacts()
    stage = df.shipped_stage
    if stage is None:
        return BuildFacts()
    user_instr = last_user(df, stage)
    user = None
    if user_instr is not None and "$" not in user_instr.args:
        user = user_instr.args.strip() or None
    health = [i for s in df.lineage(stage) for i in s.of("HEALTHCHECK")]
    has_health = None
    if health:
        has_health = health[-1].args.strip().upper() != "NONE"
    return BuildFacts(user, has_health)


def _as_context(node: YScalar) -> YMap:
    from seawall.parsers.yamldoc import YEntry

    return YMap({"context": YEntry("context", node.origin, node)}, node.origin)
