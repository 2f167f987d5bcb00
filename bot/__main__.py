"""python -m bot: the command line (bot.cli).

Started by a Python without the project's dependencies (the system one, outside the
virtualenv), it runs itself again with the project's .venv, so that the README's commands
work as typed; without a .venv it says how to make one."""

import os
import sys
from pathlib import Path

VENV_PYTHON = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "python"


def _with_dependencies() -> None:
    try:
        import click  # noqa: F401
        import sqlite_utils  # noqa: F401
    except ImportError as error:
        if VENV_PYTHON.exists() and Path(sys.prefix).resolve() != VENV_PYTHON.parent.parent:
            os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), "-m", "bot", *sys.argv[1:]])
        sys.exit(
            f"Error: {error.name} is not installed. Run `make test` or `make run` once (they "
            "create .venv with everything), or install the project: pip install -e ."
        )


_with_dependencies()

from bot.cli import main  # noqa: E402

main()
