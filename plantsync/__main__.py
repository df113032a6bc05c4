from plantsync.cli import main

main()
