"""The Dockerfile, checked without a Docker engine: its instructions, and its install, build and
health-check steps replayed in a fresh virtualenv.

The replay installs the project as the image does, but takes the dependencies from the
test environment's own packages instead of the package index (no download on every run):
it still proves that the package builds with its data files, that its declared extras are
satisfied by the versions tested here, and that the index builds and the health check
passes from the installed copy."""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.index import EMBEDDING_CACHE

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str


def parse_dockerfile(text: str) -> list[Instruction]:
    """Instructions in order, with continuation lines joined and comments dropped."""
    instructions, buffer = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            buffer += stripped[:-1] + " "
            continue
        keyword, _, args = (buffer + stripped).partition(" ")
        instructions.append(Instruction(keyword.upper(), args.strip()))
        buffer = ""
    return instructions


def ignore_patterns() -> list[str]:
    lines = DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def is_ignored(relative: str, patterns: list[str]) -> bool:
    """Whether a context path, or a folder above it, matches a .dockerignore pattern."""
    parts = Path(relative).parts
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in patterns:
        # Docker's '**/' also matches at the top level; fnmatch needs the bare pattern for that.
        forms = [pattern, pattern[3:]] if pattern.startswith("**/") else [pattern]
        if any(fnmatch.fnmatch(c, form) for c in candidates for form in forms):
            return True
    return False


def the(keyword: str, instructions: list[Instruction]) -> list[Instruction]:
    return [i for i in instructions if i.keyword == keyword]


def exec_form(args: str) -> list[str]:
    value = json.loads(args)
    assert isinstance(value, list) and all(isinstance(part, str) for part in value)
    return value


def healthcheck_command(instructions: list[Instruction]) -> list[str]:
    (healthcheck,) = the("HEALTHCHECK", instructions)
    match = re.fullmatch(r"((?:--\S+\s+)*)CMD\s+(.*)", healthcheck.args)
    assert match, f"HEALTHCHECK without CMD: {healthcheck.args}"
    return exec_form(match.group(2))


def environment(instructions: list[Instruction]) -> dict[str, str]:
    env = {}
    for instruction in the("ENV", instructions):
        for pair in shlex.split(instruction.args):
            name, equals, value = pair.partition("=")
            assert equals, f"use ENV NAME=value, not {pair!r}"
            env[name] = value
    return env


@pytest.fixture(scope="module")
def instructions() -> list[Instruction]:
    return parse_dockerfile(DOCKERFILE.read_text(encoding="utf-8"))


def test_base_image_is_python_311_slim(instructions):
    first = instructions[0]
    assert first.keyword == "FROM"
    assert re.match(r"python:3\.11(\.\d+)?-slim\b", first.args)


def test_runs_as_a_non_root_user_before_cmd(instructions):
    keywords = [i.keyword for i in instructions]
    cmd_at = keywords.index("CMD")
    users = [i.args for i in instructions[:cmd_at] if i.keyword == "USER"]
    assert users, "no USER before CMD"
    assert users[-1].split(":")[0] not in ("root", "0")


def test_cmd_and_healthcheck_use_exec_form(instructions):
    (cmd,) = the("CMD", instructions)
    assert exec_form(cmd.args) == ["python", "-m", "bot", "run"]
    assert healthcheck_command(instructions)[0] == "python"


def test_environment_defaults_and_webhook_port(instructions):
    env = environment(instructions)
    assert env["PYTHONUNBUFFERED"] == "1"
    assert env["BOT_MODE"] == "polling"
    assert [i.args for i in the("EXPOSE", instructions)] == ["8080"]


def test_install_skips_pip_cache_and_builds_the_index(instructions):
    runs = " && ".join(i.args for i in the("RUN", instructions))
    assert 'pip install --no-cache-dir ".[semantic,postgres]"' in runs
    assert "python -m bot build" in runs


def test_dockerignore_excludes_venv_git_and_build_artefacts():
    patterns = ignore_patterns()
    for path in (".venv/bin/python", ".git/HEAD", "var/knowledge.db", "bot/__pycache__/x.pyc"):
        assert is_ignored(path, patterns), path
    for path in ("bot/engine.py", "knowledge/documents.yaml", "pyproject.toml"):
        assert not is_ignored(path, patterns), path


def test_every_copied_path_exists_and_is_not_ignored(instructions):
    patterns = ignore_patterns()
    for instruction in the("COPY", instructions):
        *sources, _ = copy_arguments(instruction)
        for source in sources:
            assert (ROOT / source).exists(), source
            assert not is_ignored(source, patterns), source


# -- replaying the build --------------------------------------------------------------------


def copy_arguments(instruction: Instruction) -> list[str]:
    return [arg for arg in shlex.split(instruction.args) if not arg.startswith("--")]


def copy_context(instruction: Instruction, workdir: Path, patterns: list[str]) -> None:
    """COPY semantics: a folder's contents go to dest; files go into dest when it ends in /."""
    *sources, dest = copy_arguments(instruction)
    target = workdir / dest
    for source in sources:
        path = ROOT / source
        if path.is_dir():
            for item in sorted(path.rglob("*")):
                relative = item.relative_to(ROOT).as_posix()
                if item.is_file() and not is_ignored(relative, patterns):
                    destination = target / item.relative_to(path)
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(item, destination)
        else:
            into = dest.endswith("/") or len(sources) > 1
            destination = target / path.name if into else target
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)


def install_and_build_steps(run: Instruction) -> list[list[str]]:
    """The pip, python and rm commands of one RUN line (user and chown steps need root)."""
    steps = []
    for segment in run.args.split("&&"):
        argv = shlex.split(segment)
        if argv and argv[0] in ("pip", "python", "rm"):
            steps.append(argv)
    return steps


def in_venv(argv: list[str], venv: Path) -> list[str]:
    """A Dockerfile command as run in the replay venv; pip installs from what is here."""
    if argv[0] not in ("pip", "python"):
        return argv
    args = [arg for arg in argv[1:] if arg != "--no-cache-dir"]
    if argv[0] == "pip" and args[:1] == ["install"]:
        args = ["install", "--no-index", "--no-build-isolation", *args[1:]]
    return [str(venv / "bin" / argv[0]), *args]


def link_test_packages(venv: Path) -> None:
    """The test environment's packages, visible in the replay venv (after its own)."""
    import site

    [own] = (venv / "lib").glob("python3*/site-packages")
    # The venv's bundled setuptools may be too old to build a wheel; the tested one is used.
    for bundled in [
        *own.glob("setuptools*"),
        *own.glob("_distutils_hack"),
        *own.glob("distutils-precedence.pth"),
    ]:
        shutil.rmtree(bundled) if bundled.is_dir() else bundled.unlink()
    here = [path for path in site.getsitepackages() if Path(path).is_dir()]
    (own / "test-packages.pth").write_text("\n".join(here) + "\n", encoding="utf-8")


def relocate(value: str, image_workdir: str, workdir: Path) -> str:
    return value.replace(image_workdir, str(workdir)) if image_workdir != "/" else value


def replay(
    instructions: list[Instruction], workdir: Path, venv: Path, env: dict[str, str]
) -> None:
    """COPY and the install/build RUN steps, in Dockerfile order, inside workdir."""
    patterns = ignore_patterns()
    for instruction in instructions:
        if instruction.keyword == "COPY":
            copy_context(instruction, workdir, patterns)
        elif instruction.keyword == "RUN":
            for argv in install_and_build_steps(instruction):
                done = subprocess.run(
                    in_venv(argv, venv),
                    cwd=workdir,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=600,
                )
                assert done.returncode == 0, f"{argv} failed:\n{done.stdout}\n{done.stderr}"


def test_install_build_and_healthcheck_work_in_a_fresh_virtualenv(instructions, tmp_path):
    (workdir_instruction,) = the("WORKDIR", instructions)
    image_workdir = workdir_instruction.args
    workdir, venv = tmp_path / "app", tmp_path / "venv"
    workdir.mkdir()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    link_test_packages(venv)
    env = {**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("VIRTUAL_ENV", None)
    env.update(
        {k: relocate(v, image_workdir, workdir) for k, v in environment(instructions).items()}
    )

    # Embeddings this checkout already computed: a cache, so the build's result is the same.
    seeded = workdir / "var" / EMBEDDING_CACHE.name
    if EMBEDDING_CACHE.is_file():
        seeded.parent.mkdir()
        shutil.copyfile(EMBEDDING_CACHE, seeded)

    replay(instructions, workdir, venv, env)

    assert (Path(env["BOT_INDEX_PATH"])).is_file()
    assert not seeded.exists(), "the image keeps no embedding cache"
    where = [str(venv / "bin" / "python"), "-c", "import bot; print(bot.__file__)"]
    imported = subprocess.run(where, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert imported.stdout.startswith(str(venv)), "the installed copy is the one that runs"
    check = in_venv(healthcheck_command(instructions), venv)
    done = subprocess.run(check, cwd=workdir, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
