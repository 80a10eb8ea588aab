"""The one registry of export routes: framework -> the module whose ``ROUTE`` exports its models.

Routes are looked up by module name and imported on first use, so a job that exported only
scikit-learn models never imports TensorFlow or torch, and no route module needs the driver.
"""
from __future__ import annotations

import importlib

from notebook_job.export.models import KERAS, SKLEARN, TORCH
from notebook_job.export.route import ExportRoute, ExportSkipped

ROUTE_MODULES = {
    SKLEARN: "notebook_job.export.sklearn_export",
    KERAS: "notebook_job.export.keras_export",
    TORCH: "notebook_job.export.torch_export",
}


def route_for(framework: str) -> ExportRoute:
    """The framework's route, its module imported now if it was not yet."""
    module = ROUTE_MODULES.get(framework)
    if module is None:
        raise ExportSkipped(f"exporting {framework} models is not supported by this version")
    return importlib.import_module(module).ROUTE
