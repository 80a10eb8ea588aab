"""Who may frame JupyterLab: Galaxy's own origin (its Interactive Tools view embeds the entry point),
never other sites.

Locally Galaxy (e.g. :8080) and gx-it-proxy (:8081) are different origins, so frame-ancestors 'self'
alone makes Galaxy's embedded view show "refused to connect". The origins allowed besides 'self':
the origin of GALAXY_URL (Galaxy's galaxy_infrastructure_url, which the tool injects) and those an
admin lists in GXJ_FRAME_ANCESTORS (space-separated, for a Galaxy whose browser-facing origin differs
from its infrastructure URL). Anything that is not a plain http(s) origin is left out.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?$|^https?://\[[0-9A-Fa-f:.]+\](?::[0-9]{1,5})?$")


def origin_of(url: str) -> str | None:
    """scheme://host[:port] of an http(s) URL, or None for anything else (wildcards, paths only, ...)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or "@" in parts.netloc:
        return None
    origin = f"{parts.scheme}://{parts.netloc}".lower()
    return origin if ORIGIN.match(origin) else None


def frame_ancestors(galaxy_url: str, extra: str = "") -> list[str]:
    """'self', Galaxy's origin and the admin's extra origins, each once, in that order."""
    allowed = ["'self'"]
    for candidate in [galaxy_url, *extra.split()]:
        origin = origin_of(candidate) if candidate else None
        if origin and origin not in allowed:
            allowed.append(origin)
    return allowed


def content_security_policy(galaxy_url: str, extra: str = "") -> str:
    """The header Jupyter sends with every page. No report-uri: it would only repeat the base URL."""
    return "frame-ancestors " + " ".join(frame_ancestors(galaxy_url, extra))
