"""The ``_nbjob`` object that rewritten IPython lines call (see ipython_syntax).

Shell lines expand ``{expression}`` and ``$name`` from the notebook's namespace as IPython does,
but unlike IPython a failing command fails the cell: in a batch job a silent failure would only
surface later as a confusing error, or not at all.
"""
from __future__ import annotations

import os
import re
import runpy
import shlex
import subprocess
import sys
from pathlib import Path

BRACED = re.compile(r"(?<!\{)\{([^{}]+)\}(?!\})")
DOLLAR = re.compile(r"(?<![\\$])\$([A-Za-z_]\w*)")


class ShellCommandError(RuntimeError):
    """A ``!command`` line that exited non-zero."""


class NotebookHelpers:
    """Bound to the notebook's namespace so that shell lines can see its variables."""

    def __init__(self, namespace: dict):
        self.namespace = namespace

    def expand(self, command: str) -> str:
        """IPython-style variable expansion; unknown names, and braces that are not Python (an awk
        program ``{print $1}``, a bash group ``{ a; b; }``), are left for bash."""
        def braced(match: re.Match) -> str:
            try:
                return str(eval(match.group(1), self.namespace))  # noqa: S307 - the user's own notebook code
            except (NameError, SyntaxError):
                return match.group(0)

        def dollar(match: re.Match) -> str:
            name = match.group(1)
            return str(self.namespace[name]) if name in self.namespace else match.group(0)

        return DOLLAR.sub(dollar, BRACED.sub(braced, command))

    def _run(self, command: str, capture: bool) -> subprocess.CompletedProcess:
        expanded = self.expand(command)
        completed = subprocess.run(["bash", "-c", expanded], text=True, check=False,
                                   stdout=subprocess.PIPE if capture else None)
        if completed.returncode != 0:
            raise ShellCommandError(f"shell command exited with status {completed.returncode}: {expanded}")
        return completed

    def shell(self, command: str) -> None:
        self._run(command, capture=False)

    def shell_lines(self, command: str) -> list[str]:
        return self._run(command, capture=True).stdout.splitlines()

    def write_file(self, target: str, text: str, append: bool = False) -> None:
        path = Path(self.expand(target).strip("'\""))
        with path.open("a" if append else "w", encoding="utf-8") as handle:
            handle.write(text)

    def set_env(self, name: str, value: str) -> None:
        os.environ[name] = self.expand(value)

    def getenv(self, name: str) -> str | None:
        return os.environ.get(name)

    def chdir(self, target: str) -> None:
        os.chdir(os.path.expanduser(self.expand(target).strip("'\"")))

    def getcwd(self) -> str:
        return os.getcwd()

    def pwd(self) -> None:
        print(os.getcwd())

    def run_script(self, arguments: str) -> None:
        """``%run script.py args``: run it as ``__main__`` with ``sys.argv`` set, and keep its names, as IPython does."""
        words = shlex.split(self.expand(arguments))
        saved_argv, sys.argv = sys.argv, words
        try:
            self.namespace.update(runpy.run_path(words[0], init_globals=self.namespace, run_name="__main__"))
        finally:
            sys.argv = saved_argv


def display(*objects: object) -> None:
    """Stand-in for IPython's ``display``: in a job, showing an object means printing it."""
    for obj in objects:
        print(repr(obj))
