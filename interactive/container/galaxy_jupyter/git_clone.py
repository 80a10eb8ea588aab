"""Cloning the repository of the tool's git mode, with only network transports allowed."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from .layout import SessionError
from .workspace_files import safe_name, unique_path

# git transports a user may name; `ext::` runs commands and `file` reads the host, so neither is allowed
GIT_URL = re.compile(r"^(?:(?:https?|git|ssh)://[^\s]+|[A-Za-z0-9_.-]+@[A-Za-z0-9_.-]+:[^\s]+)$")


def clone_repository(url: str, ref: str | None, workspace: Path, allow_local: bool = False) -> Path:
    """git clone URL into the workspace (a folder named after the repository); return that folder.

    The URL is one argument after `--` (never through a shell) and must be a network URL; `ext::`
    transports are refused by git's own protocol policy as well. allow_local is for tests only.
    """
    if not allow_local and not GIT_URL.match(url):
        raise SessionError(f"not a git URL this tool clones (https://, git://, ssh:// or user@host:path): {url!r}")
    name = safe_name(re.sub(r"\.git$", "", url.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]), "repository")
    target = unique_path(workspace / name, set())
    command = ["git", "-c", "protocol.ext.allow=never", "clone", "--quiet"]
    if not allow_local:
        command += ["-c", "protocol.file.allow=never"]
    if ref:
        command += ["--branch", ref]
    command += ["--", url, str(target)]
    # never prompt for a password: a private repository fails at once instead of hanging the job
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or ["git failed"])[-1]
        raise SessionError(f"could not clone {url}: {reason}")
    return target
