import os
import sys

from .cli import main

try:
    sys.exit(main())
except BrokenPipeError:
    # `python -m bound_demo run ... | head`: the reader left; that is not an error.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(0)
