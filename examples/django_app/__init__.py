"""A platform's Django app: sellers onboard through Account Links (``views.py``)."""
