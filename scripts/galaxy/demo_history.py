#!/usr/bin/env python3
"""Create (or reuse) the "run_jupyter_job demo" history and put the demo inputs into it.

Run by `make serve` so a first visitor finds the tool's inputs ready. Running it again reuses the
history and skips datasets it already holds (matched by name), so it never duplicates anything.
Usage: demo_history.py --url URL --api-key KEY [--data-dir test-data]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bioblend.galaxy import GalaxyInstance

HISTORY_NAME = "run_jupyter_job demo"
# file name in the data dir -> Galaxy datatype
DEMO_INPUTS = {"train.h5": "h5", "test.h5": "h5", "keras_train.ipynb": "ipynb"}
REPO = Path(__file__).resolve().parents[2]


def demo_history_id(gi: GalaxyInstance) -> str:
    """The newest live history with the demo name, or a new one."""
    histories = gi.histories.get_histories(name=HISTORY_NAME, deleted=False)
    if histories:
        return histories[0]["id"]
    return gi.histories.create_history(HISTORY_NAME)["id"]


def fill_demo_history(gi: GalaxyInstance, data_dir: Path, timeout_s: float = 300) -> tuple[str, list[dict]]:
    """Upload the demo inputs missing from the demo history and wait until all are ok.

    Returns the history id and the demo datasets (one per input, as Galaxy describes them).
    """
    missing = [name for name in DEMO_INPUTS if not (data_dir / name).is_file()]
    if missing:
        raise SystemExit(f"error: demo inputs missing from {data_dir}: {', '.join(missing)}")
    history_id = demo_history_id(gi)
    present = {d["name"]: d for d in gi.datasets.get_datasets(history_id=history_id, deleted=False, purged=False)}
    for name, datatype in DEMO_INPUTS.items():
        if name not in present or present[name]["state"] in ("error", "discarded"):
            gi.tools.upload_file(str(data_dir / name), history_id, file_type=datatype, file_name=name)
    datasets = []
    by_name = {d["name"]: d for d in gi.datasets.get_datasets(history_id=history_id, deleted=False, purged=False)}
    for name in DEMO_INPUTS:
        dataset = gi.datasets.wait_for_dataset(by_name[name]["id"], maxwait=timeout_s, check=False)
        if dataset["state"] != "ok":
            raise SystemExit(f"error: upload of {name} ended in state {dataset['state']}: {dataset.get('misc_info')}")
        datasets.append(dataset)
    return history_id, datasets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--data-dir", type=Path, default=REPO / "test-data")
    args = parser.parse_args(argv)
    history_id, datasets = fill_demo_history(GalaxyInstance(args.url, key=args.api_key), args.data_dir)
    print(f'history "{HISTORY_NAME}" ({history_id}): ' + ", ".join(f"{d['name']} [{d['extension']}]" for d in datasets))
    return 0


if __name__ == "__main__":
    sys.exit(main())
