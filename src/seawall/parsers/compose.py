"""The Compose project loader: discovery, interpolation, ``extends``, merging, profiles, env files.

``load_project(files, options)`` reads one or more compose files the way Docker Compose does and
returns a ``ComposeProject`` whose every value still knows the file and span it was written in.
Nothing found in the files is ever executed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from seawall.errors import ParseError, SourceError
from seawall.model.source import SourceFile
from seawall.parsers import compose_keys
from seawall.parsers.compose_env import (
    EnvEntry,
    interpolate_tree,
    parse_dotenv,
)
from seawall.parsers.compose_merge import merge_documents, merge_service_maps
from seawall.parsers.compose_syntax import (
    FileRef,
    PortSpec,
    SyntaxProblem,
    VolumeSpec,
    as_bool,
    list_of,
    list_or_map,
    names_list_or_map,
    parse_file_ref,
    parse_port,
    parse_volume,
    problem_to_error,
    scalar_text,
)
from seawall.parsers.yamldoc import (
    Origin,
    YEntry,
    YMap,
    YNode,
    YScalar,
    YSeq,
    describe,
    parse_yaml,
    read_source,
)

PRIMARY_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
OVERRIDE_NAMES = (
    "compose.override.yaml",
    "compose.override.yml",
    "docker-compose.override.yaml",
    "docker-compose.override.yml",
)
_VARIANT = re.compile(r"^(docker-)?compose[.\-_][\w.\-]+\.ya?ml$")
MAX_SERVICES = 5000


@dataclass(frozen=True)
class LoadOptions:
    """How to load a project: env files (replacing ``.env``), profiles, the process environment."""

    env_files: tuple[Path, ...] = ()
    profiles: tuple[str, ...] = ()
    environ: Mapping[str, str] | None = None
    project_dir: Path | None = None
    display_root: Path | None = None
    texts: Mapping[Path, str] | None = None  # resolved path -> text used instead of the file


@dataclass(frozen=True, slots=True)
class EnvVar:
    """A container environment variable and where its value was written."""

    name: str
    value: str
    origin: Origin
    source: str  # "environment" | "env_file"


@dataclass(frozen=True, slots=True)
class ServiceNetwork:
    """A service's attachment to a network (``default`` when none is declared)."""

    name: str
    origin: Origin | None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class ComposeService:
    """One service of the merged project, normalised, with its merged (located) mapping."""

    name: str
    node: YMap
    key_origin: Origin
    image: str | None
    has_build: bool
    environment: tuple[EnvVar, ...]
    ports: tuple[PortSpec, ...]
    volumes: tuple[VolumeSpec, ...]
    secrets: tuple[FileRef, ...]
    configs: tuple[FileRef, ...]
    networks: tuple[ServiceNetwork, ...]
    network_mode: str | None
    depends_on: tuple[str, ...]
    links: tuple[str, ...]
    profiles: tuple[str, ...]

    def get(self, key: str) -> YNode | None:
        """The merged value node of a service attribute."""
        return self.node.get(key)


@dataclass(frozen=True, slots=True)
class NetworkDef:
    """A top-level network (``origin`` None for the implicit ``default`` network)."""

    name: str
    internal: bool
    external: bool
    driver: str | None
    origin: Origin | None


@dataclass(frozen=True, slots=True)
class SecretDef:
    """A top-level secret or config: from a file, the environment, inline content, or external."""

    name: str
    kind: str  # file | environment | content | external
    file: Path | None
    origin: Origin
    mode: int | None = None  # permission bits of ``file`` when it exists (read at load time)


@dataclass(frozen=True)
class ComposeProject:
    """A loaded Compose project."""

    name: str
    directory: Path
    compose_files: tuple[str, ...]
    sources: dict[str, SourceFile]
    root: YMap
    services: dict[str, ComposeService]
    inactive_services: tuple[str, ...]
    networks: dict[str, NetworkDef]
    secrets: dict[str, SecretDef]
    configs: dict[str, SecretDef]
    dotenv: tuple[EnvEntry, ...]
    warnings: tuple[str, ...] = ()
    real_paths: dict[str, Path] = field(default_factory=dict)
    # Directory that relative paths written in each file resolve against (display path → dir).
    base_dirs: dict[str, Path] = field(default_factory=dict)

    def base_dir(self, origin: Origin) -> Path:
        """The directory relative paths written at ``origin`` are resolved against."""
        return self.base_dirs.get(origin.path, self.directory)


# ---------------------------------------------------------------- discovery


def default_files(directory: Path) -> list[Path]:
    """The files ``docker compose`` reads in ``directory``: the primary file and its override."""
    for name in PRIMARY_NAMES:
        primary = directory / name
        if primary.is_file():
            files = [primary]
            for override in OVERRIDE_NAMES:
                if (directory / override).is_file():
                    files.append(directory / override)
                    break
            return files
    return []


def is_compose_name(name: str) -> bool:
    """Whether a file name is a compose file name (primary, override or ``compose.<x>.yaml``)."""
    return name in PRIMARY_NAMES or name in OVERRIDE_NAMES or bool(_VARIANT.match(name))


def discover_projects(directory: Path) -> list[list[Path]]:
    """The projects of one directory's compose files, grouped as ``group_projects`` does."""
    try:
        files = sorted(p for p in directory.iterdir() if p.is_file() and is_compose_name(p.name))
    except OSError:
        return []
    return group_projects(files)


def group_projects(files: Sequence[Path]) -> list[list[Path]]:
    """Group compose files into projects, folder by folder, the way ``docker compose`` reads them.

    In each folder the first primary file (``compose.yaml``, ``compose.yml``,
    ``docker-compose.yaml``, ``docker-compose.yml``) is merged with the first override file
    (``compose.override.yaml`` ... ``docker-compose.override.yml``), as ``docker compose`` does
    with no ``-f``. Every other override or variant file (``docker-compose.prod.yml``) is merged
    over that primary file, as ``docker compose -f docker-compose.yml -f docker-compose.prod.yml``
    would be; without a primary file it is a project of its own. A second primary file, which
    ``docker compose`` ignores, and any file with another name (given explicitly) are checked
    on their own, so that no file goes unchecked.
    """
    by_folder: dict[Path, dict[str, Path]] = {}
    for path in files:
        by_folder.setdefault(path.parent, {})[path.name] = path
    projects: list[list[Path]] = []
    for folder in sorted(by_folder):
        named = by_folder[folder]
        primaries = [named[n] for n in PRIMARY_NAMES if n in named]
        overrides = [named[n] for n in OVERRIDE_NAMES if n in named]
        rest = sorted(
            path for name, path in named.items() if name not in PRIMARY_NAMES + OVERRIDE_NAMES
        )
        variants = [path for path in rest if _VARIANT.match(path.name)]
        if primaries:
            primary = primaries[0]
            projects.append([primary, *overrides[:1]])
            projects.extend([extra] for extra in primaries[1:])
            projects.extend([primary, layer] for layer in (*overrides[1:], *variants))
        else:
            projects.extend([layer] for layer in (*overrides, *variants))
        # Files named explicitly whatever their name (``check --type compose x.yaml``).
        projects.extend([path] for path in rest if path not in variants)
    return projects


# ---------------------------------------------------------------- loading


def _items(node: YNode | None) -> list[YMap]:
    """The mapping items of a list node (long-syntax entries)."""
    if not isinstance(node, YSeq):
        return []
    return [item for item in node.items if isinstance(item, YMap)]


@dataclass
class _Loader:
    options: LoadOptions
    project_dir: Path
    environ: Mapping[str, str]
    sources: dict[str, SourceFile] = field(default_factory=dict)
    real_paths: dict[str, Path] = field(default_factory=dict)
    base_dirs: dict[str, Path] = field(default_factory=dict)
    docs: dict[Path, YMap] = field(default_factory=dict)
    dotenv_values: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    resolved: dict[Path, Path] = field(default_factory=dict)

    def real(self, path: Path) -> Path:
        """``path.resolve()``, cached (extends chains ask for the same files many times)."""
        found = self.resolved.get(path)
        if found is None:
            found = self.resolved[path] = path.resolve()
        return found

    def display(self, path: Path) -> str:
        from seawall.targets.read import display_path

        return display_path(path, self.options.display_root)

    def read(self, path: Path) -> SourceFile:
        shown = self.display(path)
        cached = self.sources.get(shown)
        if cached is not None:
            return cached
        pending = self.options.texts.get(self.real(path)) if self.options.texts else None
        source = SourceFile(shown, pending) if pending is not None else read_source(path, shown)
        self.sources[shown] = source
        self.real_paths[shown] = path.resolve()
        return source

    def lookup(self, name: str) -> str | None:
        if name in self.environ:
            return self.environ[name]
        return self.dotenv_values.get(name)

    def fail(self, origin: Origin, message: str) -> ParseError:
        source = self.sources.get(origin.path)
        if source is None:
            return ParseError(origin.path, message)
        pos = source.position(origin.span.start)
        return ParseError(origin.path, message, pos.line, pos.column)

    def load_dotenv(self) -> tuple[EnvEntry, ...]:
        paths = list(self.options.env_files)
        if not paths:
            default = self.project_dir / ".env"
            if not default.is_file():
                return ()
            paths = [default]
        entries: list[EnvEntry] = []
        for path in paths:
            source = self.read(path)
            for entry in parse_dotenv(source, self.lookup):
                entries.append(entry)
                if entry.value is not None:
                    self.dotenv_values[entry.name] = entry.value
        return tuple(entries)

    def document(self, path: Path, base_dir: Path) -> YMap:
        """A compose file parsed, checked at the top level and interpolated."""
        real = self.real(path)
        if real in self.docs:
            return self.docs[real]
        source = self.read(path)
        self.base_dirs.setdefault(source.path, base_dir)
        root = parse_yaml(source)
        if root is None:
            raise ParseError(source.path, "empty compose file")
        if not isinstance(root, YMap):
            pos = source.position(root.origin.span.start)
            raise ParseError(
                source.path,
                f"top-level must be a mapping, not {describe(root)}",
                pos.line,
                pos.column,
            )
        for key, entry in root.entries.items():
            if key not in compose_keys.TOP_LEVEL and not compose_keys.is_extension(key):
                raise self.fail(entry.key_origin, f"unknown top-level key {key!r}")
        interpolated = interpolate_tree(root, self.lookup, source)
        assert isinstance(interpolated, YMap)
        services = interpolated.get("services")
        if services is not None:
            if not isinstance(services, YMap):
                if isinstance(services, YScalar) and services.value is None:
                    services = YMap({}, services.origin)
                else:
                    raise self.fail(
                        services.origin, f"'services' must be a mapping, not {describe(services)}"
                    )
            for name, entry in services.entries.items():
                self.check_service(name, entry)
        for section, known in compose_keys.RESOURCES.items():
            defined = interpolated.get(section)
            if isinstance(defined, YMap):
                for name, entry in defined.entries.items():
                    if isinstance(entry.value, YMap):
                        self.check_keys_of(f"{section[:-1]} {name!r}", entry.value, known)
        self.docs[real] = interpolated
        return interpolated

    def check_service(self, name: str, entry: YEntry) -> None:
        node = entry.value
        if not isinstance(node, YMap):
            raise self.fail(
                entry.key_origin, f"service {name!r} must be a mapping, not {describe(node)}"
            )
        for key, attr in node.entries.items():
            if key not in compose_keys.SERVICE and not compose_keys.is_extension(key):
                raise self.fail(attr.key_origin, f"service {name!r}: unknown key {key!r}")
        for path, known in compose_keys.NESTED.items():
            found: YNode | None = node
            for step in path:
                found = found.get(step) if isinstance(found, YMap) else None
            if isinstance(found, YMap):
                self.check_keys(name, ".".join(path), found, known)
        for item in _items(node.get("ports")):
            self.check_keys(name, "ports entry", item, compose_keys.PORT)
        for item in _items(node.get("volumes")):
            self.check_keys(name, "volumes entry", item, compose_keys.VOLUME)
            for option, known in compose_keys.VOLUME_OPTIONS.items():
                value = item.get(option)
                if isinstance(value, YMap):
                    self.check_keys(name, f"volumes entry {option}", value, known)

    def check_keys(self, service: str, where: str, node: YMap, known: frozenset[str]) -> None:
        self.check_keys_of(f"service {service!r}", node, known, f" in {where}")

    def check_keys_of(self, owner: str, node: YMap, known: frozenset[str], where: str = "") -> None:
        for key, entry in node.entries.items():
            if key not in known and not compose_keys.is_extension(key):
                raise self.fail(entry.key_origin, f"{owner}: unknown key {key!r}{where}")

    def services_of(self, doc: YMap) -> YMap:
        services = doc.get("services")
        return services if isinstance(services, YMap) else YMap({}, doc.origin)

    # -- include

    def with_includes(self, doc: YMap, path: Path, chain: tuple[Path, ...] = ()) -> YMap:
        """``doc`` with the resources of its ``include:`` entries added (a conflict is an error)."""
        include = doc.get("include")
        if include is None:
            return doc
        real = self.real(path)
        if real in chain:
            raise self.fail(
                include.origin, "include cycle: " + " -> ".join(p.name for p in (*chain, real))
            )
        result = doc
        for entry in list_of(include, "include"):
            files_node: YNode | None = entry
            base: Path | None = None  # default: the directory of the first included file
            if isinstance(entry, YMap):
                files_node = entry.get("path")
                directory = scalar_text(entry.get("project_directory"))
                if directory:
                    base = path.parent / directory
            names = [scalar_text(n) or "" for n in list_of(files_node, "include")]
            if not names or not all(names):
                raise self.fail(entry.origin, "include entry needs a path")
            included: YMap | None = None
            base = base or (path.parent / names[0]).parent
            for name in names:
                target = path.parent / name
                try:
                    part = self.document(target, base)
                except SourceError as exc:
                    raise self.fail(entry.origin, f"include {name!r}: {exc.reason}") from None
                part = self.with_includes(
                    self.resolve_extends(part, target), target, (*chain, real)
                )
                included = part if included is None else merge_documents(included, part)
            assert included is not None
            result = self.add_included(result, included, entry, names[0])
        return result

    def add_included(self, doc: YMap, included: YMap, entry: YNode, name: str) -> YMap:
        entries = dict(doc.entries)
        for section in ("services", "networks", "volumes", "secrets", "configs"):
            extra = included.get(section)
            if not isinstance(extra, YMap) or not extra.entries:
                continue
            own = entries.get(section)
            own_map = own.value if own is not None and isinstance(own.value, YMap) else None
            combined = dict(own_map.entries) if own_map is not None else {}
            for key, item in extra.entries.items():
                if key in combined:
                    raise self.fail(
                        combined[key].key_origin,
                        f"{section[:-1]} {key!r} is also defined by include {name!r}",
                    )
                combined[key] = item
            holder = own_map or extra
            entries[section] = YEntry(
                section,
                own.key_origin if own is not None else included.entries[section].key_origin,
                YMap(combined, holder.origin, holder.indent, holder.flow, holder.tag),
            )
        return YMap(entries, doc.origin, doc.indent, doc.flow, doc.tag)

    # -- extends

    def resolve_extends(self, doc: YMap, path: Path) -> YMap:
        services = self.services_of(doc)
        if not any(
            isinstance(e.value, YMap) and "extends" in e.value for e in services.entries.values()
        ):
            return doc
        resolved = {
            name: YEntry(name, entry.key_origin, self.extended(path, name, ()))
            for name, entry in services.entries.items()
        }
        entries = dict(doc.entries)
        entries["services"] = YEntry(
            "services",
            doc.entries["services"].key_origin,
            YMap(resolved, services.origin, services.indent, services.flow, services.tag),
        )
        return YMap(entries, doc.origin, doc.indent, doc.flow, doc.tag)

    def extended(self, path: Path, name: str, chain: tuple[tuple[Path, str], ...]) -> YMap:
        doc = self.docs[self.real(path)]
        node = self.services_of(doc).entries[name].value
        assert isinstance(node, YMap)
        ext = node.get("extends")
        if ext is None:
            return node
        here = (self.real(path), name)
        if here in chain:
            trail = " -> ".join(n for _p, n in (*chain, here))
            raise self.fail(ext.origin, f"extends cycle: {trail}")
        if isinstance(ext, YScalar) and isinstance(ext.value, str):
            base_name, base_path = ext.value, path
        elif isinstance(ext, YMap):
            base_name = scalar_text(ext.get("service")) or ""
            if not base_name:
                raise self.fail(ext.origin, "extends needs 'service'")
            file_text = scalar_text(ext.get("file"))
            base_path = path if not file_text else (path.parent / file_text)
        else:
            raise self.fail(ext.origin, f"extends must be a name or a mapping, not {describe(ext)}")
        if self.real(base_path) != self.real(path):
            try:
                self.document(base_path, base_path.parent)
            except SourceError as exc:
                raise self.fail(ext.origin, f"extends file {exc.reason}: {exc.path}") from None
        base_services = self.services_of(self.docs[self.real(base_path)])
        if base_name not in base_services.entries:
            where = "" if base_path == path else f" in {self.display(base_path)}"
            raise self.fail(ext.origin, f"extends: service {base_name!r} not found{where}")
        base = self.extended(base_path, base_name, (*chain, here))
        local = YMap(
            {k: e for k, e in node.entries.items() if k != "extends"},
            node.origin,
            node.indent,
            node.flow,
            node.tag,
        )
        merged = merge_service_maps(base, local)
        # The extending service owns the mapping: missing keys are inserted there.
        return YMap(merged.entries, node.origin, node.indent, node.flow, node.tag)


def load_project(files: Sequence[Path], options: LoadOptions | None = None) -> ComposeProject:
    """Load and merge ``files`` (the first is the base) into a ComposeProject.

    Raises SourceError for unreadable files and ParseError (with file and line) for invalid YAML,
    unknown keys, bad values, unset required variables, ``extends`` problems and too many services.
    """
    if not files:
        raise SourceError(".", "no compose file")
    options = options or LoadOptions()
    project_dir = options.project_dir or files[0].parent
    environ = options.environ if options.environ is not None else os.environ
    loader = _Loader(options, project_dir, environ)
    dotenv = loader.load_dotenv()
    try:
        merged: YMap | None = None
        for path in files:
            doc = loader.document(path, project_dir)
            doc = loader.with_includes(loader.resolve_extends(doc, path), path)
            merged = doc if merged is None else merge_documents(merged, doc)
        assert merged is not None
        return _build_project(loader, merged, dotenv, [loader.display(p) for p in files])
    except SyntaxProblem as exc:
        raise problem_to_error(exc, loader.sources) from None


def _build_project(
    loader: _Loader, root: YMap, dotenv: tuple[EnvEntry, ...], compose_files: list[str]
) -> ComposeProject:
    services_node = loader.services_of(root)
    if len(services_node.entries) > MAX_SERVICES:
        raise loader.fail(
            root.entries["services"].key_origin,
            f"too many services ({len(services_node.entries)}; the limit is {MAX_SERVICES})",
        )
    enabled = set(loader.options.profiles)
    env_profiles = loader.lookup("COMPOSE_PROFILES")
    if env_profiles:
        enabled.update(p.strip() for p in env_profiles.split(",") if p.strip())
    services: dict[str, ComposeService] = {}
    inactive: list[str] = []
    for name, entry in services_node.entries.items():
        node = entry.value
        assert isinstance(node, YMap)
        profiles = tuple(scalar_text(p) or "" for p in list_of(node.get("profiles"), "profiles"))
        if profiles and not (enabled & set(profiles)) and "*" not in enabled:
            inactive.append(name)
            continue
        services[name] = _service(loader, name, entry.key_origin, node, profiles)
    name_node = root.get("name")
    project_name = (
        scalar_text(name_node)
        or loader.lookup("COMPOSE_PROJECT_NAME")
        or re.sub(r"[^a-z0-9_-]", "", loader.project_dir.resolve().name.lower())
        or "default"
    )
    return ComposeProject(
        name=project_name,
        directory=loader.project_dir,
        compose_files=tuple(compose_files),
        sources=dict(loader.sources),
        root=root,
        services=services,
        inactive_services=tuple(inactive),
        networks=_networks(root, services),
        secrets=_file_objects(loader, root, "secrets"),
        configs=_file_objects(loader, root, "configs"),
        dotenv=dotenv,
        warnings=tuple(loader.warnings),
        real_paths=dict(loader.real_paths),
        base_dirs=dict(loader.base_dirs),
    )


def _service(
    loader: _Loader, name: str, key_origin: Origin, node: YMap, profiles: tuple[str, ...]
) -> ComposeService:
    image = scalar_text(node.get("image"))
    build = node.get("build")
    if image is None and build is None:
        raise loader.fail(key_origin, f"service {name!r} has neither an image nor a build context")
    network_mode = scalar_text(node.get("network_mode"))
    networks_node = node.get("networks")
    if network_mode is not None and networks_node is not None:
        raise loader.fail(
            networks_node.origin,
            f"service {name!r}: 'network_mode' and 'networks' cannot be combined",
        )
    networks: list[ServiceNetwork] = []
    if network_mode is None:
        attached = names_list_or_map(networks_node, "networks")
        for net, entry in attached.entries.items():
            aliases: tuple[str, ...] = ()
            if isinstance(entry.value, YMap):
                aliases = tuple(
                    scalar_text(a) or "" for a in list_of(entry.value.get("aliases"), "aliases")
                )
            networks.append(ServiceNetwork(net, entry.key_origin, aliases))
        if not networks:
            networks.append(ServiceNetwork("default", None))
    return ComposeService(
        name=name,
        node=node,
        key_origin=key_origin,
        image=image,
        has_build=build is not None,
        environment=_environment(loader, name, node),
        ports=tuple(parse_port(p) for p in list_of(node.get("ports"), "ports")),
        volumes=tuple(parse_volume(v) for v in list_of(node.get("volumes"), "volumes")),
        secrets=tuple(
            parse_file_ref(s, "secrets") for s in list_of(node.get("secrets"), "secrets")
        ),
        configs=tuple(
            parse_file_ref(c, "configs") for c in list_of(node.get("configs"), "configs")
        ),
        networks=tuple(networks),
        network_mode=network_mode,
        depends_on=tuple(names_list_or_map(node.get("depends_on"), "depends_on").entries),
        links=tuple(
            (scalar_text(link) or "").split(":")[0] for link in list_of(node.get("links"), "links")
        ),
        profiles=profiles,
    )


def _base_dir(loader: _Loader, origin: Origin) -> Path:
    return loader.base_dirs.get(origin.path, loader.project_dir)


def _environment(loader: _Loader, service: str, node: YMap) -> tuple[EnvVar, ...]:
    values: dict[str, EnvVar] = {}
    for item in list_of(node.get("env_file"), "env_file"):
        required = True
        path_node: YNode = item
        if isinstance(item, YMap):
            path_node = item.get("path") or item
            required = as_bool(item.get("required")) is not False
        rel = scalar_text(path_node)
        if not rel:
            raise loader.fail(item.origin, f"service {service!r}: env_file entry needs a path")
        path = _base_dir(loader, path_node.origin) / os.path.expanduser(rel)
        if not path.is_file() and not required:
            continue
        try:
            source = loader.read(path)
        except SourceError as exc:
            raise loader.fail(path_node.origin, f"env_file {rel!r}: {exc.reason}") from None
        for dot in parse_dotenv(source, loader.lookup):
            value = dot.value if dot.value is not None else loader.lookup(dot.name)
            if value is None:
                continue
            values[dot.name] = EnvVar(dot.name, value, dot.origin, "env_file")
    env_node = node.get("environment")
    if env_node is not None:
        for key, entry in list_or_map(env_node, "environment").entries.items():
            text = scalar_text(entry.value)
            if text is None:
                inherited = loader.lookup(key)
                if inherited is None:
                    values.pop(key, None)
                    continue
                text = inherited
            values[key] = EnvVar(key, text, entry.value.origin, "environment")
    return tuple(values.values())


def _networks(root: YMap, services: dict[str, ComposeService]) -> dict[str, NetworkDef]:
    result: dict[str, NetworkDef] = {}
    declared = root.get("networks")
    if isinstance(declared, YMap):
        for name, entry in declared.entries.items():
            value = entry.value
            internal = external = False
            driver = None
            if isinstance(value, YMap):
                internal = bool(as_bool(value.get("internal")))
                ext = value.get("external")
                external = bool(as_bool(ext)) if isinstance(ext, YScalar) else ext is not None
                driver = scalar_text(value.get("driver"))
            result[name] = NetworkDef(name, internal, external, driver, entry.key_origin)
    elif declared is not None and not (isinstance(declared, YScalar) and declared.value is None):
        raise SyntaxProblem(declared, f"'networks' must be a mapping, not {describe(declared)}")
    for service in services.values():
        for net in service.networks:
            if net.name == "default" and "default" not in result:
                result["default"] = NetworkDef("default", False, False, None, None)
            elif net.name not in result and net.origin is not None:
                raise SyntaxProblem(
                    net.origin, f"service {service.name!r} uses undefined network {net.name!r}"
                )
    return result


def _file_objects(loader: _Loader, root: YMap, kind: str) -> dict[str, SecretDef]:
    declared = root.get(kind)
    result: dict[str, SecretDef] = {}
    if declared is None or (isinstance(declared, YScalar) and declared.value is None):
        return result
    if not isinstance(declared, YMap):
        raise SyntaxProblem(declared, f"'{kind}' must be a mapping, not {describe(declared)}")
    for name, entry in declared.entries.items():
        value = entry.value
        if not isinstance(value, YMap):
            raise SyntaxProblem(value, f"{kind} {name!r} must be a mapping")
        file_node = value.get("file")
        if file_node is not None:
            rel = scalar_text(file_node) or ""
            path = _base_dir(loader, file_node.origin) / os.path.expanduser(rel)
            try:
                mode: int | None = path.stat().st_mode & 0o7777
            except OSError:
                mode = None
            result[name] = SecretDef(name, "file", path, file_node.origin, mode)
        elif value.get("environment") is not None:
            result[name] = SecretDef(
                name, "environment", None, value.entries["environment"].key_origin
            )
        elif value.get("content") is not None:
            result[name] = SecretDef(name, "content", None, value.entries["content"].key_origin)
        else:
            result[name] = SecretDef(name, "external", None, entry.key_origin)
    return result
