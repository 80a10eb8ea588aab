"""galaxy_jupyter.git_clone: only network repositories, and the same URL rule as the form."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from galaxy_jupyter.git_clone import GIT_URL, clone_repository
from galaxy_jupyter.layout import SessionError
from lab_paths import TOOL_XML


@pytest.mark.parametrize(
    "url",
    [
        "ext::sh -c touch% /tmp/pwned",
        "--upload-pack=touch /tmp/pwned",
        "file:///etc",
        "/srv/galaxy/config",
        "https://example.org/repo.git; rm -rf /",
        "",
    ],
)
def test_git_urls_that_are_no_network_repositories_are_refused(workspace: Path, url: str) -> None:
    with pytest.raises(SessionError, match="not a git URL"):
        clone_repository(url, None, workspace)
    assert list(workspace.iterdir()) == []


def test_an_unreachable_repository_is_one_clear_error(workspace: Path) -> None:
    with pytest.raises(SessionError, match="could not clone https://127.0.0.1:9/none.git"):
        clone_repository("https://127.0.0.1:9/none.git", None, workspace)


def xml_validator(param: str) -> re.Pattern:
    element = ET.parse(TOOL_XML).getroot().find(f".//param[@name='{param}']/validator[@type='regex']")
    return re.compile(element.text)


@pytest.mark.parametrize(
    ("url", "accepted"),
    [
        ("https://github.com/anuprulez/gpu_jupyterlab_ct_image_segmentation", True),
        ("https://gitlab.example.org/group/sub/repo.git", True),
        ("git://example.org/repo.git", True),
        ("ssh://git@example.org/repo.git", True),
        ("git@github.com:user/repo.git", True),
        ("https://example.org/a b", False),
        ("ext::sh -c id", False),
        ("file:///etc", False),
        ("--upload-pack=id", False),
        ("/etc", False),
    ],
)
def test_the_form_and_the_start_up_accept_the_same_urls(url: str, accepted: bool) -> None:
    """The published tool's repository mode never ran; here the form's validator and the clone agree."""
    assert bool(xml_validator("repository").fullmatch(url)) is accepted
    assert bool(GIT_URL.match(url)) is accepted
