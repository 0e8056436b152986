"""The fake's extension points. The plugin answers them with its pluggy hooks
(``pytest_account_links_*``, see :mod:`.hooks`); outside pytest (a unit test, a
benchmark) this no-op default stands in."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from faker import Faker

    from pytest_account_links.core.calls import Call


class Extensions(Protocol):
    def exchange(self, call: Call) -> None:
        """Observe a recorded exchange."""

    def response(self, body: dict[str, Any], params: Any, api_version: str, endpoint: str) -> Any:
        """The body to answer a valid request to ``endpoint`` with."""

    def validate(self, params: Any, api_version: str, endpoint: str) -> list[str]:
        """Extra validation problems of a request to ``endpoint``."""

    def account(self, account_id: str, faker: Faker) -> dict[str, Any]:
        """Fabricated details of a connected account (any of its fields)."""


class NoExtensions:
    """Extension points that change nothing."""

    def exchange(self, call: Call) -> None:
        pass

    def response(self, body: dict[str, Any], params: Any, api_version: str, endpoint: str) -> Any:
        return body

    def validate(self, params: Any, api_version: str, endpoint: str) -> list[str]:
        return []

    def account(self, account_id: str, faker: Faker) -> dict[str, Any]:
        return {}
