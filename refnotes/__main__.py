"""`python -m refnotes`, and the `refnotes` console command (pyproject.toml)."""


def command() -> None:
    """refnotes.cli.run with the cycle collector off from the first import on. Importing the CLI builds
    some hundred thousand objects and no garbage: collecting while they pile up cost 6-7 ms of every run
    (a replayed `todo` takes 150 ms in all), and a command runs with the collector off anyway (cli.main)."""
    import gc

    gc.disable()
    from refnotes.cli import run

    run()


if __name__ == "__main__":
    command()
