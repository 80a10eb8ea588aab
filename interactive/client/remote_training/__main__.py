"""``python -m remote_training``: see remote_training.cli."""
import sys

from remote_training.cli import main

sys.exit(main())
