#!/usr/bin/env python3
"""Entry point the tool's command calls: makes the runner package beside it importable, then runs it.

A launcher file (rather than ``python -m`` with PYTHONPATH) keeps the command line simple and is
what Pulsar ships with ``<required_files>``.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from notebook_job.cli import main  # noqa: E402 - the path must be set first

sys.exit(main())
