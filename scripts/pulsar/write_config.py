#!/usr/bin/env python3
"""Write the configuration of the Pulsar server that stands in for a remote GPU node.

The routed local Galaxy (GXJ_ROUTING=tpv, scripts/galaxy/up.sh) sends the jobs TPV gives the `gpu`
destination to this server over REST. Written into PULSAR_DIR (standard library only):

- server.ini: bind address (loopback only) and the path of app.yml, as `pulsar-serve` reads them;
- app.yml: a private token (Galaxy sends it with every request), the staging directory where each
  job's inputs land and its outputs are written, a persistence directory (jobs survive a restart),
  and one queued_python manager running a job at a time. The manager's `env_*` entries are the
  node's own job environment: the tool runtime first on PATH, as a real GPU node would have its own
  ML environment; Galaxy sends no paths of its own for it (dependency_resolution: none). No conda,
  no message queue;
- private_token: the token alone (mode 600), for write_config.py of the Galaxy side.
The token is made once per directory and kept, so a restarted Galaxy still reaches its jobs.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from pathlib import Path


def load_token(pulsar_dir: Path) -> str:
    path = pulsar_dir / "private_token"
    if path.exists():
        return path.read_text().strip()
    token = secrets.token_hex(24)
    path.write_text(token + "\n")
    path.chmod(0o600)
    return token


def app_config(pulsar_dir: Path, token: str, runtime_venv: Path) -> dict:
    return {
        "private_token": token,
        "staging_directory": str(pulsar_dir / "staging"),
        "persistence_directory": str(pulsar_dir / "persisted_data"),
        "tool_dependency_dir": str(pulsar_dir / "dependencies"),
        "conda_auto_init": False,
        "conda_auto_install": False,
        "managers": {
            "_default_": {
                "type": "queued_python",
                "num_concurrent_jobs": 1,
                "env_VIRTUAL_ENV": str(runtime_venv),
                "env_PATH": f"{runtime_venv / 'bin'}:$PATH",
            }
        },
    }


def write_config(pulsar_dir: Path, port: int, runtime_venv: Path) -> str:
    """Write server.ini and app.yml (JSON, which YAML reads as it is); return the token."""
    pulsar_dir.mkdir(parents=True, exist_ok=True)
    for folder in ("staging", "persisted_data", "dependencies"):
        (pulsar_dir / folder).mkdir(exist_ok=True)
    token = load_token(pulsar_dir)
    app_yml = pulsar_dir / "app.yml"
    app_yml.write_text(json.dumps(app_config(pulsar_dir, token, runtime_venv), indent=2) + "\n")
    app_yml.chmod(0o600)
    (pulsar_dir / "server.ini").write_text(
        f"[server:main]\nhost = 127.0.0.1\nport = {port}\n\n[app:main]\napp_config = {app_yml}\n"
    )
    return token


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pulsar-dir", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--runtime-venv", type=Path, required=True, help="the tool runtime the node's jobs use")
    args = parser.parse_args(argv)
    write_config(args.pulsar_dir.resolve(), args.port, args.runtime_venv.resolve())
    print(f"Pulsar config written to {args.pulsar_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
