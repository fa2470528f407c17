"""The bundle's entry script: exactly what the `tandem` console script runs (`ui.entry:main`).

PyInstaller freezes this file as the executable's `__main__`; everything else is found from the
imports (and the spec's hidden imports for what Tandem loads lazily).
"""

import sys

from ui.entry import main

if __name__ == "__main__":
    sys.exit(main())
