"""The platform's connected accounts, as the fake knows them in one test.

One registry (:class:`Accounts`) for every account: declared by the test
(``@stripe_accounts``, ``accounts.add()``), created through the API
(``v2.core.accounts.create``), or met in a request while the test accepts
unknown accounts. Each :class:`ConnectedAccount` holds its ``v2.core.account``
object (:attr:`ConnectedAccount.state`), built when first needed, so a test
that names ten thousand accounts pays for none it does not look at.

Plain Python, no pytest, no HTTP library. Read and changed under the store's
lock (:mod:`._store`).
"""

from __future__ import annotations

import copy
import hashlib
from typing import TYPE_CHECKING, Any, Literal

from pytest_account_links.core.extensions import NoExtensions
from pytest_account_links.domain import onboarding as _onboarding

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence

    from faker import Faker

    from pytest_account_links.core.clock import Clock
    from pytest_account_links.core.extensions import Extensions
    from pytest_account_links.core.ids import Ids

Configuration = Literal["customer", "merchant", "recipient"]
CONFIGURATIONS: tuple[Configuration, ...] = ("customer", "merchant", "recipient")


class ConnectedAccount:
    """A connected account the fake knows.

    Its ``v2.core.account`` object (:attr:`state`) is built when first read:
    from the create request, or fabricated (a name, an email, a country; its
    requirements due) with Faker, each account from a seed of its own, so
    reading it, or not, changes no other value the test sees.
    """

    def __init__(
        self,
        id: str,
        configurations: tuple[Configuration, ...],
        *,
        declared: bool = True,
        build: Callable[[ConnectedAccount], dict[str, Any]] | None = None,
        changed: Callable[[str, ConnectedAccount, dict[str, Any] | None], None] | None = None,
        state: dict[str, Any] | None = None,
    ) -> None:
        self.id = id
        self._configurations = configurations
        #: True when the test declared it or created it; False when the fake met it.
        self.declared = declared
        #: The use cases completed through a visited link (``account_onboarding``, ...).
        self.completed: list[str] = []
        #: Requirements the test added (:meth:`require`), with the capabilities they restrict.
        self.required: dict[str, list[tuple[str, str]]] = {}
        #: The capabilities whose status the test set (:meth:`set_capability`): kept.
        self.pinned: set[tuple[str, str]] = set()
        self._build = build
        self._changed = changed
        self._state: dict[str, Any] | None = state

    @property
    def configurations(self) -> tuple[Configuration, ...]:
        """The configurations applied to the account (``applied_configurations``)."""
        if self._state is None:
            return self._configurations
        return tuple(self._state.get("applied_configurations") or ())

    @property
    def closed(self) -> bool:
        """True once closed (``v2.core.accounts.close``)."""
        return self._state is not None and bool(self._state.get("closed"))

    @property
    def state(self) -> dict[str, Any]:
        """The ``v2.core.account`` object as the fake holds it (every field, included or not)."""
        if self._state is None:
            self._state = self._build(self) if self._build is not None else {"id": self.id}
        return self._state

    def _identity(self) -> dict[str, Any]:
        identity: dict[str, Any] = self.state.setdefault("identity", {})
        return identity

    @property
    def display_name(self) -> str:
        """The account's name as its owner sees it."""
        return str(self.state.get("display_name") or "")

    @display_name.setter
    def display_name(self, value: str) -> None:
        self.state["display_name"] = value

    @property
    def contact_email(self) -> str:
        """The account's contact email address."""
        return str(self.state.get("contact_email") or "")

    @contact_email.setter
    def contact_email(self, value: str) -> None:
        self.state["contact_email"] = value

    @property
    def country(self) -> str:
        """The account's country (ISO 3166-1 alpha-2)."""
        return str(self._identity().get("country") or "")

    @country.setter
    def country(self, value: str) -> None:
        self._identity()["country"] = value

    @property
    def requirements(self) -> list[str]:
        """The descriptions of the requirements due (``identity.individual.given_name``, ...)."""
        return list(self.state.get(_onboarding.DUE) or ())

    def capability(self, configuration: str, name: str) -> str | None:
        """The status of a capability (``"active"``, ``"restricted"``, ...), or None."""
        found = _capability_at(self.state, configuration, name)
        return None if found is None else found.get("status")

    def set_capability(
        self,
        configuration: str,
        name: str,
        status: str,
        *,
        code: str | None = None,
        resolution: str = "provide_info",
    ) -> None:
        """Set a capability's status, as Stripe would after a review (and deliver the
        ``capability_status_updated`` event): ``set_capability("recipient",
        "stripe_balance.payouts", "restricted", code="requirements_past_due")``.

        The status stays until the test sets another: requirements met later (an
        update, a completed link) do not undo a review. Raises ``ValueError`` for a
        configuration the account does not have, or a name Stripe has no such thing as.
        """
        _check_capability(configuration, name, status, code, resolution)
        if configuration not in self.configurations:
            raise ValueError(
                f"pytest-account-links: set_capability(): the account {self.id} has no "
                f"{configuration} configuration (it has "
                f"{', '.join(self.configurations) or 'none'}); add it with "
                "v2.core.accounts.update first"
            )
        self.pinned.add((configuration, name))
        capability = _capability_at(self.state, configuration, name, create=True)
        assert capability is not None
        capability["requested"] = True
        capability["status"] = status
        capability["status_details"] = (
            []
            if status == "active"
            else [{"code": code or _CODES[status], "resolution": resolution}]
        )
        self.notify(
            f"v2.core.account[configuration.{configuration}].capability_status_updated",
            {"updated_capability": name},
        )

    def require(self, *descriptions: str, configuration: str | None = None) -> None:
        """Add requirements due (``require("identity.individual.id_numbers")``), restricting
        the account's onboarding capabilities (of ``configuration``, or all of them).
        Raises ``TypeError`` without a description, ``ValueError`` for a configuration
        the account does not have."""
        if not descriptions:
            raise TypeError(
                "pytest-account-links: require() takes at least one requirement description "
                "(such as 'identity.individual.id_numbers')"
            )
        if configuration is not None and configuration not in self.configurations:
            raise ValueError(
                f"pytest-account-links: require(configuration={configuration!r}): the account "
                f"{self.id} has the configurations {', '.join(self.configurations) or 'none'}"
            )
        impacts = [
            (config, capability)
            for config, capability in _onboarding.requested(self.state)
            if configuration in (None, config)
        ]
        for description in descriptions:
            if not isinstance(description, str) or not description:
                raise TypeError(
                    "pytest-account-links: require() takes requirement descriptions "
                    f"(strings such as 'identity.individual.id_numbers'), got {description!r}"
                )
            self.required[description] = impacts
        self.refresh()

    def refresh(self) -> None:
        """Recompute requirements and capability statuses; deliver the events of a change."""
        before = self.requirements if self._state is not None else None
        changed = _onboarding.refresh(self.state, self.required, self.pinned)
        if before is not None and before != self.requirements:
            self.notify("v2.core.account[requirements].updated", None)
        for configuration, name in changed:
            self.notify(
                f"v2.core.account[configuration.{configuration}].capability_status_updated",
                {"updated_capability": name},
            )

    def notify(self, event: str, data: dict[str, Any] | None = None) -> None:
        """Deliver the event ``event`` about this account (``v2.core.account.updated``, ...)."""
        if self._changed is not None:
            self._changed(event, self, data)

    def __repr__(self) -> str:
        return (
            f"ConnectedAccount(id={self.id!r}, configurations={self.configurations!r}, "
            f"declared={self.declared!r}, closed={self.closed!r})"
        )


def _check_capability(
    configuration: str, name: str, status: str, code: str | None, resolution: str
) -> None:
    """``ValueError`` naming what ``set_capability()`` cannot set, from the spec's schema."""
    from pytest_account_links.core.hints import did_you_mean
    from pytest_account_links.domain.account_state import capability_schema

    def refuse(what: str, value: object, allowed: list[str]) -> None:
        raise ValueError(
            f"pytest-account-links: set_capability(): {what} {value!r} is not one Stripe has"
            f"{did_you_mean(str(value), allowed)}; choose from {', '.join(allowed)}"
        )

    for what, value in (("configuration", configuration), ("capability", name), ("status", status)):
        if not isinstance(value, str):
            raise TypeError(
                f"pytest-account-links: set_capability(): the {what} is a name (a string), "
                f"got {value!r}"
            )

    if configuration not in CONFIGURATIONS:
        refuse("configuration", configuration, list(CONFIGURATIONS))
    names = capability_schema(configuration)
    if name not in names:
        refuse(f"{configuration} capability", name, sorted(names))
    schema = names[name]["properties"]
    statuses = schema["status"]["enum"]
    if status not in statuses:
        refuse("status", status, statuses)
    detail = schema["status_details"]["items"]["properties"]
    if code is not None and code not in detail["code"]["enum"]:
        refuse("code", code, detail["code"]["enum"])
    if resolution not in detail["resolution"]["enum"]:
        refuse("resolution", resolution, detail["resolution"]["enum"])


#: The status detail a capability set to a status gets, unless the test names one.
_CODES = {
    "pending": "requirements_pending_verification",
    "rejected": "rejected_other",
    "restricted": "requirements_past_due",
    "unsupported": "unsupported_business",
}


def _capability_at(
    state: dict[str, Any], configuration: str, name: str, *, create: bool = False
) -> dict[str, Any] | None:
    settings: Any = (state.get("configuration") or {}).get(configuration)
    if settings is None:
        if not create:
            return None
        settings = state.setdefault("configuration", {}).setdefault(
            configuration, {"applied": True}
        )
    target = settings.setdefault("capabilities", {}) if create else settings.get("capabilities")
    for part in name.split("."):
        if not isinstance(target, dict):
            return None
        target = target.setdefault(part, {}) if create else target.get(part)
    return target if isinstance(target, dict) else None


def fabricated_details(faker: Faker) -> dict[str, Any]:
    """Realistic details of a connected account, drawn from ``faker``."""
    return {
        "display_name": faker.company(),
        "contact_email": faker.company_email(),
        "country": faker.random_element(("US", "GB", "FR", "DE", "IE", "CA", "AU")),
    }


class Accounts:
    """The platform's connected accounts, as ``account_links.accounts``.

    While no account is declared (or created), the fake accepts any well-formed
    account ID. Once one is, it answers from this registry: an unknown account
    is ``not_found``, and on API versions that carry ``configurations`` a link
    whose configurations differ from the account's is
    ``configs_must_match_to_use_account_links``. With :attr:`v2_enabled` off,
    every request is ``accounts_v2_access_blocked``. ``accounts["acct_..."]``
    is an account (``KeyError`` naming the known ones otherwise).
    """

    def __init__(
        self,
        faker: Callable[..., Faker],
        ids: Ids,
        extensions: Extensions | None = None,
        seed: int = 0,
        clock: Clock | None = None,
    ) -> None:
        self._faker = faker
        self._clock = clock
        self._seed = seed
        self._ids = ids
        self._extensions: Extensions = extensions or NoExtensions()
        self._accounts: dict[str, ConnectedAccount] = {}
        #: How many accounts the test declared (kept, so no call walks every account).
        self._declared = 0
        #: Told of every change of an account that Stripe would deliver an event for.
        self.changed: Callable[[str, ConnectedAccount, dict[str, Any] | None], None] | None = None
        #: The API mode of the test's key, for fabricated accounts.
        self.livemode = False
        #: Whether Accounts v2 is enabled for the platform.
        self.v2_enabled = True
        #: True once a ``stripe_accounts`` marker set :attr:`v2_enabled` (the closest wins).
        self.v2_marked = False
        #: The platform's country (``stripe_accounts(platform_country=...)``), where it
        #: matters: a French platform's live-mode accounts take their identity from
        #: account tokens only (:mod:`.tokens`). None: a platform where tokens are optional.
        self.platform_country: str | None = None
        #: Validates what :meth:`add` is given as the ``stripe_accounts`` marker validates
        #: an account (``parse(marker, args, kwargs, shown=...)``): handed in by the
        #: harness, which holds the markers' options.
        self.parse_options: Callable[..., Any] | None = None

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
        if self.parse_options is None:
            raise RuntimeError("pytest-account-links: accounts.add() is the fake's: no options")
        options = self.parse_options(
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
            given={
                name: value
                for name in ("display_name", "contact_email", "country")
                if (value := getattr(spec, name)) is not None
            },
        )
        self.keep(account)
        return account

    def keep(self, account: ConnectedAccount) -> None:
        """Add an account (declared or created) to the registry."""
        previous = self._accounts.get(account.id)
        if account.declared and (previous is None or not previous.declared):
            self._declared += 1
        account._changed = self._changed
        self._accounts[account.id] = account

    def _changed(self, event: str, account: ConnectedAccount, data: dict[str, Any] | None) -> None:
        if self.changed is not None:
            self.changed(event, account, data)

    def _fabricate(
        self,
        id: str,
        configurations: tuple[Configuration, ...],
        *,
        declared: bool,
        given: dict[str, Any] | None = None,
        livemode: bool | None = None,
    ) -> ConnectedAccount:
        return ConnectedAccount(
            id,
            configurations,
            declared=declared,
            build=lambda account: self._fabricated_state(account, given or {}, livemode),
            changed=self._changed,
        )

    def seeded_faker(self, id: str, locale: str = "en_US") -> Faker:
        """A Faker in ``locale``, seeded for account ``id`` alone."""
        faker = self._faker(locale)
        digest = hashlib.blake2b(f"{self._seed}\0account\0{id}".encode(), digest_size=8)
        faker.seed_instance(int.from_bytes(digest.digest(), "big"))
        return faker

    def _details_of(self, id: str) -> dict[str, Any]:
        """The fabricated details of account ``id`` (the hook's, then the plugin's own)."""
        faker = self.seeded_faker(id)
        details = dict(self._extensions.account(id, faker))
        if not {"display_name", "contact_email", "country"} <= details.keys():
            details = {**fabricated_details(faker), **details}
        return details

    def _fabricated_state(
        self, account: ConnectedAccount, given: dict[str, Any], livemode: bool | None
    ) -> dict[str, Any]:
        """The ``v2.core.account`` of an account the test declared or the fake met: made
        when first read (``created`` is then), its details fabricated for its ID alone."""
        from pytest_account_links.domain.account_state import new_state

        details = {**self._details_of(account.id), **given}
        state = new_state(
            account.id,
            {
                "display_name": details["display_name"],
                "contact_email": details["contact_email"],
                "identity": {"country": str(details["country"])},
                "configuration": {
                    configuration: copy.deepcopy(_DEFAULT_CONFIGURATION.get(configuration, {}))
                    for configuration in account.configurations
                },
            },
            livemode=self.livemode if livemode is None else livemode,
            created=self._clock.now() if self._clock is not None else None,
        )
        _onboarding.refresh(state, account.required)
        return state

    @property
    def declared(self) -> bool:
        """True once the test declared (or created) any account."""
        return self._declared > 0

    def met(
        self, id: str, configurations: Sequence[str] | None, *, livemode: bool | None = None
    ) -> ConnectedAccount:
        """The account a valid request named, fabricated on first sight when none is declared."""
        account = self._accounts.get(id)
        if account is None:
            known = tuple(c for c in CONFIGURATIONS if c in (configurations or ("recipient",)))
            account = self._fabricate(id, known, declared=False, livemode=livemode)
            self._accounts[id] = account
        return account

    def get(self, id: str) -> ConnectedAccount | None:
        """The account ``id``, declared, created or met, or None."""
        return self._accounts.get(id)

    def __getitem__(self, id: str) -> ConnectedAccount:
        account = self._accounts.get(id)
        if account is None:
            known = ", ".join(sorted(self._accounts)) or "none yet"
            raise KeyError(f"pytest-account-links: no account {id!r} in this test (known: {known})")
        return account

    def __contains__(self, id: object) -> bool:
        return id in self._accounts

    def __iter__(self) -> Iterator[ConnectedAccount]:
        return iter(list(self._accounts.values()))

    def __len__(self) -> int:
        return len(self._accounts)

    def __repr__(self) -> str:
        return f"<Accounts {sorted(self._accounts)} v2_enabled={self.v2_enabled}>"


#: What a declared account's configuration holds: its onboarding capability requested.
_DEFAULT_CONFIGURATION: dict[str, dict[str, Any]] = {
    "merchant": {"capabilities": {"card_payments": {"requested": True}}},
    "recipient": {"capabilities": {"stripe_balance": {"stripe_transfers": {"requested": True}}}},
    "customer": {},
}
