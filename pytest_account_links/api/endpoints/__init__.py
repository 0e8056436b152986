"""One module per faked endpoint; the registry of them is :mod:`..registry`."""
