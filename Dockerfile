# kgloader as a container, for the `loader` service of docker-compose.yml.
# The wheel is built where a compiler is (the extraction path compiled with mypyc, see pyproject.toml);
# the image that runs it has none.
FROM python:3.11-bookworm AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY loader loader
COPY schema schema
COPY cypher cypher
RUN HATCH_BUILD_HOOKS_ENABLE=1 pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim-bookworm
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels && useradd --create-home kgloader
USER kgloader
WORKDIR /home/kgloader
ENTRYPOINT ["kgloader"]
CMD ["--help"]
