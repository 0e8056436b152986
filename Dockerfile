# The standalone fake of Stripe's Connect onboarding API, for docker-compose and any language
# (docs/docker.md). Built from a checkout of this repository: docker build -t stripe-fake .
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STRIPE_FAKE_PORT=12111

WORKDIR /src
COPY pyproject.toml README.md ./
COPY pytest_account_links ./pytest_account_links
RUN pip install . && useradd --create-home fake
USER fake

EXPOSE 12111
HEALTHCHECK --interval=2s --timeout=3s --retries=15 CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ['STRIPE_FAKE_PORT'] + '/_account_links/health', timeout=2)"]

# Every interface (the container's network), so it takes STRIPE_API_KEY only (required).
# Optional: STRIPE_WEBHOOK_URL (events POSTed there), STRIPE_FAKE_ACCOUNTS (a JSON or TOML
# file of accounts, mounted), STRIPE_FAKE_ARGS (more options: --any-account-exists --seed 7).
# exec: the server is PID 1, so `docker stop` (SIGTERM) stops it cleanly.
CMD exec python -m pytest_account_links serve --host 0.0.0.0 --port "$STRIPE_FAKE_PORT" --api-key "$STRIPE_API_KEY" ${STRIPE_WEBHOOK_URL:+--webhook-url "$STRIPE_WEBHOOK_URL"} ${STRIPE_FAKE_ACCOUNTS:+--accounts "$STRIPE_FAKE_ACCOUNTS"} $STRIPE_FAKE_ARGS
