"""Declared state for the served fake: its connected accounts, given up front.

What ``@pytest.mark.stripe_accounts`` declares in a test, for a server that runs
outside one: a file (``python -m pytest_account_links serve --accounts FILE``,
JSON or TOML) or the control endpoint ``POST /_account_links/accounts`` (JSON).
Both take the marker's fields (``accounts``: IDs, or objects of ``id``,
``configurations``, ``display_name``, ``contact_email``, ``country``; and
``v2_enabled``) and go through the marker's own options model
(:class:`~..harness.marker_options.AccountsOptions`), so a bad entry gets the marker's
message, naming the file (or the endpoint) and the entry.
"""

from __future__ import annotations

import json
import sys
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_account_links.core.secrets import redact
from pytest_account_links.served.serving import CONTROL, Reply

if TYPE_CHECKING:
    from pytest_account_links.domain.accounts import ConnectedAccount
    from pytest_account_links.domain.store import Store
    from pytest_account_links.harness.marker_options import AccountsOptions
    from pytest_account_links.served.serving import Listening, Serving


class Declared:
    """Accounts to declare, validated: :meth:`apply` them to a store (a fresh one, or the
    attached one)."""

    __slots__ = ("options", "sets_v2", "source")

    def __init__(self, options: AccountsOptions, *, sets_v2: bool, source: str) -> None:
        self.options = options
        #: True when ``v2_enabled`` was given (else the platform's setting stays).
        self.sets_v2 = sets_v2
        #: Where they came from, for messages (``--accounts accounts.toml``).
        self.source = source

    def __len__(self) -> int:
        return len(self.options.accounts)

    def apply(self, store: Store) -> list[ConnectedAccount]:
        """Declare the accounts in ``store``; ``ValueError`` for an ID it has declared or
        created already (a met one becomes declared)."""
        with store.lock:
            accounts = store.accounts
            taken = [
                spec.id
                for spec in self.options.accounts
                if spec.id is not None and (known := accounts.get(spec.id)) and known.declared
            ]
            if taken:
                which = "the accounts" if len(taken) > 1 else "the account"
                exist = "exist" if len(taken) > 1 else "exists"
                raise ValueError(
                    f"pytest-account-links: {self.source}: {which} {', '.join(taken)} {exist} "
                    f"already (declared or created); POST {CONTROL}reset starts the standalone "
                    "server afresh"
                )
            made = [accounts.declare(spec) for spec in self.options.accounts]
            if self.sets_v2:
                accounts.v2_enabled = self.options.v2_enabled
                accounts.v2_marked = True
            return made


def parse(data: Any, source: str) -> Declared:
    """``data`` (a list of accounts, or an object of ``accounts`` and ``v2_enabled``) as
    :class:`Declared`; ``ValueError`` naming ``source`` and the entry otherwise."""
    from pytest_account_links.harness.marker_options import MarkerError
    from pytest_account_links.harness.marker_options import parse as parse_options

    if isinstance(data, list):
        data = {"accounts": data}
    if not isinstance(data, dict):
        raise ValueError(
            f"pytest-account-links: {source}: expected a list of accounts, or an object of "
            f"accounts and v2_enabled, got {type(data).__name__}"
        )
    try:
        options = parse_options("stripe_accounts", (), data, shown=source)
    except MarkerError as problem:  # its first line: the problem; the second, the signature
        raise ValueError(str(problem).partition("\n")[0]) from None
    names = [spec.id for spec in options.accounts if spec.id is not None]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        which = "the accounts" if len(twice) > 1 else "the account"
        verb = "are" if len(twice) > 1 else "is"
        raise ValueError(
            f"pytest-account-links: {source}: {which} {', '.join(twice)} {verb} named twice"
        )
    return Declared(options, sets_v2="v2_enabled" in data, source=source)


def load(path: str) -> Declared:
    """The accounts of a JSON or TOML file (by its suffix); ``ValueError`` saying what is
    wrong with it, naming it."""
    source = f"--accounts {path}"
    suffix = Path(path).suffix.lower()
    if suffix not in (".json", ".toml"):
        raise ValueError(
            f"pytest-account-links: {source}: a .json or a .toml file, got {suffix or 'no'} suffix"
        )
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as problem:
        reason = problem.strerror if isinstance(problem, OSError) else str(problem)
        raise ValueError(f"pytest-account-links: {source}: cannot read it: {reason}") from None
    if suffix == ".toml":
        data = _toml(text, source)
    else:
        try:
            data = json.loads(text)
        except ValueError as problem:
            raise ValueError(f"pytest-account-links: {source}: not valid JSON: {problem}") from None
    return parse(data, source)


def _toml(text: str, source: str) -> Any:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as problem:
        raise ValueError(f"pytest-account-links: {source}: not valid TOML: {problem}") from None


def account_json(account: ConnectedAccount) -> dict[str, Any]:
    """What the control endpoint answers of an account it declared."""
    return {
        "id": account.id,
        "configurations": list(account.configurations),
        "display_name": account.display_name,
        "contact_email": account.contact_email,
        "country": account.country,
    }


def _refusal(status: int, code: str, message: str) -> Reply:
    """An error in Stripe's envelope, with its ``type``."""
    body = {"error": {"type": "invalid_request_error", "code": code, "message": redact(message)}}
    return Reply.json(status, body)


def control(server: Listening, serving: Serving, rest: str, headers: Any, body: bytes) -> Reply:
    """``POST /_account_links/accounts``: declare accounts in the attached fake (a JSON
    list of accounts, or an object of ``accounts`` and ``v2_enabled``); answers them."""
    source = f"POST {CONTROL}accounts"
    try:
        data = json.loads(body or b"null")
    except ValueError:
        data = None
    if data is None:
        return _refusal(
            HTTPStatus.BAD_REQUEST,
            "invalid_request",
            f"pytest-account-links: {source} takes JSON (Content-Type: application/json): a "
            'list of accounts, or {"accounts": [...], "v2_enabled": true}; got '
            f"{body[:200]!r}",
        )
    try:
        declared = parse(data, source)
    except ValueError as problem:
        return _refusal(HTTPStatus.BAD_REQUEST, "invalid_request", str(problem))
    store = serving.store
    try:
        made = declared.apply(store)
    except ValueError as problem:
        return _refusal(HTTPStatus.BAD_REQUEST, "resource_already_exists", str(problem))
    with store.lock:
        answer = {
            "accounts": [account_json(account) for account in made],
            "v2_enabled": store.accounts.v2_enabled,
        }
    return Reply.json(HTTPStatus.OK, answer)
