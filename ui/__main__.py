"""`python -m ui` runs Tandem (same as the `tandem` command)."""

import sys

from ui.entry import main

sys.exit(main())
