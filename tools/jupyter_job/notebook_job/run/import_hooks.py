"""Run a callback right after a module is first imported by the user's code.

Seeding a framework or watching h5py reads must happen before the user's code uses the module,
but importing TensorFlow up front would cost every job 3 s: so we wait for the user's own import.
"""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Callable

Callback = Callable[[object], None]


class _AfterImport(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Wraps the real loader of the watched modules and calls their callbacks once they have loaded."""

    def __init__(self) -> None:
        self.callbacks: dict[str, list[Callback]] = {}
        self.loaders: dict = {}

    def find_spec(self, fullname, path, target=None):
        if fullname not in self.callbacks or fullname in self.loaders:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return spec
        self.loaders[fullname] = spec.loader
        spec.loader = self
        return spec

    def create_module(self, spec):
        return self.loaders[spec.name].create_module(spec)

    def exec_module(self, module):
        self.loaders[module.__name__].exec_module(module)
        for callback in self.callbacks.pop(module.__name__, []):
            callback(module)


_HOOK = _AfterImport()


def after_import(name: str, callback: Callback) -> None:
    """Call ``callback(module)`` now if ``name`` is already imported, else right after its import."""
    if name in sys.modules:
        callback(sys.modules[name])
        return
    if _HOOK not in sys.meta_path:
        sys.meta_path.insert(0, _HOOK)
    _HOOK.callbacks.setdefault(name, []).append(callback)
