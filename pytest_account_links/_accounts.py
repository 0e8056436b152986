"""The platform's connected accounts, as the fake knows them in one test.

Plain Python, no pytest, no HTTP library. Read and changed under the store's
lock (:mod:`._store`).
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any, Literal

from pytest_account_links._extensions import NoExtensions

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence

    from faker import Faker

    from pytest_account_links._extensions import Extensions
    from pytest_account_links._ids import Ids

Configuration = Literal["customer", "merchant", "recipient"]
CONFIGURATIONS: tuple[Configuration, ...] = ("customer", "merchant", "recipient")


class ConnectedAccount:
    """A connected account the fake knows; details fabricated with Faker when not given.

    The details (``display_name``, ``contact_email``, ``country``) are fabricated
    when first read, each account from a seed of its own: reading them, or not,
    changes no other value the test sees.
    """

    def __init__(
        self,
        id: str,
        configurations: tuple[Configuration, ...],
        *,
        declared: bool = True,
        details: Callable[[], dict[str, Any]] | None = None,
    ) -> None:
        self.id = id
        self.configurations = configurations
        #: True when the test declared it; False when the fake met it in a request.
        self.declared = declared
        #: The use cases completed through a visited link (``account_onboarding``, ...).
        self.completed: list[str] = []
        self._fabricate = details
        self._details: dict[str, Any] | None = None

    def _detail(self, name: str) -> str:
        if self._details is None:
            self._details = dict(self._fabricate()) if self._fabricate is not None else {}
        return str(self._details.get(name, ""))

    def _set(self, name: str, value: str) -> None:
        self._detail(name)  # fabricate the others first, from the same seed
        assert self._details is not None
        self._details[name] = value

    display_name = property(
        lambda self: self._detail("display_name"),
        lambda self, value: self._set("display_name", value),
        doc="The account's name as its owner sees it.",
    )
    contact_email = property(
        lambda self: self._detail("contact_email"),
        lambda self, value: self._set("contact_email", value),
        doc="The account's contact email address.",
    )
    country = property(
        lambda self: self._detail("country"),
        lambda self, value: self._set("country", value),
        doc="The account's country (ISO 3166-1 alpha-2).",
    )

    def __repr__(self) -> str:
        return (
            f"ConnectedAccount(id={self.id!r}, configurations={self.configurations!r}, "
            f"declared={self.declared!r})"
        )


def fabricated_details(faker: Faker) -> dict[str, Any]:
    """Realistic details of a connected account, drawn from ``faker``."""
    return {
        "display_name": faker.company(),
        "contact_email": faker.company_email(),
        "country": faker.random_element(("US", "GB", "FR", "DE", "IE", "CA", "AU")),
    }


class Accounts:
    """The platform's connected accounts, as ``account_links.accounts``.

    While no account is declared, the fake accepts any well-formed account ID.
    Once one is, it answers from this state: an undeclared account is
    ``not_found``, and on API versions that carry ``configurations`` a request
    whose configurations differ from the account's is
    ``configs_must_match_to_use_account_links``. With :attr:`v2_enabled` off,
    every request is ``accounts_v2_access_blocked``.
    """

    def __init__(
        self,
        faker: Callable[[], Faker],
        ids: Ids,
        extensions: Extensions | None = None,
        seed: int = 0,
    ) -> None:
        self._faker = faker
        self._seed = seed
        self._ids = ids
        self._extensions: Extensions = extensions or NoExtensions()
        self._accounts: dict[str, ConnectedAccount] = {}
        #: How many accounts the test declared (kept, so no call walks every account).
        self._declared = 0
        #: Whether Accounts v2 is enabled for the platform.
        self.v2_enabled = True
        #: True once a ``stripe_accounts`` marker set :attr:`v2_enabled` (the closest wins).
        self.v2_marked = False

    def add(
        self,
        id: str | None = None,
        *,
        configurations: Iterable[str] = ("recipient",),
        display_name: str | None = None,
        contact_email: str | None = None,
        country: str | None = None,
    ) -> ConnectedAccount:
        """Declare an account (a fabricated ID when none is given) and return it."""
        from pytest_account_links._marker_options import parse

        options = parse(
            "stripe_accounts",
            (),
            {
                "accounts": [
                    {
                        "id": id,
                        "configurations": list(configurations),
                        "display_name": display_name,
                        "contact_email": contact_email,
                        "country": country,
                    }
                ]
            },
            shown="account_links.accounts.add()",
        )
        return self.declare(options.accounts[0])

    def declare(self, spec: Any) -> ConnectedAccount:
        """Declare the account ``spec`` (an ``AccountSpec``) describes."""
        account = self._fabricate(
            spec.id or self._ids.account_id(),
            tuple(spec.configurations),
            declared=True,
        )
        if spec.display_name is not None:
            account.display_name = spec.display_name
        if spec.contact_email is not None:
            account.contact_email = spec.contact_email
        if spec.country is not None:
            account.country = spec.country
        previous = self._accounts.get(account.id)
        if previous is None or not previous.declared:
            self._declared += 1
        self._accounts[account.id] = account
        return account

    def _fabricate(
        self, id: str, configurations: tuple[Configuration, ...], *, declared: bool
    ) -> ConnectedAccount:
        return ConnectedAccount(
            id,
            configurations,
            declared=declared,
            details=lambda: self._details_of(id),
        )

    def _details_of(self, id: str) -> dict[str, Any]:
        """The fabricated details of account ``id``, from a seed of its own.

        Each account's own seed: the details do not depend on which accounts the
        test read, or in which order.
        """
        faker = self._faker()
        digest = hashlib.blake2b(f"{self._seed}\0account\0{id}".encode(), digest_size=8)
        faker.seed_instance(int.from_bytes(digest.digest(), "big"))
        details = dict(self._extensions.account(id, faker))
        if not {"display_name", "contact_email", "country"} <= details.keys():
            details = {**fabricated_details(faker), **details}
        return details

    @property
    def declared(self) -> bool:
        """True once the test declared any account."""
        return self._declared > 0

    def met(self, id: str, configurations: Sequence[str] | None) -> ConnectedAccount:
        """The account a valid request named, fabricated on first sight when none is declared."""
        account = self._accounts.get(id)
        if account is None:
            known = tuple(c for c in CONFIGURATIONS if c in (configurations or ("recipient",)))
            account = self._fabricate(id, known, declared=False)
            self._accounts[id] = account
        return account

    def get(self, id: str) -> ConnectedAccount | None:
        """The account ``id``, declared or met, or None."""
        return self._accounts.get(id)

    def __contains__(self, id: object) -> bool:
        return id in self._accounts

    def __iter__(self) -> Iterator[ConnectedAccount]:
        return iter(list(self._accounts.values()))

    def __len__(self) -> int:
        return len(self._accounts)

    def __repr__(self) -> str:
        return f"<Accounts {sorted(self._accounts)} v2_enabled={self.v2_enabled}>"
