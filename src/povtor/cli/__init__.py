"""The command line: parses arguments, calls storage and domain code, prints results."""
