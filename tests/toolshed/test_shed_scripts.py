"""The Tool Shed phase's scripts, without a Tool Shed or a Galaxy: what they read from .shed.yml and the
XMLs, the files they write for ephemeris, the count check, the bumped copy, and their bad-input errors.
They run with the Galaxy venv's Python (PyYAML, galaxy-tool-util), found through scripts/env.sh."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
TOOLSHED = REPO / "scripts" / "toolshed"
SHED_URL = "http://127.0.0.1:9009"


def galaxy_python() -> str:
    venv = subprocess.run(["bash", "-c", 'source scripts/env.sh && echo "$GXJ_GALAXY_VENV"'], cwd=REPO,
                          capture_output=True, text=True, check=True).stdout.strip()
    python = Path(venv) / "bin" / "python"
    if not python.exists():
        pytest.skip(f"no Galaxy venv at {venv} (scripts/setup_envs.sh builds it)")
    return str(python)


def run(script: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([galaxy_python(), str(TOOLSHED / script), *args], cwd=REPO, capture_output=True,
                          text=True, timeout=300)


def declared_tests(xml: Path) -> int:
    """Tests of a tool XML counted from its text (none of ours come from macros)."""
    return len(re.findall(r"<test[\s>]", xml.read_text()))


def test_upload_order_is_the_suites_repositories_then_the_suite() -> None:
    result = run("shed_repos.py", "upload-order")
    assert result.returncode == 0, result.stderr
    folders = [Path(line) for line in result.stdout.split()]
    suite = yaml.safe_load((REPO / ".shed.yml").read_text())["suite"]
    names = [yaml.safe_load((folder / ".shed.yml").read_text())["name"] for folder in folders[:-1]]
    assert names == [entry["name"] for entry in suite["include_repositories"]]
    assert folders[-1] == REPO
    with_shed_yml = {p.parent for root in ("tools", "interactive") for p in (REPO / root).glob("**/.shed.yml")}
    assert set(folders[:-1]) == with_shed_yml


@pytest.mark.parametrize("per_tool", ["2", "all"])
def test_ephemeris_files_and_the_count_to_expect(tmp_path: Path, per_tool: str) -> None:
    tools_file, test_config, installed = tmp_path / "tools.yml", tmp_path / "skip.yml", tmp_path / "installed.json"
    result = run("ephemeris_files.py", "--tool-shed-url", SHED_URL, "--tools-file", str(tools_file),
                 "--test-config", str(test_config), "--tests-per-tool", per_tool, "--installed-json", str(installed))
    assert result.returncode == 0, result.stderr
    summary = json.loads(installed.read_text())
    xml_tests = {}
    for folder in ("tools", "interactive"):
        for xml in (REPO / folder).glob("**/*.xml"):
            if "test-data" not in xml.parts and xml.read_text().lstrip().startswith("<tool "):
                xml_tests[re.search(r'<tool id="([^"]+)"', xml.read_text())[1]] = declared_tests(xml)
    assert {tool["tool_id"]: tool["tests"] for tool in summary["tools"]} == xml_tests
    interactive = {tool["tool_id"] for tool in summary["tools"] if tool["interactive"]}
    assert interactive == {"interactive_tool_ml_jupyter_notebook"}  # ephemeris never tests these
    keep = {tool_id: (n if per_tool == "all" else min(int(per_tool), n)) for tool_id, n in xml_tests.items()}
    keep.update({tool_id: 0 for tool_id in interactive})
    assert int(result.stdout) == sum(keep.values())
    skipped = yaml.safe_load(test_config.read_text())["tools"]
    for tool in summary["tools"]:
        assert tool["id"].startswith("127.0.0.1:9009/repos/galaxy-ml-jupyter/") and tool["id"].endswith(tool["tool_id"])
        indexes = sorted(int(i) for i in skipped.get(tool["id"], {}).get("default", {}))
        assert indexes == ([] if tool["interactive"] else list(range(keep[tool["tool_id"]], tool["tests"])))
    tools = yaml.safe_load(tools_file.read_text())
    assert tools["install_repository_dependencies"] is True
    assert [(t["name"], t["tool_shed_url"]) for t in tools["tools"]] == [(summary["suite"], SHED_URL)]


def test_tests_per_tool_must_be_positive(tmp_path: Path) -> None:
    result = run("ephemeris_files.py", "--tool-shed-url", SHED_URL, "--tools-file", str(tmp_path / "t.yml"),
                 "--test-config", str(tmp_path / "c.yml"), "--tests-per-tool", "0")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "--tests-per-tool" in result.stderr
    assert not (tmp_path / "t.yml").exists()


def ephemeris_results(path: Path, statuses: list[str]) -> Path:
    tests = [{"id": f"t-{i}", "has_data": True, "data": {"status": s}} for i, s in enumerate(statuses)]
    failed = sum(s not in ("success", "skip") for s in statuses)
    path.write_text(json.dumps({"results": {"total": len(statuses), "errors": failed}, "tests": tests}))
    return path


def test_check_counts_what_passed_against_the_xmls(tmp_path: Path) -> None:
    results = ephemeris_results(tmp_path / "r.json", ["success", "success", "skip"])
    ok = run("check_shed_tests.py", str(results), "2")
    assert (ok.returncode, ok.stdout) == (0, "Tool Shed: suite installed into a fresh Galaxy; 2 installed-tool tests passed\n")
    for expected, statuses in (("3", ["success", "success", "skip"]), ("2", ["success", "failure"]), ("1", [])):
        bad = run("check_shed_tests.py", str(ephemeris_results(tmp_path / "r.json", statuses)), expected)
        assert bad.returncode == 1 and bad.stdout == ""
        assert bad.stderr.count("\n") == 1 and f"declare {expected} to run" in bad.stderr
    missing = run("check_shed_tests.py", str(tmp_path / "none.json"), "2")
    assert missing.returncode == 1 and "did not finish" in missing.stderr


def test_bump_copy_leaves_the_clone_alone(tmp_path: Path) -> None:
    macros = REPO / "tools" / "onnx_predict" / "macros.xml"
    before = macros.read_bytes()
    result = run("bump_copy.py", "--repository", "onnx_predict", "--tool-shed-url", SHED_URL,
                 "--dest", str(tmp_path / "copy"))
    assert result.returncode == 0, result.stderr
    installed_id, old, new = result.stdout.split()
    assert installed_id == "127.0.0.1:9009/repos/galaxy-ml-jupyter/onnx_predict/onnx_predict"
    stem, suffix = old.rsplit("galaxy", 1)
    assert new == f"{stem}galaxy{int(suffix) + 1}"
    assert macros.read_bytes() == before
    assert (tmp_path / "copy" / "test-data").is_dir() and not (tmp_path / "copy" / "test-data").is_symlink()
    unknown = run("bump_copy.py", "--repository", "nope", "--tool-shed-url", SHED_URL, "--dest", str(tmp_path / "x"))
    assert unknown.returncode == 2 and "no repository 'nope'" in unknown.stderr and not (tmp_path / "x").exists()
