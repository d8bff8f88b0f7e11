"""`python -m bot.cli …`: the same as the `creditbot` script."""
import sys

from bot.cli import main

sys.exit(main())
