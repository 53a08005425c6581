"""``seawall harden``: apply every fix to a project, score it before and after, and prove it runs.

The flow: :mod:`workspace` copies the project folder to a temporary workspace, :mod:`plan` applies
all fixes there (Dockerfiles and Compose files), :mod:`score` and :mod:`summary` compare the
findings before and after per service, :mod:`verify` brings the original and the hardened project
up on a real Docker engine and attributes every breakage to the change that caused it, and only
then are the changed files copied back over the originals, all or nothing.
"""
