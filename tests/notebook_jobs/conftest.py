"""Notebook jobs (jupyter-scheduler with the Galaxy backend): the client library and test helpers on the path."""
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(REPO / "interactive" / "client"))
sys.path.insert(0, str(REPO / "tests" / "interactive"))  # lab_paths, measure_launch
