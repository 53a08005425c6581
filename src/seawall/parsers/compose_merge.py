"""Merging Compose trees by the Compose Specification's rules (override files and ``extends``).

Mappings merge key by key; sequences append; ``command``, ``entrypoint`` and ``healthcheck.test``
are replaced; ``ports``, ``volumes``, ``secrets`` and ``configs`` are unique by their key and a
later entry replaces an earlier one with the same key; ``environment``, ``labels``, ``sysctls``,
``extra_hosts``, ``ulimits``, ``annotations`` and ``build.args`` merge as mappings whatever syntax
each file used; ``networks`` and ``depends_on`` merge as mappings of names. The ``!reset`` tag
removes a value and ``!override`` replaces it. Every value keeps the origin of the file that
wrote it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from seawall.parsers.compose_syntax import (
    SyntaxProblem,
    list_of,
    list_or_map,
    names_list_or_map,
    parse_file_ref,
    parse_port,
    parse_volume,
    scalar_text,
)
from seawall.parsers.yamldoc import YEntry, YMap, YNode, YScalar, YSeq

RESET = "!reset"
OVERRIDE = "!override"

_REPLACED = frozenset({"command", "entrypoint"})
_AS_MAPPING = frozenset({"environment", "labels", "sysctls", "annotations"})
_EXTRA_HOSTS = "extra_hosts"
_NAMES = frozenset({"networks", "depends_on"})
_SCALAR_LISTS = frozenset({"dns", "dns_search", "env_file", "tmpfs", "dns_opt"})
_SET_LISTS = frozenset(
    {
        "cap_add",
        "cap_drop",
        "security_opt",
        "devices",
        "expose",
        "external_links",
        "links",
        "group_add",
        "profiles",
        "device_cgroup_rules",
        "volumes_from",
    }
)


def _tag(node: YNode) -> str:
    return node.tag


def _unique_merge(
    base: YNode, over: YNode, what: str, key_of: Callable[[YNode], Hashable]
) -> YNode:
    base_items = list_of(base, what)
    over_items = list_of(over, what)
    merged: dict[Hashable, YNode] = {}
    for item in (*base_items, *over_items):
        merged[key_of(item)] = item  # a later entry with the same key replaces the earlier one
    origin_node = base if isinstance(base, YSeq) else over
    return YSeq(tuple(merged.values()), origin_node.origin, getattr(origin_node, "indent", 0))


def _port_key(node: YNode) -> Hashable:
    return parse_port(node).unique_key


def _volume_key(node: YNode) -> Hashable:
    return parse_volume(node).target


def _ref_key(kind: str) -> Callable[[YNode], Hashable]:
    return lambda node: parse_file_ref(node, kind).target


def _set_merge(base: YNode, over: YNode, what: str) -> YNode:
    seen: dict[Hashable, YNode] = {}
    for item in (*list_of(base, what), *list_of(over, what)):
        key = scalar_text(item) if isinstance(item, YScalar) else id(item)
        seen.setdefault(key, item)
    origin_node = base if isinstance(base, YSeq) else over
    return YSeq(tuple(seen.values()), origin_node.origin, getattr(origin_node, "indent", 0))


def _append(base: YNode, over: YNode, what: str) -> YNode:
    items = (*list_of(base, what), *list_of(over, what))
    origin_node = base if isinstance(base, YSeq) else over
    return YSeq(items, origin_node.origin, getattr(origin_node, "indent", 0))


def _extra_hosts(node: YNode) -> YMap:
    if isinstance(node, YSeq):
        # "host:ip" or "host=ip"
        sep = "="
        if all(isinstance(i, YScalar) and "=" not in str(i.value) for i in node.items):
            sep = ":"
        return list_or_map(node, _EXTRA_HOSTS, sep)
    return list_or_map(node, _EXTRA_HOSTS)


def merge_generic(base: YNode, over: YNode) -> YNode:
    """Mapping into mapping, sequence appended to sequence, anything else replaced."""
    if _tag(over) == OVERRIDE:
        return over
    if isinstance(base, YMap) and isinstance(over, YMap):
        return merge_mappings(base, over, merge_generic)
    if isinstance(base, YSeq) and isinstance(over, YSeq):
        return YSeq((*base.items, *over.items), base.origin, base.indent, base.flow, base.tag)
    return over


def merge_mappings(base: YMap, over: YMap, merge_value: Callable[[YNode, YNode], YNode]) -> YMap:
    """Merge ``over`` into ``base`` key by key; the mapping keeps ``base``'s position."""
    entries = dict(base.entries)
    for key, entry in over.entries.items():
        if entry.value.tag == RESET:
            entries.pop(key, None)
            continue
        previous = entries.get(key)
        if previous is None:
            entries[key] = entry
        else:
            entries[key] = YEntry(key, entry.key_origin, merge_value(previous.value, entry.value))
    return YMap(entries, base.origin, base.indent, base.flow, base.tag)


def _merge_build(base: YNode, over: YNode) -> YNode:
    def as_map(node: YNode) -> YNode:
        if isinstance(node, YScalar):
            return YMap({"context": YEntry("context", node.origin, node)}, node.origin, 0, True)
        return node

    base, over = as_map(base), as_map(over)
    if isinstance(base, YMap) and isinstance(over, YMap):

        def value(b: YNode, o: YNode) -> YNode:
            return merge_generic(b, o)

        merged = merge_mappings(base, over, value)
        args_b, args_o = base.get("args"), over.get("args")
        if args_b is not None and args_o is not None and args_o.tag != RESET:
            args = merge_mappings(
                list_or_map(args_b, "args"), list_or_map(args_o, "args"), lambda _b, o: o
            )
            entries = dict(merged.entries)
            entries["args"] = YEntry("args", over.entries["args"].key_origin, args)
            merged = YMap(entries, merged.origin, merged.indent, merged.flow, merged.tag)
        return merged
    return over


def _merge_healthcheck(base: YNode, over: YNode) -> YNode:
    if isinstance(base, YMap) and isinstance(over, YMap):
        return merge_mappings(
            base, over, lambda b, o: o if isinstance(o, YSeq) else merge_generic(b, o)
        )
    return over


def merge_service_value(key: str, base: YNode, over: YNode) -> YNode:
    """Merge one attribute of a service by the spec's rule for that attribute."""
    if over.tag == OVERRIDE or key in _REPLACED:
        return over
    if key == "ports":
        return _unique_merge(base, over, key, _port_key)
    if key == "volumes":
        return _unique_merge(base, over, key, _volume_key)
    if key in ("secrets", "configs"):
        return _unique_merge(base, over, key, _ref_key(key))
    if key in _AS_MAPPING:
        return merge_mappings(list_or_map(base, key), list_or_map(over, key), lambda _b, o: o)
    if key == _EXTRA_HOSTS:
        return merge_mappings(_extra_hosts(base), _extra_hosts(over), lambda _b, o: o)
    if key == "ulimits":
        return merge_mappings(_as_map(base, key), _as_map(over, key), lambda _b, o: o)
    if key in _NAMES:
        return merge_mappings(
            names_list_or_map(base, key), names_list_or_map(over, key), merge_generic
        )
    if key in _SCALAR_LISTS:
        return _append(base, over, key)
    if key in _SET_LISTS:
        return _set_merge(base, over, key)
    if key == "build":
        return _merge_build(base, over)
    if key == "healthcheck":
        return _merge_healthcheck(base, over)
    return merge_generic(base, over)


def _as_map(node: YNode, what: str) -> YMap:
    if isinstance(node, YMap):
        return node
    raise SyntaxProblem(node, f"'{what}' must be a mapping")


def merge_service_maps(base: YMap, over: YMap) -> YMap:
    """Merge two service mappings attribute by attribute (the rule depends on the key)."""
    entries = dict(base.entries)
    for key, entry in over.entries.items():
        if entry.value.tag == RESET:
            entries.pop(key, None)
            continue
        previous = entries.get(key)
        if previous is None:
            entries[key] = entry
        else:
            value = merge_service_value(key, previous.value, entry.value)
            entries[key] = YEntry(key, entry.key_origin, value)
    return YMap(entries, base.origin, base.indent, base.flow, base.tag)


def merge_documents(base: YMap, over: YMap) -> YMap:
    """Merge a whole override file into the base: services by service, the rest generically."""
    entries = dict(base.entries)
    for key, entry in over.entries.items():
        previous = entries.get(key)
        if entry.value.tag == RESET:
            entries.pop(key, None)
        elif previous is None:
            entries[key] = entry
        elif (
            key == "services" and isinstance(previous.value, YMap) and isinstance(entry.value, YMap)
        ):
            services = dict(previous.value.entries)
            for name, svc in entry.value.entries.items():
                old = services.get(name)
                if old is not None and isinstance(old.value, YMap) and isinstance(svc.value, YMap):
                    services[name] = YEntry(
                        name, old.key_origin, merge_service_maps(old.value, svc.value)
                    )
                elif svc.value.tag == RESET:
                    services.pop(name, None)
                else:
                    services[name] = svc
            merged = YMap(
                services,
                previous.value.origin,
                previous.value.indent,
                previous.value.flow,
                previous.value.tag,
            )
            entries[key] = YEntry(key, previous.key_origin, merged)
        else:
            entries[key] = YEntry(
                key, previous.key_origin, merge_generic(previous.value, entry.value)
            )
    return YMap(entries, base.origin, base.indent, base.flow, base.tag)
