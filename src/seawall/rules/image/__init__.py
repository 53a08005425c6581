"""Built-image rules (IMG###): config, history, files in every layer, permissions, minimality."""

from __future__ import annotations

from typing import Any

from seawall.rules._base import Rule
from seawall.rules.image.archive import SuspiciousLayerEntry
from seawall.rules.image.config import (
    FloatingTag,
    ImageRunsAsRoot,
    ImageWithoutHealthcheck,
    SecretInEnvironment,
    SshPortExposed,
)
from seawall.rules.image.eol import EndOfLifeOS
from seawall.rules.image.files import (
    CloudCredentialsInImage,
    DotenvInImage,
    GitFolderInImage,
    PrivateKeyInImage,
    ShellHistoryInImage,
    TokenConfigInImage,
)
from seawall.rules.image.history import AddUrlInHistory, SecretInHistory
from seawall.rules.image.minimal import (
    CompilerPresent,
    DownloaderPresent,
    PackageCount,
    PackageManagerPresent,
    ShellPresent,
)
from seawall.rules.image.permissions import SetuidBinary, WorldWritablePath

IMAGE_RULES: tuple[Rule[Any], ...] = (
    ImageRunsAsRoot(),
    ImageWithoutHealthcheck(),
    SecretInEnvironment(),
    SecretInHistory(),
    AddUrlInHistory(),
    SshPortExposed(),
    FloatingTag(),
    PrivateKeyInImage(),
    CloudCredentialsInImage(),
    DotenvInImage(),
    TokenConfigInImage(),
    GitFolderInImage(),
    ShellHistoryInImage(),
    SetuidBinary(),
    WorldWritablePath(),
    ShellPresent(),
    PackageManagerPresent(),
    CompilerPresent(),
    DownloaderPresent(),
    PackageCount(),
    EndOfLifeOS(),
    SuspiciousLayerEntry(),
)
