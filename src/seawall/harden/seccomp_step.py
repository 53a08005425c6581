"""``harden --seccomp``: give each service its own recorded seccomp profile.

Recording runs once (it starts real containers); every later hardening pass re-creates the same
profile files in the workspace and re-adds the ``security_opt`` references.
"""

from __future__ import annotations

from pathlib import Path

from seawall.harden.plan import Targets
from seawall.harden.workspace import Workspace
from seawall.model.fix import Edit


class SeccompStep:
    """A :class:`~seawall.harden.plan.Hardener` step: profiles and their references."""

    def __init__(self, targets: Targets, runs: int) -> None:
        self.targets = targets
        self.runs = runs
        self._recorded: dict[int, dict[str, Path]] = {}  # group index -> service -> profile
        self._files: dict[str, str] = {}  # relative path -> text of every file the hook wrote

    def __call__(self, workspace: Workspace) -> None:
        """Record (first pass only), write the profile files, reference them from the services."""
        from seawall.seccomp.harden_hook import record_service_profiles

        if not self._recorded:
            from seawall.runtime.client import resolve_endpoint

            host = resolve_endpoint().host
            for index, group in enumerate(self.targets.compose_groups):
                profiles = record_service_profiles(
                    workspace.root,
                    [workspace.path(f) for f in group],
                    None,
                    docker_host=host,
                    runs=self.runs,
                )
                self._recorded[index] = profiles
                for profile in profiles.values():
                    for written in (profile, profile.with_name(profile.name + ".why")):
                        if written.is_file():
                            relative = written.relative_to(workspace.root).as_posix()
                            self._files[relative] = written.read_text(encoding="utf-8")
        for relative, text in self._files.items():
            workspace.write(relative, text)
        for index, group in enumerate(self.targets.compose_groups):
            self._reference(workspace, group, self._recorded.get(index, {}))

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
