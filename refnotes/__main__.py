from refnotes.cli import main

main()
