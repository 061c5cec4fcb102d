"""``python -m toolkit`` is the ``concordium-backup`` command."""

import sys

from .cli import main

sys.exit(main())
