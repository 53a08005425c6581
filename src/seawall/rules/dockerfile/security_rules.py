"""Dockerfile security rules (DF001-DF049)."""

from __future__ import annotations

from typing import Any

from seawall.rules._base import Rule
from seawall.rules.dockerfile.base_image import (
    BaseImageNotPinnedByDigest,
    BaseImageUnpinnedTag,
    NonMinimalBaseImage,
)
from seawall.rules.dockerfile.build_transport import ElevatedBuildPrivileges, PlainHttpDownload
from seawall.rules.dockerfile.privileges import (
    RuntimeUserOwnsCopiedFiles,
    SetuidSetgidBit,
    SudoInRun,
    WorldWritablePermissions,
)
from seawall.rules.dockerfile.remote_content import (
    AddInsteadOfCopy,
    AddRemoteWithoutChecksum,
    PipeToShell,
)
from seawall.rules.dockerfile.run_commands import PasswordSetInRun, PointlessCommandInRun
from seawall.rules.dockerfile.secret_mounts import SecretMountPersisted
from seawall.rules.dockerfile.secrets_in_dockerfile import (
    HardcodedCredentialToken,
    SecretBuildArgExposed,
    SecretInEnvArgLabel,
)
from seawall.rules.dockerfile.sensitive_copies import (
    SensitiveFileCopied,
    WholeContextCopiedUnfiltered,
)
from seawall.rules.dockerfile.shipped_image import BuildToolsInShippedImage, MissingHealthcheck
from seawall.rules.dockerfile.ssh_access import SshPortExposed, SshServerInImage
from seawall.rules.dockerfile.transport_security import (
    PackageSignatureCheckDisabled,
    TlsVerificationDisabled,
    TlsVerificationDisabledByVariable,
)
from seawall.rules.dockerfile.user import LastUserRoot

SECURITY_RULES: tuple[Rule[Any], ...] = (
    LastUserRoot(),
    BaseImageUnpinnedTag(),
    BaseImageNotPinnedByDigest(),
    NonMinimalBaseImage(),
    SecretInEnvArgLabel(),
    HardcodedCredentialToken(),
    SensitiveFileCopied(),
    WholeContextCopiedUnfiltered(),
    SecretBuildArgExposed(),
    PipeToShell(),
    AddRemoteWithoutChecksum(),
    AddInsteadOfCopy(),
    SudoInRun(),
    WorldWritablePermissions(),
    SetuidSetgidBit(),
    SshPortExposed(),
    MissingHealthcheck(),
    BuildToolsInShippedImage(),
    TlsVerificationDisabled(),
    TlsVerificationDisabledByVariable(),
    PackageSignatureCheckDisabled(),
    PasswordSetInRun(),
    SshServerInImage(),
    PointlessCommandInRun(),
    ElevatedBuildPrivileges(),
    PlainHttpDownload(),
    SecretMountPersisted(),
    RuntimeUserOwnsCopiedFiles(),
)
