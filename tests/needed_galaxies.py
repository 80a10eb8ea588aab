"""Which Galaxy each group of tests needs, as the markers name them (tests/conftest.py skips by this table).

Each marker: the variables the script that starts that Galaxy exports, which Galaxy it is, and that script.
"""
from __future__ import annotations

GALAXY_ENV = ("GXJ_GALAXY_URL", "GXJ_API_KEY", "GXJ_ADMIN_KEY")
# Each marker of a test that needs one of the suite's Galaxies: the variables the script that starts that
# Galaxy exports, which Galaxy it is, and that script. Without the variables such tests are skipped, with
# the reason, never failed.
NEEDS_A_GALAXY = {
    "galaxy": (GALAXY_ENV, "the local Galaxy", "scripts/run_tests.sh"),
    "routing": (("GXJ_ROUTING_GALAXY_URL", "GXJ_ROUTING_API_KEY", "GXJ_ROUTING_ADMIN_KEY", "GXJ_ROUTING_STATE_DIR"),
                "the routed Galaxy (TPV + Pulsar)", "scripts/run_tests.sh"),
    "toolshed": (("GXJ_SHED_GALAXY_URL", "GXJ_SHED_API_KEY", "GXJ_SHED_INSTALLED", "GXJ_SHED_UPGRADE"),
                 "the Galaxy that installed the suite from the local Tool Shed", "scripts/toolshed/install_test.sh"),
    "containers": (("GXJ_CONTAINER_GALAXY_URL", "GXJ_CONTAINER_API_KEY", "GXJ_CONTAINER_IMAGE"),
                   "the containerized Galaxy", "scripts/container/test_containerized_galaxy.sh"),
}
