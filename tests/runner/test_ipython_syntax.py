"""IPython-only lines: rewritten into plain Python that runs, skipped and reported, or refused."""
from __future__ import annotations

import re

import pytest

from notebook_job.errors import RefusedCodeError
from notebook_job.prepare.ipython_syntax import rewrite_cell
from notebook_job.prepare.notebook_code import CodeCell
from notebook_job.run.cell_runner import run_cells
from notebook_job.run.notebook_helpers import NotebookHelpers, ShellCommandError


def cell(source: str, number: int = 3) -> CodeCell:
    return CodeCell(number, source, f"<cell {number}>")


def rewritten(source: str) -> tuple[str, list[dict]]:
    new, notes = rewrite_cell(cell(source))
    return new.source, [note.as_dict() for note in notes]


@pytest.fixture
def run(tmp_path, monkeypatch):
    """``run(source, **names)`` rewrites a cell and runs it in tmp_path; returns the namespace."""
    monkeypatch.chdir(tmp_path)

    def execute(source: str, **names) -> dict:
        namespace = dict(names)
        namespace["_nbjob"] = NotebookHelpers(namespace)
        exec(compile(rewrite_cell(cell(source))[0].source, "<cell 3>", "exec"), namespace)
        return namespace
    return execute


def test_plain_python_is_unchanged():
    source = "import os\n\nx = 5 % 3\nif x != 2:\n    raise ValueError('!')\ns = '''\n!ls\n%time\n'''\n"
    assert rewritten(source) == (source, [])


def test_display_magic_is_skipped_and_reported():
    assert rewritten("%matplotlib inline\nimport math\ny = math.pi") == (
        "pass\nimport math\ny = math.pi",
        [{"where": "cell 3", "line": 1, "text": "%matplotlib inline",
          "action": "skipped (only changes an interactive session)"}])


@pytest.mark.parametrize(("source", "line", "command"), [
    ("import os\n!pip install some-package\n", 2, "'pip install some-package'"),
    ("x = 1\n\n%pip install numpy==1.0", 3, "'%pip install numpy==1.0'"),
    ("  !conda install -y scipy", 1, "'conda install -y scipy'"),
    ("out = !python -m pip install x", 1, "'python -m pip install x'"),
    ("%%bash\necho hi\npip install requests\n", 1, "'echo hi\\npip install requests'"),
])
def test_package_installs_are_refused_naming_cell_and_line(source, line, command):
    with pytest.raises(RefusedCodeError) as raised:
        rewrite_cell(cell(source))
    assert str(raised.value) == (f"cell 3, line {line}: installing packages is not allowed in a job ({command}); "
                                 "the tool runtime provides the packages: remove the line, or ask the Galaxy admin "
                                 "to add the package")
    assert raised.value.exit_code == 2


@pytest.mark.parametrize(("source", "message"), [
    ("x = 1\n%debug", "cell 3, line 2: the IPython magic %debug cannot run in a job"),
    ("%%perl\nprint 1;", "cell 3, line 1: the IPython cell magic %%perl cannot run in a job"),
    ("%%script python2\nprint 1", "cell 3, line 1: %%script python2 cannot run in a job (only bash and sh)"),
    ("x = %lsmagic", "cell 3, line 1: the value of %lsmagic cannot be taken in a job"),
])
def test_unknown_magics_are_refused(source, message):
    with pytest.raises(RefusedCodeError, match=f"^{re.escape(message)}$"):
        rewrite_cell(cell(source))


def test_shell_output_is_captured_as_lines(run, tmp_path):
    (tmp_path / "b.txt").write_text("")
    (tmp_path / "a.txt").write_text("")
    namespace = run("files = !ls\nfirst, second = !printf 'one\\ntwo\\n'")
    assert namespace["files"] == ["a.txt", "b.txt"]
    assert (namespace["first"], namespace["second"]) == ("one", "two")


def test_shell_lines_expand_notebook_variables(run, tmp_path):
    namespace = run("!echo {x * 2} $name $HOME_UNSET_X > out.txt\nwords = !echo {x}-$name\n", x=21, name="ab")
    assert (tmp_path / "out.txt").read_text() == "42 ab\n"
    assert namespace["words"] == ["21-ab"]


def test_shell_braces_that_are_not_python_are_left_to_bash(run, tmp_path):
    (tmp_path / "table.txt").write_text("a 1\nb 2\n")
    namespace = run("second = !awk '{print $2}' table.txt\n!{ echo x; echo y; } > xy.txt")
    assert namespace["second"] == ["1", "2"]
    assert (tmp_path / "xy.txt").read_text() == "x\ny\n"


def test_failing_shell_line_fails_the_cell(run):
    with pytest.raises(ShellCommandError, match=r"^shell command exited with status 1: false$"):
        run("!false\nafter = 1")


def test_writefile_writes_the_body(run, tmp_path):
    namespace = run("%%writefile helper.py\nVALUE = 7\n\ndef double(x):\n    return 2 * x\n")
    assert (tmp_path / "helper.py").read_text() == "VALUE = 7\n\ndef double(x):\n    return 2 * x\n"
    assert "VALUE" not in namespace
    run("%%writefile -a helper.py\nEXTRA = 1\n")
    assert (tmp_path / "helper.py").read_text().endswith("return 2 * x\nEXTRA = 1\n")


def test_bash_cell_runs_through_bash(run, tmp_path):
    run("%%bash\nfor i in 1 2; do echo $i; done > loop.txt\n")
    assert (tmp_path / "loop.txt").read_text() == "1\n2\n"


def test_time_magics_run_the_statement_once(run):
    namespace = run("calls = []\n%time calls.append('time')\n%timeit -n1 -r1 calls.append('timeit')\n"
                    "value = %time len(calls)")
    assert namespace["calls"] == ["time", "timeit"]
    assert namespace["value"] == 2
    namespace = run("%%time\ncount = 0\nfor i in range(3):\n    count += i\n")
    assert namespace["count"] == 3


def test_environment_and_directory_magics(run, tmp_path, monkeypatch):
    monkeypatch.delenv("NBJOB_TEST_VALUE", raising=False)
    (tmp_path / "sub").mkdir()
    namespace = run("%env NBJOB_TEST_VALUE=from-{x}\nseen = %env NBJOB_TEST_VALUE\n%cd sub\nhere = %pwd", x=5)
    assert namespace["seen"] == "from-5"
    assert namespace["here"] == str(tmp_path / "sub")


def test_help_lookups_are_skipped():
    source, notes = rewritten("len?\nx = 1\n??print")
    assert source == "pass\nx = 1\npass"
    assert [note["action"] for note in notes] == ["skipped (help lookup)"] * 2


def test_bang_inside_triple_quoted_string_is_text():
    source, notes = rewritten('!echo hi\ntext = """\n!rm -rf /\n%pip install x\n"""\n')
    assert source == "_nbjob.shell('echo hi')\ntext = \"\"\"\n!rm -rf /\n%pip install x\n\"\"\"\n"
    assert [note["line"] for note in notes] == [1]


def test_operators_that_continue_a_statement_are_python(run):
    source = ("%matplotlib inline\nsame = (1\n        != 2)\nrest = (10\n        % 3)\n"
              "total = 1 + \\\n    2\n!echo done > done.txt")
    new, notes = rewrite_cell(cell(source))
    assert new.source.split("\n")[1:7] == source.split("\n")[1:7]
    assert [note["line"] for note in map(vars, notes)] == [1, 8]
    namespace = run(source)
    assert (namespace["same"], namespace["rest"], namespace["total"]) == (True, 1, 3)


def test_line_numbers_are_kept_so_a_later_error_names_its_line():
    source = "!echo start\n%matplotlib inline\nx = 1\n\ny = x / 0\n"
    new, _ = rewrite_cell(cell(source))
    assert len(new.source.split("\n")) == len(source.split("\n"))
    namespace: dict = {}
    namespace["_nbjob"] = NotebookHelpers(namespace)
    failure = run_cells([new], namespace).failure
    assert (failure.where, failure.message) == ("cell 3, line 5", "ZeroDivisionError: division by zero")


@pytest.mark.parametrize("header", ["%%bash", "%%writefile out.txt", "%%html"])
def test_cell_magics_keep_the_line_count(header):
    source = f"{header}\nline 2\nline 3\n"
    assert len(rewritten(source)[0].split("\n")) == len(source.split("\n"))


def test_every_handled_line_is_reported_with_its_action():
    _, notes = rewritten("%load_ext autoreload\nx = !pwd\n%cd /tmp\n%run other.py --flag")
    assert [(note["line"], note["text"], note["action"]) for note in notes] == [
        (1, "%load_ext autoreload", "skipped (only changes an interactive session)"),
        (2, "x = !pwd", "captured the shell command's output lines"),
        (3, "%cd /tmp", "changed directory"),
        (4, "%run other.py --flag", "ran the script in the notebook's namespace"),
    ]
