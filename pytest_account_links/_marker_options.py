"""Where the docs say :class:`MarkerError` is importable from (see :mod:`.harness.marker_options`).

Code inside the package imports :mod:`.harness.marker_options`, never this module.
"""

from __future__ import annotations

from pytest_account_links.harness.marker_options import MarkerError

__all__ = ["MarkerError"]
