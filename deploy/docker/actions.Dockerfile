# Action server image: the official rasa/rasa-sdk:3.6.2 plus our actions and knowledge/.
# Build from the repo root:  docker build -f deploy/docker/actions.Dockerfile .
FROM rasa/rasa-sdk:3.6.2
USER root
COPY deploy/docker/app-packages.txt /tmp/app-packages.txt
RUN pip install --no-cache-dir -r /tmp/app-packages.txt
COPY actions /app/actions
COPY knowledge /app/knowledge
COPY core /app/core
ENV PYTHONPATH=/app
USER 1001
CMD ["start", "--actions", "actions", "--port", "5055"]
