"""The harness: what a test holds and how pytest shows it.

``AccountLinksFake`` and its factory, the markers and their options, the
failure report and the masking of keys in pytest's output. Below it lie
:mod:`..transports`, :mod:`..api`, :mod:`..domain` and :mod:`..core`.
"""
