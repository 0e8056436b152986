"""The domain: one test's state and its rules, with no knowledge of endpoints.

Connected accounts (the ``v2.core.account`` state, how an update merges, the v1
view of it, requirements and capabilities), links and what a visit's outcome
changes, events, idempotency, injected failures and the store that holds them.
It imports only :mod:`..core` (``tests/test_layers.py`` checks it).
"""
