"""Real-component test infrastructure for seawall.

The fixtures in the root ``tests/conftest.py`` start the real things seawall talks to, once per
test session, and tear them down at the end:

``dockerd`` (:class:`harness.daemon.DockerDaemon`)
    ``$SEAWALL_TEST_DOCKER_HOST`` when set (never stopped by us), otherwise Debian's ``dockerd``
    started as root with its own data root, exec root, unix socket and pidfile under
    ``/tmp/seawall-dockerd-*`` (``--storage-driver vfs --iptables=false --bridge=none``, an empty
    ``--config-file``). Attributes: ``docker_host`` ("unix://…"), ``socket_path``, ``data_root``,
    ``pid``, ``run_dir``; methods ``client()`` (a ``docker.DockerClient``), ``run_cli(*args)``
    (the ``docker`` CLI with ``DOCKER_HOST`` set; raises AssertionError on failure unless
    ``check=False``) and ``env()``. At session end every container is force-removed, dockerd's
    process group is stopped, containerd and shims found by the run directory are killed, mounts
    below it are unmounted and the directory is deleted. Directories left by a crashed session
    are cleaned at the next start.
    Facts that shape tests (``../shared/research/runtime.md`` §0): no default bridge (use
    ``--network none`` or a user-defined network), no outbound NAT, ``--privileged`` containers
    can be created but not started (CAP_SYS_RESOURCE is missing), no AppArmor.

``busybox_image`` → ``"seawall-test/busybox:1"``
    static busybox from Debian's busybox-static, applet symlinks in ``/bin`` (sh, sleep, cat, ls,
    id, echo, true, false, env, httpd, wget, nc, ps, whoami, date, …), ``/etc/passwd`` and
    ``/etc/group`` with root and nobody (65534), ``/tmp`` (1777); imported with ``docker import``.

``debian_image`` → ``"seawall-test/debian:bookworm"``
    ``debootstrap --variant=minbase --include=python3 bookworm`` from the machine's apt mirror,
    cached as a tarball in ``~/.cache/seawall-test/`` (``$SEAWALL_TEST_CACHE``; about 80 s the
    first time, a few seconds afterwards), imported with ``CMD ["/bin/bash"]``.

``registry`` (:class:`harness.registry.Registry`)
    Debian's ``docker-registry`` on ``127.0.0.1:<free port>`` with its own storage and config;
    ``.host``, ``.url`` and ``.ref(repo, tag)``. 127.0.0.0/8 is insecure by default in dockerd,
    so ``docker push``/``pull`` over plain HTTP works.

When a component cannot be started the fixture calls ``pytest.fail`` if ``CI=true`` and
``pytest.skip`` otherwise, with a one-line reason. Tests that use any of these fixtures get the
``docker`` marker automatically (``pytest -m "not docker"`` runs the rest).
"""

from harness.daemon import ComponentUnavailable, DockerDaemon
from harness.images import BUSYBOX_TAG, DEBIAN_TAG
from harness.registry import Registry

__all__ = ["BUSYBOX_TAG", "DEBIAN_TAG", "ComponentUnavailable", "DockerDaemon", "Registry"]
