"""The ``_nbjob`` helpers that rewritten IPython lines call."""
from __future__ import annotations

import sys

import pytest

from notebook_job.run.notebook_helpers import NotebookHelpers, ShellCommandError, display


@pytest.fixture
def helpers(tmp_path, monkeypatch) -> NotebookHelpers:
    monkeypatch.chdir(tmp_path)
    return NotebookHelpers({"x": 21, "name": "data set", "items": [1, 2]})


@pytest.mark.parametrize(("command", "expanded"), [
    ("echo {x * 2} {items[1]}", "echo 42 2"),
    ("echo $name-$x", "echo data set-21"),
    ("echo $HOME \\$x $$x", "echo $HOME \\$x $$x"),
    ("echo {undefined} {{x}}", "echo {undefined} {{x}}"),
    ("awk '{print $1}' f.txt", "awk '{print $1}' f.txt"),
    ("{ echo a; echo b; }", "{ echo a; echo b; }"),
])
def test_expand_like_ipython(helpers, command, expanded):
    assert helpers.expand(command) == expanded


def test_shell_lines_and_failures(helpers):
    assert helpers.shell_lines("printf 'a\\nb c\\n'") == ["a", "b c"]
    assert helpers.shell_lines("true") == []
    with pytest.raises(ShellCommandError, match=r"^shell command exited with status 3: exit 3$"):
        helpers.shell("exit 3")
    with pytest.raises(ShellCommandError, match=r"^shell command exited with status 2: ls 'no such data set'$"):
        helpers.shell_lines("ls 'no such $name'")


def test_write_file_expands_and_unquotes_the_target(helpers, tmp_path):
    helpers.write_file("'out_{x}.txt'", "first\n")
    helpers.write_file("out_21.txt", "second\n", append=True)
    assert (tmp_path / "out_21.txt").read_text() == "first\nsecond\n"


def test_run_script_keeps_its_names_and_gets_its_arguments(helpers, tmp_path):
    (tmp_path / "script.py").write_text("import sys\nargs = sys.argv[:]\ndoubled = x * 2\nran_as = __name__\n")
    argv = sys.argv[:]
    helpers.run_script("script.py --epochs {x} '$name'")
    assert (helpers.namespace["doubled"], helpers.namespace["ran_as"]) == (42, "__main__")
    assert helpers.namespace["args"] == ["script.py", "--epochs", "21", "data set"]
    assert sys.argv == argv


def test_environment_and_directory(helpers, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("NBJOB_HELPER_TEST", raising=False)
    helpers.set_env("NBJOB_HELPER_TEST", "v{x}")
    assert helpers.getenv("NBJOB_HELPER_TEST") == "v21"
    assert helpers.getenv("NBJOB_HELPER_UNSET") is None
    (tmp_path / "data set").mkdir()
    helpers.chdir('"$name"')
    assert helpers.getcwd() == str(tmp_path / "data set")
    helpers.pwd()
    assert capsys.readouterr().out == f"{tmp_path / 'data set'}\n"


def test_display_prints_the_repr(capsys):
    display("text", [1, 2])
    assert capsys.readouterr().out == "'text'\n[1, 2]\n"
