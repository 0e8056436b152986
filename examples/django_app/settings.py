"""The Django settings of the example platform (``DJANGO_SETTINGS_MODULE=django_app.settings``).

The Stripe settings come from the environment, as a deployed app reads them; tests set
them with pytest-django's ``settings`` fixture.
"""

from __future__ import annotations

import os

SECRET_KEY = "django-insecure-example-only"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
ROOT_URLCONF = "django_app.urls"
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth"]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
USE_TZ = True
# The live server (pytest-django's live_server) serves static files under this prefix.
STATIC_URL = "/static/"

#: The platform's secret key, and the secret its webhook endpoint verifies events with.
STRIPE_API_KEY = os.environ.get("STRIPE_API_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
#: Stripe's API base: None for Stripe's own, the served fake's URL in an end-to-end test.
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE")
#: Where the app is reached (the links' return_url and refresh_url).
APP_BASE_URL = os.environ.get("APP_BASE_URL", "http://testserver")
#: Whether the webhook handler fetches each event's related object from Stripe.
STRIPE_FETCH_ON_WEBHOOK = True
