#!/usr/bin/env python3
"""The session logic of the JupyterLab interactive tool, shared by the container and the native launch.

start-jupyterlab (the tool's start-up script) calls the subcommands below with the JupyterLab
server's Python; jupyter_server_config.py imports post_save_hook from here. Standard library only, and
nothing heavy at import time: `collect` also runs from the SIGTERM trap, which has about one second
before Galaxy's local runner sends SIGKILL.

  prepare  read the session plan Galaxy wrote (a JSON configfile), place the inputs in the workspace,
           make the main notebook (new / from the history / a cloned repository), write the kernelspec
           that joins the server to the ML kernel, choose the port, write session.env for the script
  run      execute the main notebook with nbclient (run-first and run-only modes)
  publish  native launch only: wait until Jupyter answers under its base URL, then write
           ../container_runtime.json, the file Galaxy polls to activate the entry point
  collect  copy every notebook to where Galaxy collects it (also done on every save)

Secrets: the Galaxy API key reaches the kernel through the environment only. Nothing here reads it,
and nothing here writes the environment to a file or a log. EP_PATH, the secret part of the URL,
is also read from the environment and never written to a file.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterable

SESSION_DIR_NAME = ".galaxy_jupyter"
SESSION_FILE = "session.json"
ENV_FILE = "session.env"
NOTEBOOKS_DIR = "notebooks"
OUTPUTS_DIR = "outputs"
DEFAULT_NOTEBOOK = "galaxy_notebook.ipynb"
EXAMPLES_LINK = "examples"
KERNEL_NAME = "python3"
CONTAINER_PORT = 8888
RUNTIME_FILE = "container_runtime.json"
MODES = ("new", "history", "git")
RUN_CHOICES = ("open", "run_then_open", "run_only")
# Jupyter AI and the magic wand come with Elyra: chat assistants that send notebook content to outside
# model providers. Their server halves are off in jupyter_server_config.py, their front-ends here, with
# JupyterLab's news pop-up (it asks to fetch news from the internet in every session).
DISABLED_LAB_EXTENSIONS = ("@jupyter-ai/core", "jupyterlab_magic_wand", "@jupyterlab/apputils-extension:announcements")
# git transports a user may name; `ext::` runs commands and `file` reads the host, so neither is allowed
GIT_URL = re.compile(r"^(?:(?:https?|git|ssh)://[^\s]+|[A-Za-z0-9_.-]+@[A-Za-z0-9_.-]+:[^\s]+)$")


class SessionError(Exception):
    """A problem the user can fix (bad plan, unreachable repository, ...): one line, exit status 2."""


# ---------------------------------------------------------------------------------------------------
# names and files


def safe_name(name: str, fallback: str = "dataset") -> str:
    """A single path component made from a Galaxy dataset or element name.

    Slashes and control characters become '_', a leading dot is dropped (no hidden files, no '..'),
    and an empty result falls back, so a history name can never place a file outside the workspace.
    """
    cleaned = re.sub(r"[/\\\x00-\x1f]", "_", name).strip()
    cleaned = cleaned.lstrip(".").strip()
    return cleaned[:200] or fallback


def with_extension(name: str, ext: str) -> str:
    """Add '.ext' to names without any suffix (Galaxy names such as 'Pasted entry')."""
    if ext and ext not in ("data", "auto") and "." not in name:
        return f"{name}.{ext}"
    return name


def unique_path(path: Path, taken: set[Path]) -> Path:
    """path, or path with _2, _3, ... before the suffix when an earlier input took the name."""
    candidate, n = path, 1
    while candidate in taken or candidate.exists() or candidate.is_symlink():
        n += 1
        candidate = path.with_name(f"{path.stem}_{n}{path.suffix}")
    taken.add(candidate)
    return candidate


def atomic_copy(source: Path, destination: Path) -> None:
    """Copy through a temporary file beside the destination, so a kill mid-copy never leaves half a notebook."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    temporary = destination.with_name(f".{destination.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(source, temporary)
        os.replace(temporary, destination)
    finally:
        if temporary.exists():
            temporary.unlink()


def write_json_atomic(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(value, indent=1) + "\n")
    os.replace(temporary, path)


def new_notebook(title: str, inputs: list[str], examples: bool = False) -> dict:
    """The notebook a new session opens with: what is where, and how to send results back."""
    listing = "\n".join(f"- `{name}`" for name in inputs) or "- (no datasets were given)"
    intro = (
        f"# {title}\n\n"
        "Datasets you chose are in this folder under their history names:\n\n"
        f"{listing}\n\n"
        "Save results to `outputs/`: when you stop the tool, every notebook and every file directly in "
        "`outputs/` is sent back to your Galaxy history."
    )
    if examples:
        intro += (
            "\n\nExample notebooks are in `examples/` (read only: use *File › Save Notebook As…* to keep "
            "a copy in this folder)."
        )
    check = (
        "import os\n"
        "import tensorflow as tf\n\n"
        "print('GPUs:', tf.config.list_physical_devices('GPU') or 'none, TensorFlow uses the CPU')\n"
        "print(sorted(name for name in os.listdir('.') if not name.startswith('.')))"
    )
    return {
        "cells": [
            {"cell_type": "markdown", "id": "galaxy-intro", "metadata": {}, "source": intro},
            {
                "cell_type": "code",
                "execution_count": None,
                "id": "galaxy-check",
                "metadata": {},
                "outputs": [],
                "source": check,
            },
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3 (ML)", "language": "python", "name": KERNEL_NAME},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


# ---------------------------------------------------------------------------------------------------
# the plan Galaxy writes


def load_plan(path: Path) -> dict:
    """Read and check the session plan (the tool's configfile)."""
    try:
        plan = json.loads(path.read_text())
    except (OSError, ValueError) as err:
        raise SessionError(f"cannot read the session plan {path}: {err}") from err
    mode = plan.get("mode")
    if mode not in MODES:
        raise SessionError(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")
    run = plan.setdefault("run", "open")
    if run not in RUN_CHOICES:
        raise SessionError(f"unknown run choice {run!r}; expected one of {', '.join(RUN_CHOICES)}")
    if run != "open" and mode != "history":
        raise SessionError("only a notebook from the history can be run before the session")
    if mode == "history" and not (plan.get("notebook") or {}).get("path"):
        raise SessionError("mode 'history' needs a notebook dataset")
    if mode == "git" and not plan.get("repository"):
        raise SessionError("mode 'git' needs a repository URL")
    plan.setdefault("inputs", [])
    return plan


def stage_inputs(entries: Iterable[dict], workspace: Path) -> list[str]:
    """Place the datasets in the workspace under their names; return the names, relative to it.

    Datasets are symbolic links to Galaxy's files (no copy of a large HDF5 file; treat them as read
    only: in the container they are read-only mounts). Notebooks are copied, because Jupyter saves
    through a link and would change the dataset in the history. Elements of a collection go into a
    folder named after the collection (nested identifiers become nested folders).
    """
    taken: set[Path] = set()
    placed = []
    for entry in entries:
        source = Path(entry["path"])
        ext = entry.get("ext", "")
        if entry.get("collection") is not None:
            parts = [safe_name(entry["collection"], "collection")]
            identifiers = [safe_name(str(i), "element") for i in entry.get("identifiers") or ["element"]]
            parts += identifiers[:-1] + [with_extension(identifiers[-1], ext)]
        else:
            parts = [with_extension(safe_name(entry.get("name", ""), "dataset"), ext)]
        target = unique_path(workspace.joinpath(*parts), taken)
        target.parent.mkdir(parents=True, exist_ok=True)
        if ext == "ipynb" or target.suffix == ".ipynb":
            shutil.copyfile(source, target)
        else:
            target.symlink_to(source)
        placed.append(str(target.relative_to(workspace)))
    return placed


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


def prepare_main_notebook(plan: dict, workspace: Path, inputs: list[str]) -> str:
    """Create or place the notebook the session opens with; return its path relative to the workspace."""
    mode = plan["mode"]
    if mode == "history":
        notebook = plan["notebook"]
        name = with_extension(safe_name(notebook.get("name") or DEFAULT_NOTEBOOK, "notebook"), "ipynb")
        if not name.endswith(".ipynb"):
            name += ".ipynb"
        target = unique_path(workspace / name, set())
        shutil.copyfile(notebook["path"], target)
        return target.name
    if mode == "git":
        repo = clone_repository(plan["repository"], plan.get("ref") or None, workspace, plan.get("allow_local", False))
        wanted = (plan.get("notebook_path") or "").strip().strip("/")
        if wanted:
            candidate = (repo / wanted).resolve()
            if repo.resolve() not in candidate.parents or not candidate.is_file():
                raise SessionError(f"{wanted!r} is not a file of the cloned repository")
            return str(candidate.relative_to(workspace.resolve()))
    target = workspace / DEFAULT_NOTEBOOK
    if not target.exists():
        examples = (workspace / EXAMPLES_LINK).is_symlink()
        write_json_atomic(target, new_notebook("JupyterLab in Galaxy", inputs, examples))
    return target.name


def write_kernelspec(data_dir: Path, kernel_python: str, extra_pythonpath: str = "") -> Path:
    """The kernelspec that runs notebooks with the ML environment's Python (not the server's).

    Named python3 so it also replaces the server environment's own default kernel. extra_pythonpath
    (GXJ_KERNEL_PYTHONPATH) lets the native launch offer the client library from the repository
    without installing it into the shared runtime venv; the container installs it instead.
    """
    spec_dir = data_dir / "kernels" / KERNEL_NAME
    # several kernels can share one GPU: TensorFlow takes memory as it needs it, not all at start;
    # TensorFlow's C++ INFO lines stay out of the notebook (warnings and errors still show)
    env = {"TF_FORCE_GPU_ALLOW_GROWTH": "true", "TF_CPP_MIN_LOG_LEVEL": "1"}
    if extra_pythonpath:
        env["PYTHONPATH"] = extra_pythonpath
    spec = {
        "argv": [kernel_python, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (ML)",
        "language": "python",
        "env": env,
        "metadata": {"debugger": True},
    }
    write_json_atomic(spec_dir / "kernel.json", spec)
    return spec_dir


def link_examples(workspace: Path, examples_dir: str) -> Path | None:
    """The image's example notebooks as a read-only folder `examples/` of the workspace (a link).

    A link, so they are neither copied into every session nor returned to the history unless the
    user saves a copy into the notebook folder (the collection does not follow links).
    """
    if not examples_dir or not Path(examples_dir).is_dir():
        return None
    link = workspace / EXAMPLES_LINK
    if link.exists() or link.is_symlink():
        return None
    link.symlink_to(Path(examples_dir).resolve(), target_is_directory=True)
    return link


def write_lab_page_config(config_dir: Path) -> Path:
    """JupyterLab's page_config.json in the session's config folder: the extensions kept off."""
    path = config_dir / "labconfig" / "page_config.json"
    write_json_atomic(path, {"disabledExtensions": {name: True for name in DISABLED_LAB_EXTENSIONS}})
    return path


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def gpu_summary() -> str:
    """One line for the log: the GPUs nvidia-smi sees, or why TensorFlow will use the CPU."""
    nvidia_smi = shutil.which("nvidia-smi")
    if not nvidia_smi:
        return "no GPU visible (no nvidia-smi): TensorFlow runs on the CPU"
    try:
        result = subprocess.run([nvidia_smi, "-L"], capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"nvidia-smi failed ({err}): TensorFlow runs on the CPU"
    gpus = [line.strip() for line in result.stdout.splitlines() if line.startswith("GPU ")]
    if result.returncode != 0 or not gpus:
        return "no GPU visible to nvidia-smi: TensorFlow runs on the CPU"
    return "GPUs: " + "; ".join(gpus)


def prepare(plan_path: Path, workspace: Path, native: bool, kernel_python: str) -> dict:
    """Everything before Jupyter starts; returns the session (also saved as session.json)."""
    plan = load_plan(plan_path)
    workspace = workspace.resolve()
    session_dir = workspace / SESSION_DIR_NAME
    (session_dir / NOTEBOOKS_DIR).mkdir(parents=True, exist_ok=True)
    (workspace / OUTPUTS_DIR).mkdir(exist_ok=True)
    inputs = stage_inputs(plan["inputs"], workspace)
    link_examples(workspace, os.environ.get("GXJ_EXAMPLES_DIR", ""))
    main_notebook = prepare_main_notebook(plan, workspace, inputs)
    write_kernelspec(session_dir / "data", kernel_python, os.environ.get("GXJ_KERNEL_PYTHONPATH", ""))
    write_lab_page_config(session_dir / "config")
    session = {
        "workspace": str(workspace),
        "main_notebook": main_notebook,
        "notebook_output": plan.get("notebook_output") or "",
        "run": plan["run"],
        "native": native,
        "ip": "127.0.0.1" if native else "0.0.0.0",
        "port": free_port() if native else CONTAINER_PORT,
        "inputs": inputs,
    }
    write_json_atomic(session_dir / SESSION_FILE, session)
    return session


def session_env(session: dict, base_url: str) -> dict[str, str]:
    """What start-jupyterlab exports before starting Jupyter (no secrets: EP_PATH stays in the environment).

    The Jupyter folders point into the session, so no user-level or home configuration is loaded
    (a stray ~/.jupyter could otherwise loosen the security settings) and nothing is left in $HOME.
    """
    workspace = Path(session["workspace"])
    session_dir = workspace / SESSION_DIR_NAME
    env = {
        "GXJ_SESSION_DIR": str(session_dir),
        "GXJ_WORKSPACE": str(workspace),
        "GXJ_MAIN_NOTEBOOK": session["main_notebook"],
        "GXJ_RUN": session["run"],
        "GXJ_JUPYTER_IP": session["ip"],
        "GXJ_JUPYTER_PORT": str(session["port"]),
        "JUPYTER_CONFIG_DIR": str(session_dir / "config"),
        "JUPYTER_DATA_DIR": str(session_dir / "data"),
        "JUPYTER_RUNTIME_DIR": str(session_dir / "runtime"),
        "JUPYTER_PATH": str(session_dir / "data"),
        "IPYTHONDIR": str(session_dir / "ipython"),
    }
    if base_url:
        env["GXJ_BASE_URL"] = base_url
    return env


def base_url_from_environment() -> tuple[str, bool]:
    """Jupyter's base URL: Galaxy's entry-point path, or a random one when run outside Galaxy.

    Returns (base_url, generated). The path is the secret that protects the session, so a
    standalone `docker run` never falls back to '/'.
    """
    ep_path = os.environ.get("EP_PATH", "").strip().rstrip("/")
    if ep_path:
        if not ep_path.startswith("/"):
            raise SessionError(f"EP_PATH must be an absolute URL path, got {ep_path!r}")
        return ep_path + "/", False
    return f"/jupyter/{secrets.token_urlsafe(16)}/", True


# ---------------------------------------------------------------------------------------------------
# collecting notebooks for Galaxy


def read_session(session_dir: Path) -> dict:
    return json.loads((session_dir / SESSION_FILE).read_text())


def flat_name(relative: Path) -> str:
    """One file name for a notebook anywhere in the workspace: folders joined by '__'."""
    return "__".join(relative.parts)


def workspace_notebooks(workspace: Path) -> list[Path]:
    """Every notebook under the workspace, relative to it: no hidden folders (checkpoints, the
    session), no links (inputs), nothing under outputs/ (that folder is a collection of its own)."""
    found = []
    for folder, dirs, files in os.walk(workspace):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not (here == workspace and d == OUTPUTS_DIR))
        for name in sorted(files):
            path = here / name
            if name.endswith(".ipynb") and not name.startswith(".") and not path.is_symlink():
                found.append(path.relative_to(workspace))
    return found


def collect_notebook(session: dict, relative: Path) -> Path | None:
    """Copy one notebook to its Galaxy output: the main notebook to the notebook dataset, any other
    into the folder the 'other notebooks' collection is discovered from. Returns the destination."""
    workspace = Path(session["workspace"])
    source = workspace / relative
    if not source.is_file():
        return None
    if str(relative) == session["main_notebook"]:
        if not session.get("notebook_output"):
            return None
        destination = Path(session["notebook_output"])
    else:
        destination = workspace / SESSION_DIR_NAME / NOTEBOOKS_DIR / flat_name(relative)
    atomic_copy(source, destination)
    return destination


def collect(session_dir: Path) -> list[Path]:
    """Copy every notebook of the workspace to Galaxy's collection points; return the destinations.

    Notebooks deleted in the session are removed from the collection folder too, so the history
    gets what the workspace holds at the end.
    """
    session = read_session(session_dir)
    workspace = Path(session["workspace"])
    copied = []
    for relative in workspace_notebooks(workspace):
        destination = collect_notebook(session, relative)
        if destination is not None:
            copied.append(destination)
    collection_dir = session_dir / NOTEBOOKS_DIR
    for stale in collection_dir.glob("*.ipynb"):
        if stale not in copied:
            stale.unlink()
    return copied


def post_save_hook(model: dict | None = None, os_path: str = "", contents_manager: Any = None, **_kwargs: Any) -> None:
    """FileContentsManager.post_save_hook: each saved notebook goes to Galaxy at once.

    Stopping the tool from Galaxy kills the job within about a second; what was saved by then is
    delivered, because this hook already copied it.
    """
    if not os_path.endswith(".ipynb"):
        return
    session_dir = Path(os.environ["GXJ_SESSION_DIR"])
    session = read_session(session_dir)
    workspace = Path(session["workspace"])
    try:
        relative = Path(os_path).resolve().relative_to(workspace)
    except ValueError:
        return
    hidden = any(part.startswith(".") for part in relative.parts)
    if hidden or relative.parts[0] == OUTPUTS_DIR:
        return
    collect_notebook(session, relative)


# ---------------------------------------------------------------------------------------------------
# running a notebook, publishing the port


def run_notebook(session_dir: Path, stop_on_error: bool) -> int:
    """Execute the main notebook in place with the ML kernel; 0 when every cell ran.

    The notebook is saved even when a cell fails, with the error in that cell's output, so the
    history shows where it stopped. Returns 1 after a failed cell.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    session = read_session(session_dir)
    workspace = Path(session["workspace"])
    path = workspace / session["main_notebook"]
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=None,
        kernel_name=KERNEL_NAME,
        allow_errors=not stop_on_error,
        resources={"metadata": {"path": str(path.parent)}},
    )
    status = 0
    started = time.monotonic()
    try:
        client.execute()
    except CellExecutionError as err:
        status = 1
        print(f"error: a cell of {session['main_notebook']} failed: {str(err).strip().splitlines()[-1]}", file=sys.stderr)
    finally:
        nbformat.write(notebook, path)
    print(f"ran {session['main_notebook']} in {time.monotonic() - started:.1f}s", file=sys.stderr)
    return status


def serving(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def publish(session_dir: Path, job_dir: Path, jupyter_pid: int, timeout: float) -> int:
    """Native launch: once Jupyter answers under its base URL, tell Galaxy where it listens.

    Galaxy's local runner activates the entry point when ../container_runtime.json appears (normally
    the container monitor writes it); writing it only after Jupyter answers means an active entry
    point is a working one. Returns 0, or 1 when Jupyter died or never answered.
    """
    session = read_session(session_dir)
    base_url = os.environ["GXJ_BASE_URL"]
    probe = f"http://127.0.0.1:{session['port']}{base_url}api/status"
    deadline = time.monotonic() + timeout
    while not serving(probe):
        if not pid_alive(jupyter_pid):
            print("error: JupyterLab exited before it answered", file=sys.stderr)
            return 1
        if time.monotonic() > deadline:
            print(f"error: JupyterLab did not answer within {timeout:.0f}s", file=sys.stderr)
            return 1
        time.sleep(0.1)
    runtime = {str(CONTAINER_PORT): {"host": "127.0.0.1", "port": session["port"], "protocol": "http"}}
    write_json_atomic(job_dir / RUNTIME_FILE, runtime)
    print(f"JupyterLab answers on 127.0.0.1:{session['port']}; entry point published", file=sys.stderr)
    return 0


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# ---------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_prepare = sub.add_parser("prepare", help="stage inputs, main notebook, kernelspec; write session.env")
    p_prepare.add_argument("--plan", type=Path, required=True)
    p_prepare.add_argument("--workspace", type=Path, default=Path.cwd())
    p_prepare.add_argument("--native", action="store_true", help="no container: free port on 127.0.0.1")
    p_prepare.add_argument("--kernel-python", required=True)
    for name in ("run", "publish", "collect"):
        p = sub.add_parser(name)
        p.add_argument("--session-dir", type=Path, required=True)
    sub.choices["run"].add_argument("--stop-on-error", action="store_true")
    sub.choices["publish"].add_argument("--job-dir", type=Path, required=True)
    sub.choices["publish"].add_argument("--pid", type=int, required=True)
    sub.choices["publish"].add_argument("--timeout", type=float, default=300)
    args = parser.parse_args(argv)
    try:
        if args.command == "prepare":
            base_url, generated = base_url_from_environment()
            session = prepare(args.plan, args.workspace, args.native, args.kernel_python)
            env = session_env(session, base_url)
            lines = [f"export {key}={shlex.quote(value)}" for key, value in env.items()]
            session_dir = Path(session["workspace"]) / SESSION_DIR_NAME
            # base_url is written only when it was generated here; Galaxy's EP_PATH stays in the environment
            if not generated:
                lines = [line for line in lines if not line.startswith("export GXJ_BASE_URL=")]
                lines.append('export GXJ_BASE_URL="${EP_PATH%/}/"')
            (session_dir / ENV_FILE).write_text("\n".join(lines) + "\n")
            print(gpu_summary(), file=sys.stderr)
            if generated:
                print(f"no EP_PATH (not started by Galaxy): JupyterLab will answer under {base_url}", file=sys.stderr)
            return 0
        if args.command == "run":
            return run_notebook(args.session_dir, args.stop_on_error)
        if args.command == "publish":
            return publish(args.session_dir, args.job_dir, args.pid, args.timeout)
        if args.command == "collect":
            copied = collect(args.session_dir)
            print(f"{len(copied)} notebook(s) copied for Galaxy", file=sys.stderr)
            return 0
    except SessionError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 2


if __name__ == "__main__":
    sys.exit(main())
