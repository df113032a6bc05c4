"""`plantsync`: the command line. Each command group lives in its own module and imports its
heavy dependencies (Dagster, dlt, DuckDB) only when it runs, so `--help` stays fast."""

from __future__ import annotations

import gc
import importlib
import os
import sys

import click

from settings import PermanentError, load_env_file

# group name -> "module:attribute" of its click command or group
COMMANDS = {
    "run": "plantsync.run_command:run",
    "query": "plantsync.query_command:query",
    "sandbox": "plantsync.sandbox_commands:sandbox",
    "models": "plantsync.models_commands:models",
    "connections": "plantsync.connections_commands:connections",
    "webhooks": "plantsync.webhooks_commands:webhooks",
    "report": "plantsync.report_command:report",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in COMMANDS if self._load(name) is not None)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return self._load(name)

    @staticmethod
    def _load(name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                return None
            raise
        return getattr(module, attribute)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """plantsync: purchase orders and OEE data in one warehouse."""
    load_env_file()


def main() -> None:
    """Console entry point: one-line reasons and a non-zero exit on known failures."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.UsageError as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.ClickException as exc:  # the command's own one-line reason
        click.echo(f"plantsync: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except PermanentError as exc:  # a setting or file that can never work: fix, don't retry
        click.echo(f"plantsync: {exc}", err=True)
        sys.exit(2)
    except SystemExit:
        raise
    except Exception as exc:
        # Anything else still ends in one line; PLANTSYNC_DEBUG=1 shows the traceback.
        if os.environ.get("PLANTSYNC_DEBUG"):
            raise
        message = " ".join(str(exc).split()) or "no message"
        click.echo(f"plantsync: {type(exc).__name__}: {message}", err=True)
        sys.exit(1)
    finally:
        # The process ends here and the OS takes its memory back: spare the interpreter's last
        # cycle collection over everything a run imported and built (a second after each run).
        gc.freeze()


if __name__ == "__main__":
    main()
