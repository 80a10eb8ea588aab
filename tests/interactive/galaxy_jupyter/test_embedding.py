"""galaxy_jupyter.embedding: Galaxy's origin may frame the lab, other sites may not."""

from __future__ import annotations

import pytest

from galaxy_jupyter.embedding import content_security_policy, frame_ancestors, origin_of


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
        ("https://usegalaxy.example.org/galaxy/", "https://usegalaxy.example.org"),
        ("HTTPS://Galaxy.Example.org:8443", "https://galaxy.example.org:8443"),
        ("http://[::1]:8080", "http://[::1]:8080"),
        ("*", None),
        ("https://*.example.org", None),
        ("javascript:alert(1)", None),
        ("http://user:pw@galaxy.example.org", None),
        ("'none'", None),
        ("http://a.example.org; script-src *", None),
        ("", None),
    ],
)
def test_only_plain_http_origins_are_taken(url: str, origin: str | None) -> None:
    assert origin_of(url) == origin


def test_galaxy_and_the_admins_origins_besides_self() -> None:
    assert frame_ancestors("http://127.0.0.1:8080") == ["'self'", "http://127.0.0.1:8080"]
    assert frame_ancestors("http://galaxy:8080", "https://usegalaxy.example.org  http://galaxy:8080 *") == [
        "'self'", "http://galaxy:8080", "https://usegalaxy.example.org"]
    assert frame_ancestors("") == ["'self'"]


def test_the_header_has_no_report_uri() -> None:
    assert content_security_policy("http://127.0.0.1:8080/") == "frame-ancestors 'self' http://127.0.0.1:8080"
