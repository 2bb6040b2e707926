# syntax=docker/dockerfile:1
# skinscan: the page (built with node) + the API (slim Python, serving dependencies only, no torch)
# + the shipped model, in one image that runs as a non-root user.
#   docker build -t skinscan . && docker run --rm -p 8000:8000 skinscan
# Needs models/skinscan.onnx + models/skinscan.json in the build context (`make train` writes them).

FROM node:20-slim AS page
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

FROM python:3.11-slim AS venv
WORKDIR /src
RUN python -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir --upgrade pip
COPY pyproject.toml README.md ./
COPY src ./src
RUN /opt/venv/bin/pip install --no-cache-dir . \
 && /opt/venv/bin/python -c "import skinscan.api.app, sys; assert 'torch' not in sys.modules"

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SKINSCAN_HOST=0.0.0.0 \
    SKINSCAN_MODEL=/app/models/skinscan.onnx \
    SKINSCAN_WEB_DIR=/app/web/dist \
    SKINSCAN_FORWARDED_HOPS=0
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin skinscan
WORKDIR /app
COPY --from=venv /opt/venv /opt/venv
COPY --from=page /src/web/dist ./web/dist
COPY models/skinscan.onnx models/skinscan.json ./models/
USER 10001
# The port is PORT when the platform sets it (Heroku, Cloud Run), else 8000.
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s \
  CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\", \"8000\")}/api/v1/health', timeout=2)"
STOPSIGNAL SIGTERM
# Client addresses (rate limit): by default X-Forwarded-For is ignored. Behind proxies that append
# to it, set SKINSCAN_FORWARDED_HOPS to their number (Heroku, Cloud Run: 1; heroku.yml does) or
# SKINSCAN_TRUSTED_PROXIES to their addresses (nginx). FORWARDED_ALLOW_IPS is ignored (uvicorn's
# proxy headers are off: it believed the client-written leftmost entry). WEB_CONCURRENCY picks
# the worker processes.
CMD ["sh", "-c", "exec skinscan serve --workers ${WEB_CONCURRENCY:-1}"]
