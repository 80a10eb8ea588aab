"""``python -m notebook_job``: the command line Galaxy calls."""
import sys

from notebook_job.cli import main

sys.exit(main())
