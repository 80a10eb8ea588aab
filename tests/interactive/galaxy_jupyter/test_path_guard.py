"""galaxy_jupyter.path_guard: which paths the bare 404 covers (the server itself: test_start_script.py)."""

from __future__ import annotations

import re

import pytest

from galaxy_jupyter.path_guard import outside_pattern

BASE = "/interactivetool/ep/k3y/0f1e2d3c4b5a6978/"


@pytest.mark.parametrize(
    ("path", "outside"),
    [
        ("/", True),
        ("/api/contents", True),
        ("/interactivetool/ep/k3y/", True),
        ("/interactivetool/ep/k3y/0f1e2d3c4b5a697", True),
        ("/interactivetool/ep/k3y/0f1e2d3c4b5a69780/api", True),
        ("/interactivetool/ep/k3y/0f1e2d3c4b5a6978", False),
        ("/interactivetool/ep/k3y/0f1e2d3c4b5a6978/", False),
        ("/interactivetool/ep/k3y/0f1e2d3c4b5a6978/api/contents", False),
    ],
)
def test_every_path_without_the_base_url_is_outside(path: str, outside: bool) -> None:
    # tornado's PathMatches appends '$' and matches from the start, as here
    assert bool(re.match(outside_pattern(BASE) + "$", path)) is outside
