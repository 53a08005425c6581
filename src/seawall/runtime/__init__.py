"""Runtime collection for ``seawall audit``: the Docker Engine, the daemon's settings, the host.

Collection (this package) gathers facts into frozen values; rules in ``seawall.rules.host`` and
the workload rules judge them. Nothing here prints or decides severity.
"""
