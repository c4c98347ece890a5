# The API in a container. Mount /app/mlruns (or set INJURY_RISK_TRACKING_URI) to serve an existing model; with an
# empty store the first start simulates a cohort and trains one, as `make serve` does. `injury-risk serve` starts one
# server process per core this container may use (INJURY_RISK_WORKERS overrides it), as `make serve` does; each
# process compiles and runs its scoring path once before /readyz says ready.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    INJURY_RISK_HOST=0.0.0.0 \
    INJURY_RISK_PORT=8000 \
    INJURY_RISK_DATA_DIR=/app/data \
    INJURY_RISK_MLRUNS_DIR=/app/mlruns

RUN useradd --create-home --uid 10001 runner
WORKDIR /app

COPY pyproject.toml README.md ./
COPY training ./training
COPY service ./service
RUN pip install . && mkdir -p /app/data /app/mlruns && chown -R runner:runner /app

USER runner
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=300s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["sh", "-c", "injury-risk ensure-model && injury-risk serve"]
