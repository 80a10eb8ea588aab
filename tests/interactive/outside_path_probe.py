"""Requests to Jupyter's port without the entry-point path, and the check that they learn nothing.

Shared by the start-up script's test (a native session without Galaxy) and the end-to-end test (the
real session Galaxy launched): the path is the session's credential, so no part of it may appear in
the status line, any header (Set-Cookie paths, the CSP report-uri, Location) or the body.
"""

from __future__ import annotations

import requests

# paths a curious client tries first, with every method JupyterLab's own client uses
OUTSIDE_PATHS = ("", "lab", "tree", "api", "api/status", "api/contents", "api/kernels", "api/kernelspecs",
                 "api/sessions", "login", "static/lab/index.html", "interactivetool/ep", "nonexistent")
METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH")


def secret_parts(base_path: str) -> list[str]:
    """The pieces of /interactivetool/ep/<id>/<token>/ that would give the session away."""
    parts = [part for part in base_path.strip("/").split("/") if part not in ("", "interactivetool", "ep", "jupyter")]
    assert parts, base_path
    return parts


def probe_outside(root: str, base_path: str) -> list[requests.Response]:
    """Every OUTSIDE_PATH with every METHOD; assert each is a 404 that names nothing of the path."""
    secrets = secret_parts(base_path)
    responses = []
    for path in OUTSIDE_PATHS:
        for method in METHODS:
            response = requests.request(method, f"{root}/{path}", timeout=30, allow_redirects=False,
                                        headers={"Origin": root, "Content-Type": "application/json"}, data="{}")
            where = f"{method} /{path}"
            assert response.status_code == 404, (where, response.status_code)
            assert "Set-Cookie" not in response.headers, (where, response.headers["Set-Cookie"])
            revealed = "\n".join(f"{key}: {value}" for key, value in response.headers.items()) + "\n" + response.text
            for secret in secrets:
                assert secret not in revealed, (where, secret, revealed[:500])
            responses.append(response)
    return responses
