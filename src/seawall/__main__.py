"""``python -m seawall`` runs the command line."""

import sys

from seawall.cli import main

sys.exit(main())
