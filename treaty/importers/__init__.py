"""Import formats. Each module turns one kind of file into a `tree.Document`."""
