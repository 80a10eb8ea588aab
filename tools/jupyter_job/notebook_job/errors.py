"""Errors a user can cause, each with the exit code the job ends with.

Galaxy shows the last line of stderr first, so each of these is reported as one line that says
what is wrong and where; tracebacks are kept for our own bugs.
"""

EXIT_OK = 0
EXIT_USER_CODE = 1
EXIT_BAD_INPUT = 2
EXIT_TIME_LIMIT = 3
EXIT_INTERRUPTED = 4
EXIT_NO_MODEL = 5


class JobError(Exception):
    """A problem with what the user gave us; ends the job with ``exit_code`` and one line on stderr."""

    exit_code = EXIT_BAD_INPUT


class BadInputError(JobError):
    """An input file (notebook, script or HDF5 dataset) that cannot be used as it is."""


class RefusedCodeError(JobError):
    """Notebook code that a batch job must not run (package installs, unknown IPython magics)."""

    def __init__(self, location: str, message: str):
        super().__init__(f"{location}: {message}")
