from refnotes.cli import run

run()
