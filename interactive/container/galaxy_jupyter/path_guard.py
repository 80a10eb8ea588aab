"""A Jupyter server extension: requests outside the entry-point path get a bare 404 and nothing else.

The entry-point path (/interactivetool/ep/<id>/<token>/) is the session's only credential. Jupyter's
own 404 page names its base URL (in the HTML, the Content-Security-Policy report-uri and the paths
of the cookies it sets), so a request that merely reaches the port would learn the credential. This
handler answers every such request before Jupyter's handlers see it: status 404, a fixed plain-text
body, no cookie, no Jupyter header. start-jupyterlab enables it through jupyter_server_config.py.
"""

from __future__ import annotations

import re
from typing import Any

from tornado import web

NOT_FOUND_BODY = "404: Not Found\n"


class OutsideBasePath(web.RequestHandler):
    """Every method, every path outside the base URL: the same bare 404."""

    def check_xsrf_cookie(self) -> None:
        """Nothing is done for these requests, so there is nothing to protect (and no cookie to read)."""

    def prepare(self) -> None:
        self.clear()
        self.set_status(404)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(NOT_FOUND_BODY)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """Errors before prepare (a method tornado does not support): the status line only."""
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(f"{status_code}\n")


def outside_pattern(base_url: str) -> str:
    """A path regex (tornado adds the '$') for every path that does not start with the base URL."""
    base = base_url.rstrip("/")
    return rf"(?!{re.escape(base)}(?:/|$)).*"


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "galaxy_jupyter.path_guard"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Put the guard before every Jupyter handler (add_handlers inserts ahead of the defaults)."""
    base_url = serverapp.base_url
    if base_url.strip("/") == "":
        raise RuntimeError("refusing to serve JupyterLab at '/': the entry-point path is the session's credential")
    serverapp.web_app.add_handlers(".*$", [(outside_pattern(base_url), OutsideBasePath)])
    serverapp.log.info("requests outside the entry-point path get a bare 404")
