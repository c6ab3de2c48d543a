from pactlab.cli import main

main()
