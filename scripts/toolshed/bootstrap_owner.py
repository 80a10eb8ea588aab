#!/usr/bin/env python3
"""Make the local Tool Shed ready for an upload: the owner account, its API key, and the categories.

All through the Tool Shed's API with the bootstrap admin key of its state dir, as an admin would set up
a new Tool Shed: the owner is the user named in .shed.yml (an admin, so it may also create categories),
the categories are those the .shed.yml files name (they must exist before an upload). Running it
again creates nothing twice. Prints the owner's API key (planemo's --shed_key).
Usage: bootstrap_owner.py --url URL --state-dir DIR --email E --password P
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import requests
from shed_repos import suite_repo, upload_order

TIMEOUT_S = 120


class ShedApi:
    """The few Tool Shed API calls the set-up needs, each failing loudly with the server's answer."""

    def __init__(self, url: str, key: str) -> None:
        self.url = url.rstrip("/")
        self.session = requests.Session()
        self.session.headers["x-api-key"] = key

    def call(self, method: str, path: str, body: dict | None = None):
        response = self.session.request(method, f"{self.url}{path}", json=body, timeout=TIMEOUT_S)
        if not response.ok:
            raise SystemExit(f"error: {method} {path} answered {response.status_code}: {response.text[:300]}")
        return response.json()


def owner_api_key(api: ShedApi, username: str, email: str, password: str) -> str:
    """The owner's API key, creating the user first when the Tool Shed does not have it."""
    users = [u for u in api.call("GET", "/api/users") if u["username"] == username]
    if users:
        user_id = users[0]["id"]
    else:
        user_id = api.call("POST", "/api/users", {"username": username, "email": email, "password": password})["id"]
    return api.call("GET", f"/api/users/{user_id}/api_key")


def ensure_categories(api: ShedApi, names: list[str]) -> list[str]:
    """Create the categories the Tool Shed lacks; return the names created."""
    present = {c["name"] for c in api.call("GET", "/api/categories")}
    created = []
    for name in names:
        if name not in present:
            api.call("POST", "/api/categories", {"name": name, "description": name})
            created.append(name)
    return created


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--state-dir", type=Path, required=True, help="the Tool Shed's state dir (secrets.json)")
    parser.add_argument("--email", required=True)
    parser.add_argument("--password", required=True)
    args = parser.parse_args(argv)
    bootstrap_key = json.loads((args.state_dir / "secrets.json").read_text())["bootstrap_admin_api_key"]
    api = ShedApi(args.url, bootstrap_key)
    categories = sorted({c for repo in upload_order() for c in repo.categories})
    created = ensure_categories(api, categories)
    print(f"categories: {', '.join(categories)} ({len(created)} created)", file=sys.stderr)
    print(owner_api_key(api, suite_repo().owner, args.email, args.password))
    return 0


if __name__ == "__main__":
    sys.exit(main())
