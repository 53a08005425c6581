"""What well-known images need to keep working once hardened, and why.

Each entry lists the capabilities the image's entrypoint needs when it starts as root (most
official images start as root, fix ownership of their data directory and then drop to an
unprivileged user with ``gosu``/``su-exec``), the paths it writes outside its declared volumes
(they become ``tmpfs`` under ``read_only: true``), the non-root user it supports, and which
``*_FILE`` variables it reads secrets from. An image not listed gets the generic answer: no
capability except NET_BIND_SERVICE for a privileged port, ``/tmp`` and ``/run`` writable, no
``user:`` change.
"""

from __future__ import annotations

from dataclasses import dataclass

_GOSU = ("CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID")


@dataclass(frozen=True)
class ImageNeeds:
    """The needs of one image family, each with its reason."""

    caps: tuple[str, ...]
    caps_reason: str
    tmpfs: tuple[str, ...]
    tmpfs_reason: str
    user: str | None
    user_reason: str
    file_env: tuple[str, ...] = ()  # variables that also exist as <NAME>_FILE


GENERIC_TMPFS = ("/tmp", "/run")

_TABLE: dict[str, ImageNeeds] = {
    "postgres": ImageNeeds(
        caps=_GOSU,
        caps_reason="the entrypoint chowns/chmods PGDATA as root, then drops to 'postgres' "
        "with gosu",
        tmpfs=("/tmp", "/run", "/var/run/postgresql"),
        tmpfs_reason="the server's Unix socket and lock file live in /var/run/postgresql",
        user="postgres",
        user_reason="the image supports an arbitrary --user when PGDATA is owned by it (a new "
        "named volume copies the image's postgres-owned directory)",
        file_env=("POSTGRES_PASSWORD", "POSTGRES_USER", "POSTGRES_DB", "POSTGRES_INITDB_ARGS"),
    ),
    "mysql": ImageNeeds(
        caps=_GOSU,
        caps_reason="the entrypoint chowns the data directory as root, then drops to 'mysql' "
        "with gosu",
        tmpfs=("/tmp", "/run", "/var/run/mysqld"),
        tmpfs_reason="the socket and pid file live in /var/run/mysqld",
        user="mysql",
        user_reason="the image documents running with --user when the data directory is "
        "owned by that user",
        file_env=(
            "MYSQL_ROOT_PASSWORD",
            "MYSQL_PASSWORD",
            "MYSQL_USER",
            "MYSQL_DATABASE",
            "MYSQL_ROOT_HOST",
        ),
    ),
    "mariadb": ImageNeeds(
        caps=_GOSU,
        caps_reason="the entrypoint chowns the data directory as root, then drops to 'mysql' "
        "with gosu",
        tmpfs=("/tmp", "/run", "/run/mysqld"),
        tmpfs_reason="the socket and pid file live in /run/mysqld",
        user="mysql",
        user_reason="the image supports --user when the data directory is owned by that user",
        file_env=(
            "MARIADB_ROOT_PASSWORD",
            "MARIADB_PASSWORD",
            "MARIADB_USER",
            "MARIADB_DATABASE",
            "MYSQL_ROOT_PASSWORD",
            "MYSQL_PASSWORD",
            "MYSQL_USER",
            "MYSQL_DATABASE",
        ),
    ),
    "mongo": ImageNeeds(
        caps=_GOSU,
        caps_reason="the entrypoint chowns /data/db and /data/configdb as root, then drops to "
        "'mongodb' with gosu",
        tmpfs=("/tmp", "/run"),
        tmpfs_reason="mongod writes its socket in /tmp",
        user="mongodb",
        user_reason="the image runs mongod as 'mongodb'; starting as that user skips the chown",
        file_env=("MONGO_INITDB_ROOT_USERNAME", "MONGO_INITDB_ROOT_PASSWORD"),
    ),
    "redis": ImageNeeds(
        caps=("CHOWN", "SETGID", "SETUID"),
        caps_reason="the entrypoint chowns /data as root, then drops to 'redis' with gosu",
        tmpfs=("/tmp", "/run"),
        tmpfs_reason="data goes to the /data volume; nothing else is written",
        user="redis",
        user_reason="redis-server runs as 'redis'; starting as that user skips the chown",
    ),
    "valkey": ImageNeeds(
        caps=("CHOWN", "SETGID", "SETUID"),
        caps_reason="the entrypoint chowns /data as root, then drops to 'valkey' with setpriv",
        tmpfs=("/tmp", "/run"),
        tmpfs_reason="data goes to the /data volume; nothing else is written",
        user="valkey",
        user_reason="valkey-server runs as 'valkey'; starting as that user skips the chown",
    ),
    "memcached": ImageNeeds(
        caps=(),
        caps_reason="the image already runs as the unprivileged 'memcache' user",
        tmpfs=("/tmp",),
        tmpfs_reason="memcached keeps everything in memory",
        user="memcache",
        user_reason="'memcache' is the image's own USER",
    ),
    "nginx": ImageNeeds(
        caps=("CHOWN", "NET_BIND_SERVICE", "SETGID", "SETUID"),
        caps_reason="the master binds port 80 as root, chowns its cache directories and "
        "starts workers as 'nginx'",
        tmpfs=("/tmp", "/run", "/var/cache/nginx"),
        tmpfs_reason="nginx writes its pid file in /run (/var/run links there) and temp files "
        "in /var/cache/nginx",
        user=None,
        user_reason="the official image needs root to bind port 80 and switch workers to "
        "'nginx' (use nginxinc/nginx-unprivileged to run as 101)",
    ),
    "nginx-unprivileged": ImageNeeds(
        caps=(),
        caps_reason="the image runs as 'nginx' (101) and listens on 8080",
        tmpfs=("/tmp",),
        tmpfs_reason="the pid file and temp paths are under /tmp in this image",
        user="101:101",
        user_reason="the image is built to run as 101",
    ),
    "httpd": ImageNeeds(
        caps=("NET_BIND_SERVICE", "SETGID", "SETUID"),
        caps_reason="httpd binds port 80 as root and runs its children as 'daemon'",
        tmpfs=("/tmp", "/run", "/usr/local/apache2/logs"),
        tmpfs_reason="httpd writes its pid file in /usr/local/apache2/logs",
        user=None,
        user_reason="the image needs root to bind port 80 and switch to 'daemon'",
    ),
    "traefik": ImageNeeds(
        caps=("NET_BIND_SERVICE",),
        caps_reason="traefik binds ports 80/443 as root",
        tmpfs=("/tmp",),
        tmpfs_reason="certificates and state go to the configured volumes",
        user=None,
        user_reason="traefik usually reads the Docker socket, which only root can open",
    ),
    "caddy": ImageNeeds(
        caps=("NET_BIND_SERVICE",),
        caps_reason="caddy binds ports 80/443 as root",
        tmpfs=("/tmp",),
        tmpfs_reason="state goes to the /data and /config volumes",
        user=None,
        user_reason="the image runs as root to bind ports 80/443",
    ),
    "grafana": ImageNeeds(
        caps=(),
        caps_reason="the image already runs as 'grafana' (472)",
        tmpfs=("/tmp",),
        tmpfs_reason="data goes to /var/lib/grafana (mount a volume there)",
        user="472",
        user_reason="472 is the image's own USER",
    ),
    "prometheus": ImageNeeds(
        caps=(),
        caps_reason="the image already runs as 'nobody'",
        tmpfs=("/tmp",),
        tmpfs_reason="data goes to /prometheus (a volume)",
        user="65534",
        user_reason="65534 (nobody) is the image's own USER",
    ),
}

_ALIASES = {
    "postgis": "postgres",
    "timescaledb": "postgres",
    "percona": "mysql",
}


def repository_name(image: str) -> str:
    """The last path component of an image reference without tag or digest (``nginx``)."""
    repository = image.split("@", 1)[0]
    last = repository.rsplit("/", 1)[-1]
    if ":" in last:
        last = last[: last.index(":")]
    return last.lower()


def needs_of(image: str | None) -> ImageNeeds | None:
    """The table entry for an image reference, or None when the image is not known."""
    if not image or "$" in image:
        return None
    name = repository_name(image)
    name = _ALIASES.get(name, name)
    return _TABLE.get(name)


def service_needs(image: str | None, built: bool) -> ImageNeeds | None:
    """The needs of a service's image; None when it is built locally (``build:``), since its
    Dockerfile, not the official image, decides what it needs."""
    return None if built else needs_of(image)


def known_images() -> tuple[str, ...]:
    """Image names the table knows (for documentation and tests)."""
    return tuple(sorted((*_TABLE, *_ALIASES)))
