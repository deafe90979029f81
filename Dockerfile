# One image for the three Python services of docker-compose.yml: web (gunicorn, the default
# command), worker (celery worker) and beat (celery beat). Static files are collected at build time
# and served by whitenoise; translations are compiled at build time.
FROM python:3.11-slim-bookworm

# PYTHONPATH=/app: the portal runs from its source tree (templates/, static/ and locale/ live at the
# repository root, next to the apps), so /app must come before site-packages on the import path.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=cluster_growth.settings

# Pango and HarfBuzz for WeasyPrint (PDF exports; fontconfig pulls in a default font);
# gettext for compilemessages.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, read from pyproject.toml, so that a change to the code alone reuses this layer.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# The source tree, then the project itself (non-editable, without the dev extras).
COPY . .
RUN pip install --no-deps . \
    && rm -rf build ./*.egg-info

# Translations and static files, baked into the image. The key only lets settings load here;
# the running containers get their own SECRET_KEY from the environment.
RUN python manage.py compilemessages --ignore 'var/*' -v 0 \
    && SECRET_KEY=build-time-only-not-a-secret python manage.py collectstatic --noinput -v 0

# Run as an unprivileged user. It owns only var/ (media uploads and runtime files), not the code.
RUN useradd --create-home --uid 1000 --user-group app \
    && mkdir -p /app/var/media \
    && chown -R app:app /app/var
USER app

EXPOSE 8000
CMD ["gunicorn", "cluster_growth.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
