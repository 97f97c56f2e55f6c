"""spacefold's experiment engine: the config and its control messages, presets, the session,
a frame's arrays and their binary encoding, and the experiment file.

It builds on ``nets/`` and never imports a web framework: the server (``server/``) and the
Python API (``spacefold/``) both stand on it.
"""
