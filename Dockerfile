# kgloader as a container, for the `loader` service of docker-compose.yml.
FROM python:3.11-slim
WORKDIR /src
COPY pyproject.toml README.md ./
COPY loader loader
COPY schema schema
COPY cypher cypher
RUN pip install --no-cache-dir . && useradd --create-home kgloader
USER kgloader
WORKDIR /home/kgloader
ENTRYPOINT ["kgloader"]
CMD ["--help"]
