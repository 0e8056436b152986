"""``python -m pytest_account_links serve``: the fake on its own (:mod:`.served.cli`)."""

from __future__ import annotations

from pytest_account_links.served.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
