#!/usr/bin/env python
"""Django's command-line utility; `motcua` is the same thing installed as a console script."""

from motcua.cli import main

if __name__ == "__main__":
    main()
