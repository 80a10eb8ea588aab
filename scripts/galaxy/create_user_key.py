#!/usr/bin/env python3
"""Create (or reuse) the local Galaxy's user with the bootstrap admin key and print its API key.

The bootstrap key only exists for set-up; everything afterwards (the demo history, the tests,
planemo) talks to Galaxy as this ordinary user, which is also an admin so it can reload the toolbox.
Usage: create_user_key.py --url URL --state-dir DIR --email E --password P
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bioblend.galaxy import GalaxyInstance


def bootstrap_key(state_dir: Path) -> str:
    """The bootstrap admin key write_config.py generated for this state dir."""
    return json.loads((state_dir / "secrets.json").read_text())["bootstrap_admin_api_key"]


def user_api_key(url: str, admin_key: str, email: str, password: str) -> str:
    """Return the user's API key, creating the user and the key only when missing."""
    gi = GalaxyInstance(url, key=admin_key)
    users = [u for u in gi.users.get_users(f_email=email) if u["email"] == email]
    if users:
        user_id = users[0]["id"]
    else:
        user_id = gi.users.create_local_user(email.split("@")[0], email, password)["id"]
    return gi.users.get_or_create_user_apikey(user_id)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--state-dir", type=Path, required=True)
    parser.add_argument("--email", required=True)
    parser.add_argument("--password", required=True)
    args = parser.parse_args(argv)
    print(user_api_key(args.url, bootstrap_key(args.state_dir), args.email, args.password))
    return 0


if __name__ == "__main__":
    sys.exit(main())
