"""lrlib: the learning rate in gradient-based optimization, in numpy."""
# TEMPORARY while the modules are being written: re-export each module's __all__.
from importlib import import_module as _import_module

__all__ = []
for _name in ("schedules", "optimizers", "surfaces", "trajectory", "plotting", "range_test"):
    try:
        _module = _import_module(f"lrlib.{_name}")
    except ModuleNotFoundError as _error:
        if _error.name != f"lrlib.{_name}":
            raise
        continue
    for _attr in getattr(_module, "__all__", []):
        if _attr.endswith("State") and _attr != "PlateauState":
            continue  # optimizer states stay in lrlib.optimizers
        globals()[_attr] = getattr(_module, _attr)
        __all__.append(_attr)
