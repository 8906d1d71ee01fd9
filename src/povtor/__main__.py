from povtor.cli.main import main

main()
