"""What an endpoint module declares: :class:`Endpoint`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from pytest_account_links.api.generations import Generation
    from pytest_account_links.api.pipeline import Answer, Exchange
    from pytest_account_links.core.versions import ApiVersion


@dataclass(frozen=True)
class Endpoint:
    """One faked Stripe endpoint: what is its own; the pipeline does the rest.

    The pipeline (:mod:`pytest_account_links.api.pipeline`) checks the key, the
    version (against :attr:`available_from` / :attr:`preview_from`), idempotency,
    injected failures and your hooks for every endpoint alike; it asks the
    endpoint only for its request model, its refusals and its answer.
    """

    #: The SDK's path to it (``client.v2.core.account_links.create``).
    name: str
    #: ``GET``, ``POST``, ...
    method: str
    #: The path, with parameters in braces (``/v2/core/events/{id}``).
    path: str
    #: Its API generation (:data:`pytest_account_links.api.generations.v2.V2`, ...).
    generation: Generation
    #: One line for the docs.
    summary: str
    #: The answer to a request every step let through.
    respond: Callable[[Exchange], Answer]
    #: The error codes Stripe documents for it (its OpenAPI operation and reference page).
    errors: tuple[str, ...] = ()
    #: The pydantic model of its request under an API version (None: it takes none).
    params: Callable[[ApiVersion], Any] | None = None
    #: Its refusals from the test's state (``not_found``, ...), after injected errors.
    check: Callable[[Exchange], Answer | None] | None = None
    #: What it keeps of a successful answer (after hooks and overrides).
    keep: Callable[[Exchange, Any], None] | None = None
    #: The account a request is about, before validation (per-account rate limits).
    account: Callable[[Exchange], str | None] | None = None
    #: The named release from which it is generally available (None: always).
    available_from: str | None = None
    #: The first preview version that has it (None: as :attr:`available_from`).
    preview_from: str | None = None
    #: Request fields an API version removed, with that version (for the message).
    removed: Mapping[str, str] = field(default_factory=dict)
    #: The top-level fields of its successful answer (what ``override_next`` may set).
    fields: tuple[str, ...] = ()

    def exists_under(self, version: ApiVersion) -> bool:
        """True when Stripe has this endpoint under ``version``."""
        if not self.generation.takes_version(version):
            return False
        threshold = self.available_from
        if version.kind == "preview" and self.preview_from is not None:
            threshold = self.preview_from
        return threshold is None or version.at_least(threshold)

    def model(self, x: Exchange) -> Any:
        """The request model for the exchange's version, or None."""
        if self.params is None or x.version is None:
            return None
        return self.params(x.version)

    def account_of(self, x: Exchange) -> str | None:
        """The account the request is about, or None."""
        return self.account(x) if self.account is not None else None

    @property
    def route(self) -> str:
        """``POST /v2/core/account_links``."""
        return f"{self.method} {self.path}"
