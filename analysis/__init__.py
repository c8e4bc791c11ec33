"""Turn the figures in Chinese government news reports into verified, tidy pandas tables.

Importing this package is cheap and has no side effects; heavy libraries load where used.
"""

__version__ = "0.1.0"
