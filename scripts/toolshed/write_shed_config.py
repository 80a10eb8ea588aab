#!/usr/bin/env python3
"""Write the configuration of a local Tool Shed (pip package galaxy-tool-shed) into a state directory.

The Tool Shed is where this repository's Tool Shed repositories are published and installed from in
the publish-and-install test (docs/admin.md "Installing from the Tool Shed"). Writes tool_shed.yml:
sqlite, the repositories' Mercurial files and the search index under the state dir, the owner as an
admin, and a bootstrap admin key (made once per state dir in secrets.json, as for the local Galaxy).
Standard library only, like the Galaxy config writer whose YAML emitter and secrets it shares.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "galaxy"))
from write_config import load_secrets, to_yaml  # noqa: E402


def shed_config(state_dir: Path, port: int, admin_email: str, keys: dict[str, str]) -> dict:
    """The tool_shed.yml content; every folder it names is made by write_shed_config()."""
    return {
        "tool_shed": {
            "database_connection": f"sqlite:///{state_dir}/community.sqlite?isolation_level=IMMEDIATE",
            "file_path": str(state_dir / "repositories"),
            "new_file_path": str(state_dir / "tmp"),
            "hgweb_config_dir": str(state_dir / "hgweb"),
            "whoosh_index_dir": str(state_dir / "whoosh"),
            "model_cache_dir": str(state_dir / "model_cache"),
            "template_cache_path": str(state_dir / "compiled_templates"),
            "tool_shed_url": f"http://127.0.0.1:{port}",
            "admin_users": admin_email,
            "bootstrap_admin_api_key": keys["bootstrap_admin_api_key"],
            "id_secret": keys["id_secret"],
        }
    }


def write_shed_config(state_dir: Path, port: int, admin_email: str) -> Path:
    """Write tool_shed.yml (and the folders it names) into state_dir; return its path."""
    state_dir.mkdir(parents=True, exist_ok=True)
    config = shed_config(state_dir, port, admin_email, load_secrets(state_dir))
    for key in ("file_path", "new_file_path", "hgweb_config_dir", "whoosh_index_dir", "model_cache_dir"):
        Path(config["tool_shed"][key]).mkdir(parents=True, exist_ok=True)
    path = state_dir / "tool_shed.yml"
    path.write_text(to_yaml(config) + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state-dir", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--admin-email", required=True, help="the repositories' owner, an admin of the Tool Shed")
    args = parser.parse_args(argv)
    print(f"Tool Shed config written to {write_shed_config(args.state_dir.resolve(), args.port, args.admin_email)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
