"""``harden --seccomp``: give each service its own recorded seccomp profile.

Recording runs once (it starts real containers); every later hardening pass re-creates the same
profile files in the workspace and re-adds the ``security_opt`` references.
"""

from __future__ import annotations

from pathlib import Path

from seawall.harden.plan import Change, Targets, stat_tree
from seawall.harden.workspace import Workspace
from seawall.model.fix import Edit

PROFILE_RULE = "SECCOMP"  # the rule id shown for a profile change (no rule finding behind it)


class SeccompStep:
    """A :class:`~seawall.harden.plan.Hardener` step: profiles and their references."""

    def __init__(self, targets: Targets, runs: int) -> None:
        self.targets = targets
        self.runs = runs
        self._recorded: dict[int, dict[str, Path]] = {}  # group index -> service -> profile
        self._files: dict[str, str] = {}  # relative path -> text of every file the hook wrote
        self._profile_owner: dict[str, str] = {}  # profile relative path -> service

    @property
    def changes(self) -> tuple[Change, ...]:
        """One change per recorded profile, so that ``--verify`` can back a profile out."""
        return tuple(
            Change(relative, 0, PROFILE_RULE, "own seccomp profile", (service,))
            for relative, service in sorted(self._profile_owner.items())
        )

    def __call__(self, workspace: Workspace, backed_out: frozenset[Change]) -> None:
        """Record (first pass only), write the profile files, reference them from the services
        (except those backed out)."""
        from seawall.seccomp.harden_hook import record_service_profiles

        if not self._recorded:
            from seawall.harden.compose_run import build_images
            from seawall.runtime.client import resolve_endpoint

            host = resolve_endpoint().host
            before = stat_tree(workspace.root)
            for index, group in enumerate(self.targets.compose_groups):
                # Services built from a Dockerfile are recorded from their hardened image.
                build_images([workspace.path(f) for f in group], host)
                profiles = record_service_profiles(
                    workspace.root,
                    [workspace.path(f) for f in group],
                    None,
                    docker_host=host,
                    runs=self.runs,
                )
                self._recorded[index] = profiles
                for service, profile in profiles.items():
                    relative = profile.relative_to(workspace.root).as_posix()
                    self._profile_owner[relative] = service
            # Keep every file the recording wrote (profiles and their .why sidecars): later
            # passes start again from the original files and get them back from here.
            for relative, signature in stat_tree(workspace.root).items():
                if before.get(relative) != signature:
                    self._files[relative] = workspace.path(relative).read_text(encoding="utf-8")
        dropped = {c.services[0] for c in backed_out if c.rule_id == PROFILE_RULE}
        kept_paths = {p for p, s in self._profile_owner.items() if s not in dropped}
        for relative, text in self._files.items():
            owner_path = relative.removesuffix(".why") + (
                ".json" if relative.endswith(".why") else ""
            )
            if owner_path in self._profile_owner and owner_path not in kept_paths:
                continue
            workspace.write(relative, text)
        for index, group in enumerate(self.targets.compose_groups):
            kept = {s: p for s, p in self._recorded.get(index, {}).items() if s not in dropped}
            self._reference(workspace, group, kept)

    def _reference(
        self, workspace: Workspace, group: tuple[str, ...], profiles: dict[str, Path]
    ) -> None:
        from seawall.fixer import apply_edits
        from seawall.parsers.compose import LoadOptions, load_project
        from seawall.seccomp.harden_hook import security_opt_edits

        if not profiles:
            return
        project = load_project(
            [workspace.path(f) for f in group],
            LoadOptions(project_dir=workspace.root, display_root=workspace.root),
        )
        by_file: dict[str, list[Edit]] = {}
        for edit in security_opt_edits(project, profiles):
            by_file.setdefault(edit.path or project.compose_files[0], []).append(edit)
        for shown, edits in by_file.items():
            source = project.sources[shown]
            workspace.write(shown, apply_edits(source.text, edits))
