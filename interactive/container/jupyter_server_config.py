# Jupyter server configuration of the JupyterLab interactive tool (container and native launch alike).
# start-jupyterlab passes this file with --config (Jupyter loads config files only when their names
# end in .py) after exporting the GXJ_* values of the session; EP_PATH comes from Galaxy.
#
# Security model: Galaxy's proxy reaches Jupyter under the entry-point path
# /interactivetool/ep/<id>/<token>, and that path (64 random bits) is the secret. Nothing is served
# outside it: the galaxy_jupyter.path_guard extension (enabled below) answers every request without
# the path with a bare 404 (Jupyter's own 404 page would name the path in its HTML, its cookies and
# its CSP report-uri). There is no token or password on top (the path plays that role, as for
# Galaxy's other interactive tools); in return:
#   - no CORS: allow_origin stays empty and credentials are never allowed cross-origin, so another web
#     site cannot drive the session (and read the Galaxy API key from a kernel) from the user's browser;
#   - no framing by other sites: frame-ancestors 'self' and Galaxy's origin only (galaxy_jupyter.embedding;
#     never X-Frame-Options: ALLOWALL);
#   - Jupyter's XSRF check stays on, and websockets from a foreign Origin are refused.
# The Galaxy API key is in the kernel's environment only; nothing here reads or logs it.
# ruff: noqa: F821  (get_config is provided by traitlets when it loads this file)
import os
import sys
from urllib.parse import quote

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from galaxy_jupyter.collect import post_save_hook  # noqa: E402
from galaxy_jupyter.embedding import content_security_policy  # noqa: E402

c = get_config()

c.ServerApp.base_url = os.environ["GXJ_BASE_URL"]
c.ServerApp.ip = os.environ.get("GXJ_JUPYTER_IP", "127.0.0.1")
c.ServerApp.port = int(os.environ.get("GXJ_JUPYTER_PORT", "8888"))
c.ServerApp.port_retries = 0  # Galaxy was told this port: never silently move to another
c.ServerApp.open_browser = False
c.ServerApp.root_dir = os.environ.get("GXJ_WORKSPACE", os.getcwd())
main_notebook = os.environ.get("GXJ_MAIN_NOTEBOOK", "")
# the entry point opens the session's notebook (JupyterLab's own default_url wins over ServerApp's)
c.LabApp.default_url = "/lab/tree/" + quote(main_notebook) if main_notebook else "/lab"

# Authentication: the unguessable base URL is the credential (see above).
c.IdentityProvider.token = ""
c.PasswordIdentityProvider.hashed_password = ""
c.PasswordIdentityProvider.password_required = False
# Behind Galaxy's proxy the Host header is Galaxy's name, not localhost: without this, every request is
# refused (403). It only switches off the Host allow-list; the path is still required.
c.ServerApp.allow_remote_access = True
# Cross-origin: nothing allowed, explicitly (the published image had allow_origin='*' with credentials).
c.ServerApp.allow_origin = ""
c.ServerApp.allow_origin_pat = ""
c.ServerApp.allow_credentials = False
c.ServerApp.disable_check_xsrf = False
# Framing: Galaxy's own origin (its Interactive Tools view embeds the entry point) and 'self'; no other site.
c.ServerApp.tornado_settings = {
    "headers": {"Content-Security-Policy": content_security_policy(os.environ.get("GALAXY_URL", ""), os.environ.get("GXJ_FRAME_ANCESTORS", ""))},
}
c.ServerApp.allow_root = os.geteuid() == 0  # a native launch may run as root on a test machine

# Files: hidden files (the session folder, checkpoints) stay hidden; every saved notebook goes to Galaxy.
c.ContentsManager.allow_hidden = False
c.FileContentsManager.post_save_hook = post_save_hook
c.FileContentsManager.delete_to_trash = False  # no ~/.local/share/Trash inside the job

# Extensions: Elyra brings Jupyter AI and the magic wand, chat assistants that send notebook content to
# outside model providers; they stay off (the front-end halves are disabled in the session's
# labconfig/page_config.json, written by galaxy_jupyter/jupyter_setup.py). Off also saves ~2 s of start-up.
c.ServerApp.jpserver_extensions = {"jupyter_ai": False, "jupyterlab_magic_wand": False, "galaxy_jupyter.path_guard": True}
# No calls home: no update check, and the extension manager cannot install into the server environment.
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"
c.LabApp.extension_manager = "readonly"

# Kernels: the ML environment's kernelspec written by the start-up script (named python3) is the only one.
c.KernelSpecManager.ensure_native_kernel = False
c.MultiKernelManager.default_kernel_name = "python3"

# Stop quietly: Galaxy stops the job with SIGTERM; answer it without asking for confirmation.
c.ServerApp.shutdown_no_activity_timeout = 0
c.ServerApp.log_level = "INFO"

# --- Notebook jobs (jupyter-scheduler): "Create a notebook job" runs the notebook as run_jupyter_job on
# Galaxy, with live progress and a notification when it ends (interactive/client/galaxy_ml_jupyter). The
# backend comes with the client library: beside this folder in the repository (native launch), or where
# the image copies it. Without it (or without jupyter-scheduler) the scheduler stays off.
for client_dir in (os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "client"), "/opt/src/galaxy-remote-training"):
    if os.path.isdir(os.path.join(client_dir, "galaxy_ml_jupyter")):
        sys.path.insert(0, os.path.abspath(client_dir))
        from galaxy_ml_jupyter.jupyter_config import configure_notebook_jobs

        configure_notebook_jobs(c)
        break
else:
    c.ServerApp.jpserver_extensions["jupyter_scheduler"] = False
