"""Rewrite IPython-only lines (magics, ``!`` shell lines, ``obj?``) into plain Python, or refuse them.

A job runs in a plain interpreter, so each IPython construct is handled on purpose and reported:
display-only magics are skipped, ``%time stmt`` runs ``stmt``, ``!cmd`` runs through bash and
fails the cell when the command fails, and anything that installs packages is refused. Each
rewritten line stays on its own line, so error line numbers still match the cell the user wrote.
The rewritten code calls helpers on ``_nbjob`` (see notebook_helpers), which the child puts in
the namespace.
"""
from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass, replace

from notebook_job.errors import RefusedCodeError
from notebook_job.prepare.notebook_code import CodeCell

HELPER = "_nbjob"
INSTALL_COMMAND = re.compile(r"\b(pip3?|conda|mamba|micromamba|apt-get|apt|dnf|yum|uv)\b[^\n;&|]*\binstall\b")
INSTALL_MAGICS = {"pip", "conda", "mamba", "micromamba", "uv"}
DISPLAY_ONLY_LINE_MAGICS = {
    "matplotlib", "config", "load_ext", "reload_ext", "unload_ext", "autoreload", "aimport", "who", "whos",
    "who_ls", "precision", "xmode", "lsmagic", "magic", "history", "colors", "pdb", "pprint", "pinfo", "pinfo2",
    "psearch", "doctest_mode", "automagic", "autocall", "clear", "tb", "notebook", "page", "reset_selective",
}
STATEMENT_LINE_MAGICS = {"time", "timeit", "prun"}
PYTHON_BODY_CELL_MAGICS = {"time", "timeit", "prun", "capture"}
SHELL_CELL_MAGICS = {"bash", "sh", "script"}
DISPLAY_ONLY_CELL_MAGICS = {"html", "markdown", "javascript", "js", "latex", "svg", "HTML", "md"}
TIMEIT_OPTIONS = re.compile(r"^(\s*-(?:[nr]\s*\d+|[qoc]|p\s*\d+))*\s*")
ASSIGNED_SPECIAL = re.compile(r"^(?P<target>[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*)\s*=\s*(?P<rest>[!%].*)$")
HELP_LINE = re.compile(r"^(\?\??[\w.]+|[\w.]+\?\??)$")


@dataclass
class IPythonLine:
    """One IPython-only line, where it was, and what the job does with it (for the report)."""

    cell: str
    line: int
    text: str
    action: str

    def as_dict(self) -> dict:
        return {"where": self.cell, "line": self.line, "text": self.text, "action": self.action}


def _call(method: str, *args: str) -> str:
    return f"{HELPER}.{method}({', '.join(repr(arg) for arg in args)})"


def _install_refused(command: str, where: str) -> RefusedCodeError:
    return RefusedCodeError(where, f"installing packages is not allowed in a job ({command.strip()!r}); "
                                   "the tool runtime provides the packages: remove the line, or ask the "
                                   "Galaxy admin to add the package")


def _refuse_install(command: str, where: str) -> None:
    if INSTALL_COMMAND.search(command):
        raise _install_refused(command, where)


def _protected_lines(source: str) -> set[int]:
    """Lines inside a multi-line string, or continuing a statement (in brackets, after a backslash):
    '!' or '%' there is text or an operator (``!= b)``, ``% n``), not IPython syntax."""
    protected: set[int] = set()
    depth, previous_type, previous_row = 0, tokenize.NEWLINE, 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.start[0] > previous_row and (depth or previous_type not in (tokenize.NEWLINE, tokenize.NL)):
                protected.add(token.start[0])
            if token.type == tokenize.STRING and token.end[0] > token.start[0]:
                protected.update(range(token.start[0] + 1, token.end[0] + 1))
            if token.type == tokenize.OP and token.string in "([{":
                depth += 1
            elif token.type == tokenize.OP and token.string in ")]}":
                depth = max(depth - 1, 0)
            previous_type, previous_row = token.type, token.end[0]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return protected


def _line_magic(name: str, args: str, where: str) -> tuple[str, str]:
    """Python for ``%name args`` and the action reported for it."""
    if name in INSTALL_MAGICS:
        raise _install_refused(f"%{name} {args}", where)
    if name in DISPLAY_ONLY_LINE_MAGICS:
        return "pass", "skipped (only changes an interactive session)"
    if name in STATEMENT_LINE_MAGICS:
        statement = TIMEIT_OPTIONS.sub("", args, count=1) if name == "timeit" else args
        return statement or "pass", f"ran the statement once, without %{name}"
    if name == "env":
        assignment = re.match(r"^([A-Za-z_]\w*)\s*[= ]\s*(.+)$", args.strip())
        if assignment:
            return _call("set_env", assignment.group(1), assignment.group(2).strip()), "set the environment variable"
        return "pass", "skipped (only shows the environment)"
    if name == "cd":
        return _call("chdir", args.strip()), "changed directory"
    if name == "pwd":
        return _call("pwd"), "printed the working directory"
    if name == "run":
        return _call("run_script", args.strip()), "ran the script in the notebook's namespace"
    if name in ("sx", "system"):
        _refuse_install(args, where)
        return _call("shell", args), "ran as a shell command (a non-zero exit fails the cell)"
    raise RefusedCodeError(where, f"the IPython magic %{name} cannot run in a job")


def _assigned_value(rest: str, where: str) -> tuple[str, str]:
    """Right-hand side for ``x = !cmd`` / ``x = %magic``."""
    if rest.startswith("!"):
        _refuse_install(rest[1:], where)
        return _call("shell_lines", rest[1:].strip()), "captured the shell command's output lines"
    name, _, args = rest[1:].partition(" ")
    if name in ("sx", "system"):
        _refuse_install(args, where)
        return _call("shell_lines", args.strip()), "captured the shell command's output lines"
    if name == "pwd":
        return _call("getcwd"), "took the working directory"
    if name == "env" and args.strip().isidentifier():
        return _call("getenv", args.strip()), "read the environment variable"
    if name == "time":
        return args.strip(), "evaluated the expression once, without %time"
    raise RefusedCodeError(where, f"the value of %{name} cannot be taken in a job")


def _rewrite_line(text: str, where: str) -> tuple[str, str] | None:
    """(new line, action) for an IPython-only line, None for a plain Python line."""
    indent = text[: len(text) - len(text.lstrip())]
    body = text.strip()
    if body.startswith("!"):
        _refuse_install(body[1:], where)
        return indent + _call("shell", body[1:].strip()), "ran as a shell command (a non-zero exit fails the cell)"
    if body.startswith("%") and not body.startswith("%%"):
        name, _, args = body[1:].partition(" ")
        code, action = _line_magic(name, args, where)
        return indent + code, action
    assigned = ASSIGNED_SPECIAL.match(body)
    if assigned:
        value, action = _assigned_value(assigned.group("rest"), where)
        return f"{indent}{assigned.group('target')} = {value}", action
    if HELP_LINE.match(body):
        return indent + "pass", "skipped (help lookup)"
    return None


def _cell_magic_name(header: str) -> str:
    return header[2:].split(None, 1)[0] if header[2:].strip() else ""


def _rewrite_cell_magic(cell: CodeCell, header: str, body: str) -> tuple[str, str]:
    """Python for a cell that starts with ``%%name args``, and the action reported for it."""
    name = _cell_magic_name(header)
    words = header[2:].split()[1:]
    where = cell.where(1)
    padding = "\n" * body.count("\n")
    if name in PYTHON_BODY_CELL_MAGICS:
        return "pass\n" + body, f"ran the cell's body without %%{name}"
    if name in SHELL_CELL_MAGICS:
        if name == "script" and words[:1] not in (["bash"], ["sh"]):
            raise RefusedCodeError(where, f"%%script {' '.join(words)} cannot run in a job (only bash and sh)")
        _refuse_install(body, where)
        return _call("shell", body) + "\n" + padding, "ran the cell through bash"
    if name == "writefile":
        append = words[:1] == ["-a"]
        target = " ".join(words[1:] if append else words)
        code = f"{HELPER}.write_file({target!r}, {body!r}, append={append})"
        return code + "\n" + padding, "wrote the cell's body to the file"
    if name in DISPLAY_ONLY_CELL_MAGICS:
        return "pass\n" + padding, "skipped (display only)"
    raise RefusedCodeError(where, f"the IPython cell magic %%{name} cannot run in a job")


def rewrite_cell(cell: CodeCell) -> tuple[CodeCell, list[IPythonLine]]:
    """The cell in plain Python, and the IPython lines found in it."""
    source = cell.source
    leading = source[: len(source) - len(source.lstrip("\n"))]
    first_line, _, body = source[len(leading):].partition("\n")
    notes: list[IPythonLine] = []
    if first_line.startswith("%%"):
        code, action = _rewrite_cell_magic(cell, first_line.strip(), body)
        notes.append(IPythonLine(cell.where(), len(leading) + 1, first_line.strip(), action))
        source = leading + code
        if _cell_magic_name(first_line) not in PYTHON_BODY_CELL_MAGICS:
            return replace(cell, source=source), notes
    try:
        ast.parse(source)
        return replace(cell, source=source), notes
    except SyntaxError:
        pass
    protected = _protected_lines(source)
    lines = source.split("\n")
    for index, text in enumerate(lines):
        number = index + 1
        if number in protected or not text.strip():
            continue
        rewritten = _rewrite_line(text, cell.where(number))
        if rewritten:
            lines[index], action = rewritten
            notes.append(IPythonLine(cell.where(), number, text.strip(), action))
    return replace(cell, source="\n".join(lines)), notes
