#!/usr/bin/env python3
"""The session logic of the JupyterLab interactive tool, shared by the container and the native launch.

start-jupyterlab (the tool's start-up script) calls the subcommands below with the JupyterLab
server's Python; jupyter_server_config.py imports post_save_hook from galaxy_jupyter.collect. The work
is done by the modules of the galaxy_jupyter package beside this file, one job each.

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
import sys
from pathlib import Path

from galaxy_jupyter.collect import collect
from galaxy_jupyter.jupyter_setup import base_url_from_environment, gpu_summary
from galaxy_jupyter.layout import SessionError
from galaxy_jupyter.prepare import prepare, write_session_env
from galaxy_jupyter.publish import publish
from galaxy_jupyter.run_notebook import run_notebook


def parse_args(argv: list[str] | None) -> argparse.Namespace:
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
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        if args.command == "prepare":
            base_url, generated = base_url_from_environment()
            session = prepare(args.plan, args.workspace, args.native, args.kernel_python)
            write_session_env(session, base_url, generated)
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
