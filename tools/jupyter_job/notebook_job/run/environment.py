"""Seeds, package versions and the compute device, for reproducible and explainable jobs.

Frameworks are seeded the moment the user's code imports them (an import hook), so a job that
never imports TensorFlow does not pay for importing it, and one that does gets seeded before its
first layer is built.
"""
from __future__ import annotations

import random
import sys

from notebook_job.run.import_hooks import after_import

REPORTED_PACKAGES = ("numpy", "pandas", "h5py", "sklearn", "tensorflow", "keras", "torch", "onnx", "onnxruntime",
                     "skl2onnx", "tf2onnx")


def _seed_numpy(module, seed: int) -> None:
    module.random.seed(seed)


def _seed_keras(module, seed: int) -> None:
    module.utils.set_random_seed(seed)


def _seed_torch(module, seed: int) -> None:
    module.manual_seed(seed)


SEEDERS = {"numpy": _seed_numpy, "keras": _seed_keras, "torch": _seed_torch}


def apply_seed(seed: int) -> None:
    """Seed Python now, and numpy, Keras (which seeds TensorFlow) and PyTorch as soon as they are imported."""
    random.seed(seed)
    for name, seeder in SEEDERS.items():
        after_import(name, lambda module, seeder=seeder: seeder(module, seed))


def package_versions() -> dict:
    """Versions of the reported packages that this process has imported."""
    versions = {"python": sys.version.split()[0]}
    for name in REPORTED_PACKAGES:
        module = sys.modules.get(name)
        if module is not None:
            versions[name] = str(getattr(module, "__version__", "unknown"))
    return versions


def compute_device() -> str:
    """The GPU the user's framework saw, or 'CPU'; frameworks that were not imported are not asked."""
    tensorflow = sys.modules.get("tensorflow")
    if tensorflow is not None and hasattr(tensorflow, "config"):
        gpus = tensorflow.config.list_physical_devices("GPU")
        if gpus:
            details = tensorflow.config.experimental.get_device_details(gpus[0])
            return f"GPU: {details.get('device_name', gpus[0].name)} (TensorFlow, {len(gpus)} visible)"
    torch = sys.modules.get("torch")
    if torch is not None and hasattr(torch, "cuda") and torch.cuda.is_available():
        return f"GPU: {torch.cuda.get_device_name(0)} (PyTorch, {torch.cuda.device_count()} visible)"
    return "CPU"
