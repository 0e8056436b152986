"""The core: what knows nothing of endpoints, the test's state or pytest.

Requests and answers on the wire, IDs, the clock, keys and their masking, API
versions, settings, recorded calls and the error catalogue's data. It imports
nothing else of the package (``tests/test_layers.py`` checks it).
"""
