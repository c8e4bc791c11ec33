"""Turn the figures in Chinese government news reports into verified, tidy pandas tables.

Importing this package is cheap and has no side effects; heavy libraries load where used.
"""

__version__ = "0.1.0"


def __getattr__(name: str):
    # analysis.load is the public entry point for notebooks; importing it lazily keeps
    # `import analysis` free of pandas and pandera.
    if name == "load":
        from analysis.store.reader import load

        return load
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")
