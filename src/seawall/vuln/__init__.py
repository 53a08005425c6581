"""Known vulnerabilities: an offline OSV database, exact matching, severity and the policy gate.

Public API (see each module):

- ``db.VulnDB.open(path)``, ``db.open_for_scan(path, max_age=, allow_stale=, now=)``,
  ``db.default_path()`` (``$SEAWALL_DB`` or ``~/.cache/seawall/vuln.db``)
- ``importer.import_paths(db_path, paths, replace=, progress=, now=) -> ImportStats``
- ``download.update(db_path, base_url=, ecosystems=, incremental=, progress=, now=) -> UpdateStats``
- ``match.match_packages(db, packages) -> list[VulnMatch]``
- ``policy.evaluate(matches, ledger, exceptions, today, settings=) -> PolicyResult``,
  ``policy.settings_from_mapping(config_table)``
- ``ledger.load_ledger/save_ledger``, ``exceptions.load_exceptions``
- ``rules.VULN_RULES`` and ``rules.findings_from_policy(result, image_ref)``
- ``vex.add_vulnerabilities(bom_json, matches, policy) -> dict`` (CycloneDX 1.6)
- ``scan.scan_packages(packages, target, ...) -> VulnScan``: all of the above in one call
"""
