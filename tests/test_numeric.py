"""The thread settings are in place before numpy starts its BLAS threads."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = (
    "import os, bot.index; "
    "print(os.environ['OPENBLAS_NUM_THREADS'], os.environ['OMP_NUM_THREADS'])"
)


def probe(**env: str) -> list[str]:
    clean = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.split()


def test_one_blas_thread_and_every_core_for_the_encoder_by_default():
    from bot.numeric import cores

    # sqlite-utils imports numpy with the index module: importing bot sets them first
    assert probe() == ["1", str(cores())]


def test_an_operators_thread_settings_win():
    assert probe(OPENBLAS_NUM_THREADS="2", OMP_NUM_THREADS="1") == ["2", "1"]
