"""A real ``docker-registry`` over HTTPS with htpasswd (Basic) or token (Bearer) authentication.

It serves the storage of the plain session registry (images are pushed there anonymously, then
read here through TLS and authentication). The TLS certificate is self-signed for 127.0.0.1 and
also signs the tokens: the registry verifies each JWT's ``x5c`` chain against it, as it would
against a real token service's certificate. The token service is a small HTTP server in this
process that checks Basic credentials and grants the scope asked for.
"""

from __future__ import annotations

import base64
import contextlib
import http.server
import json
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from harness._process import free_port, remove_tree, stop_process_group, wait_until
from harness.daemon import ComponentUnavailable

USER, PASSWORD = "alice", "s3cret-pull"
SERVICE, ISSUER = "seawall-test", "seawall-test-issuer"

_TLS = """\
  tls:
    certificate: {cert}
    key: {key}
"""
_HTPASSWD = """\
auth:
  htpasswd:
    realm: seawall-test
    path: {htpasswd}
"""
_TOKEN = """\
auth:
  token:
    realm: {realm}
    service: {service}
    issuer: {issuer}
    rootcertbundle: {cert}
"""
_CONFIG = """\
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: {storage}
http:
  addr: 127.0.0.1:{port}
{tls}health:
  storagedriver:
    enabled: false
{auth}"""


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed RSA certificate for IP 127.0.0.1 (also the token signer): (cert, key)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    proc = subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        capture_output=True, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise ComponentUnavailable(f"openssl req failed: {proc.stderr.decode(errors='replace')}")
    return cert, key


def bcrypt_hash(password: str) -> str:
    """A bcrypt hash (what the registry's htpasswd file needs) through libxcrypt."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import crypt

        return crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1 << 4))


@dataclass
class TokenService:
    """Issues registry JWTs signed with the test key; records what it was asked."""

    cert: Path
    key: Path
    public_repositories: frozenset[str] = frozenset()
    requests: list[dict[str, str]] = field(default_factory=list)

    def sign(self, subject: str, scope: str) -> str:
        """A JWT granting ``scope`` (``repository:<name>:<actions>``) to ``subject``."""
        der = subprocess.run(
            ["openssl", "x509", "-in", str(self.cert), "-outform", "DER"],
            capture_output=True,
            check=True,
        ).stdout
        header = {"typ": "JWT", "alg": "RS256", "x5c": [base64.b64encode(der).decode()]}
        now = int(time.time())
        access = []
        if scope:
            kind, name, actions = scope.split(":", 2)
            access.append({"type": kind, "name": name, "actions": actions.split(",")})
        claims = {
            "iss": ISSUER,
            "sub": subject,
            "aud": SERVICE,
            "exp": now + 300,
            "nbf": now - 30,
            "iat": now,
            "jti": secrets.token_hex(8),
            "access": access,
        }
        signing_input = (
            f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
        )
        signature = subprocess.run(
            ["openssl", "dgst", "-sha256", "-sign", str(self.key)],
            input=signing_input.encode(),
            capture_output=True,
            check=True,
        ).stdout
        return f"{signing_input}.{_b64url(signature)}"

    def answer(self, query: str, authorization: str) -> tuple[int, dict[str, str]]:
        """(status, body) for one token request."""
        params = dict(urllib.parse.parse_qsl(query))
        self.requests.append({**params, "authorization": authorization.split(" ")[0]})
        scope = params.get("scope", "")
        expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        repository = scope.split(":")[1] if scope.count(":") >= 2 else ""
        if authorization == expected:
            subject = USER
        elif not authorization and repository in self.public_repositories:
            subject = ""  # anonymous pull of a public repository
        else:
            return 401, {"details": "bad or missing credentials"}
        if params.get("service") != SERVICE:
            return 400, {"details": "unknown service"}
        token = self.sign(subject, scope)
        return 200, {"token": token, "access_token": token, "expires_in": "300"}

    @contextlib.contextmanager
    def serving(self) -> Iterator[str]:
        """Run the service on 127.0.0.1; yields its realm URL."""
        service = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                code, body = service.answer(
                    urllib.parse.urlsplit(self.path).query, self.headers.get("Authorization", "")
                )
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/token"
        finally:
            server.shutdown()
            server.server_close()


@dataclass
class SecureRegistry:
    """A running HTTPS registry; ``cert`` is the CA a client must trust."""

    host: str
    cert: Path
    process: subprocess.Popen[bytes]
    workdir: Path

    def close(self) -> None:
        """Stop the registry and delete its config (not the shared storage)."""
        stop_process_group(self.process, grace=5)
        remove_tree(self.workdir)


def _answers(url: str, cert: Path) -> bool:
    import ssl

    context = ssl.create_default_context(cafile=str(cert))
    try:
        with urllib.request.urlopen(f"{url}/v2/", timeout=2, context=context):
            return True
    except urllib.error.HTTPError as exc:
        return exc.code == 401  # up, and asking for credentials
    except (urllib.error.URLError, OSError):
        return False


def start_secure_registry(
    storage: Path, cert: Path, key: Path, auth: str, realm: str | None = None
) -> SecureRegistry:
    """``docker-registry`` over TLS on a free port, ``auth`` = "htpasswd" | "token" | "none"."""
    binary = shutil.which("docker-registry")
    if binary is None:
        raise ComponentUnavailable("docker-registry is not installed (apt: docker-registry)")
    workdir = Path(tempfile.mkdtemp(prefix="seawall-secure-registry-"))
    auth_block = ""
    if auth == "htpasswd":
        htpasswd = workdir / "htpasswd"
        htpasswd.write_text(f"{USER}:{bcrypt_hash(PASSWORD)}\n")
        auth_block = _HTPASSWD.format(htpasswd=htpasswd)
    elif auth == "token":
        auth_block = _TOKEN.format(realm=realm, service=SERVICE, issuer=ISSUER, cert=cert)
    port = free_port()
    config = workdir / "config.yml"
    config.write_text(
        _CONFIG.format(
            storage=storage,
            port=port,
            tls=_TLS.format(cert=cert, key=key),
            auth=auth_block,
        )
    )
    log = (workdir / "registry.log").open("wb")
    proc = subprocess.Popen(
        [binary, "serve", str(config)],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    log.close()
    registry = SecureRegistry(f"127.0.0.1:{port}", cert, proc, workdir)
    url = f"https://{registry.host}"
    if (
        wait_until(lambda: proc.poll() is not None or _answers(url, cert), 20)
        and proc.poll() is None
    ):
        return registry
    tail = (workdir / "registry.log").read_text(errors="replace").strip()[-300:]
    registry.close()
    raise ComponentUnavailable(f"secure docker-registry did not start: {tail}")
