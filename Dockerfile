# Beredningsboten: the Telegram bot with its knowledge index built into the image.
#   docker build -t beredningsboten .
#   docker run -e TELEGRAM_BOT_TOKEN=... beredningsboten
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    BOT_MODE=polling \
    PORT=8080 \
    BOT_INDEX_PATH=/app/var/knowledge.db \
    BOT_LOG_DB=/app/var/curator-log.db

# A fixed uid so volume permissions for /app/var are predictable.
RUN useradd --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin bot

WORKDIR /app
# Code and metadata first, knowledge last: editing knowledge only rebuilds the index layers.
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install --no-cache-dir .
COPY knowledge ./knowledge
# The index is a build artefact of the knowledge files; build it once, here, not at start-up.
RUN python -m bot build knowledge --db var/knowledge.db
# The bot writes its curator log next to the index.
RUN chown -R bot:bot var

USER bot
EXPOSE 8080

# Opens the built index read-only and answers a known question; exits 1 unless it answers.
HEALTHCHECK --interval=60s --timeout=10s --start-period=15s --retries=3 \
    CMD ["python", "-c", "import os, sys; from bot.engine import Engine; a = Engine.open(os.environ['BOT_INDEX_PATH']).answer('Vilka fick demokratipriset 2021?'); sys.exit(a.status != 'answer')"]

CMD ["python", "-m", "bot", "run"]
