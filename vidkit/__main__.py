from vidkit.cli.main import main

main()
