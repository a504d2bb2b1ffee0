"""The ``api_secret_command`` of a profile, run for its secret with bounds on what it may do.

The command is the user's own (``pass show livedesk``, a ``gpg`` call), but it may hang, print
without end, or leave children behind; it runs with no shell and no input, in a session of its
own, and is killed with every process it started when it overruns ``SECRET_COMMAND_TIMEOUT`` or
``SECRET_OUTPUT_LIMIT``. Kept apart from ``settings`` because running and bounding a process
has nothing to do with layering the config file, the environment and the flags. No message
from here ever includes what the command printed.
"""

from __future__ import annotations

import os
import shlex
from typing import Any

from .api.connection import Secret
from .api.errors import ConfigError
from .config_values import credential_problem

SECRET_COMMAND_TIMEOUT = 10.0
"""Seconds an ``api_secret_command`` may take before it is killed, with every process it
started."""
SECRET_OUTPUT_LIMIT = 64 * 1024
"""Bytes an ``api_secret_command`` may print; past that it is killed and its output refused."""


def run_secret_command(command: str, *, where: str = "the config file") -> Secret:
    """Run ``api_secret_command`` (split like a shell would, but with no shell) for the secret.

    The secret is the first line of its output, without its line ending (``\\n`` or
    ``\\r\\n``): ``pass show`` prints the password and a newline there, and notes on the lines
    after, which are ignored. Any other control character, a space or a character that is not
    ASCII in that line refuses it, as for a secret in the file. The command gets no input, its
    error output is discarded, and no message from here ever includes what it printed.

    The command runs in a session of its own: when it takes longer than
    ``SECRET_COMMAND_TIMEOUT`` seconds or prints more than ``SECRET_OUTPUT_LIMIT`` bytes, it is
    killed with every process it started (a ``gpg`` it called, a ``sleep`` of its own) and its
    output is dropped unread beyond the limit.

    Raises:
        ConfigError: the command cannot be parsed or run, fails, takes too long, prints too
            much, prints nothing, or prints a first line that cannot be a secret.
    """
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise ConfigError(f"api_secret_command under {where} cannot be parsed: {exc}.") from None
    if not argv:
        raise ConfigError(f"api_secret_command under {where} is empty.")
    program = argv[0]
    label = f"The secret command {program!r} (api_secret_command under {where})"
    status, output = _run_capped(argv, label)
    if status != 0:
        raise ConfigError(f"{label} failed with exit status {status}.")
    try:
        text = output.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is None:
        raise ConfigError(f"{label} printed something that is not UTF-8 text.")
    secret = text.partition("\n")[0]
    secret = secret.removesuffix("\r")
    if not secret:
        raise ConfigError(
            f"{label} printed nothing (exit status 0); the secret must be its first line."
        )
    problem = credential_problem(secret)
    if problem:
        raise ConfigError(
            f"{label} printed a first line that {problem}; the secret must be one line of "
            "printable ASCII with no spaces."
        )
    return Secret(secret)


def _run_capped(argv: list[str], label: str) -> tuple[int, bytes]:
    """Run ``argv`` in its own session; its exit status and at most ``SECRET_OUTPUT_LIMIT``
    bytes of its output. Its process group is killed when it overruns the time or the size."""
    import subprocess
    import threading
    import time

    limit, timeout = SECRET_OUTPUT_LIMIT, SECRET_COMMAND_TIMEOUT
    failure = ""
    try:
        process = subprocess.Popen(  # noqa: S603 - the user's own command, split without a shell
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=os.name == "posix",
        )
    except FileNotFoundError:
        failure = "was not found; check the program name and PATH"
    except OSError as exc:
        failure = f"could not be run: {exc.strerror or type(exc).__name__}"
    if failure:  # raised here, not in the except block, so no context holds the OSError
        raise ConfigError(f"{label} {failure}.")

    chunks: list[bytes] = []
    size = 0
    ended = threading.Event()

    def pump() -> None:
        """Read until the end or just past the limit; the pipe is closed here, never while
        this thread may still be reading it."""
        nonlocal size
        stream = process.stdout
        assert stream is not None
        try:
            while size <= limit:
                chunk = os.read(stream.fileno(), min(65536, limit + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        except OSError:
            pass
        finally:
            ended.set()
            stream.close()

    deadline = time.monotonic() + timeout
    reader = threading.Thread(target=pump, name="api_secret_command output", daemon=True)
    reader.start()
    status: int | None = None
    if not ended.wait(timeout):
        failure = f"did not finish within {timeout:g} s and was stopped"
    elif size > limit:
        failure = (
            f"printed more than {limit // 1024} KiB and was stopped; the secret must be the "
            "first line of a short output"
        )
    else:
        try:
            status = process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:  # it closed its output but went on running
            failure = f"did not finish within {timeout:g} s and was stopped"
    if failure or status is None:
        _kill_group(process)
        process.wait()
        reader.join(1.0)  # the pipe ends once the group is gone
        chunks.clear()
        raise ConfigError(f"{label} {failure}.")
    reader.join()
    return status, b"".join(chunks)


def _kill_group(process: Any) -> None:
    """Kill ``process`` and every process of its group (not yet reaped, so its id is still its
    group's)."""
    import signal

    try:
        if hasattr(os, "killpg"):
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    except OSError:
        pass
