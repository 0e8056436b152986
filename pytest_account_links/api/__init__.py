"""The API: Stripe's endpoints over the domain.

The generations (what differs between API v1 and v2 on the wire), the endpoint
modules (parse, call the domain, render), the registry and the pipeline every
request goes through. It imports only :mod:`..domain` and :mod:`..core`.
"""
