"""Dockerfile reliability and package-manager hygiene rules (DF050-DF099)."""

from __future__ import annotations

from typing import Any

from seawall.rules._base import Rule
from seawall.rules.dockerfile.copy_arguments import (
    CopyDestinationNotDirectory,
    CopyRelativeDestinationWithoutWorkdir,
)
from seawall.rules.dockerfile.instructions import (
    EnvSameStatementReference,
    InvalidExposePort,
    MaintainerDeprecated,
    OnbuildForbiddenTrigger,
    OverriddenInstruction,
    ShellFormCmd,
)
from seawall.rules.dockerfile.package_cache import PackageCacheLeftInLayer, YarnCacheLeftInLayer
from seawall.rules.dockerfile.package_commands import (
    AptInsteadOfAptGet,
    DistributionUpgrade,
    PackageUpdateAlone,
    PackageUpgrade,
)
from seawall.rules.dockerfile.package_flags import (
    ApkAddWithoutNoCache,
    AptMissingNoInstallRecommends,
    PackageInstallWithoutYes,
    PipInstallWithCache,
)
from seawall.rules.dockerfile.shell_usage import (
    PipeWithoutPipefail,
    ShellChangedViaRun,
    UseraddHighUidWithoutNoLogInit,
    WgetAndCurl,
)
from seawall.rules.dockerfile.stages import (
    CopyEntireFilesystem,
    CopyFromOwnStage,
    CopyFromUnknownStage,
    DuplicateStageName,
    FromPlatformLiteral,
    RedundantTargetPlatform,
    ReservedStageName,
)
from seawall.rules.dockerfile.version_pinning import LanguagePackageUnpinned, OsPackageUnpinned
from seawall.rules.dockerfile.workdir import (
    CdInsteadOfWorkdir,
    RelativeWorkdir,
    WorkdirSystemDirectory,
)

HYGIENE_RULES: tuple[Rule[Any], ...] = (
    PackageUpdateAlone(),  # DF050
    PackageInstallWithoutYes(),  # DF051
    AptMissingNoInstallRecommends(),  # DF052
    PackageCacheLeftInLayer(),  # DF053
    AptInsteadOfAptGet(),  # DF054
    DistributionUpgrade(),  # DF055
    PackageUpgrade(),  # DF056
    ApkAddWithoutNoCache(),  # DF057
    PipInstallWithCache(),  # DF058
    YarnCacheLeftInLayer(),  # DF059
    OsPackageUnpinned(),  # DF060
    LanguagePackageUnpinned(),  # DF061
    RelativeWorkdir(),  # DF062
    CdInsteadOfWorkdir(),  # DF063
    WorkdirSystemDirectory(),  # DF064
    InvalidExposePort(),  # DF065
    OverriddenInstruction(),  # DF066
    FromPlatformLiteral(),  # DF067
    RedundantTargetPlatform(),  # DF068
    CopyFromUnknownStage(),  # DF069
    CopyFromOwnStage(),  # DF070
    DuplicateStageName(),  # DF071
    ReservedStageName(),  # DF072
    CopyEntireFilesystem(),  # DF073
    CopyDestinationNotDirectory(),  # DF074
    CopyRelativeDestinationWithoutWorkdir(),  # DF075
    MaintainerDeprecated(),  # DF076
    ShellFormCmd(),  # DF077
    OnbuildForbiddenTrigger(),  # DF078
    EnvSameStatementReference(),  # DF079
    ShellChangedViaRun(),  # DF080
    PipeWithoutPipefail(),  # DF081
    WgetAndCurl(),  # DF082
    UseraddHighUidWithoutNoLogInit(),  # DF083
)
