# Rasa server image: the official rasa/rasa:3.6.21 plus what our model needs.
# Build from the repo root after `make train`:  docker build -f deploy/docker/rasa.Dockerfile .
# Not built or run on the development machines (no Docker engine there); see docs/deployment.md.
FROM rasa/rasa:3.6.21
USER root
# Our pipeline uses SpacyNLP/SpacyTokenizer (spaCy 3.4, the version Rasa 3.6.21 pins). The base
# tag may come without spaCy; the -full tag has it. Installing the exact pin is harmless either way.
RUN pip install --no-cache-dir "spacy==3.4.4" "spacy-lookups-data==1.0.5" "snowballstemmer==2.2.0"
# The Danish spaCy pipeline the model was trained with. config.yml resolves ${DA_SPACY_MODEL} at
# training time, so train with DA_SPACY_MODEL=/app/spacy/da_koege_blank_lookup (CI does) or
# keep this path in step with the one recorded in the model.
COPY build/spacy/da_koege_blank_lookup /app/spacy/da_koege_blank_lookup
COPY models/koege.tar.gz /app/models/koege.tar.gz
COPY endpoints.prod.yml credentials.yml /app/
# The custom NLU component in config.yml (bot.nlu_components.LemmaNormaliser) and what it reads.
COPY bot/__init__.py bot/nlu_components.py /app/bot/
COPY knowledge/__init__.py knowledge/text.py knowledge/nlu_text.py /app/knowledge/
COPY knowledge/data/nlu_gloss.yml /app/knowledge/data/
ENV PYTHONPATH=/app RASA_TELEMETRY_ENABLED=false
USER 1001
# Rasa stays private: no --enable-api, no --cors; only the gateway talks to it.
CMD ["run", "--port", "5005", "--model", "/app/models/koege.tar.gz", "--endpoints", "/app/endpoints.prod.yml", "--credentials", "/app/credentials.yml"]
