from cookbook_tool.cli.app import main

main()
