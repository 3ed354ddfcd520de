# One image for the API, the worker and the migrations:
#   docker run IMAGE serve      (default)   docker run IMAGE worker   docker run IMAGE migrate
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ENVIRONMENT=production \
    HOST=0.0.0.0 \
    PORT=8000
RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home erkenning
WORKDIR /app
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
# `erkenning migrate` finds Alembic's scripts next to pyproject.toml in the working directory.
COPY pyproject.toml ./
COPY migrations ./migrations
USER erkenning
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/live', timeout=2)"]
ENTRYPOINT ["erkenning"]
CMD ["serve"]
