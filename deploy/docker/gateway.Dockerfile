# Gateway image (bot/): plain Python 3.10, no Rasa or TensorFlow inside; its own lock with a
# current, patched aiohttp (requirements-gateway.lock, the same pins as .venv-gateway).
# Build from the repo root:  docker build -f deploy/docker/gateway.Dockerfile .
FROM python:3.10-slim
RUN useradd --create-home --uid 1001 koege
WORKDIR /app
COPY requirements-gateway.lock /tmp/requirements-gateway.lock
RUN pip install --no-cache-dir --no-deps -r /tmp/requirements-gateway.lock
COPY bot /app/bot
COPY core /app/core
COPY knowledge /app/knowledge
COPY alembic.ini /app/
ENV PYTHONPATH=/app GATEWAY_HOST=0.0.0.0 GATEWAY_PORT=8080
USER koege
EXPOSE 8080
# Migrate and load the catalogue (idempotent, one transaction), then serve.
CMD ["sh", "-c", "python -m core.catalogue load && exec python -m bot"]
