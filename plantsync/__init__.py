"""plantsync: the command line and settings (the application shell)."""
