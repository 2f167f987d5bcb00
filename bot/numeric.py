"""The thread settings that suit answering, and numpy imported after them.

OpenBLAS starts its worker threads when numpy is first imported, and they spin while they
wait. The bot's products are one question against a few thousand rows, so one BLAS thread
is fastest, and it leaves the cores to the e5 encoder, whose OpenMP loops halve the time
of one encode on two cores. The settings must precede numpy's first import, and
sqlite-utils imports numpy when it is installed: `bot/__init__.py` applies them first
thing. An operator's own OPENBLAS_NUM_THREADS or OMP_NUM_THREADS wins.
"""

from __future__ import annotations

import os


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def set_threads() -> None:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", str(cores()))


def import_numpy():
    """The numpy module, or None when it is not installed (the threads are set already:
    importing `bot` runs set_threads)."""
    try:
        import numpy
    except ImportError:
        return None
    return numpy
