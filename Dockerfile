# Recovery Desk, production image: gunicorn serving config.wsgi, static files by WhiteNoise.
# Runtime requirements only (requirements.txt); settings from the environment (docs/DEPLOY.md).
# Migrations are not run here: run `python manage.py migrate` once per release before the new
# web containers start (compose.yaml has a one-shot `migrate` service; /healthz stays 503 until then).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# psycopg[binary] brings its own libpq: no compiler or system packages needed.
# Copied before the code, so a code change does not reinstall the packages.
COPY requirements.txt ./
RUN pip install --no-compile -r requirements.txt

COPY . .

# Hashed, compressed static files into /app/staticfiles for WhiteNoise. collectstatic imports the
# settings, which refuse to start without a SECRET_KEY when DEBUG is off; this throwaway key signs
# nothing and is gone after this step. No database is opened.
RUN DEBUG=false SECRET_KEY=collectstatic-at-build-time-only-never-used-to-sign-anything-0123456789 \
    python manage.py collectstatic --noinput --verbosity 0

# Run as an unprivileged user; the code and static files stay root-owned and read-only to it.
RUN useradd --system --uid 10001 --user-group --no-create-home --home-dir /nonexistent desk
USER desk

EXPOSE 8000

# Production defaults; compose.yaml or the platform sets SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL.
ENV DEBUG=false \
    LOG_FORMAT=json

# scripts/healthcheck.py asks /healthz on this container (database reachable, migrations applied).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "scripts/healthcheck.py"]

# WEB_CONCURRENCY sets the number of workers (gunicorn reads it; default 1), GUNICORN_CMD_ARGS any
# other gunicorn option. Errors go to stderr; access lines are left to the proxy in front.
# /dev/shm for the worker heartbeat: a container's /tmp may be a slow overlay filesystem.
CMD ["gunicorn", "config.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--worker-tmp-dir", "/dev/shm", \
     "--timeout", "30", \
     "--graceful-timeout", "30", \
     "--max-requests", "2000", \
     "--max-requests-jitter", "200"]
