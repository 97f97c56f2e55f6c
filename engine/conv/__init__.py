"""The convolution mode's experiment: its config and messages, session and frames."""
